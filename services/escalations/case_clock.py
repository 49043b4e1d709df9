"""A case's clock: which deadline runs now, when the sweep looks next, and what it does then.

The states are :mod:`case_states`', the actions :mod:`case_life`'s; this module reads a case's
dates and says what is due: :func:`schedule` gives the fields the inbox sorts by and the sweep
queries, :func:`due` what the sweep must do with a case now, :func:`note_deadline_near` the
outcome of a reminder.
"""
import datetime as dt

from services.escalations import deadline_warnings, early_warnings, sla
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
    ``due_sort`` (the same, or far future), ``at_risk_from`` (half its time gone),
    ``next_deadline_at`` (the sweep's next look: the earliest early warning or reminder not
    yet given, else the deadline) and ``next_deadline_kind``."""
    pending = pending_deadline(case)
    if pending is None:
        return {"due_at": None, "due_kind": None, "due_sort": NO_DEADLINE,
                "at_risk_from": None, "next_deadline_at": None, "next_deadline_kind": None}
    kind, due_on = pending
    due_at, remind_at = _deadline_and_reminder(case, kind, due_on, policy)
    looks = [(due_at, f"{kind}_deadline")]
    if reminder_key(kind, due_on) not in case.get("reminded", []) and remind_at < due_at:
        looks.append((remind_at, f"{kind}_reminder"))
    calendar = getattr(policy, "calendar", None)
    warning = deadline_warnings.next_warning(case, kind, due_on, due_at, calendar)
    if warning is not None:
        looks.append((warning.at, f"{kind}_warning"))
    next_at, next_kind = min(looks)
    return {"due_at": due_at, "due_kind": kind, "due_sort": due_at,
            "at_risk_from": deadline_warnings.at_risk_from(case, due_at, calendar),
            "next_deadline_at": next_at, "next_deadline_kind": next_kind}


def _deadline_and_reminder(case, kind, due_on, policy):
    """When the running deadline passes and when to remind of it: a day passes at the midnight
    after it, reminded ``reminder_before``; a moment (a tier's acceptance in working hours) at
    itself, with no reminder of its own: a day's ``reminder_before`` would come before a few
    hours' target began, and the early warnings (half and three quarters of the office time,
    ``deadline_warnings``) already tell the holder and the head."""
    moment = as_moment(case.get("acknowledge_by")) if kind == "acknowledge" else None
    if moment is None:
        return sla.deadline_at(due_on), sla.reminder_at(due_on, policy.reminder_before)
    return moment, moment


def reminder_key(kind, due_on):
    return f"{kind}:{due_on.isoformat()}"


def due(case, now):
    """What the sweep must do with this case now: "warn", "remind", "escalate" or None."""
    if case.get("next_deadline_at") is None or case["next_deadline_at"] > now:
        return None
    kind = case["next_deadline_kind"]
    if kind.endswith("_warning"):
        return "warn"
    return "remind" if kind.endswith("_reminder") else "escalate"


def note_warning(case, at, policy, head_user_id=None):
    """The outcome of an early warning of the running deadline (the state stays): at half the
    time allowed the holder and the assignee, at three quarters the authority's head
    (``head_user_id``; None: nobody is known as its head, the holder is told instead)."""
    kind, due_on = pending_deadline(case)
    due_at, _ = _deadline_and_reminder(case, kind, due_on, policy)  # a day's, or a moment
    warning = deadline_warnings.next_warning(case, kind, due_on, due_at, policy.calendar)
    key = deadline_warnings.warning_key(kind, due_on, warning.share)
    warned = [*case.get("warned", []), key]
    changes = {"warned": warned, **schedule({**case, "warned": warned}, policy)}
    percent = round(warning.share * 100)
    entry = {"at": at, "user_id": "system", "role": "system", "action": "warn",
             "from_state": case["status"], "to_state": case["status"],
             "why": f"{percent}% of the time to the {kind} deadline {due_on.isoformat()} gone",
             "because": {"code": "deadline_warning", "deadline": kind, "percent": percent,
                         "due_on": due_on.isoformat()},
             "authority_id": case["authority_id"]}
    to_head = warning.to == early_warnings.HEAD
    event = (contracts.CASE_DEADLINE_NEAR, {
        "case_id": case["_id"], "concern_id": case["concern_id"], "deadline": kind,
        "authority_id": case["authority_id"], "due_on": due_on,
        "assignee_user_id": case.get("assignee_user_id"), "share": warning.share,
        "head_user_id": head_user_id if to_head else None})
    return Outcome(case["status"], changes, entry, event)


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
