"""Who may log and read which visit: plain rules, tested directly.

A cadre logs a visit to a branch when, on the meeting date, they are assigned to it (the visits
service's read model of ``assignment_made`` / ``assignment_ended``) or are a member of a working
group attending it (``working_group_formed`` / ``working_group_changed``). Otherwise the visit is
refused naming the rule, unless it is marked *unscheduled* with a reason: then it is accepted,
flagged, and listed for the supervising committee. A working group's visit is logged once, by
one member, for the group, and counts for every member who attended.

A cadre reads only their own visits (those they logged or attended with their group) and the
concerns they carried, and another's answers exactly like a missing one.
"""
from shared import folding, redaction
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.reasons import reason

ASSIGNED_UNITS_ONLY = "assigned_units_only"
WORKING_GROUP_MEMBERS_ONLY = "working_group_members_only"

# why a visit was accepted: what the committee's list and the meeting record tell apart
ASSIGNMENT, WORKING_GROUP, UNSCHEDULED = "assignment", "working_group", "unscheduled"


def _holds(starts_on, ends_on, day):
    """Whether a period (ISO dates, ``ends_on`` the last day, None: open-ended) holds ``day``."""
    return starts_on is not None and starts_on <= day and (ends_on is None or day <= ends_on)


def assigned_on(assignments, day):
    """``assignments``: the cadre's assignments to the unit ({"starts_on", "ends_on"}, ISO)."""
    day = day.isoformat()
    return any(_holds(a.get("starts_on"), a.get("ends_on"), day) for a in assignments)


def attending_groups(groups, unit_id, day):
    """The cadre's working groups ({"_id", "unit_ids", "starts_on", "ends_on"}) that attend
    ``unit_id`` on ``day``."""
    day = day.isoformat()
    return [g for g in groups
            if unit_id in g["unit_ids"] and _holds(g["starts_on"], g.get("ends_on"), day)]


def check_may_log_at(assignments, unit_id, meeting_date, groups=(), working_group_id=None,
                     unscheduled=None):
    """Why this cadre may log a visit to ``unit_id`` on ``meeting_date``: ``ASSIGNMENT``,
    ``WORKING_GROUP`` or ``UNSCHEDULED``; or Forbidden naming the rule.

    ``groups``: the working groups the cadre is a member of. ``working_group_id``: the visit is
    the group's, so the cadre must be a member of that group and the group must attend the unit
    then (an unscheduled group visit makes no sense: the group exists to attend). ``unscheduled``:
    {"reason"} when the cadre goes where neither rule sends them."""
    day = meeting_date.isoformat()
    if working_group_id is not None:
        if unscheduled:
            raise InvalidInput("a working group's visit is not unscheduled",
                               {"unscheduled": ["not allowed with working_group_id"]})
        if not any(g["_id"] == working_group_id for g in attending_groups(groups, unit_id,
                                                                          meeting_date)):
            raise Forbidden(
                f"rule {WORKING_GROUP_MEMBERS_ONLY}: a working group's visit is logged by one of "
                f"its members, at a branch the group attends on the meeting date",
                {"rule": [WORKING_GROUP_MEMBERS_ONLY],
                 "working_group_id": [reason("not_your_group", f"not a group of yours attending "
                                                  f"{unit_id} on {day}", day=day)]})
        return WORKING_GROUP
    if assigned_on(assignments, meeting_date):
        return ASSIGNMENT
    if attending_groups(groups, unit_id, meeting_date):
        return WORKING_GROUP
    if unscheduled:
        return UNSCHEDULED
    raise Forbidden(f"rule {ASSIGNED_UNITS_ONLY}: a cadre logs visits only for units they are "
                    f"assigned to, or that their working group attends, on the meeting date "
                    f"(or marks the visit unscheduled, with a reason)",
                    {"rule": [ASSIGNED_UNITS_ONLY],
                     "unit_id": [reason("not_assigned", f"not assigned to {unit_id} on {day}",
                                         day=day)]})


def who_attended(group, cadre_id, attended_cadre_ids):
    """The cadres a visit counts for: the one who logs it, and for a group's visit the members
    listed as attending (each must be a member). Sorted, without repeats."""
    attended = set(attended_cadre_ids or ())
    if group is None:
        if attended - {cadre_id}:
            raise InvalidInput("only a working group's visit lists who attended",
                               {"attended_cadre_ids": ["needs working_group_id"]})
        return [cadre_id]
    strangers = sorted(attended - set(group["member_cadre_ids"]))
    if strangers:
        raise InvalidInput("who attended must be members of the working group",
                           {"attended_cadre_ids": [f"not members of {group['_id']}: "
                                                   f"{', '.join(strangers)}"]})
    return sorted(attended | {cadre_id})


def may_read_visit(visit, principal):
    """Whether the visit is the principal's: a cadre it counts for (logged or attended)."""
    return principal.role == "cadre" and (
        visit["cadre_id"] == principal.cadre_id
        or principal.cadre_id in visit.get("attended_cadre_ids", ()))


def check_own_visit(visit, principal, what="visit", key=None):
    """A cadre's own visit; anything else is NotFound, like a visit that does not exist.
    ``principal`` None is a trusted internal caller that checked elsewhere."""
    if principal is None:
        return visit
    if principal.role == "cadre" and visit["cadre_id"] == principal.cadre_id:
        return visit
    if what == "visit" and may_read_visit(visit, principal):
        return visit
    raise NotFound(f"{what} not found", {f"{what}_id": [str(key or visit["_id"])]})


def as_raised(item, concern_id, version):
    """A concern as the visit keeps it: withheld from the authority unless said otherwise
    (``shared.redaction.withheld_by_default``), with the summary the authority gets
    (``shared_summary``) and what was taken out of it (``redacted``)."""
    withhold = item.get("withhold_raiser")
    if withhold is None:
        withhold = redaction.withheld_by_default(item["raised_by"])
    shared = redaction.Redacted(item["summary"], ())
    if withhold:
        shared = redaction.redact(item["summary"], item.get("raised_by_name"),
                                  item.get("raised_by_contact"))
    return {"concern_id": concern_id, **item, "withhold_raiser": withhold,
            "confidential": bool(item.get("confidential")), "shared_summary": shared.text,
            "redacted": list(shared.found), "withdrawn": False, "added_in_version": version,
            **raiser_keys(item.get("raised_by_name"), item.get("raised_by_contact"))}


def raiser_keys(name, contact):
    """What a request from the person concerned finds their concerns by (indexed): the name
    without case or diacritics, the contact's digits (or its folded words)."""
    digits = "".join(ch for ch in contact or "" if ch.isdigit())
    return {"raiser_key": folding.fold(name) if name else None,
            "raiser_contact_key": (digits if len(digits) >= 6 else folding.fold(contact))
            if contact else None}
