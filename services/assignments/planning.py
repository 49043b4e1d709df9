"""Branch meetings carried out: a branch's dates, their change by its secretary, a committee's
attendance plan and its comparison with the visits logged (rules: ``meetings``,
``attendance``; documents: ``meeting_store`` and ``store``).

Who may: a branch's dates are changed by an administrator or by a cadre holding the secretary's
seat of that unit on the day; a committee's plan is made and read by an administrator or a cadre
holding one of its leading seats (``attendance.PLANNING_ROLES``); a cadre reads their own plan.
Anyone else is refused before anything is read or written.
"""
import datetime as dt

from services.assignments import (
    attendance,
    domain,
    history,
    meetings,
    store,
    tree,
)
from services.assignments.store import meetings as meeting_store
from shared import contracts
from shared.authorisation import ADMINISTRATOR, CADRE, actor_of
from shared.contracts.rpc.meetings import PeriodQuery
from shared.errors import Forbidden, NotFound, RuleViolated, load_payload
from shared.reasons import reason


def _seat_required(db, principal, unit_id, roles, day, what):
    if principal is None or principal.role == ADMINISTRATOR:
        return
    cadre = store.cadre_or_none(db, principal.cadre_id) if principal.role == CADRE else None
    if not attendance.holds_seat(cadre, unit_id, roles, day.isoformat()):
        raise Forbidden(f"only {what} of {unit_id} or an administrator may do this",
                        {"unit_id": [reason("seat_required", f"needs {what} of this unit",
                                            unit=unit_id)]})


def period_of(text):
    """The month or quarter a request names; anything else refused, naming ``period``."""
    return meetings.Period.parse(load_payload(PeriodQuery(), {"period": text}, "query")["period"])


def seats_of(db, cadre_id, today):
    """Where ``cadre_id`` holds a seat today that plans a committee's attendance, and where
    the secretary's (who keeps a branch's dates), each named."""
    cadre = store.cadre_or_none(db, cadre_id) if cadre_id else None
    day, seats = today.isoformat(), (cadre or {}).get("memberships") or ()

    def holding(roles):
        return sorted({seat["unit_id"] for seat in seats
                       if attendance.holds_seat(cadre, seat["unit_id"], roles, day)})
    plans_for, secretary_of = holding(attendance.PLANNING_ROLES), holding({attendance.SECRETARY})
    states = {unit["_id"]: history.state_on(unit, day) or unit
              for unit in store.units_named(db, sorted({*plans_for, *secretary_of}))}
    names = {unit_id: state["name"] for unit_id, state in states.items()}
    # a branch's secretary keeps its dates; a branch has no branches to plan for
    plans_for = [u for u in plans_for
                 if (states.get(u) or {}).get("level") != domain.WORKING_GROUP_UNIT_LEVEL]
    return {"plans_for": [{"unit_id": u, "name": names.get(u, u)} for u in plans_for],
            "secretary_of": [{"unit_id": u, "name": names.get(u, u)} for u in secretary_of]}


# --- a branch's dates ---------------------------------------------------------------------------

def dates_of(db, unit_id, period, calendar, today):
    unit = tree.unit_on(db, unit_id, min(today, period.last_day))
    return {"unit_id": unit_id, "name": unit["name"], "period": str(period),
            "meetings": [_meeting(m) for m in meetings.meeting_dates(
                unit.get("meeting_schedule"), period, calendar)]}


def _meeting(meeting):
    return {"day": meeting.day.isoformat(), "kind": meeting.kind, "topic": meeting.topic,
            "scheduled_for": meeting.scheduled_for and meeting.scheduled_for.isoformat()}


def change_schedule(db, unit_id, schedule, principal, calendar, today):
    """The branch's schedule replaced (checked over the coming months first), recorded with
    who changed it from what to what; the same schedule again changes and records nothing."""
    _seat_required(db, principal, unit_id, {attendance.SECRETARY}, today, "the secretary")
    before = tree.unit_on(db, unit_id, today).get("meeting_schedule")
    meetings.check_schedule(schedule, today, calendar)
    unit = tree.change_details(db, unit_id, {"meeting_schedule": schedule}, actor_of(principal))
    if before != schedule:
        meeting_store.record_schedule_change(db, {
            "unit_id": unit_id, "before": before, "after": schedule,
            "changed_by": actor_of(principal),
            "cadre_id": principal.cadre_id if principal else None,
            "changed_at": contracts.utcnow()})
    return unit


def schedule_changes(db, unit_id):
    """Who changed the branch's meeting dates, when, from what to what (newest first)."""
    if not store.unit_exists(db, unit_id):
        raise NotFound("unit not found", {"unit_id": [unit_id]})
    return meeting_store.schedule_changes(db, unit_id)


# --- a committee's plan -------------------------------------------------------------------------

def _refused(field, code, message, **params):
    raise RuleViolated(message, {field: [reason(code, message, **params)]})


def _attendees(db, entry, committee_id, day):
    """Who the entry sends, checked against the registry on the meeting day."""
    iso = day.isoformat()
    if entry.get("working_group_id"):
        group = store.find_working_group(db, entry["working_group_id"])
        if (group["formed_by_unit_id"] != committee_id or entry["unit_id"] not in group["unit_ids"]
                or not domain.holds_on(group, iso)):
            _refused("working_group_id", "group_not_attending",
                     f"{group['_id']} does not attend {entry['unit_id']} for {committee_id} "
                     f"on {iso}", unit=entry["unit_id"], day=iso)
        return sorted(group["member_cadre_ids"])
    cadre = store.find_cadre(db, entry["cadre_id"])
    assignment = store.assignment_of(db, cadre["_id"], entry["unit_id"])
    if committee_id not in (cadre["home_unit_id"], *cadre.get("former_home_unit_ids", ())):
        _refused("cadre_id", "not_committee_member",
                 f"{cadre['_id']} does not sit on {committee_id}", unit=committee_id)
    if assignment is None or not domain.holds_on(assignment, iso):
        _refused("cadre_id", "not_assigned_on",
                 f"{cadre['_id']} is not assigned to {entry['unit_id']} on {iso}",
                 unit=entry["unit_id"], day=iso)
    return [cadre["_id"]]


