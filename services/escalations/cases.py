"""Cases in the store: each change is ONE conditional update of state, timeline and outbox.

:func:`commit` writes an :class:`~services.escalations.case_life.Outcome` with a filter on the
case's ``_id`` and the ``version`` it was read at, bumping the version. When nothing matched,
someone else changed the case since it was read (another officer, another instance's sweep):
the caller gets :class:`~shared.errors.Conflict` (409) and nothing was written, so a case is
never changed twice from the same reading and no update is ever lost. Example::

    case = find_case(db, case_id)
    outcome = case_life.apply_action(case, "acknowledge", actor, now, policy)
    commit(db, case, outcome)            # or Conflict: "someone else acted on this case first"
"""
import datetime as dt

from services.escalations import case_life
from shared import contracts
from shared.errors import Conflict, NotFound
from shared.outbox import push_events

# the fields an inbox line shows: not the timeline, not the outbox
LISTED = {"outbox": 0, "timeline": 0}
SYSTEM_ACTOR = {"user_id": "system", "role": "system"}


def find_case(db, case_id, projection=None):
    case = db.cases.find_one({"_id": case_id}, projection or {"outbox": 0})
    if case is None:
        raise NotFound("case not found", {"case_id": [str(case_id)]})
    return case


def commit(db, case, outcome, actor=None):
    """``actor``: the user_id the event's envelope names (None: the system itself)."""
    event_type, payload = outcome.event
    update = push_events({"$set": {**outcome.changes, "version": case["version"] + 1},
                          "$push": {"timeline": outcome.entry}},
                         [event_type.new(payload, occurred_at=outcome.entry["at"],
                                         actor=actor)])
    result = db.cases.update_one({"_id": case["_id"], "version": case["version"]}, update)
    if result.matched_count == 0:
        raise Conflict("someone else acted on this case first; reload it and try again",
                       {"version": [str(case["version"])]})
    stored = {**case, **outcome.changes, "version": case["version"] + 1}
    if "timeline" in case:  # read with its timeline: show the line just pushed too
        stored["timeline"] = [*case["timeline"], outcome.entry]
    return stored


def new_case(concern, source_event_id, rule, triage_authority_id, policy, now,
             raised_by_user=None):
    """A case for a raised concern, with its first timeline line and its first event: routed by
    ``rule``, or held by the triage authority (or unrouted when there is none).
    ``raised_by_user``: who carried the concern (the ``concern_raised`` envelope's actor); the
    raising side's actions and reads are theirs."""
    case_id = contracts.new_id()
    urgency = concern.get("urgency", "normal")
    case = {
        "_id": case_id, "version": 1, "concern_id": concern["concern_id"],
        "unit_id": concern["unit_id"], "unit_path": concern["unit_path"],
        "topic": concern["topic"], "urgency": urgency, "summary": concern["summary"],
        # the unit the concern is about, when not the branch's own
        "locality_unit_id": concern.get("locality_unit_id"),
        "raised_by": concern["raised_by"], "raised_on": concern["raised_on"].isoformat(),
        "source_event_id": source_event_id, "raised_by_user": raised_by_user,
        "rule_id": rule and rule.rule_id,
        "routed_at": now, "received_at": now, "acknowledged_at": None, "awaiting_since": None,
        "answer": None, "answered_at": None, "closed_at": None, "duplicate_of": None,
        "escalated_past": [], "reminded": [], "reopened_count": 0,
        "standing_committee_flagged": False, "triage": rule is None,
    }
    authority_id = rule.authority_id if rule else triage_authority_id
    if authority_id is None:
        case.update(status=case_life.UNROUTED, authority_id=None, acknowledge_by=None,
                    answer_by=None, routed_at=None, received_at=None)
    else:
        acknowledge_by, answer_by = policy.deadlines_for(concern["topic"], urgency, now)
        case.update(status=case_life.ROUTED, authority_id=authority_id,
                    acknowledge_by=acknowledge_by.isoformat(), answer_by=answer_by.isoformat())
    case.update(case_life.schedule(case, policy))
    why = f"routing rule {rule.rule_id}" if rule else "no routing rule covers it: triage"
    case["timeline"] = [{"at": now, **SYSTEM_ACTOR, "action": "route", "from_state": None,
                         "to_state": case["status"], "why": why, "authority_id": authority_id}]
    refs = {"case_id": case_id, "concern_id": concern["concern_id"]}
    if rule:
        event = contracts.CASE_ROUTED.new({**refs, "authority_id": authority_id,
                                           "rule_id": rule.rule_id,
                                           "acknowledge_by": acknowledge_by},
                                          occurred_at=now)
    else:
        event = contracts.CASE_UNROUTED.new({**refs, "unit_id": concern["unit_id"],
                                             "topic": concern["topic"],
                                             "authority_id": authority_id}, occurred_at=now)
    return case, event


def shown(case, now, authority_names):
    """A case as the inbox and the case page show it (times in UTC, as stored)."""
    due_at = case.get("due_at") and case["due_at"].astimezone(dt.timezone.utc)
    return {**case, "authority_name": authority_names.get(case.get("authority_id")),
            "due_at": due_at, "overdue": bool(due_at and due_at <= now),
            "allowed_actions": case_life.allowed_actions(case["status"])}
