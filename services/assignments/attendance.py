"""Plan against what was logged: pure rules over a committee's plan entries and the visits
logged at its branches.

A plan entry names one meeting (a branch and a day) and who attends it (a cadre, or a working
group's members); a visit names the branch, the meeting day and who attended. A cadre planned
for a meeting *attended as planned* when a visit at that branch on that day lists them; else it
is *planned, not attended*. A committee member listed by a visit no plan entry names them for is
*attended without a plan*. The committee's counts take an entry as attended when any of its
attendees attended::

    compare(plans, visits, members={"tran-thi-binh"})
    # {"planned": 3, "attended_as_planned": 2, "planned_not_attended": [...], ...}
"""
from collections import defaultdict

# who may plan a committee's attendance besides administrators: its leading seats
PLANNING_ROLES = frozenset({"secretary", "deputy_secretary", "standing_member"})
SECRETARY = "secretary"


def holds_seat(cadre, unit_id, roles, day):
    """Whether ``cadre`` holds one of ``roles`` on ``unit_id``'s committee on ``day`` (ISO)."""
    return any(seat["unit_id"] == unit_id and seat["role"] in roles
               and (seat.get("starts_on") or "") <= day
               and (seat.get("ends_on") is None or day <= seat["ends_on"])
               for seat in (cadre or {}).get("memberships") or ())


def _meeting(item):
    return item["unit_id"], item.get("meeting_on") or item.get("meeting_date")


def compare(plans, visits, members):
    """The committee's figures and each cadre's (see the module's promise)."""
    present = defaultdict(set)
    for visit in visits:
        present[_meeting(visit)].update(visit["cadre_ids"])
    planned_for = defaultdict(set)
    per_cadre = defaultdict(lambda: {"planned": 0, "attended_as_planned": 0,
                                     "planned_not_attended": 0, "attended_without_plan": 0})
    missed, kept = [], 0
    for entry in plans:
        meeting = _meeting(entry)
        attendees = set(entry["attendee_cadre_ids"])
        planned_for[meeting].update(attendees)
        for cadre_id in attendees:
            figures = per_cadre[cadre_id]
            figures["planned"] += 1
            came = cadre_id in present[meeting]
            figures["attended_as_planned" if came else "planned_not_attended"] += 1
        if attendees & present[meeting]:
            kept += 1
        else:
            missed.append(_shown(entry))
    unplanned = []
    for visit in visits:
        meeting = _meeting(visit)
        for cadre_id in sorted(set(visit["cadre_ids"]) & set(members)):
            if cadre_id not in planned_for[meeting]:
                per_cadre[cadre_id]["attended_without_plan"] += 1
                unplanned.append({"unit_id": meeting[0], "meeting_on": meeting[1],
                                  "cadre_id": cadre_id, "visit_id": visit["_id"]})
    return {"planned": len(plans), "attended_as_planned": kept,
            "planned_not_attended": missed, "attended_without_plan": unplanned,
            "per_cadre": {cadre_id: per_cadre[cadre_id] for cadre_id in sorted(per_cadre)}}


def _shown(entry):
    return {"unit_id": entry["unit_id"], "meeting_on": entry["meeting_on"],
            "cadre_id": entry.get("cadre_id"), "working_group_id": entry.get("working_group_id")}


def visit_seen(event_payload):
    """A ``visit_logged`` as plan against actual keeps it: who attended (the author and, for a
    working group's visit, the members who came)."""
    return {"_id": event_payload["visit_id"], "unit_id": event_payload["unit_id"],
            "meeting_date": str(event_payload["meeting_date"]),
            "cadre_ids": sorted({event_payload["cadre_id"],
                                 *(event_payload.get("attended_cadre_ids") or ())})}
