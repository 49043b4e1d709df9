"""Visits service: logs visits to branch meetings and raises their concerns.

``log_visit`` stores the visit, its concerns and their events (``visit_logged``, one
``concern_raised`` each) in one insert; a resubmission with the same ``submission_id`` returns
the stored visit instead of a second one. Units come from ``unit_registered`` events and
assignments from ``assignment_made``: a cadre may log only where assigned on the meeting date
(see ``rules``), checked here with no call to another service on the write path. The answer to
a concern comes back from ``case_answered`` and is shown with the concern.
"""
import hashlib
import json
from logging import getLogger

from services.visits import rules, schemas
from services.visits.registry_view import RegistryView
from shared import contracts
from shared.authorisation import actor_of, principal_from, require
from shared.consumer import subscribe
from shared.errors import Conflict, InvalidInput, NotFound, load_payload
from shared.outbox import with_events
from shared.pages import PageQuery, read_page
from shared.rpc import rpc
from shared.storage import DuplicateKeyError
from shared.store import ReportsHealth, Store

_log = getLogger(__name__)


def fingerprint(dumped_request):
    return hashlib.sha256(json.dumps(dumped_request, sort_keys=True).encode()).hexdigest()


class VisitsService(RegistryView, ReportsHealth):
    name = "visits"
    db = Store(
        outbox_collections=["visits"],
        indexes={"visits": [
            ([("cadre_id", 1), ("submission_id", 1)], {"unique": True}),
            ([("concerns.concern_id", 1)], {}),
            ([("unit_id", 1), ("meeting_date", -1)], {}),
            # a cadre's own visits, newest meeting first (the pages' "my visits")
            ([("cadre_id", 1), ("meeting_date", -1), ("_id", -1)], {}),
        ],
            "assignments": [([("cadre_id", 1), ("unit_id", 1)], {})]},
    )

    @subscribe("assignment_made")
    def record_assignment(self, event):
        assignment = event.payload
        self.db.assignments.replace_one(
            {"_id": assignment["assignment_id"]},
            {"cadre_id": assignment["cadre_id"], "unit_id": assignment["unit_id"],
             "starts_on": assignment["starts_on"].isoformat()},
            upsert=True)

    @subscribe("unit_registered")
    def record_unit(self, event):
        unit = event.payload
        self.db.units.replace_one(
            {"_id": unit["unit_id"]},
            {"name": unit["name"], "level": unit["level"], "parent_id": unit["parent_id"],
             "path": unit["path"]},
            upsert=True)

    @subscribe("case_answered")
    def record_answer(self, event):
        answered = event.payload
        answer = {"case_id": answered["case_id"], "authority_id": answered["authority_id"],
                  "answer": answered["answer"], "answered_at": answered["answered_at"]}
        try:
            # keyed by concern and only over an older answer (a reopened case answered again),
            # so a redelivered or late event changes nothing
            self.db.answers.update_one(
                {"_id": answered["concern_id"], "answered_at": {"$lt": answered["answered_at"]}},
                {"$set": answer}, upsert=True)
        except DuplicateKeyError:
            _log.info("concern %s already has this or a newer answer", answered["concern_id"])

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
        assignments = self.db.assignments.find({"cadre_id": cadre_id, "unit_id": unit["_id"]})
        rules.check_may_log_at(list(assignments), unit["_id"], visit["meeting_date"])
        dumped = request_schema.dump(visit)
        visit_id = contracts.new_id()
        concerns = [{"concern_id": contracts.new_id(), **concern}
                    for concern in dumped["concerns"]]
        document = {
            "_id": visit_id, **dumped, "cadre_id": cadre_id, "concerns": concerns,
            "unit_name": unit["name"], "unit_path": unit["path"],
            "logged_at": contracts.utcnow(), "logged_by": principal.user_id,
            "fingerprint": fingerprint(dumped),
        }
        actor = actor_of(principal)
        events = [contracts.VISIT_LOGGED.new({
            "visit_id": visit_id, "unit_id": visit["unit_id"], "cadre_id": cadre_id,
            "meeting_date": visit["meeting_date"], "meeting_kind": visit["meeting_kind"],
            "concern_ids": [c["concern_id"] for c in concerns],
        }, actor=actor)] + [contracts.CONCERN_RAISED.new({
            **concern, "visit_id": visit_id, "unit_id": visit["unit_id"],
            "unit_path": unit["path"], "raised_on": visit["meeting_date"],
        }, actor=actor) for concern in concerns]
        try:
            self.db.visits.insert_one(with_events(document, events))
        except DuplicateKeyError:
            return self._replayed(cadre_id, visit["submission_id"], document)
        _log.info("visit %s logged at %s with %d concerns", visit_id, unit["_id"], len(concerns))
        return {**schemas.Visit().dump(document), "replayed": False}

    def _replayed(self, cadre_id, submission_id, document):
        stored = self.db.visits.find_one({"cadre_id": cadre_id, "submission_id": submission_id},
                                         {"outbox": 0})
        if stored["fingerprint"] != document["fingerprint"]:
            raise Conflict("submission_id was already used for a different visit",
                           {"submission_id": [submission_id]})
        return {**schemas.Visit().dump(stored), "replayed": True}

    @rpc
    def get_visit(self, visit_id, principal):
        principal = require(principal_from(principal), "visits.read")
        visit = self.db.visits.find_one({"_id": visit_id}, {"outbox": 0})
        if visit is None:
            raise NotFound("visit not found", {"visit_id": [str(visit_id)]})
        return schemas.Visit().dump(rules.check_own_visit(visit, principal))

    @rpc
    def get_concern(self, concern_id, principal):
        """A concern as raised: a cadre's own only. An authority officer's reads come with
        ``principal`` None, after the escalations service found the case in their authority."""
        principal = require(principal_from(principal), "concerns.read")
        visit = self.db.visits.find_one({"concerns.concern_id": concern_id}, {"outbox": 0})
        if visit is None:
            raise NotFound("concern not found", {"concern_id": [str(concern_id)]})
        rules.check_own_visit(visit, principal, "concern", concern_id)
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
