"""The visits service's own read model, kept from other services' events (no call on the write
path): units, assignments and their ends, working groups, and the life of the cases its
concerns became (the branch brief reads it).

Every handler is safe to run twice and in any order against its siblings:

- an assignment's start and end are set by separate ``$set`` upserts, so ``assignment_ended``
  arriving before ``assignment_made`` loses nothing;
- a working group is replaced only by a newer event about it (``as_of``, the event's time);
- a case's view moves only forward in event time (``last_at``), and its answer only to a newer
  answer (``answered_at``), so a redelivered or late event changes nothing.

Example (``VisitsService`` inherits these entrypoints)::

    class VisitsService(ReadModel, BranchQueries, ReportsHealth):
        ...
"""
from logging import getLogger

from services.visits import branch
from shared.consumer import subscribe
from shared.storage import DuplicateKeyError

_log = getLogger(__name__)


class ReadModel:
    """Entrypoints on events; ``self.db`` is the service's."""

    @subscribe("assignment_made")
    def record_assignment(self, event):
        assignment = event.payload
        self.db.assignments.update_one(
            {"_id": assignment["assignment_id"]},
            {"$set": {"cadre_id": assignment["cadre_id"], "unit_id": assignment["unit_id"],
                      "starts_on": assignment["starts_on"].isoformat()},
             "$setOnInsert": {"ends_on": None}},
            upsert=True)

    @subscribe("unit_registered")
    def record_unit(self, event):
        unit = event.payload
        self.db.units.replace_one(
            {"_id": unit["unit_id"]},
            {"name": unit["name"], "level": unit["level"], "parent_id": unit["parent_id"],
             "path": unit["path"]},
            upsert=True)

    @subscribe("registry")
    def record_registry(self, event):
        """Working groups formed or changed, and assignments ended."""
        if event.event_type.name == "assignment_ended":
            ended = event.payload
            self.db.assignments.update_one(
                {"_id": ended["assignment_id"]},
                {"$set": {"cadre_id": ended["cadre_id"], "unit_id": ended["unit_id"],
                          "ends_on": ended["ends_on"].isoformat(),
                          "end_reason": ended["reason"]}},
                upsert=True)
            return
        group = event.payload
        document = {
            "name": group["name"], "formed_by_unit_id": group["formed_by_unit_id"],
            "member_cadre_ids": group["member_cadre_ids"], "unit_ids": group["unit_ids"],
            # a dotted path, so "whose groups" is answered from a multikey index
            "members": [{"cadre_id": cadre} for cadre in group["member_cadre_ids"]],
            "starts_on": group["starts_on"].isoformat(),
            "ends_on": group["ends_on"] and group["ends_on"].isoformat(),
            "as_of": event.occurred_at,
        }
        try:
            self.db.working_groups.update_one(
                {"_id": group["working_group_id"], "as_of": {"$lte": event.occurred_at}},
                {"$set": document}, upsert=True)
        except DuplicateKeyError:
            _log.info("working group %s already stands as a newer event says",
                      group["working_group_id"])

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

    @subscribe("case_life")
    def record_case_event(self, event):
        """The concern's case as the branch brief shows it."""
        payload = event.payload
        concern_id = payload["concern_id"]
        visit = self.db.visits.find_one({"concerns.concern_id": concern_id},
                                        {"outbox": 0, "versions": 0})
        if visit is None:
            _log.warning("case %s is about concern %s, which visits does not know",
                         payload["case_id"], concern_id)
            return
        self.ensure_concern_views(visit)
        changes = branch.case_changes(event.event_type.name, payload)
        # the store keeps milliseconds: compare at that precision, so an event is applied only
        # over an older one, never over one of the same millisecond it cannot order against
        at = event.occurred_at.replace(microsecond=event.occurred_at.microsecond // 1000 * 1000)
        self.db.concern_cases.update_one(
            {"_id": concern_id, "last_at": {"$lt": at}},
            {"$set": {**changes, "last_at": at}})
        if event.event_type.name == "case_answered":
            self.db.concern_cases.update_one(
                {"_id": concern_id, "answered_at": {"$lt": payload["answered_at"]}},
                {"$set": {"answer": payload["answer"], "answered_at": payload["answered_at"],
                          "to_read_out": True}})
        elif event.event_type.name in ("case_reopened", "case_withdrawn"):
            # the answer no longer stands (reopened), or nothing is left to read out
            self.db.concern_cases.update_one(
                {"_id": concern_id, "answered_at": {"$lt": at}},
                {"$set": {"to_read_out": False}})

    def ensure_concern_views(self, visit):
        """One view per concern of ``visit``, as raised (no case yet); an existing one is left
        as it is. Called when a visit is logged or amended, and by every case event."""
        for concern in visit["concerns"]:
            self.db.concern_cases.update_one(
                {"_id": concern["concern_id"]},
                {"$setOnInsert": {
                    "unit_id": visit["unit_id"], "visit_id": visit["_id"],
                    "topic": concern["topic"], "summary": concern["summary"],
                    "raised_on": visit["meeting_date"], "case_id": None, "status": "raised",
                    "open": True, "authority_id": None, "due_on": None, "answer": None,
                    "answered_at": branch.EPOCH, "to_read_out": False,
                    "last_at": branch.EPOCH}},
                upsert=True)
            if concern.get("withdrawn"):
                # withdrawn at the branch: no longer open there, whatever the case does next
                self.db.concern_cases.update_one(
                    {"_id": concern["concern_id"], "status": "raised"},
                    {"$set": {"status": "withdrawn", "open": False}})
