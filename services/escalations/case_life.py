"""A case's life, from routing to closing: the states, the actions, and who may take them.

The table :data:`TRANSITIONS` is the whole state machine: each row says which action takes a case
from which states to which state, and which side may take it (the holder authority's officer,
the raising side, or the system's deadline sweep). :func:`apply_action` is the only way a case
changes: it checks the table, the action's arguments and the deadlines, and returns an
:class:`Outcome`: the new state, the fields to set, the timeline entry and the event. Example::

    outcome = apply_action(case, "acknowledge", {"user_id": "u1", "role": "authority_officer"},
                           now, policy=policy)
    outcome.state     # "acknowledged"
    outcome.event     # (CASE_ACKNOWLEDGED, {"case_id": ..., "answer_by": ...})

A case is the stored document (a dict): ``status``, ``authority_id`` (the holder), the dates
``acknowledge_by`` and ``answer_by`` (ISO strings), ``acknowledged_at``, ``awaiting_since`` ...
Deadlines keep running through a redirect; they pause while awaiting information (the answer
deadline moves on by the working days spent waiting); an escalation gives the new holder fresh
ones; past the top authority the case is flagged for the province standing committee.
"""
from dataclasses import dataclass

from services.escalations import sla
from services.escalations.answer_record import answer_record, because_of
from services.escalations.case_clock import schedule
from services.escalations.case_states import (  # noqa: F401 (the machine's names, re-exported)
    ACKNOWLEDGED,
    ANSWERED,
    ARRIVED,
    AWAITING_INFORMATION,
    CLOCK_RUNS,
    CLOSED,
    CLOSED_RESOLVED,
    CLOSED_UNRESOLVED,
    DUPLICATE_OF,
    ESCALATED,
    HOLDER,
    IN_PROGRESS,
    OPEN,
    RAISER,
    REDIRECTED,
    REOPENED,
    ROUTED,
    STATES,
    SYSTEM,
    UNROUTED,
    WITHDRAWN,
    WORKING,
    Outcome,
    as_date,
)
from shared import contracts
from shared.errors import Conflict, InvalidInput, RuleViolated
from shared.reasons import reason

# the states (and HOLDER, RAISER, SYSTEM), Outcome and as_date are case_states'

# --- actions ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset    # states it may be taken from
    targets: tuple        # the state it leads to (close: one per outcome)
    sides: frozenset      # who may take it


def T(action, sources, targets, *sides):
    return Transition(action, frozenset(sources), tuple(targets), frozenset(sides))


TRANSITIONS = (
    T("acknowledge",         ARRIVED,                         [ACKNOWLEDGED], HOLDER),
    # acknowledge and start work in one step, or start after acknowledging
    T("start",               ARRIVED | {ACKNOWLEDGED},        [IN_PROGRESS], HOLDER),
    T("request_information", WORKING,                         [AWAITING_INFORMATION], HOLDER),
    T("provide_information", {AWAITING_INFORMATION},          [IN_PROGRESS], RAISER),
    # hand it to the body responsible (must be named, with a reason); the clock keeps running
    T("redirect",            CLOCK_RUNS,                      [REDIRECTED], HOLDER),
    T("redirect",            {UNROUTED},                      [REDIRECTED], HOLDER),
    T("answer",              WORKING,                         [ANSWERED], HOLDER),
    # a duplicate follows its original's answer
    T("answer",              {DUPLICATE_OF},                  [ANSWERED], SYSTEM),
    T("close",               {ANSWERED},                      [CLOSED_RESOLVED, CLOSED_UNRESOLVED],
      RAISER, HOLDER),
    T("mark_duplicate",      ARRIVED | {ACKNOWLEDGED, IN_PROGRESS}, [DUPLICATE_OF], HOLDER),
    T("reopen",              CLOSED,                          [REOPENED], RAISER),
    # one level up: by the sweep when a deadline passed, or by the holder itself
    T("escalate",            CLOCK_RUNS,                      [ESCALATED], SYSTEM, HOLDER),
    # --- what the branch decides, arriving as visits' events (nobody takes these by hand) ---
    # a concern withdrawn at the branch (concern_withdrawn) ends its case wherever it stands
    T("withdraw",            OPEN | {ANSWERED, UNROUTED, DUPLICATE_OF}, [WITHDRAWN], SYSTEM),
    # the answer read out at the next meeting (answer_reviewed): the members were satisfied...
    T("accept_answer",       {ANSWERED},                      [CLOSED_RESOLVED], SYSTEM),
    # ...or not: back to the same authority with their comment, even if it was closed
    T("reject_answer",       {ANSWERED} | CLOSED,             [REOPENED], SYSTEM),
)
# what a signed-in user may ask for (POST /cases/<id>/<action>)
ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS if t.sides - {SYSTEM}))
# what only the system takes, on the branch's events
if (STATES, ACTIONS) != (contracts.CASE_STATES, contracts.CASE_ACTIONS):
    raise ImportError("case_life's states or actions differ from shared.contracts.cases")
