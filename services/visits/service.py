"""Visits service: logs visits to branch meetings, raises their concerns, and brings the
answers back to the branch.

``log_visit`` stores the visit, its concerns and their events (``visit_logged``, one
``concern_raised`` each, one ``answer_reviewed`` per answer read out) in one insert; a
resubmission with the same ``submission_id`` returns the stored visit instead of a second one
(a unique index, so even three identical requests at the same moment make one visit). Who may
log where is decided from the service's own read model (``readmodel``) by ``rules``: assigned
on the meeting date, or a member of a working group attending the branch then; otherwise only
as an *unscheduled* visit, flagged for the supervising committee. A working group's visit is
logged once for the group (its id is derived from group, branch and date, so a second member's
log of the same meeting is a 409) and counts for every member who attended.

``amend_visit`` makes a new version within the window (``amendments``), keeping the previous
one; concerns already raised can only be withdrawn (``concern_withdrawn``). The reads (the
branch brief, visits by branch, cadre and period, the meeting record) are in ``queries``.
"""
import datetime as dt
import hashlib
import json
from logging import getLogger

from services.visits import amendments, rules
from services.visits.dependencies import VisitRules
from services.visits.queries import INDEXES, BranchQueries, without_personal_data
from services.visits.readmodel import ReadModel
from services.visits.registry_view import RegistryView
from shared import contracts
from shared.authorisation import actor_of, principal_from, require
from shared.contracts.rpc import visits as schemas
from shared.errors import Conflict, InvalidInput, NotFound, RuleViolated, load_payload
from shared.outbox import push_events, with_events
from shared.pages import PageQuery, read_page
from shared.rpc import rpc
from shared.storage import DuplicateKeyError
from shared.store import ReportsHealth, Store

_log = getLogger(__name__)

AMEND_RETRIES = 3


def fingerprint(dumped_request):
    return hashlib.sha256(json.dumps(dumped_request, sort_keys=True).encode()).hexdigest()


def group_visit_id(working_group_id, unit_id, meeting_date):
    """One visit per working group, branch and meeting: the id says which."""
    key = f"{working_group_id}|{unit_id}|{meeting_date}".encode()
    return "wg" + hashlib.sha256(key).hexdigest()[:30]


