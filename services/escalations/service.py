"""Escalations service: routes each raised concern to the authority responsible, as a case.

On ``concern_raised`` it picks the routing rule (see ``routing``), computes the acknowledge
deadline in working days (see ``sla``) and stores the case with its ``case_routed`` event in one
insert. A case is unique per concern, so a redelivered ``concern_raised`` has one effect.
"""
from logging import getLogger

from services.escalations import routing, schemas, sla
from services.escalations.access import holds
from shared import contracts
from shared.authorisation import actor_of, principal_from, require
from shared.consumer import subscribe
from shared.errors import NotFound, load_payload
from shared.outbox import insert_once, with_events
from shared.rpc import rpc
from shared.storage import DuplicateKeyError
from shared.store import ReportsHealth, Store

_log = getLogger(__name__)


class EscalationsService(ReportsHealth):
    name = "escalations"
    db = Store(
        outbox_collections=["cases"],
        indexes={
            "cases": [([("concern_id", 1)], {"unique": True}),
                      ([("authority_id", 1), ("status", 1), ("routed_at", -1)], {})],
            "routing_rules": [([("topic", 1), ("unit_id", 1)], {"unique": True}),
                              ([("unit_id", 1)], {})],
        },
    )
    calendar = sla.WorkingCalendar()

    # --- registry ---------------------------------------------------------------------------

    @rpc
    def register_authority(self, authority, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        authority = load_payload(schemas.RegisterAuthority(), authority, "authority")
        parent = authority["parent_authority_id"]
        if parent is not None and self.db.authorities.find_one({"_id": parent}) is None:
            raise NotFound("parent authority not found", {"parent_authority_id": [parent]})
        document = {"_id": authority.pop("authority_id"), **authority,
                    "actor": actor_of(principal)}
        return schemas.Authority().dump(insert_once(self.db.authorities, document))

    @rpc
    def list_authorities(self):
        found = self.db.authorities.find({}).sort("_id", 1)
        return schemas.Authority(many=True).dump(list(found))

    @rpc
    def get_authority(self, authority_id):
        authority = self.db.authorities.find_one({"_id": authority_id})
        if authority is None:
            raise NotFound("authority not found", {"authority_id": [str(authority_id)]})
        return schemas.Authority().dump(authority)

    @rpc
    def add_routing_rule(self, rule, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        rule = load_payload(schemas.AddRoutingRule(), rule, "routing rule")
        if self.db.authorities.find_one({"_id": rule["authority_id"]}) is None:
            raise NotFound("authority not found", {"authority_id": [rule["authority_id"]]})
        document = {"_id": rule.pop("rule_id"), **rule, "actor": actor_of(principal)}
        stored = insert_once(self.db.routing_rules, document,
                             unique_keys=[("_id",), ("topic", "unit_id")])
        return schemas.RoutingRule().dump(stored)

    @rpc
    def list_routing_rules(self):
        found = self.db.routing_rules.find({}).sort("_id", 1)
        return schemas.RoutingRule(many=True).dump(list(found))

    # --- cases ------------------------------------------------------------------------------

    @subscribe("concern_raised")
    def route_concern(self, event):
        concern = event.payload
        rules = [routing.RoutingRule(rule_id=doc["_id"], topic=doc["topic"],
                                     unit_id=doc["unit_id"], authority_id=doc["authority_id"])
                 for doc in self.db.routing_rules.find({"unit_id": {"$in": concern["unit_path"]}})]
        rule = routing.route_concern(concern["topic"], concern["unit_path"], rules)
        case_id = contracts.new_id()
        case = {
            "_id": case_id, "concern_id": concern["concern_id"],
            "unit_id": concern["unit_id"], "unit_path": concern["unit_path"],
            "topic": concern["topic"], "summary": concern["summary"],
            "raised_by": concern["raised_by"], "raised_on": concern["raised_on"].isoformat(),
            "source_event_id": event.event_id, "raised_by_user": event.actor,
        }
        events = []
        if rule is None:
            case.update(status="unrouted", authority_id=None, rule_id=None, routed_at=None,
                        acknowledge_by=None)
        else:
            routed_at = contracts.utcnow()
            acknowledge_by = sla.acknowledge_by(routed_at, self.calendar)
            case.update(status="routed", authority_id=rule.authority_id, rule_id=rule.rule_id,
                        routed_at=routed_at, acknowledge_by=acknowledge_by.isoformat())
            events.append(contracts.CASE_ROUTED.new({
                "case_id": case_id, "concern_id": concern["concern_id"],
                "authority_id": rule.authority_id, "rule_id": rule.rule_id,
                "acknowledge_by": acknowledge_by}))
        try:
            self.db.cases.insert_one(with_events(case, events))
        except DuplicateKeyError:
            _log.info("concern %s already has a case; nothing to do", concern["concern_id"])
            return
        if rule is None:
            _log.warning("no routing rule for %s at %s: case %s is unrouted",
                         concern["topic"], concern["unit_id"], case_id)

    @rpc
    def inbox(self, query, principal=None):
        """An authority's cases: only its own officers'; another's answers like a missing one."""
        principal = require(principal_from(principal), "cases.inbox")
        query = load_payload(schemas.InboxQuery(), query, "inbox query")
        authority = self.db.authorities.find_one({"_id": query["authority_id"]})
        if authority is None or not holds(principal, authority["_id"]):
            raise NotFound("authority not found", {"authority_id": [query["authority_id"]]})
        criteria = {"authority_id": authority["_id"]}
        if query["status"]:
            criteria["status"] = query["status"]
        found = (self.db.cases.find(criteria, {"outbox": 0})
                 .sort("routed_at", -1).limit(query["limit"]))
        cases = [{**case, "authority_name": authority["name"]} for case in found]
        return {"authority": schemas.Authority().dump(authority),
                "cases": schemas.Case(many=True).dump(cases)}

    @rpc
    def get_case_for_concern(self, concern_id, principal=None):
        """The case of a concern: for an officer, only one their authority holds (else NotFound
        like a concern with no case); ``principal`` None after visits found it the cadre's."""
        principal = require(principal_from(principal), "concerns.read")
        case = self.db.cases.find_one({"concern_id": concern_id}, {"outbox": 0})
        if case is None or not holds(principal, case["authority_id"]):
            raise NotFound("no case for this concern yet", {"concern_id": [str(concern_id)]})
        authority = None
        if case["authority_id"]:
            authority = self.db.authorities.find_one({"_id": case["authority_id"]})
        return schemas.Case().dump({**case, "authority_name": authority and authority["name"]})
