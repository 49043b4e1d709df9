"""What the visits service answers about branches and visits: the branch brief, visits by
branch, cadre and period, a branch's meeting record, and the unscheduled visits the supervising
committee reviews. Every list is a page read from an index (``shared.pages``).

Who reads what (``shared.authorisation.PERMISSIONS``, then the rules here):

- the brief and the meeting record of a branch: a cadre assigned to it, or a member of a
  working group attending it, today; the meeting record also an administrator;
- visits: a cadre their own (logged, or attended with their group); an administrator any,
  without the personal data of who raised a concern;
- unscheduled visits: an administrator (for the supervising committee).

Example (``VisitsService`` inherits these entrypoints)::

    brief = visits.branch_brief("vp.bx.tam-hop.noi-phat", {"limit": 20}, principal)
"""
import datetime as dt

from services.visits import branch, rules
from shared.authorisation import ADMINISTRATOR, CADRE, principal_from, require
from shared.contracts.rpc import visits as schemas
from shared.errors import Forbidden, NotFound, load_payload
from shared.pages import read_page
from shared.rpc import rpc

VISIT_ORDER = [("meeting_date", -1), ("_id", -1)]
OPEN_ORDER = [("raised_on", -1), ("_id", 1)]
LAST_VISITS = 5
NO_VERSIONS = {"outbox": 0, "versions": 0}

# the indexes these reads walk (VisitsService declares them)
INDEXES = {
    "visits": [
        ([("unit_id", 1), ("meeting_date", -1), ("_id", -1)], {}),
        ([("meeting_date", -1), ("_id", -1)], {}),
        ([("unscheduled_flag", 1), ("meeting_date", -1), ("_id", -1)], {}),
        ([("unscheduled_flag", 1), ("unit_id", 1), ("meeting_date", -1), ("_id", -1)], {}),
    ],
    "concern_cases": [
        ([("unit_id", 1), ("open", 1), ("raised_on", -1), ("_id", 1)], {}),
        ([("unit_id", 1), ("open", 1), ("due_on", 1)], {}),
        ([("unit_id", 1), ("to_read_out", 1), ("answered_at", 1)], {}),
        ([("case_id", 1)], {}),
    ],
    # one line per cadre a visit counts for: a cadre's history a page at a time
    "attendances": [
        ([("cadre_id", 1), ("meeting_date", -1), ("_id", -1)], {}),
        ([("cadre_id", 1), ("unit_id", 1), ("meeting_date", -1), ("_id", -1)], {}),
        ([("visit_id", 1)], {}),
    ],
    "working_groups": [([("members.cadre_id", 1)], {})],
    "assignments": [([("cadre_id", 1), ("unit_id", 1)], {})],
}


def without_personal_data(visit):
    """The visit as anyone but the cadre who carried its concerns sees it."""
    return {**visit, "concerns": [{**c, **{field: None for field in schemas.PERSONAL_FIELDS}}
                                  for c in visit.get("concerns", ())]}