EVENT_ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS if t.action not in ACTIONS))
CLOSE_OUTCOMES = {"resolved": CLOSED_RESOLVED, "unresolved": CLOSED_UNRESOLVED}


def transition(state, action):
    """The row of the table for this action from this state, or a 409 naming both."""
    if action not in ACTIONS and action not in EVENT_ACTIONS:
        raise InvalidInput("unknown action", {"action": [f"must be one of: {', '.join(ACTIONS)}"]})
    for row in TRANSITIONS:
        if row.action == action and state in row.sources:
            return row
    raise Conflict(f"cannot {action} a case that is {state}",
                   {"action": [action], "state": [state]})


def allowed_actions(state, side=None):
    """What a user may ask for on a case in ``state``: ``side``'s actions (HOLDER or RAISER),
    or, with no side, those of either side."""
    return list(dict.fromkeys(row.action for row in TRANSITIONS
                              if state in row.sources and row.action in ACTIONS
                              and (side is None or side in row.sides)))


# --- applying an action ----------------------------------------------------------------------

def _text(args, name, what):
    value = args.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} needs a {name}",
                           {name: [reason("required", "required, non-empty text")]})
    return value.strip()


def _who(actor):
    if isinstance(actor, dict):
        return {"user_id": str(actor.get("user_id") or "unknown"),
                "role": str(actor.get("role") or "unknown")}
    return {"user_id": str(actor), "role": "unknown"}


