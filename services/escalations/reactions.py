"""The escalations service's event handlers: a raised concern becomes a case, a duplicate follows
its original's answer, and the branch's decisions (visits' ``concern_withdrawn`` and
``answer_reviewed``) end, close or reopen the case.

Each handler has one effect however often its event arrives: a case is inserted once per
concern (a unique index), and a change goes through ``case_life`` and ``cases.commit`` on the
version it read, so a redelivered event finds the case already moved on and does nothing.
Example (``EscalationsService`` inherits these entrypoints)::

    class EscalationsService(CaseReactions, ReportsHealth):
        ...
"""
import datetime as dt
from logging import getLogger

from services.escalations import case_life, cases, routing
from services.escalations.registry_view import former_of
from shared.consumer import subscribe
from shared.errors import Conflict, NotFound
from shared.outbox import with_events
from shared.storage import DuplicateKeyError

_log = getLogger(__name__)

FOLLOW_RETRIES = 5


def _day(value):
    return dt.date.fromisoformat(value) if value else None


class CaseReactions:
    """Entrypoints on events; ``self.db`` and ``self.rules`` are the service's."""

    # --- routing ----------------------------------------------------------------------------

    @subscribe("concern_raised")
    def route_concern(self, event):
        concern = event.payload
        former = former_of(self.db, concern["unit_id"])  # where the unit used to sit
        rules = [routing.RoutingRule(
            rule_id=doc["_id"], topic=doc["topic"], unit_id=doc["unit_id"],
            authority_id=doc["authority_id"], urgency=doc.get("urgency"),
            effective_from=_day(doc.get("effective_from")),
            effective_to=_day(doc.get("effective_to")))
            for doc in self.db.routing_rules.find(
                {"unit_id": {"$in": concern["unit_path"] + sorted(former)}})]
        rule = routing.route_concern(concern["topic"], concern["unit_path"], rules,
                                     on=concern["raised_on"], urgency=concern["urgency"],
                                     former=former)
        triage = self._triage_authority_id()
        case, first_event = cases.new_case(concern, event.event_id, rule, triage,
                                           self.rules.policy, self.rules.clock.now(),
                                           raised_by_user=event.actor)
        try:
            self.db.cases.insert_one(with_events(case, [first_event]))
        except DuplicateKeyError:
            _log.info("concern %s already has a case; nothing to do", concern["concern_id"])
            return
        if rule is None:
            _log.warning("no routing rule for %s at %s: case %s goes to triage (%s)",
                         concern["topic"], concern["unit_id"], case["_id"], triage)

    def _triage_authority_id(self):
        triage = self.rules.policy.triage_authority_id
        if triage and self.db.authorities.find_one({"_id": triage}) is None:
            _log.error("triage authority %s is not registered: concern left unrouted", triage)
            return None
        return triage

    # --- duplicates follow their original ---------------------------------------------------

    @subscribe("case_answered")
    def answer_duplicates(self, event):
        answered = event.payload
        if answered["original_case_id"] is not None:
            return  # a duplicate's own answer: nothing follows it
        for duplicate in self.db.cases.find({"duplicate_of": answered["case_id"]}, {"_id": 1}):
            self._follow(duplicate["_id"], answered)

    def _follow(self, case_id, answered):
        for _ in range(FOLLOW_RETRIES):
            case = cases.find_case(self.db, case_id, cases.LISTED)
            if case["status"] != case_life.DUPLICATE_OF:
                return
            outcome = case_life.apply_action(
                case, "answer", cases.SYSTEM_ACTOR, self.rules.clock.now(), self.rules.policy,
                answer=answered["answer"], original_case_id=answered["case_id"])
            try:
                cases.commit(self.db, case, outcome)
                return
            except Conflict:
                continue
        raise Conflict("duplicate kept changing while following its original",
                       {"case_id": [case_id]})

    # --- the branch decides: withdrawn, satisfied or not -----------------------------------

    @subscribe("concern_withdrawn")
    def withdraw_case(self, event):
        withdrawn = event.payload
        self._decide(withdrawn["concern_id"], "withdraw", reason=withdrawn["reason"])

    @subscribe("answer_reviewed")
    def review_answer(self, event):
        review = event.payload
        action = "accept_answer" if review["satisfied"] else "reject_answer"
        self._decide(review["concern_id"], action, comment=review["comment"],
                     reviewed_on=review["reviewed_on"].isoformat(),
                     case_id=review["case_id"])

    def _decide(self, concern_id, action, case_id=None, **args):
        """Apply the branch's ``action`` to the concern's case as the system; a case the table
        does not let it move (already closed, already withdrawn) is left as it is. A concern
        whose case does not exist yet raises, so the event is retried until it does."""
        for _ in range(FOLLOW_RETRIES):
            case = self.db.cases.find_one({"concern_id": concern_id}, cases.LISTED)
            if case is None:
                raise NotFound("no case for this concern yet", {"concern_id": [concern_id]})
            if case_id is not None and case["_id"] != case_id:
                _log.warning("review of case %s names concern %s, whose case is %s: ignored",
                             case_id, concern_id, case["_id"])
                return
            if case["status"] not in {s for row in case_life.TRANSITIONS
                                      if row.action == action for s in row.sources}:
                _log.info("case %s is %s: %s changes nothing", case["_id"], case["status"],
                          action)
                return
            outcome = case_life.apply_action(case, action, cases.SYSTEM_ACTOR,
                                             self.rules.clock.now(), self.rules.policy, **args)
            try:
                cases.commit(self.db, case, outcome)
            except Conflict:
                continue  # an officer acted meanwhile: read it again
            _log.info("case %s: %s -> %s (the branch's decision)", case["_id"], case["status"],
                      outcome.state)
            return
        raise Conflict("case kept changing while applying the branch's decision",
                       {"concern_id": [concern_id]})