class BranchQueries:
    """Read RPCs; ``self.db`` and ``self.rules`` are the service's."""

    # --- who is on the branch now ------------------------------------------------------------

    def _groups_of(self, cadre_id):
        return list(self.db.working_groups.find({"members.cadre_id": cadre_id}))

    def _basis(self, cadre_id, unit_id, day):
        """Why ``cadre_id`` may act at ``unit_id`` on ``day`` (assignment or working group),
        or Forbidden naming the rule."""
        assignments = list(self.db.assignments.find({"cadre_id": cadre_id, "unit_id": unit_id}))
        return rules.check_may_log_at(assignments, unit_id, day, self._groups_of(cadre_id))

    def _unit(self, unit_id):
        unit = self.db.units.find_one({"_id": unit_id})
        if unit is None:
            raise NotFound("unit not found", {"unit_id": [str(unit_id)]})
        return unit

    def _today(self):
        return branch.today_in_vietnam(self.rules.clock.now())

    # --- the brief ----------------------------------------------------------------------------

    @rpc
    def branch_brief(self, unit_id, query, principal):
        """Before a visit: the branch's open concerns (a page), the answers to read out, what
        is overdue, and the last visits with their assessments."""
        principal = require(principal_from(principal), "visits.brief")
        query = load_payload(schemas.BriefQuery(), query or {}, "query")
        unit = self._unit(unit_id)
        today = self._today()
        if principal is not None:
            self._basis(principal.cadre_id, unit_id, today)
        page = read_page(self.db.concern_cases, {"unit_id": unit_id, "open": True}, OPEN_ORDER,
                         query)
        limit = query["limit"]
        read_out = list(self.db.concern_cases.find({"unit_id": unit_id, "to_read_out": True})
                        .sort([("answered_at", 1)]).limit(limit))
        overdue = list(self.db.concern_cases.find(
            {"unit_id": unit_id, "open": True, "due_on": {"$lt": today.isoformat()}})
            .sort([("due_on", 1)]).limit(limit))
        last = list(self.db.visits.find({"unit_id": unit_id}, NO_VERSIONS)
                    .sort(VISIT_ORDER).limit(LAST_VISITS))

        def shown(view):
            due = view.get("due_on")
            return {**view, "overdue": bool(view.get("open") and due and due < today.isoformat()),
                    "answered_at": view["answered_at"] if view.get("answer") else None}

        return schemas.Brief().dump({
            "unit_id": unit_id, "unit_name": unit["name"], "today": today.isoformat(),
            "open_concerns": [shown(v) for v in page["items"]],
            "next_cursor": page["next_cursor"],
            "answers_to_read_out": [shown(v) for v in read_out],
            "overdue": [shown(v) for v in overdue], "last_visits": last})

    # --- visits by branch, cadre, period ------------------------------------------------------

    @rpc
    def list_visits(self, query, principal):
        """Newest meeting first. A cadre: their own visits only (``cadre_id`` may only name
        themselves); an administrator: any, without who raised the concerns."""
        principal = require(principal_from(principal), "visits.list")
        query = load_payload(schemas.VisitsQuery(), query or {}, "query")
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
            page = read_page(self.db.attendances, criteria, VISIT_ORDER, query)
            ids = [line["visit_id"] for line in page["items"]]
            found = {v["_id"]: v for v in self.db.visits.find({"_id": {"$in": ids}},
                                                             NO_VERSIONS)}
            items = [found[i] for i in ids if i in found]
        else:
            page = read_page(self.db.visits, criteria, VISIT_ORDER, query, NO_VERSIONS)
            items = page["items"]
        if principal is None or principal.role != CADRE:
            items = [without_personal_data(v) for v in items]
        else:
            items = [v if v["cadre_id"] == principal.cadre_id else without_personal_data(v)
                     for v in items]
        return schemas.VisitsPage().dump({"visits": items, "next_cursor": page["next_cursor"]})

    def record_attendance(self, visit):
        """One attendance line per cadre the visit counts for (repeatable: keyed by visit and
        cadre); lines of cadres no longer listed after an amendment go."""
        attended = visit.get("attended_cadre_ids") or [visit["cadre_id"]]
        for cadre_id in attended:
            self.db.attendances.replace_one(
                {"_id": f"{visit['_id']}|{cadre_id}"},
                {"visit_id": visit["_id"], "cadre_id": cadre_id, "unit_id": visit["unit_id"],
                 "meeting_date": visit["meeting_date"]}, upsert=True)
        self.db.attendances.delete_many({"visit_id": visit["_id"],
                                         "cadre_id": {"$nin": attended}})

    @rpc
    def unscheduled_visits(self, query, principal):
        """Visits logged where neither an assignment nor a working group sent the cadre, for the
        supervising committee: newest first, optionally at one branch."""
        principal = require(principal_from(principal), "visits.unscheduled")
        query = load_payload(schemas.UnscheduledQuery(), query or {}, "query")
        criteria = {"unscheduled_flag": True}
        if query["unit_id"]:
            criteria["unit_id"] = query["unit_id"]
        page = read_page(self.db.visits, criteria, VISIT_ORDER, query, NO_VERSIONS)
        return schemas.VisitsPage().dump({"visits": page["items"],
                                          "next_cursor": page["next_cursor"]})

    # --- a branch's year ----------------------------------------------------------------------

    @rpc
    def meeting_record(self, unit_id, query, principal):
        principal = require(principal_from(principal), "visits.record")
        query = load_payload(schemas.MeetingRecordQuery(), query or {}, "query")
        unit = self._unit(unit_id)
        if principal is not None and principal.role != ADMINISTRATOR:
            self._basis(principal.cadre_id, unit_id, self._today())
        year = query["year"]
        visits = self.db.visits.find(
            {"unit_id": unit_id, "meeting_date": {"$gte": dt.date(year, 1, 1).isoformat(),
                                                  "$lte": dt.date(year, 12, 31).isoformat()}},
            {"meeting_date": 1, "meeting_kind": 1, "attendance": 1, "assessment": 1,
             "logged_at": 1})
        return schemas.MeetingRecord().dump({"unit_id": unit_id, "unit_name": unit["name"],
                                             **branch.meeting_record(list(visits), year)})

    # --- versions -----------------------------------------------------------------------------

    @rpc
    def get_visit_version(self, visit_id, version, principal):
        """A visit as it stood at ``version`` (1: as first logged): the cadre's own."""
        principal = require(principal_from(principal), "visits.read")
        visit = self.db.visits.find_one({"_id": visit_id}, {"outbox": 0})
        if visit is None:
            raise NotFound("visit not found", {"visit_id": [str(visit_id)]})
        rules.check_own_visit(visit, principal)
        if visit.get("version", 1) == version:
            found = visit
        else:
            found = next((v for v in visit.get("versions", ()) if v["version"] == version), None)
        if found is None:
            raise NotFound("no such version of this visit", {"version": [str(version)]})
        if principal is not None and visit["cadre_id"] != principal.cadre_id:
            found = without_personal_data(found)
        return schemas.Visit().dump(found)
