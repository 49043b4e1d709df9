"""Assignments service: units tree, cadres, assignments. Emits ``unit_registered``,
``cadre_registered`` and ``assignment_made`` through its outbox."""
from logging import getLogger

from services.assignments import domain, schemas
from shared import contracts
from shared.authorisation import actor_of, principal_from, require
from shared.errors import NotFound, load_payload
from shared.outbox import insert_once, insert_or_change_contact
from shared.pages import PageQuery, read_page
from shared.rpc import rpc
from shared.store import ReportsHealth, Store

_log = getLogger(__name__)


class AssignmentsService(ReportsHealth):
    name = "assignments"
    db = Store(
        outbox_collections=["units", "cadres", "assignments"],
        # one assignment per cadre and unit
        indexes={"assignments": [([("cadre_id", 1), ("unit_id", 1)], {"unique": True})],
                 "units": [([("parent_id", 1)], {})]},
    )

    @rpc
    def register_unit(self, unit, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        unit = load_payload(schemas.RegisterUnit(), unit, "unit")
        parent_path = []
        if unit["parent_id"] is not None:
            parent = self.db.units.find_one({"_id": unit["parent_id"]})
            if parent is None:
                raise NotFound("parent unit not found", {"parent_id": [unit["parent_id"]]})
            parent_path = parent["path"]
        path = domain.unit_path(parent_path, unit["unit_id"])
        document = {"_id": unit["unit_id"], "name": unit["name"], "level": unit["level"],
                    "kind": unit["kind"], "parent_id": unit["parent_id"], "path": path,
                    "actor": actor_of(principal)}
        event = contracts.UNIT_REGISTERED.new({**unit, "path": path}, actor=actor_of(principal))
        stored = insert_once(self.db.units, document, [event])
        return schemas.Unit().dump(stored)

    @rpc
    def get_unit(self, unit_id):
        unit = self.db.units.find_one({"_id": unit_id}, {"outbox": 0})
        if unit is None:
            raise NotFound("unit not found", {"unit_id": [str(unit_id)]})
        return schemas.Unit().dump(unit)

    @rpc
    def list_units(self, query=None):
        query = load_payload(PageQuery(), query or {}, "query")
        page = read_page(self.db.units, {}, [("_id", 1)], query, {"outbox": 0})
        return {"units": schemas.Unit(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}

    @rpc
    def register_cadre(self, cadre, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        cadre = load_payload(schemas.RegisterCadre(), cadre, "cadre")
        if self.db.units.find_one({"_id": cadre["home_unit_id"]}) is None:
            raise NotFound("home unit not found", {"home_unit_id": [cadre["home_unit_id"]]})
        document = {"_id": cadre["cadre_id"], "full_name": cadre["full_name"],
                    "home_unit_id": cadre["home_unit_id"], "positions": cadre["positions"],
                    "email": cadre["email"], "actor": actor_of(principal)}
        event = contracts.CADRE_REGISTERED.new(cadre, actor=actor_of(principal))
        changed = contracts.CADRE_CONTACT_CHANGED.new(
            {"cadre_id": cadre["cadre_id"], "email": cadre["email"]}, actor=actor_of(principal))
        stored = insert_or_change_contact(self.db.cadres, document, [event], "email", [changed])
        return schemas.Cadre().dump(stored)

    @rpc
    def get_cadre(self, cadre_id):
        cadre = self.db.cadres.find_one({"_id": cadre_id}, {"outbox": 0})
        if cadre is None:
            raise NotFound("cadre not found", {"cadre_id": [str(cadre_id)]})
        return schemas.Cadre().dump(cadre)

    @rpc
    def assign_cadre(self, assignment, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        assignment = load_payload(schemas.AssignCadre(), assignment, "assignment")
        cadre = self.db.cadres.find_one({"_id": assignment["cadre_id"]})
        if cadre is None:
            raise NotFound("cadre not found", {"cadre_id": [assignment["cadre_id"]]})
        unit = self.db.units.find_one({"_id": assignment["unit_id"]})
        if unit is None:
            raise NotFound("unit not found", {"unit_id": [assignment["unit_id"]]})
        rule = domain.eligible_rule(cadre["positions"], unit["level"], unit.get("kind"),
                                    unit["path"], cadre["home_unit_id"])
        assignment_id = contracts.new_id()
        starts_on = assignment["starts_on"].isoformat()
        document = {"_id": assignment_id, "cadre_id": cadre["_id"], "unit_id": unit["_id"],
                    "rule": rule, "starts_on": starts_on, "actor": actor_of(principal)}
        event = contracts.ASSIGNMENT_MADE.new({**document, "assignment_id": assignment_id,
                                               "starts_on": assignment["starts_on"]},
                                              actor=actor_of(principal))
        stored = insert_once(self.db.assignments, document, [event],
                             unique_keys=[("cadre_id", "unit_id")])
        return schemas.Assignment().dump(stored)

    @rpc
    def list_assignments(self, cadre_id):
        found = self.db.assignments.find({"cadre_id": cadre_id}, {"outbox": 0}).sort("_id", 1)
        return schemas.Assignment(many=True).dump(list(found))
