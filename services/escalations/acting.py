"""Acting on a case: a signed-in user's action, and the deadline sweep's reminders and
escalations, each written by one conditional update (``store.commit``).

An officer of the holding authority or the cadre who carried the concern asks for an action
(``act_on_case``); the state machine (``case_life``) decides, the store keeps it. The sweep
(``sweep_deadlines``) looks at cases whose ``next_deadline_at`` has come (an indexed range,
never a scan): it warns the holder or the head early (``case_clock.note_warning``), reminds
the holder, hands a case nobody accepted to the deputy, then the head
(``acceptance_chain``), or escalates the case one level up, and once a day compiles each
officer's digest of what falls due soon (``digests``); several instances may
sweep at once, the version condition lets exactly one of them act on each case. Example::

    act_on_case(db, rules, case_id, "acknowledge", {}, officer)   # the case as shown after it
    sweep_deadlines(db, rules)        # {"remind": 1, "escalate": 0, "lost_race": 0}
"""
import dataclasses
import datetime as dt
from logging import getLogger

from services.escalations import (
    acceptance_chain,
    case_attachments,
    case_clock,
    case_life,
    case_tiers,
    cases,
    digests,
    holding,
    interim_reply,
    queries,
    reply_templates,
    rosters,
    store,
)
from services.escalations.access import check_principal, heads, holds_case, may_read
from shared import contracts
from shared.authorisation import actor_of
from shared.errors import Conflict, Forbidden, NotFound, RuleViolated

_log = getLogger(__name__)
# an escalation's reason when its holder gave none (events and API), and the same as a code
ESCALATED_BY_HOLDER = "escalated by the authority holding it"
ATTACHMENT_SWEEP_EVERY = dt.timedelta(hours=1)


def act_on_case(db, rules, case_id, action, args, principal):
    """Apply ``action`` (its arguments decoded) as ``principal``: a case they may not see is
    NotFound like a missing one; one whose side may not take the action now, Forbidden."""
    case = queries.visible_case(db, case_id, principal)
    if action == "answer" and case["status"] == case_life.DUPLICATE_OF:
        raise Conflict("a duplicate follows its original's answer; answer the original",
                       {"action": [action], "state": [case["status"]]})
    check_principal(case, action, principal)
    template = _template(db, case, action, args.pop("template_id", None))
    documents = _documents(db, rules, case, args.pop("attachments", None))
    args = _resolve(db, case, action, args, principal)
    now = rules.clock.now()
    who = {"user_id": principal.user_id, "role": principal.role}
    outcome = case_life.apply_action(case, action, who, now, rules.policy, **args)
    if template is not None:  # the timeline line names the text it started from
        outcome = dataclasses.replace(outcome, entry={
            **outcome.entry, "template_id": template["_id"], "template_title": template["title"]})
    outcome = _with_documents(db, outcome, documents, action, now)
    stored = store.commit(db, case, outcome, actor=actor_of(principal))
    _log.info("case %s: %s -> %s by %s", case_id, case["status"], outcome.state,
              principal.user_id)
    return queries.show(db, stored, now, principal, rules.policy.calendar)


def take_case(db, rules, case_id, principal):
    """``principal`` takes the case to work on (``holding.take``); the case as they see it."""
    case = queries.visible_case(db, case_id, principal)
    now = rules.clock.now()
    stored = store.commit(db, case, holding.take(case, principal, now),
                          actor=actor_of(principal))
    _log.info("case %s taken by %s", case_id, principal.user_id)
    return queries.show(db, stored, now, principal, rules.policy.calendar)


def assign_case(db, rules, case_id, user_id, principal):
    """The head of the holding authority assigns the case to the officer ``user_id``
    (``holding.assign``, the officer as the read model of accounts' events knows them)."""
    case = queries.visible_case(db, case_id, principal)
    now = rules.clock.now()
    outcome = holding.assign(case, principal, store.find_officer(db, user_id), now)
    stored = store.commit(db, case, outcome, actor=actor_of(principal))
    _log.info("case %s assigned to %s by %s", case_id, user_id, principal.user_id)
    return queries.show(db, stored, now, principal, rules.policy.calendar)


def change_tier(db, rules, case_id, change, principal):
    """The holder's officer puts the case in another tier, with a reason (``case_tiers``):
    its deadlines recomputed from arrival, the change on the timeline."""
    case = queries.visible_case(db, case_id, principal)
    now, policy = rules.clock.now(), rules.policy
    outcome = case_tiers.change_tier(case, principal, change["tier"], change["reason"], now,
                                     policy)
    stored = store.commit(db, case, outcome, actor=actor_of(principal))
    _log.info("case %s: tier %s by %s", case_id, change["tier"], principal.user_id)
    return queries.show(db, stored, now, principal, policy.calendar)


def give_interim_reply(db, rules, case_id, reply, principal):
    """An officer of the holding authority gives the interim reply (``interim_reply``): the
    answer deadline becomes the committed date; the case as they see it."""
    case = queries.visible_case(db, case_id, principal)
    if not holds_case(principal, case):
        raise Forbidden("only an officer of the authority holding the case gives its interim "
                        "reply", {"authority_id": [str(case.get("authority_id"))]})
    documents = _documents(db, rules, case, reply.get("attachments"))
    now = rules.clock.now()
    who = {"user_id": principal.user_id, "role": principal.role}
    outcome = interim_reply.interim_outcome(case, who, now, rules.policy,
                                            reply["committed_on"], reply["note"])
    outcome = _with_documents(db, outcome, documents, "interim_reply", now)
    stored = store.commit(db, case, outcome, actor=actor_of(principal))
    _log.info("case %s: interim reply to %s by %s", case_id, reply["committed_on"],
              principal.user_id)
    return queries.show(db, stored, now, principal, rules.policy.calendar)


