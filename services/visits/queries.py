"""What the visits service answers about branches and visits: the branch brief, visits by
branch, cadre and period, a branch's meeting record, one visit (or one of its versions) and one
concern, and the unscheduled visits the supervising committee reviews. Every list is a page
read from an index (``shared.pages``, through ``store``).

Who reads what (``shared.authorisation.PERMISSIONS``, then the rules here):

- the brief and the meeting record of a branch: a cadre assigned to it, or a member of a
  working group attending it, today; the meeting record also an administrator;
- visits: a cadre their own (logged, or attended with their group); an administrator any,
  without the personal data of who raised a concern;
- unscheduled visits: an administrator (for the supervising committee).

Plain functions of the store (``db``) and the loaded request, returning what the entrypoint
dumps. Example::

    brief = branch_brief(db, "vp.bx.tam-hop.noi-phat", {"limit": 20, "cursor": None}, None,
                         clock.today())
"""
import datetime as dt

from services.visits import attachments, branch, rules, store
from shared.authorisation import ADMINISTRATOR, CADRE
from shared.contracts import VISITS_PERSONAL_DATA_READ
from shared.contracts.rpc import visits as schemas
from shared.errors import Forbidden, NotFound
from shared.personal_data import personal_data_read


def without_personal_data(visit):
    """The visit as anyone but the cadre who carried its concerns sees it: without who raised
    them, each summary as the authority got it (``rules.as_raised``)."""
    return {**visit, "concerns": [{**c, **{field: None for field in schemas.PERSONAL_FIELDS},
                                   "summary": c.get("shared_summary", c["summary"]),
                                   "attachments": attachments.as_officers_see(c)}
                                  for c in visit.get("concerns", ())]}


def record_raisers_shown(db, principal, purpose, visits):
    """One audit entry naming the concerns whose raiser (name or contact) ``visits`` show to
    ``principal``; none when they show no one's."""
    shown = [("concern", c["concern_id"]) for v in visits for c in v.get("concerns", ())
             if any(c.get(field) is not None for field in schemas.PERSONAL_FIELDS)]
    entry = personal_data_read(VISITS_PERSONAL_DATA_READ, principal, purpose, shown)
    if entry is not None:
        store.record_personal_data_read(db, entry)


# --- who is on the branch now ----------------------------------------------------------------

def unit(db, unit_id):
    """The unit, or NotFound."""
    found = store.find_unit(db, unit_id)
    if found is None:
        raise NotFound("unit not found", {"unit_id": [str(unit_id)]})
    return found


def basis(db, cadre_id, unit_id, day):
    """Why ``cadre_id`` may act at ``unit_id`` on ``day`` (assignment or working group), or
    Forbidden naming the rule."""
    return rules.check_may_log_at(store.assignments_of(db, cadre_id, unit_id), unit_id, day,
                                  store.groups_of(db, cadre_id))


def get_unit(db, unit_id):
    found = store.find_unit(db, unit_id)
    if found is None:
        raise NotFound("unit not known to visits", {"unit_id": [str(unit_id)]})
    return {"unit_id": found["_id"], "name": found["name"], "level": found["level"],
            "path": found["path"]}


def knows_assignment(db, cadre_id, unit_id):
    return store.knows_assignment(db, cadre_id, unit_id)


def knows_working_group(db, working_group_id):
    return store.find_working_group(db, working_group_id) is not None


# --- the brief -------------------------------------------------------------------------------

def branch_brief(db, unit_id, query, principal, today):
    """Before a visit: the branch's open concerns (a page), the answers to read out, what is
    overdue on ``today`` (Vietnam's), and the last visits with their assessments."""
    found = unit(db, unit_id)
    if principal is not None:
        basis(db, principal.cadre_id, unit_id, today)
    page = store.page_of_open_concerns(db, unit_id, query)
    limit = query["limit"]
    read_out = store.answers_to_read_out(db, unit_id, limit)
    overdue = store.overdue_concerns(db, unit_id, today.isoformat(), limit)
    last = store.last_visits(db, unit_id)

    def shown(view):
        due = view.get("due_on")
        return {**view, "overdue": bool(view.get("open") and due and due < today.isoformat()),
                "answered_at": view["answered_at"] if view.get("answer") else None}

    return {
        "unit_id": unit_id, "unit_name": found["name"], "today": today.isoformat(),
        "open_concerns": [shown(v) for v in page["items"]],
        "next_cursor": page["next_cursor"],
        "answers_to_read_out": [shown(v) for v in read_out],
        "overdue": [shown(v) for v in overdue], "last_visits": last}


# --- visits by branch, cadre, period ---------------------------------------------------------