def apply_action(case, action, actor, at, policy, **args):
    """The outcome of ``action`` on ``case`` by ``actor`` at ``at`` (aware), or an error:
    409 for an action the state does not allow, 400 for missing or bad arguments, 422 for a
    rule (e.g. the reopen window) that refuses it."""
    state = case["status"]
    row = transition(state, action)
    refs = {"case_id": case["_id"], "concern_id": case["concern_id"]}
    holder = case.get("authority_id")
    # why: a person's own words, or the system's in English (events, API); because: the
    # system's reason as a code and its values, which the pages word in the reader's language
    changes, why, because = {}, None, args.get("because")

    if action in ("acknowledge", "start"):
        target = row.targets[0]
        answer_by = as_date(case["answer_by"])
        if not case.get("acknowledged_at"):
            changes["acknowledged_at"] = at
        event = (contracts.CASE_ACKNOWLEDGED, {**refs, "authority_id": holder,
                                               "answer_by": answer_by,
                                               "started": action == "start"})
    elif action == "request_information":
        target, why = row.targets[0], _text(args, "question", "requesting information")
        changes["awaiting_since"] = at
        event = (contracts.CASE_INFORMATION_REQUESTED, {**refs, "authority_id": holder,
                                                        "question": why})
    elif action == "provide_information":
        target, why = row.targets[0], _text(args, "information", "providing information")
        answer_by = sla.extend_for_pause(as_date(case["answer_by"]), case["awaiting_since"], at,
                                         policy.calendar)
        changes.update(awaiting_since=None, answer_by=answer_by.isoformat())
        event = (contracts.CASE_INFORMATION_PROVIDED, {**refs, "authority_id": holder,
                                                       "information": why,
                                                       "answer_by": answer_by})
    elif action == "redirect":
        target, why = row.targets[0], _text(args, "reason", "a redirect")
        to = args.get("authority_id")
        if not isinstance(to, str) or not to:
            raise InvalidInput("a redirect must name the authority responsible",
                               {"authority_id": [reason("required", "required")]})
        if to == holder:
            raise RuleViolated("a case cannot be redirected to the authority holding it",
                               {"authority_id": [reason("same_authority", to)]})
        changes.update(authority_id=to, triage=False, received_at=at, assignee_user_id=None)
        if state == UNROUTED:  # its first holder: the clock starts now
            tier, acknowledge_by, answer_by = policy.case_deadlines(case, to, at)
            changes.update(acknowledge_by=acknowledge_by.isoformat(), tier=tier,
                           answer_by=answer_by.isoformat(), routed_at=at)
        event = (contracts.CASE_REDIRECTED, {**refs, "from_authority_id": holder,
                                             "authority_id": to, "reason": why})
    elif action == "answer":
        target, answer = row.targets[0], _text(args, "answer", "answering")
        original = args.get("original_case_id")
        if state == DUPLICATE_OF and original != case.get("duplicate_of"):
            raise RuleViolated("a duplicate takes only its original's answer",
                               {"original_case_id": [str(original)]})
        record = answer_record(state, args, at)
        changes.update(answer=answer, answered_at=at, **record)
        because = because_of(record)
        event = (contracts.CASE_ANSWERED, {**refs, "authority_id": holder, "answer": answer,
                                           "answered_at": at,
                                           "original_case_id": case.get("duplicate_of"),
                                           "answer_by": case.get("answer_by") and as_date(
                                               case["answer_by"]), **record})
    elif action == "close":
        outcome = args.get("outcome")
        if outcome not in CLOSE_OUTCOMES:
            raise InvalidInput("closing needs an outcome",
                               {"outcome": [reason("required", "must be 'resolved' or "
                                                   "'unresolved'")]})
        target, why = CLOSE_OUTCOMES[outcome], (args.get("note") or "").strip()
        changes["closed_at"] = at
        event = (contracts.CASE_CLOSED, {**refs, "authority_id": holder, "outcome": outcome,
                                         "note": why})
    elif action == "mark_duplicate":
        target = row.targets[0]
        original = args.get("original")
        if not isinstance(original, dict):
            raise InvalidInput("mark_duplicate needs the original case",
                               {"original_case_id": ["required"]})
        if original["_id"] == case["_id"]:
            raise RuleViolated("a case cannot duplicate itself",
                               {"original_case_id": [original["_id"]]})
        if original["status"] not in OPEN:
            raise RuleViolated(f"the original must be open, it is {original['status']}",
                               {"original_case_id": [original["_id"]]})
        why = f"duplicate of case {original['_id']}"
        because = {"code": "duplicate_of"}
        changes["duplicate_of"] = original["_id"]
        event = (contracts.CASE_MARKED_DUPLICATE, {**refs, "authority_id": holder,
                                                   "original_case_id": original["_id"]})
    elif action == "reopen":
        target, why = row.targets[0], _text(args, "reason", "reopening")
        if at > case["closed_at"] + policy.reopen_within:
            days = policy.reopen_within.days
            raise RuleViolated(f"a case can be reopened within {days} days of closing",
                               {"closed_at": [reason("reopen_window_passed",
                                                  case["closed_at"].isoformat(), days=days)]})
        *_, answer_by = policy.case_deadlines(case, holder, at)
        changes.update(answer_by=answer_by.isoformat(), closed_at=None, answer=None,
                       reopened_count=case.get("reopened_count", 0) + 1)
        event = (contracts.CASE_REOPENED, {**refs, "authority_id": holder, "reason": why,
                                           "answer_by": answer_by})
    elif action == "escalate":
        target, why = row.targets[0], _text(args, "reason", "escalating")
        if "parent_authority_id" not in args:
            raise InvalidInput("escalating needs the holder's parent authority",
                               {"parent_authority_id": ["required (None at the top)"]})
        parent = args["parent_authority_id"]
        if parent is None:
            if case.get("standing_committee_flagged"):
                raise Conflict("the case is already with the province standing committee",
                               {"action": [action], "state": [state]})
            changes["standing_committee_flagged"] = True
        else:
            tier, acknowledge_by, answer_by = policy.case_deadlines(case, parent, at)
            changes.update(authority_id=parent, received_at=at, acknowledged_at=None, tier=tier,
                           acknowledge_by=acknowledge_by.isoformat(),
                           answer_by=answer_by.isoformat(),
                           escalated_past=[*case.get("escalated_past", []), holder],
                           assignee_user_id=None)
        event = (contracts.CASE_ESCALATED, {**refs, "from_authority_id": holder,
                                            "authority_id": parent,
                                            "standing_committee_flagged": parent is None,
                                            "reason": why, **({"because": because}
                                                              if because else {})})
    elif action == "withdraw":
        target, why = row.targets[0], _text(args, "reason", "withdrawing")
        changes["closed_at"] = at
        event = (contracts.CASE_WITHDRAWN, {**refs, "authority_id": holder, "reason": why})
    elif action == "accept_answer":
        target = row.targets[0]
        why, because = _members_said("satisfied", "members_satisfied", args)
        changes["closed_at"] = at
        event = (contracts.CASE_CLOSED, {**refs, "authority_id": holder, "outcome": "resolved",
                                         "note": why})
    elif action == "reject_answer":
        # reopened at the same authority (the holder that answered), with a fresh deadline
        target = row.targets[0]
        why, because = _members_said("not satisfied", "members_not_satisfied", args)
        *_, answer_by = policy.case_deadlines(case, holder, at)
        changes.update(answer_by=answer_by.isoformat(), closed_at=None, answer=None,
                       reopened_count=case.get("reopened_count", 0) + 1)
        event = (contracts.CASE_REOPENED, {**refs, "authority_id": holder, "reason": why,
                                           "answer_by": answer_by, "because": because})
    else:  # pragma: no cover - every action of the table has a branch above
        raise AssertionError(action)

    changes["status"] = target
    after = {**case, **changes}
    changes.update(schedule(after, policy))
    if event[0] in (contracts.CASE_REOPENED, contracts.CASE_INFORMATION_PROVIDED):
        event[1]["assignee_user_id"] = case.get("assignee_user_id")  # told beside the holder
    entry = {"at": at, **_who(actor), "action": action, "from_state": state,
             "to_state": target, "why": why, "because": because,
             "authority_id": after.get("authority_id")}
    return Outcome(target, changes, entry, event)


def _members_said(verdict, code, args):
    """The timeline's why of a review at the branch (the verdict, the meeting, the comment),
    and the same as a ``because``."""
    comment = (args.get("comment") or "").strip()
    said = f"members {verdict} when the answer was read out on {args.get('reviewed_on')}"
    because = {"code": code, "reviewed_on": str(args.get("reviewed_on")), "comment": comment}
    return (f"{said}: {comment}" if comment else said), because