def _documents(db, rules, case, ids):
    """The references of the documents a step names (``case_attachments``): an id that is not
    this case's upload refuses the whole step, before anything changes."""
    if not ids:
        return []
    return case_attachments.resolve(db, rules.attachment_limits, case["_id"], ids)


def _with_documents(db, outcome, documents, action, now):
    """The step's timeline line listing its documents, each marked as named first."""
    if not documents:
        return outcome
    case_attachments.attach(db, documents, action, now)
    return dataclasses.replace(outcome, entry={**outcome.entry, "attachments": documents})


def _template(db, case, action, template_id):
    """The reply template an answer or a question started from, if usable on this case."""
    if template_id is None:
        return None
    template = store.find_reply_template(db, template_id)
    reply_templates.check_usable(template, case, action)
    return template


def name_officers(db, rules, case_id, user_ids, principal):
    """The head of the authority holding a confidential case names the officers who read it
    besides them (the whole list): anyone else is refused, a case that is not confidential
    has no such list."""
    case = queries.visible_case(db, case_id, principal)
    if not heads(principal, case.get("authority_id")):
        raise Forbidden("only the head of the authority holding the case names who reads it",
                        {"rule": ["cases.name_officers: the holding authority's head only"]})
    if not case.get("confidential"):
        raise RuleViolated("only a confidential case has named officers",
                           {"case_id": [f"{case_id} is not confidential"]})
    now = rules.clock.now()
    entry = {"at": now, "user_id": principal.user_id, "role": principal.role,
             "action": "name_officers", "from_state": case["status"],
             "to_state": case["status"], "authority_id": case["authority_id"],
             "why": f"{len(user_ids)} officer(s) named to read this confidential case"}
    stored = store.name_officers(db, case, user_ids, entry)
    _log.info("case %s: %d officer(s) named by %s", case_id, len(user_ids), principal.user_id)
    return queries.show(db, stored, now, principal)


def _resolve(db, case, action, args, principal):
    """Look up what the rule needs from the store: the authority named, the original case,
    the parent authority. An original the principal may not read is refused exactly like a
    missing one: marking across authorities would pass another authority's answer along, and
    a different refusal would tell its state."""
    if action == "redirect" and store.find_authority(db, args["authority_id"]) is None:
        raise NotFound("authority not found", {"authority_id": [args["authority_id"]]})
    if action == "mark_duplicate":
        original = store.case_or_none(db, args.pop("original_case_id"), store.LISTED)
        if original is None or not may_read(principal, original):
            raise NotFound("original case not found", {"original_case_id": ["not found"]})
        args["original"] = original
    if action == "escalate":
        args["parent_authority_id"] = _parent_of(db, case["authority_id"])
        if "reason" not in args:
            args.update(reason=ESCALATED_BY_HOLDER, because={"code": "escalated_by_holder"})
    return args


def _parent_of(db, authority_id):
    return case_clock.escalation_target(store.find_authority(db, authority_id) or {})


def sweep_deadlines(db, rules, files=None):
    """Warn, remind, hand over inside the authority or escalate every case whose next look
    has come: how many of each, and how many another instance (or an officer) changed first;
    and, at most hourly, the documents no step took (``case_attachments.sweep``)."""
    now = rules.clock.now()
    done = {"warn": 0, "remind": 0, "hand_over": 0, "escalate": 0, "lost_race": 0}
    for case in store.due_cases(db, now):
        what = case_clock.due(case, now)
        try:
            outcome = _look(db, rules, case, what, now)
            if outcome is None:
                continue
            if what == "escalate" and outcome.event[0] == contracts.CASE_ASSIGNED:
                what = "hand_over"  # the deputy or the head first (acceptance_chain)
            store.commit(db, case, outcome)
        except Conflict:
            done["lost_race"] += 1  # another instance (or an officer) acted first
            continue
        except Exception:  # one broken case must not stop the sweep of the others
            _log.exception("sweep: case %s could not be handled", case["_id"])
            continue
        done[what] += 1
        _log.info("sweep: case %s %s (%s)", case["_id"], what, outcome.entry["why"]
                  or outcome.entry["because"])
    done["digest"] = digests.send_digests(db, rules, now)
    if files is not None and now - rules.attachments_swept_at >= ATTACHMENT_SWEEP_EVERY:
        rules.attachments_swept_at = now  # one listing of the files an hour, not every sweep
        done.update(case_attachments.sweep(db, files, now, rules.attachment_limits.unattached_for))
    return done


def _look(db, rules, case, what, now):
    """The outcome of the sweep's look at ``case`` (None: nothing to do)."""
    if what == "warn":
        roster = rosters.roster_of(store.find_roster(db, case["authority_id"]))
        head = roster.head_id if roster else store.head_of(db, case["authority_id"])
        return case_clock.note_warning(case, now, rules.policy, head)
    if what == "remind":
        return case_clock.note_deadline_near(case, now, rules.policy)
    if what != "escalate":
        return None
    roster = rosters.roster_of(store.find_roster(db, case["authority_id"]))
    if roster is not None:
        names = rosters.names_of(db, roster)
        handed = acceptance_chain.hand_over(case, roster, _calendar(rules, case), now, names)
        if handed is not None:
            return handed
    return case_life.apply_action(
        case, "escalate", cases.SYSTEM_ACTOR, now, rules.policy,
        parent_authority_id=_parent_of(db, case["authority_id"]),
        reason=case_clock.breach_reason(case), because=case_clock.breach_because(case))


def _calendar(rules, case):
    """The working calendar the case's holder works to."""
    return rules.policy.calendar.for_authority(case.get("authority_id"))
