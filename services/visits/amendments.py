"""Amending a visit: plain rules, tested directly.

The cadre who logged a visit may amend it within a window after logging it (``AMEND_WINDOW``,
configured by ``VISIT_AMEND_WINDOW_HOURS``, 48 h by default). Each amendment makes a new
version and keeps the previous one readable. A concern already raised has gone to escalations
as ``concern_raised`` and may be routed already: it cannot be removed or rewritten, only
withdrawn with a reason (``concern_withdrawn``, which its case records). New concerns in an
amendment are raised as usual. The meeting's branch and date stay: another meeting is another
visit. Example::

    plan = plan_amendment(visit, request, now, dt.timedelta(hours=48), new_id)
    plan.changes            # fields to $set on the visit (version, concerns, ...)
    plan.added, plan.withdrawn
"""
from dataclasses import dataclass

from services.visits.rules import as_raised
from shared.errors import NotFound, RuleViolated
from shared.reasons import reason

AMENDED_FIELDS = ("meeting_kind", "attendance", "assessment")
# what a version keeps of the visit: everything but the outbox and the older versions
NOT_IN_A_VERSION = ("outbox", "outbox_pending", "versions")


@dataclass(frozen=True)
class Amendment:
    changes: dict      # fields to $set on the visit
    snapshot: dict     # the version being replaced, to keep
    added: list        # new concerns, with their ids
    withdrawn: list    # [(concern, reason)] newly withdrawn


def check_window(visit, now, window):
    """Refuse (422) an amendment after the window closed."""
    closes = visit["logged_at"] + window
    if now > closes:
        hours = int(window.total_seconds() // 3600)
        raise RuleViolated(f"a visit can be amended within {hours} hours of logging it",
                           {"logged_at": [reason("amendment_window_passed",
                                                 f"{visit['logged_at'].isoformat()}; the window "
                                                 f"closed at {closes.isoformat()}",
                                                 hours=hours)]})


def amended_attendance(visit, given):
    """The counts an amendment may set: a meeting logged member by member keeps its list's
    (the members service holds the list; amending a list is not offered), and no client
    marks counts as a list's."""
    stored = visit.get("attendance") or {}
    if given.get("by_member") and not stored.get("by_member"):
        raise RuleViolated("by_member is set by the system when a list is kept, not by a client",
                           {"attendance.by_member": [reason(
                               "by_member_not_given", "the system's: give the list instead")]})
    if not stored.get("by_member"):
        return given
    derived = f"{stored['present']}/{stored['expected']}"
    if (given["present"], given["expected"]) != (stored["present"], stored["expected"]):
        raise RuleViolated("the counts of a meeting logged member by member are its list's",
                           {"attendance": [reason("disagrees_with_list",
                                                  f"the list says {derived}", derived=derived)]})
    return stored


def plan_amendment(visit, request, now, window, new_id):
    """What amending ``visit`` (the stored document) with ``request`` (a loaded
    ``AmendVisit``) changes, or an error naming the field. ``new_id()`` mints concern ids."""
    check_window(visit, now, window)
    current = {c["concern_id"]: c for c in visit["concerns"]}
    kept_ids = [item["concern_id"] for item in request["concerns"] if "concern_id" in item]
    for i, concern_id in enumerate(kept_ids):
        if concern_id not in current:
            raise NotFound("no such concern in this visit",
                           {f"concerns.{i}.concern_id": [concern_id]})
    dropped = [cid for cid in current if cid not in kept_ids]
    if dropped:
        raise RuleViolated(
            "a concern already raised cannot be removed: keep it (by its concern_id) and "
            "withdraw it with a reason",
            {"concerns": [f"missing raised concern {cid}" for cid in dropped]})
    withdrawals = {}
    for i, item in enumerate(request["withdrawals"]):
        if item["concern_id"] not in current:
            raise NotFound("no such concern in this visit",
                           {f"withdrawals.{i}.concern_id": [item["concern_id"]]})
        withdrawals[item["concern_id"]] = item["reason"]
    version = visit.get("version", 1) + 1
    concerns, withdrawn = [], []
    for item in request["concerns"]:
        if "concern_id" in item:
            concern = dict(current[item["concern_id"]])
            reason = withdrawals.get(concern["concern_id"])
            if reason is not None and not concern.get("withdrawn"):
                concern.update(withdrawn=True, withdrawn_reason=reason, withdrawn_at=now,
                               withdrawn_in_version=version)
                withdrawn.append((concern, reason))
            concerns.append(concern)
    added = []
    for item in request["concerns"]:
        if "concern_id" not in item:
            concern = as_raised(item, new_id(), version)
            added.append(concern)
            concerns.append(concern)
    changes = {field: request[field] for field in AMENDED_FIELDS if field in request}
    if "attendance" in request:
        changes["attendance"] = amended_attendance(visit, request["attendance"])
    changes.update(concerns=concerns, version=version, amended_at=now,
                   amendment_submission_id=request["submission_id"])
    snapshot = {k: v for k, v in visit.items() if k not in NOT_IN_A_VERSION}
    snapshot.setdefault("version", 1)
    return Amendment(changes, snapshot, added, withdrawn)
