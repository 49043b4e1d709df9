"""A case's clock: which deadline runs now, when the sweep looks next, and what it does then.

The states are :mod:`case_states`', the actions :mod:`case_life`'s; this module reads a case's
dates and says what is due: :func:`schedule` gives the fields the inbox sorts by and the sweep
queries, :func:`due` what the sweep must do with a case now, :func:`note_deadline_near` the
outcome of a reminder.
"""
import datetime as dt

from services.escalations import sla
from services.escalations.case_states import ARRIVED, CLOCK_RUNS, Outcome, as_date, as_moment
from shared import contracts

NO_DEADLINE = dt.datetime(9999, 12, 31, tzinfo=dt.timezone.utc)  # sorts after every deadline


def pending_deadline(case):
    """``(kind, due_on)`` of the deadline now running, or None (paused, answered, closed...)."""
    if case["status"] not in CLOCK_RUNS:
        return None
    if case.get("standing_committee_flagged"):
        return None  # nobody above to escalate to: the standing committee watches it
    if case["status"] in ARRIVED and not case.get("acknowledged_at"):
        return ("acknowledge", as_date(case["acknowledge_by"]))
    return ("answer", as_date(case["answer_by"]))


def schedule(case, policy):
    """The fields the inbox and the sweep read: ``due_at`` (when the running deadline passes),
    ``due_sort`` (the same, or far future), ``next_deadline_at`` (the sweep's next look: the
    reminder if not yet sent, else the deadline) and ``next_deadline_kind``."""
    pending = pending_deadline(case)
    if pending is None:
        return {"due_at": None, "due_kind": None, "due_sort": NO_DEADLINE,
                "next_deadline_at": None, "next_deadline_kind": None}
    kind, due_on = pending
    due_at, remind_at = _deadline_and_reminder(case, kind, due_on, policy)
    if reminder_key(kind, due_on) not in case.get("reminded", []) and remind_at < due_at:
        next_at, next_kind = remind_at, f"{kind}_reminder"
    else:
        next_at, next_kind = due_at, f"{kind}_deadline"
    return {"due_at": due_at, "due_kind": kind, "due_sort": due_at,
            "next_deadline_at": next_at, "next_deadline_kind": next_kind}


def _deadline_and_reminder(case, kind, due_on, policy):
    """When the running deadline passes and when to remind of it: a day passes at the midnight
    after it; a moment (a tier's acceptance in working hours) at itself, and then the reminder
    comes at half the office time allowed (``early_warnings``' holder warning): a day's
    ``reminder_before`` would come before a few hours' target began, or on a Sunday."""
    moment = as_moment(case.get("acknowledge_by")) if kind == "acknowledge" else None
    if moment is None:
        return sla.deadline_at(due_on), sla.reminder_at(due_on, policy.reminder_before)
    received_at = case.get("received_at") or moment
    calendar = policy.calendar.for_authority(case.get("authority_id"))
    half_way = calendar.add_working_hours(
        received_at, calendar.working_hours_between(received_at, moment) / 2)
    return moment, half_way


def reminder_key(kind, due_on):
    return f"{kind}:{due_on.isoformat()}"


def due(case, now):
    """What the sweep must do with this case now: "remind", "escalate" or None."""
    if case.get("next_deadline_at") is None or case["next_deadline_at"] > now:
        return None
    return "remind" if case["next_deadline_kind"].endswith("_reminder") else "escalate"


def note_deadline_near(case, at, policy):
    """The outcome of reminding the holder of the running deadline (the state stays)."""
    kind, due_on = pending_deadline(case)
    reminded = [*case.get("reminded", []), reminder_key(kind, due_on)]
    after = {**case, "reminded": reminded}
    changes = {"reminded": reminded, **schedule(after, policy)}
    entry = {"at": at, "user_id": "system", "role": "system", "action": "remind",
             "from_state": case["status"], "to_state": case["status"],
             "why": f"{kind} deadline {due_on.isoformat()} is near",
             "because": {"code": "deadline_near", "deadline": kind, "due_on": due_on.isoformat()},
             "authority_id": case["authority_id"]}
    event = (contracts.CASE_DEADLINE_NEAR, {
        "case_id": case["_id"], "concern_id": case["concern_id"], "deadline": kind,
        "authority_id": case["authority_id"], "due_on": due_on,
        "assignee_user_id": case.get("assignee_user_id")})
    return Outcome(case["status"], changes, entry, event)


def breach_reason(case):
    kind, due_on = pending_deadline(case)
    return f"{kind} deadline {due_on.isoformat()} passed"


def breach_because(case):
    """:func:`breach_reason` as a timeline's ``because``."""
    kind, due_on = pending_deadline(case)
    return {"code": "deadline_passed", "deadline": kind, "due_on": due_on.isoformat()}


def escalation_target(authority):
    """Who holds the case next: the holder's parent authority, or None past the top (then the
    province standing committee is flagged)."""
    return authority.get("parent_authority_id")