class VisitsService(ReadModel, RegistryView, BranchQueries, ReportsHealth):
    name = "visits"
    db = Store(
        outbox_collections=["visits"],
        indexes={**INDEXES, "visits": [
            ([("cadre_id", 1), ("submission_id", 1)], {"unique": True}),
            ([("concerns.concern_id", 1)], {}),
            ([("unit_id", 1), ("meeting_date", -1)], {}),
            *INDEXES["visits"],
            # a cadre's own visits, newest meeting first (the pages' "my visits")
            ([("cadre_id", 1), ("meeting_date", -1), ("_id", -1)], {}),
        ]},
    )
    rules = VisitRules()

    @rpc
    def get_unit(self, unit_id):
        unit = self.db.units.find_one({"_id": unit_id})
        if unit is None:
            raise NotFound("unit not known to visits", {"unit_id": [str(unit_id)]})
        return {"unit_id": unit["_id"], "name": unit["name"], "level": unit["level"],
                "path": unit["path"]}

    @rpc
    def knows_assignment(self, cadre_id, unit_id):
        """Whether the read model has an assignment of this cadre to this unit (for loaders)."""
        return self.db.assignments.find_one({"cadre_id": cadre_id, "unit_id": unit_id}) is not None

    @rpc
    def knows_working_group(self, working_group_id):
        """Whether the read model has this working group (for loaders and tests)."""
        return self.db.working_groups.find_one({"_id": working_group_id}) is not None

    # --- logging a visit ----------------------------------------------------------------------

    @rpc
    def log_visit(self, visit, principal):
        principal = require(principal_from(principal), "visits.log")
        if principal is None:  # no internal caller logs visits: the cadre is who signed in
            raise InvalidInput("a visit is logged by a signed-in cadre",
                               {"principal": ["required"]})
        request_schema = schemas.LogVisit()
        visit = load_payload(request_schema, visit, "visit")
        unit = self.db.units.find_one({"_id": visit["unit_id"]})
        if unit is None:
            raise NotFound("unit not found", {"unit_id": [visit["unit_id"]]})
        cadre_id = principal.cadre_id
        assignments = list(self.db.assignments.find({"cadre_id": cadre_id,
                                                     "unit_id": unit["_id"]}))
        groups = self._groups_of(cadre_id)
        basis = rules.check_may_log_at(assignments, unit["_id"], visit["meeting_date"], groups,
                                       visit["working_group_id"], visit["unscheduled"])
        group = next((g for g in groups if g["_id"] == visit["working_group_id"]), None)
        attended = rules.who_attended(group, cadre_id, visit["attended_cadre_ids"])
        self._check_localities(visit["concerns"], "concerns")
        dumped = request_schema.dump(visit)
        reviews = self._reviews(dumped["answer_reviews"], unit["_id"])
        visit_id = contracts.new_id()
        if group is not None:
            visit_id = group_visit_id(group["_id"], unit["_id"], dumped["meeting_date"])
        concerns = [{"concern_id": contracts.new_id(), **concern, "withdrawn": False,
                     "added_in_version": 1} for concern in dumped["concerns"]]
        document = {
            "_id": visit_id, **dumped, "cadre_id": cadre_id, "concerns": concerns,
            "unit_name": unit["name"], "unit_path": unit["path"],
            "logged_at": self.rules.clock.now(), "logged_by": principal.user_id,
            "fingerprint": fingerprint(dumped), "version": 1, "basis": basis,
            "attended_cadre_ids": attended,
            "unscheduled_flag": basis == rules.UNSCHEDULED,
            "answer_reviews": reviews,
        }
        events = self._logged_events(document, visit, unit, actor_of(principal))
        try:
            self.db.visits.insert_one(with_events(document, events))
        except DuplicateKeyError:
            return self._replayed(cadre_id, visit["submission_id"], document)
        self._after_logging(document)
        _log.info("visit %s logged at %s with %d concerns (%s)", visit_id, unit["_id"],
                  len(concerns), basis)
        return {**schemas.Visit().dump(document), "replayed": False}

    def _logged_events(self, document, visit, unit, actor):
        concerns = document["concerns"]
        return [contracts.VISIT_LOGGED.new({
            "visit_id": document["_id"], "unit_id": unit["_id"],
            "cadre_id": document["cadre_id"], "meeting_date": visit["meeting_date"],
            "meeting_kind": visit["meeting_kind"],
            "concern_ids": [c["concern_id"] for c in concerns],
            "working_group_id": document["working_group_id"],
            "attended_cadre_ids": document["attended_cadre_ids"],
            "unscheduled": document["unscheduled_flag"],
        }, actor=actor)] + self._raised_events(concerns, document, actor) + [
            contracts.ANSWER_REVIEWED.new({
                **review, "visit_id": document["_id"], "unit_id": unit["_id"],
                "reviewed_on": visit["meeting_date"]}, actor=actor)
            for review in document["answer_reviews"]]

    @staticmethod
    def _raised_events(concerns, document, actor):
        # the event's schema carries no personal data: name and contact stay in the visit
        return [contracts.CONCERN_RAISED.new({
            "concern_id": c["concern_id"], "visit_id": document["_id"],
            "unit_id": document["unit_id"], "unit_path": document["unit_path"],
            "topic": c["topic"], "summary": c["summary"], "raised_by": c["raised_by"],
            "urgency": c["urgency"], "locality_unit_id": c.get("locality_unit_id"),
            "raised_on": dt.date.fromisoformat(document["meeting_date"])}, actor=actor)
            for c in concerns]

    def _check_localities(self, concerns, field):
        for i, concern in enumerate(concerns):
            locality = concern.get("locality_unit_id")
            if locality and self.db.units.find_one({"_id": locality}) is None:
                raise NotFound("unit not found",
                               {f"{field}.{i}.locality_unit_id": [locality]})

    def _reviews(self, reviews, unit_id):
        """Each reviewed case must be one of this branch's with an answer that came back."""
        found = []
        for i, review in enumerate(reviews):
            view = self.db.concern_cases.find_one({"case_id": review["case_id"]})
            if view is None or view["unit_id"] != unit_id or not view.get("answer"):
                raise RuleViolated("only an answer that came back to this branch is reviewed",
                                   {f"answer_reviews.{i}.case_id": [
                                       "no answered case of this branch"]})
            found.append({**review, "concern_id": view["_id"]})
        return found

    def _after_logging(self, document):
        """The brief's view (the new concerns as raised, the reviewed answers read out) and the
        attendance lines of the cadres' histories. Done before the reply and repeated on a
        replay: a crash right after the insert leaves the phone without a reply, and its retry
        writes them."""
        self.ensure_concern_views(document)
        self.record_attendance(document)
        for review in document.get("answer_reviews", ()):
            self.db.concern_cases.update_one(
                {"_id": review["concern_id"]},
                {"$set": {"to_read_out": False, "reviewed_in_visit_id": document["_id"]}})

    def _replayed(self, cadre_id, submission_id, document):
        stored = self.db.visits.find_one({"cadre_id": cadre_id, "submission_id": submission_id},
                                         {"outbox": 0, "versions": 0})
        if stored is None:  # the group's visit to this meeting, logged by another member
            other = self.db.visits.find_one({"_id": document["_id"]}, {"cadre_id": 1})
            raise Conflict("this working group's visit to this meeting is already logged",
                           {"working_group_id": [f"logged as visit {document['_id']} by "
                                                 f"{other and other['cadre_id']}"]})
        if stored["fingerprint"] != document["fingerprint"]:
            raise Conflict("submission_id was already used for a different visit",
                           {"submission_id": [submission_id]})
        self._after_logging(stored)
        return {**schemas.Visit().dump(stored), "replayed": True}

    # --- amending it --------------------------------------------------------------------------

    @rpc
    def amend_visit(self, visit_id, amendment, principal):
        """A new version of the author's own visit, within the window; concerns already
        raised are kept or withdrawn, new ones raised. Once per amendment ``submission_id``."""
        principal = require(principal_from(principal), "visits.log")
        if principal is None:
            raise InvalidInput("a visit is amended by its signed-in author",
                               {"principal": ["required"]})
        request_schema = schemas.AmendVisit()
        request = load_payload(request_schema, amendment, "amendment")
        dumped = request_schema.dump(request)
        mark = fingerprint(dumped)
        for _ in range(AMEND_RETRIES):
            visit = self.db.visits.find_one({"_id": visit_id}, {"outbox": 0})
            if visit is None or visit["cadre_id"] != principal.cadre_id:
                raise NotFound("visit not found", {"visit_id": [str(visit_id)]})
            replay = self._amendment_replayed(visit, dumped["submission_id"], mark)
            if replay is not None:
                return replay
            outcome = self._amend(visit, dumped, mark, principal)
            if outcome is not None:
                return outcome
        raise Conflict("the visit kept changing while amending it; try again",
                       {"visit_id": [visit_id]})

    def _amendment_replayed(self, visit, submission_id, mark):
        for version in [visit, *visit.get("versions", ())]:
            if version.get("amendment_submission_id") == submission_id:
                if version.get("amendment_fingerprint") != mark:
                    raise Conflict("submission_id was already used for a different amendment",
                                   {"submission_id": [submission_id]})
                current = {k: v for k, v in visit.items() if k != "versions"}
                return {**schemas.Visit().dump(current), "replayed": True}
        return None

    def _amend(self, visit, dumped, mark, principal):
        self._check_localities([c for c in dumped["concerns"] if "concern_id" not in c],
                               "concerns")
        plan = amendments.plan_amendment(visit, dumped, self.rules.clock.now(),
                                         self.rules.amend_window, contracts.new_id)
        changes = {**plan.changes, "amendment_fingerprint": mark}
        if "attended_cadre_ids" in dumped:
            group = None
            if visit.get("working_group_id"):
                group = self.db.working_groups.find_one({"_id": visit["working_group_id"]})
                group = group or {"_id": visit["working_group_id"], "member_cadre_ids": []}
            attended = rules.who_attended(group, visit["cadre_id"], dumped["attended_cadre_ids"])
            changes["attended_cadre_ids"] = attended
        after = {**visit, **changes}
        actor = actor_of(principal)
        events = [contracts.VISIT_AMENDED.new({
            "visit_id": visit["_id"], "unit_id": visit["unit_id"], "cadre_id": visit["cadre_id"],
            "version": changes["version"],
            "meeting_date": dt.date.fromisoformat(visit["meeting_date"]),
            "added_concern_ids": [c["concern_id"] for c in plan.added],
            "withdrawn_concern_ids": [c["concern_id"] for c, _ in plan.withdrawn],
            "attended_cadre_ids": after.get("attended_cadre_ids") or [visit["cadre_id"]],
        }, actor=actor)] + self._raised_events(plan.added, visit, actor) + [
            contracts.CONCERN_WITHDRAWN.new({
                "concern_id": concern["concern_id"], "visit_id": visit["_id"],
                "unit_id": visit["unit_id"], "reason": reason,
                "withdrawn_at": concern["withdrawn_at"]}, actor=actor)
            for concern, reason in plan.withdrawn]
        update = push_events({"$set": changes, "$push": {"versions": plan.snapshot}}, events)
        result = self.db.visits.update_one(
            {"_id": visit["_id"], "version": visit.get("version", 1)}, update)
        if result.matched_count == 0:
            return None  # amended meanwhile (a retry racing itself): read it again
        self.ensure_concern_views(after)
        self.record_attendance(after)
        _log.info("visit %s amended to version %d: %d concern(s) added, %d withdrawn",
                  visit["_id"], changes["version"], len(plan.added), len(plan.withdrawn))
        current = {k: v for k, v in after.items() if k not in ("versions", "outbox")}
        return {**schemas.Visit().dump(current), "replayed": False}

    # --- reading one --------------------------------------------------------------------------

    @rpc
    def get_visit(self, visit_id, principal):
        principal = require(principal_from(principal), "visits.read")
        visit = self.db.visits.find_one({"_id": visit_id}, {"outbox": 0, "versions": 0})
        if visit is None:
            raise NotFound("visit not found", {"visit_id": [str(visit_id)]})
        rules.check_own_visit(visit, principal)
        if principal is not None and visit["cadre_id"] != principal.cadre_id:
            visit = without_personal_data(visit)  # a group member who attended, not the author
        return schemas.Visit().dump(visit)

    @rpc
    def get_concern(self, concern_id, principal):
        """A concern as raised: a cadre's own only. An authority officer's reads come with
        ``principal`` None, after the escalations service found the case in their authority;
        they do not see who raised it by name or contact."""
        principal = require(principal_from(principal), "concerns.read")
        visit = self.db.visits.find_one({"concerns.concern_id": concern_id},
                                        {"outbox": 0, "versions": 0})
        if visit is None:
            raise NotFound("concern not found", {"concern_id": [str(concern_id)]})
        rules.check_own_visit(visit, principal, "concern", concern_id)
        if principal is None:
            visit = without_personal_data(visit)
        concern = next(c for c in visit["concerns"] if c["concern_id"] == concern_id)
        answer = self.db.answers.find_one({"_id": concern_id})
        return schemas.RaisedConcern().dump({
            **concern, "visit_id": visit["_id"], "unit_id": visit["unit_id"],
            "unit_name": visit["unit_name"], "raised_on": visit["meeting_date"],
            "answer": answer})

    @rpc
    def visits_of_cadre(self, query, principal):
        """The signed-in cadre's own visits, newest meeting first (paged), each concern with
        the answer that came back, if any."""
        principal = require(principal_from(principal), "visits.read")
        if principal is None:
            raise InvalidInput("a cadre's visits are read by the cadre",
                               {"principal": ["required"]})
        query = load_payload(PageQuery(), query or {}, "query")
        page = read_page(self.db.visits, {"cadre_id": principal.cadre_id},
                         [("meeting_date", -1), ("_id", -1)], query, {"outbox": 0})
        concern_ids = [c["concern_id"] for v in page["items"] for c in v["concerns"]]
        answers = {a["_id"]: a for a in self.db.answers.find({"_id": {"$in": concern_ids}})}
        visits = []
        for visit in page["items"]:
            dumped = schemas.Visit().dump(visit)
            for concern in dumped["concerns"]:
                answer = answers.get(concern["concern_id"])
                concern["answer"] = schemas.ConcernAnswer().dump(answer) if answer else None
            visits.append(dumped)
        return {"visits": visits, "next_cursor": page["next_cursor"]}