def list_visits(db, query, principal):
    """Newest meeting first. A cadre: their own visits only (``cadre_id`` may only name
    themselves); an administrator: any, without who raised the concerns."""
    criteria = {}
    cadre_id = query["cadre_id"]
    if principal is not None and principal.role == CADRE:
        if cadre_id not in (None, principal.cadre_id):
            raise Forbidden("a cadre lists only their own visits",
                            {"cadre_id": [f"must be {principal.cadre_id} or left out"]})
        cadre_id = principal.cadre_id
    if cadre_id:
        criteria["cadre_id"] = cadre_id
    if query["unit_id"]:
        criteria["unit_id"] = query["unit_id"]
    period = {}
    if query["period_from"]:
        period["$gte"] = query["period_from"].isoformat()
    if query["period_to"]:
        period["$lte"] = query["period_to"].isoformat()
    if period:
        criteria["meeting_date"] = period
    if cadre_id:  # a cadre's history: their attendance lines, then those visits
        page = store.page_of_attendances(db, criteria, query)
        items = store.visits_by_ids(db, [line["visit_id"] for line in page["items"]])
    else:
        page = store.page_of_visits(db, criteria, query)
        items = page["items"]
    if principal is None or principal.role != CADRE:
        items = [without_personal_data(v) for v in items]
    else:
        items = [v if v["cadre_id"] == principal.cadre_id else without_personal_data(v)
                 for v in items]
    return {"visits": items, "next_cursor": page["next_cursor"]}


def unscheduled_visits(db, query):
    """Visits logged where neither an assignment nor a working group sent the cadre, for the
    supervising committee: newest first, optionally at one branch."""
    criteria = {"unscheduled_flag": True}
    if query["unit_id"]:
        criteria["unit_id"] = query["unit_id"]
    page = store.page_of_visits(db, criteria, query)
    return {"visits": page["items"], "next_cursor": page["next_cursor"]}


def visits_of_cadre(db, principal, query):
    """The cadre's own visits, newest meeting first (paged), each concern with the answer that
    came back, if any. Dumped here: the answer joins each concern as ``Visit`` dumps it."""
    page = store.page_of_cadre_visits(db, principal.cadre_id, query)
    record_raisers_shown(db, principal, "visits.visits_of_cadre", page["items"])
    answers = store.answers_to(db, [c["concern_id"] for v in page["items"]
                                    for c in v["concerns"]])
    visits = []
    for visit in page["items"]:
        dumped = schemas.Visit().dump(visit)
        for concern in dumped["concerns"]:
            answer = answers.get(concern["concern_id"])
            concern["answer"] = schemas.ConcernAnswer().dump(answer) if answer else None
        visits.append(dumped)
    return {"visits": visits, "next_cursor": page["next_cursor"]}


# --- a branch's year -------------------------------------------------------------------------

def meeting_record(db, unit_id, year, principal, today):
    found = unit(db, unit_id)
    if principal is not None and principal.role != ADMINISTRATOR:
        basis(db, principal.cadre_id, unit_id, today)
    visits = store.visits_of_year(db, unit_id, dt.date(year, 1, 1).isoformat(),
                                  dt.date(year, 12, 31).isoformat())
    return {"unit_id": unit_id, "unit_name": found["name"],
            **branch.meeting_record(visits, year)}


# --- one visit, one version, one concern -----------------------------------------------------

def visit(db, visit_id, principal):
    found = store.find_visit(db, visit_id)
    if found is None or found.get("record_kind"):  # a contact's record is no visit (issue 29)
        raise NotFound("visit not found", {"visit_id": [str(visit_id)]})
    rules.check_own_visit(found, principal)
    if principal is not None and found["cadre_id"] != principal.cadre_id:
        found = without_personal_data(found)  # a group member who attended, not the author
    record_raisers_shown(db, principal, "visits.get_visit", [found])
    return found


def visit_version(db, visit_id, version, principal):
    """A visit as it stood at ``version`` (1: as first logged): the cadre's own."""
    current = store.find_visit(db, visit_id, with_versions=True)
    if current is None or current.get("record_kind"):
        raise NotFound("visit not found", {"visit_id": [str(visit_id)]})
    rules.check_own_visit(current, principal)
    if current.get("version", 1) == version:
        found = current
    else:
        found = next((v for v in current.get("versions", ()) if v["version"] == version), None)
    if found is None:
        raise NotFound("no such version of this visit", {"version": [str(version)]})
    if principal is not None and current["cadre_id"] != principal.cadre_id:
        found = without_personal_data(found)
    record_raisers_shown(db, principal, "visits.get_visit_version", [found])
    return found


def concern(db, concern_id, principal):
    """A concern as raised: a cadre's own only. An authority officer's reads come with
    ``principal`` None, after the escalations service found the case in their authority; they
    do not see who raised it by name or contact."""
    found = store.visit_of_concern(db, concern_id)
    if found is None:
        raise NotFound("concern not found", {"concern_id": [str(concern_id)]})
    rules.check_own_visit(found, principal, "concern", concern_id)
    if principal is None:
        found = without_personal_data(found)
    raised = next(c for c in found["concerns"] if c["concern_id"] == concern_id)
    record_raisers_shown(db, principal, "visits.get_concern", [{"concerns": [raised]}])
    return {**raised, "visit_id": found["_id"], "unit_id": found["unit_id"],
            "unit_name": found["unit_name"], "raised_on": found["meeting_date"],
            "contact_kind": found.get("contact_kind"),
            "answer": store.find_answer(db, concern_id)}