def plan(db, entry, principal, calendar, today):
    """One meeting's attendance planned; the same entry again answers the stored one, another
    entry for a meeting already planned is refused (nothing changed)."""
    committee_id, day = entry["committee_unit_id"], entry["meeting_on"]
    _seat_required(db, principal, committee_id, attendance.PLANNING_ROLES, today,
                   "a leading seat")
    branch = tree.unit_on(db, entry["unit_id"], day)
    if committee_id not in branch["path"][:-1]:
        _refused("unit_id", "branch_not_under_committee",
                 f"{branch['_id']} is not under {committee_id}", unit=committee_id)
    month = meetings.Period(day.year, day.month, 1)
    days = [m.day for m in meetings.meeting_dates(branch.get("meeting_schedule"), month,
                                                  calendar)]
    if day not in days:
        _refused("meeting_on", "not_a_meeting_day",
                 f"{branch['_id']} does not meet on {day}; it meets on "
                 + ", ".join(map(str, days)), day=day.isoformat())
    document = {"_id": meeting_store.plan_id(branch["_id"], day.isoformat()),
                "committee_unit_id": committee_id, "unit_id": branch["_id"],
                "meeting_on": day.isoformat(), "cadre_id": entry.get("cadre_id"),
                "working_group_id": entry.get("working_group_id"),
                "attendee_cadre_ids": _attendees(db, entry, committee_id, day)}
    stored = meeting_store.insert_plan(db, {**document, "planned_by": actor_of(principal),
                                            "planned_at": contracts.utcnow(), "reminded": False},
                                       [planned_fact(document)])
    if {key: stored.get(key) for key in document} != document:
        _refused("meeting_on", "meeting_already_planned",
                 f"the meeting of {branch['_id']} on {day} is already planned",
                 unit=branch["_id"], day=day.isoformat())
    return stored


def planned_fact(entry, restated=False):
    """``attendance_planned`` for a plan entry: written with the entry (the coverage read model
    counts it), or told again by the backfill (``restated``)."""
    return contracts.ATTENDANCE_PLANNED.new({
        "plan_id": entry["_id"], "committee_unit_id": entry["committee_unit_id"],
        "unit_id": entry["unit_id"], "meeting_on": dt.date.fromisoformat(entry["meeting_on"]),
        "cadre_id": entry.get("cadre_id"), "working_group_id": entry.get("working_group_id"),
        "attendee_cadre_ids": entry["attendee_cadre_ids"], "restated": restated})


def committee_plan(db, committee_id, period, principal, calendar, today):
    """The committee's branches with their meetings of ``period``, its plan, and plan against
    actual; a branch whose rule yields no date that period says why instead."""
    _seat_required(db, principal, committee_id, attendance.PLANNING_ROLES, today,
                   "a leading seat")
    tree.unit_on(db, committee_id, min(today, period.last_day))
    first, last = period.first_day.isoformat(), period.last_day.isoformat()
    branches = []
    for unit in store.units_ever_under(db, [committee_id]):
        state = history.state_on(unit, last)
        if state is None or state["level"] != domain.WORKING_GROUP_UNIT_LEVEL:
            continue
        try:
            found = [_meeting(m) for m in meetings.meeting_dates(
                state.get("meeting_schedule"), period, calendar)]
            branches.append({"unit_id": state["_id"], "name": state["name"],
                             "meetings": found, "refused": None})
        except RuleViolated as refusal:
            branches.append({"unit_id": state["_id"], "name": state["name"], "meetings": [],
                             "refused": refusal.reasons})
    plans = meeting_store.plans_of_committee(db, committee_id, first, last)
    visits = meeting_store.attended_at(db, [b["unit_id"] for b in branches], first, last)
    return {"committee_unit_id": committee_id, "period": str(period),
            "branches": sorted(branches, key=lambda b: b["name"]), "plan": plans,
            "members": store.cadres_at_home(db, committee_id),
            "comparison": attendance.compare(plans, visits, store.cadres_at_home(db, committee_id))}


def cadre_plan(db, cadre_id, period, principal):
    """The meetings a cadre is planned to attend in ``period``: their own, or an
    administrator's read (another cadre's plan answers as not found)."""
    if principal is not None and principal.role == CADRE and principal.cadre_id != cadre_id:
        raise NotFound("cadre not found", {"cadre_id": [cadre_id]})
    first, last = period.first_day.isoformat(), period.last_day.isoformat()
    plans = meeting_store.plans_of_cadre(db, cadre_id, first, last)
    names = {unit["_id"]: unit["name"] for unit in store.units_named(
        db, sorted({entry["unit_id"] for entry in plans}))}
    visits = meeting_store.attended_at(db, names, first, last)
    return {"cadre_id": cadre_id, "period": str(period),
            "meetings": [{**entry, "unit_name": names.get(entry["unit_id"])} for entry in plans],
            "comparison": attendance.compare(plans, [v for v in visits if cadre_id in
                                                     v["cadre_ids"]], {cadre_id})}
