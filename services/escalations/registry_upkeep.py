"""Authorities and routing rules kept up to date: changed, retired and handed over with dates,
listed as they stood on a day, found by name without diacritics.

Each write is idempotent (the importer resends rows): a change that changes nothing, a
retirement already made on the same day, a hand-over already done, all answer what is stored
and emit nothing. An authority retired from a day receives no concerns from then: its routing
rules in force end the day before. Example::

    escalations.retire_authority("ubnd-huyen-binh-xuyen", {"retired_on": "2025-07-01"})
    escalations.find_routing_rules({"as_of": "2025-07-01"})   # its rules are no longer there
"""
import datetime as dt
from logging import getLogger

from shared import contracts, folding
from shared.authorisation import actor_of, principal_from, require
from shared.contracts.rpc import authorities as schemas
from shared.contracts.rpc.cases import RoutingRule
from shared.errors import Conflict, NotFound, RuleViolated, load_payload
from shared.outbox import insert_once, push_events
from shared.pages import read_page
from shared.rpc import rpc

_log = getLogger(__name__)

OUT = {"outbox": 0, "outbox_pending": 0}
AUTHORITY_FIELDS = ("name", "kind", "level", "unit_id", "parent_authority_id", "email")


def _day_before(day):
    return (day - dt.timedelta(days=1)).isoformat()


