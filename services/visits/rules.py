"""Who may log and read which visit: plain rules, tested directly.

A cadre logs visits only for units they are assigned to on the meeting date (the visits
service's read model of ``assignment_made``); a cadre reads only their own visits and the
concerns they carried, and another's answers exactly like a missing one.
"""
from shared.errors import Forbidden, NotFound

ASSIGNED_UNITS_ONLY = "assigned_units_only"


def check_may_log_at(assignments, unit_id, meeting_date):
    """``assignments``: the cadre's assignments to this unit ({"starts_on": "YYYY-MM-DD"}).
    Refuses with Forbidden naming the rule unless one had started by the meeting date."""
    day = meeting_date.isoformat()
    if any(a["starts_on"] <= day for a in assignments):
        return
    raise Forbidden(f"rule {ASSIGNED_UNITS_ONLY}: a cadre logs visits only for units they are "
                    f"assigned to on the meeting date",
                    {"rule": [ASSIGNED_UNITS_ONLY],
                     "unit_id": [f"not assigned to {unit_id} on {day}"]})


def check_own_visit(visit, principal, what="visit", key=None):
    """A cadre's own visit; anything else is NotFound, like a visit that does not exist.
    ``principal`` None is a trusted internal caller that checked elsewhere."""
    if principal is None:
        return visit
    if principal.role == "cadre" and visit["cadre_id"] == principal.cadre_id:
        return visit
    raise NotFound(f"{what} not found", {f"{what}_id": [str(key or visit["_id"])]})
