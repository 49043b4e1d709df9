"""A case's tier and its deadlines after routing: the holder changes the tier with a reason, an
edited working calendar moves the deadlines of the open cases it touches. Plain rules over the
stored case (a dict), tested directly; ``tiers`` holds the table, ``policy`` binds it to the
stored calendar and the authorities' levels.

Neither is a transition of the case machine (``case_life.TRANSITIONS``): the state stays, the
deadlines move and a timeline line says why. Example::

    outcome = change_tier(case, officer, "complex", "cần khảo sát thực địa", now, policy)
    moved = moved_deadlines(case, before, after)    # {"acknowledge_by": ..., "answer_by": ...}
"""
from services.escalations import tiers
from services.escalations.access import holds
from services.escalations.case_clock import schedule
from services.escalations.case_states import OPEN, Outcome, as_date, as_moment
from shared import contracts
from shared.clock import vietnam_date
from shared.errors import Conflict, Forbidden, RuleViolated
from shared.reasons import reason
from shared.working_calendar import CalendarRefused

# a case stored before tiers is shown, and changed, as a normal one
OLD_CASE_TIER = tiers.NORMAL


def tier_shown(case):
    return case.get("tier") or OLD_CASE_TIER


def change_tier(case, principal, new, why, at, policy):
    """The outcome of the holder's officer putting the case in tier ``new`` for ``why``: its
    deadlines recomputed from when it arrived, the change on the timeline, ``case_tier_changed``
    told. Refused by name: not the holder (403), a case with nothing left to run (409), the
    same tier (409), targets that would land before it arrived (422)."""
    if principal is None or not holds(principal, case.get("authority_id")):
        raise Forbidden("only an officer of the authority holding the case changes its tier",
                        {"authority_id": [str(case.get("authority_id"))]})
    if case["status"] not in OPEN:
        raise Conflict(f"the tier of a case that is {case['status']} no longer counts",
                       {"state": [reason("nothing_to_take", f"the case is {case['status']}")]})
    current = tier_shown(case)
    try:
        change = tiers.change_tier(policy.tier_table(), policy.calendar.for_authority(
            case["authority_id"]), policy.level_of(case["authority_id"]), case["topic"],
            current, new, why, case["received_at"], principal.user_id)
    except tiers.TierRefused as refused:
        error = Conflict if refused.code == "tier_unchanged" else RuleViolated
        raise error(str(refused), {"tier": [reason(refused.code, str(refused))]}) from None
    except CalendarRefused as refused:
        raise RuleViolated(str(refused), {"tier": [reason(refused.code, str(refused))]}) \
            from None
    changes = {"tier": new, "acknowledge_by": change.accept_by.isoformat(),
               "answer_by": change.answer_by.isoformat()}
    changes.update(schedule({**case, **changes}, policy))
    entry = {"at": at, "user_id": principal.user_id, "role": principal.role,
             "action": "change_tier", "from_state": case["status"],
             "to_state": case["status"], "why": why.strip(), "authority_id": case["authority_id"],
             "because": {"code": "tier_changed", "from_tier": current, "to_tier": new,
                         "comment": why.strip()}}
    event = (contracts.CASE_TIER_CHANGED, {
        "case_id": case["_id"], "concern_id": case["concern_id"],
        "authority_id": case["authority_id"], "from_tier": current, "tier": new,
        "reason": why.strip(), "acknowledge_by": change.accept_by,
        "answer_by": change.answer_by})
    return Outcome(case["status"], changes, entry, event)


def moved_deadlines(case, before, after):
    """The deadlines of an open case under the calendar ``after`` instead of ``before`` (both
    the holder's): each keeps the working time it gave from arrival (a pause's extension and a
    reopening's fresh deadline included), so only the days or hours the edit touched move it.
    ``{}`` when nothing moves; CalendarRefused when one would land before the case arrived or
    no working day is left to land on."""
    received_at = case.get("received_at")
    if case["status"] not in OPEN or received_at is None or not case.get("answer_by"):
        return {}
    moved = {}
    acknowledge = case.get("acknowledge_by")
    moment = as_moment(acknowledge)
    if moment is not None:
        hours = before.working_hours_between(received_at, moment)
        moved["acknowledge_by"] = tiers.to_the_minute(after.add_working_hours(received_at,
                                                                              hours))
        if moved["acknowledge_by"] <= received_at:
            raise CalendarRefused("calendar_deadline_before_arrival",
                                  f"case {case['_id']}: acceptance before it arrived")
    elif acknowledge:
        moved["acknowledge_by"] = _moved_day(case, acknowledge, before, after)
    moved["answer_by"] = _moved_day(case, case["answer_by"], before, after)
    changes = {name: value.isoformat() for name, value in moved.items()}
    return {name: value for name, value in changes.items() if value != case.get(name)}


def _moved_day(case, due, before, after):
    arrived = vietnam_date(case["received_at"])
    days = before.working_days_between(arrived, as_date(due))
    if days < 1:  # due the day it arrived (or before): nothing to count, it cannot move
        return as_date(due)
    day = after.add_working_days(arrived, days)
    if day <= arrived:  # pragma: no cover - add_working_days never gives one; kept as the rule
        raise CalendarRefused("calendar_deadline_before_arrival",
                              f"case {case['_id']}: a deadline before it arrived")
    return day


def recomputed(case, changes, because, at, actor, policy):
    """``(changes, entry)``: the moved deadlines with the schedule the sweep reads, and the
    timeline line saying why (``because``: the calendar edit, worded by the pages)."""
    after = {**case, **changes}
    changes = {**changes, **schedule(after, policy)}
    entry = {"at": at, "user_id": actor.user_id, "role": actor.role,
             "action": "recompute_deadlines", "from_state": case["status"],
             "to_state": case["status"], "why": None, "authority_id": case["authority_id"],
             "because": {**because, "acknowledge_by": after.get("acknowledge_by"),
                         "answer_by": after["answer_by"]}}
    return changes, entry