class RegistryUpkeep:
    """Mixin of ``EscalationsService``: upkeep RPCs of authorities and routing rules."""

    def _authority(self, authority_id):
        found = self.db.authorities.find_one({"_id": authority_id}, OUT)
        if found is None:
            raise NotFound("authority not found", {"authority_id": [str(authority_id)]})
        return found

    def _authority_events(self, before, after, actor):
        events = [contracts.AUTHORITY_CHANGED.new({
            "authority_id": after["_id"], **{key: after.get(key) for key in AUTHORITY_FIELDS},
            "retired_on": after.get("retired_on") and dt.date.fromisoformat(
                after["retired_on"])}, actor=actor)]
        if before.get("email") != after.get("email"):
            events.append(contracts.AUTHORITY_CONTACT_CHANGED.new(
                {"authority_id": after["_id"], "email": after.get("email")}, actor=actor))
        return events

    def _write_authority(self, before, changes, actor):
        after = {**before, **changes}
        if "name" in changes:
            changes = {**changes, "search": folding.search_key(changes["name"])}
        done = self.db.authorities.update_one(
            {"_id": before["_id"], **{key: before.get(key) for key in changes
                                      if key != "search"}},
            push_events({"$set": changes}, self._authority_events(before, after, actor)))
        if done.modified_count != 1:
            raise Conflict("changed by someone else meanwhile; retry",
                           {"authority_id": [before["_id"]]})
        return after

    @rpc
    def change_authority(self, authority_id, changes, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        schema = schemas.ChangeAuthority()
        changes = schema.dump(load_payload(schema, changes, "authority changes"))
        before = self._authority(authority_id)
        parent = changes.get("parent_authority_id")
        if parent is not None:
            if parent == authority_id:
                raise RuleViolated("an authority cannot escalate to itself",
                                   {"parent_authority_id": [parent]})
            self._authority(parent)
        if all(before.get(key) == value for key, value in changes.items()):
            return schemas.DatedAuthority().dump(before)
        return schemas.DatedAuthority().dump(
            self._write_authority(before, changes, actor_of(principal)))

    @rpc
    def retire_authority(self, authority_id, retirement, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        retired_on = load_payload(schemas.RetireAuthority(), retirement,
                                  "retirement")["retired_on"]
        before = self._authority(authority_id)
        if before.get("retired_on") not in (None, retired_on.isoformat()):
            raise Conflict("the authority is already retired",
                           {"retired_on": [f"retired on {before['retired_on']}"]})
        # its rules first: a crash after them is finished by the same call again
        last_day = _day_before(retired_on)
        for rule in self.db.routing_rules.find({"authority_id": authority_id}):
            if rule.get("effective_to") is None or rule["effective_to"] > last_day:
                self.db.routing_rules.update_one({"_id": rule["_id"]},
                                                 {"$set": {"effective_to": last_day}})
        if before.get("retired_on") == retired_on.isoformat():
            return schemas.DatedAuthority().dump(before)
        after = self._write_authority(before, {"retired_on": retired_on.isoformat()},
                                      actor_of(principal))
        _log.info("authority %s retired from %s", authority_id, retired_on)
        return schemas.DatedAuthority().dump(after)

    @rpc
    def change_routing_rule(self, rule_id, change, principal=None):
        """Retire a rule (``effective_to``) or hand it to another authority from a day."""
        principal = require(principal_from(principal), "registry.manage")
        change = load_payload(schemas.ChangeRoutingRule(), change, "routing rule change")
        rule = self.db.routing_rules.find_one({"_id": rule_id})
        if rule is None:
            raise NotFound("routing rule not found", {"rule_id": [str(rule_id)]})
        last_day = (change["effective_to"].isoformat() if "effective_to" in change
                    else _day_before(change["changed_on"]))
        if rule.get("effective_from") and last_day < _day_before(
                dt.date.fromisoformat(rule["effective_from"])):
            raise RuleViolated("a rule cannot end before it began", {
                "effective_to": [f"it began {rule['effective_from']}"]})
        if rule.get("effective_to") not in (None, last_day) and rule["effective_to"] < last_day:
            raise Conflict("the rule has already ended", {
                "effective_to": [f"ended {rule['effective_to']}"]})
        added = None
        if "effective_to" not in change:
            self._authority(change["authority_id"])
            added = self.db.routing_rules.find_one({"_id": change["new_rule_id"]})
            if added is None or added.get("replaces") != rule_id or (
                    added["authority_id"], added["effective_from"]) != (
                    change["authority_id"], change["changed_on"].isoformat()):
                added = self._hand_over(rule, change, principal)
        self.db.routing_rules.update_one({"_id": rule_id},
                                         {"$set": {"effective_to": last_day}})
        retired = {**rule, "effective_to": last_day}
        return schemas.RuleChanged().dump({"retired": retired, "added": added})

    def _hand_over(self, rule, change, principal):
        """The rule that takes over from ``changed_on`` (inserted once)."""
        ends = rule.get("effective_to")
        if ends is not None and ends < change["changed_on"].isoformat():
            ends = None  # the old rule's end was this hand-over (a retry): the new one is open
        document = {**{k: v for k, v in rule.items() if k not in ("_id", "actor")},
                    "_id": change["new_rule_id"], "authority_id": change["authority_id"],
                    "effective_from": change["changed_on"].isoformat(), "effective_to": ends,
                    "replaces": rule["_id"], "actor": actor_of(principal)}
        return insert_once(self.db.routing_rules, document, unique_keys=[
            ("_id",), ("topic", "unit_id", "urgency", "effective_from")])

    @rpc
    def find_authorities(self, query=None):
        """Authorities a page at a time; with ``as_of``, those in service that day."""
        query = load_payload(schemas.RegistryQuery(), query or {}, "query")
        criteria = {}
        if query["as_of"]:
            criteria = {"$or": [{"retired_on": None},
                                {"retired_on": {"$gt": query["as_of"].isoformat()}}]}
        page = read_page(self.db.authorities, criteria, [("_id", 1)], query, OUT)
        return {"authorities": schemas.DatedAuthority(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}

    @rpc
    def find_routing_rules(self, query=None):
        """Routing rules a page at a time; with ``as_of``, those in force that day."""
        query = load_payload(schemas.RegistryQuery(), query or {}, "query")
        criteria = {}
        if query["as_of"]:
            day = query["as_of"].isoformat()
            criteria = {"$and": [
                {"$or": [{"effective_from": None}, {"effective_from": {"$lte": day}}]},
                {"$or": [{"effective_to": None}, {"effective_to": {"$gte": day}}]}]}
        page = read_page(self.db.routing_rules, criteria, [("_id", 1)], query)
        return {"routing_rules": RoutingRule(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}

    @rpc
    def search_authorities(self, query):
        query = load_payload(schemas.SearchQuery(), query, "search")
        criteria = folding.search_criteria(query["q"])
        if query["as_of"]:
            criteria = {"$and": [criteria, {"$or": [
                {"retired_on": None}, {"retired_on": {"$gt": query["as_of"].isoformat()}}]}]}
        found = self.db.authorities.find(criteria, OUT).sort("_id", 1).limit(query["limit"])
        return {"authorities": schemas.DatedAuthority(many=True).dump(list(found))}

