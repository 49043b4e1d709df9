"""Assignments service: the organisation tree with its history, cadres, assignments and working
groups. Emits ``unit_registered``, ``unit_reorganised``, ``cadre_registered``,
``cadre_changed``, ``assignment_made``, ``assignment_ended``, ``working_group_formed`` and
``working_group_changed`` through its outbox.

Every read takes an optional ``as_of`` day and answers as the registry stood that day (default:
today). Every write is idempotent: the same call twice changes nothing the second time (the
importer relies on it); the same id with other data is a Conflict naming the field. Rules live
in plain modules: ``levels``, ``history``, ``reorganisation``, ``domain``; ``tree`` and
``groups`` write them to the store.
"""
import datetime as dt
from logging import getLogger

from services.assignments import domain, groups, history, tree
from services.assignments.levels import LEVEL_SCHEMES, LEVELS
from shared import contracts, folding
from shared.authorisation import actor_of, principal_from, require
from shared.contracts.rpc import registry as schemas
from shared.errors import Conflict, NotFound, load_payload
from shared.outbox import insert_or_change_contact, push_events
from shared.pages import PageQuery, read_page
from shared.rpc import rpc
from shared.storage import DuplicateKeyError
from shared.store import ReportsHealth, Store

_log = getLogger(__name__)

OUT = {"outbox": 0, "outbox_pending": 0}


def _as_of(query):
    return query.get("as_of") or tree.today()


class AssignmentsService(ReportsHealth):
    name = "assignments"
    db = Store(
        outbox_collections=["units", "cadres", "assignments", "reorganisations",
                            "working_groups"],
        indexes={
            # one assignment per cadre and unit
            "assignments": [([("cadre_id", 1), ("unit_id", 1)], {"unique": True}),
                            ([("unit_id", 1)], {})],
            "units": [([("parent_id", 1)], {}),
                      # everything ever under a unit (a reorganisation's reach)
                      ([("history.path", 1)], {}),
                      # search by folded name words (shared.folding)
                      ([("search.prefixes", 1)], {})],
            "cadres": [([("search.prefixes", 1)], {}),
                       # who sits on a committee (carried when it merges)
                       ([("home_unit_id", 1)], {})],
        },
    )

    # --- units ------------------------------------------------------------------------------

    @rpc
    def register_unit(self, unit, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        schema = schemas.RegisterUnit()
        unit = load_payload(schema, unit, "unit")
        dumped = schema.dump(unit)
        registered = {key: dumped.get(key) for key in tree.REGISTERED_FIELDS}
        stored = tree.register(self.db, unit, actor_of(principal), registered)
        return schemas.Unit().dump(history.state_on(stored, stored["history"][-1]["from"]
                                                    or history.EARLIEST))

    @rpc
    def get_unit(self, unit_id, as_of=None):
        query = load_payload(schemas.AsOfQuery(), {"as_of": as_of} if as_of else {}, "query")
        return schemas.Unit().dump(tree.unit_on(self.db, unit_id, _as_of(query)))

    @rpc
    def unit_history(self, unit_id):
        unit = self.db.units.find_one({"_id": unit_id}, {"history": 1})
        if unit is None:
            raise NotFound("unit not found", {"unit_id": [str(unit_id)]})
        return schemas.UnitHistory().dump(unit)

    @rpc
    def list_units(self, query=None):
        query = load_payload(schemas.UnitQuery(), query or {}, "query")
        day = history.iso(_as_of(query))
        criteria = {"exists_from": {"$lte": day}, "exists_to": {"$gte": day}}
        page = read_page(self.db.units, criteria, [("_id", 1)], query, OUT)
        return {"units": schemas.Unit(many=True).dump(
                    [history.state_on(unit, day) for unit in page["items"]]),
                "next_cursor": page["next_cursor"]}

    @rpc
    def change_unit_details(self, unit_id, details, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        details = schemas.ChangeUnitDetails().dump(
            load_payload(schemas.ChangeUnitDetails(), details, "unit details"))
        found = self.db.units.update_one({"_id": unit_id}, {"$set": details})
        if found.matched_count == 0:
            raise NotFound("unit not found", {"unit_id": [str(unit_id)]})
        return schemas.Unit().dump(tree.unit_on(self.db, unit_id, tree.today()))

    @rpc
    def list_levels(self):
        return {"levels": [{"level_id": level.level_id, "name": level.name,
                            "parent_levels": sorted(level.parent_levels),
                            "description": level.description} for level in LEVELS],
                "schemes": {name: list(ids) for name, ids in LEVEL_SCHEMES.items()}}

    # --- reorganisations --------------------------------------------------------------------

    @rpc
    def reorganise(self, operation, principal=None):
        """Carry out one rename, move, merge or split effective on a day (see
        ``reorganisation``); the same ``operation_id`` again finishes or answers it."""
        principal = require(principal_from(principal), "registry.manage")
        schema = schemas.Reorganise()
        operation = load_payload(schema, operation, "reorganisation")
        request = schema.dump(operation)
        operation_id = operation["operation_id"]
        stored = self.db.reorganisations.find_one({"_id": operation_id}, OUT)
        if stored is None:
            plan = tree.plan_operation(self.db, operation)
            document = {"_id": operation_id, "request": request, "status": "applying",
                        "plan": plan, "kind": operation["kind"],
                        "effective_on": request["effective_on"], "reason": operation["reason"],
                        "actor": actor_of(principal), "recorded_at": contracts.utcnow()}
            try:
                self.db.reorganisations.insert_one(document)
                stored = document
            except DuplicateKeyError:  # the same request, at the same moment
                stored = self.db.reorganisations.find_one({"_id": operation_id}, OUT)
        if stored["request"] != request:
            raise Conflict("operation_id already names another reorganisation",
                           {"operation_id": [operation_id]})
        if stored["status"] != "applied":
            stored = self._finish(stored, operation, actor_of(principal))
        return self._shown(stored)

    def _finish(self, stored, operation, actor):
        plan = stored["plan"]
        ended, made = tree.apply_plan(self.db, stored["_id"], plan, operation["effective_on"],
                                      actor, operation["reason"])
        event = contracts.UNIT_REORGANISED.new({
            "operation_id": stored["_id"], "kind": operation["kind"],
            "effective_on": operation["effective_on"], "units": plan["units"],
            "successor_of": {s["unit_id"]: s["successor_id"] for s in plan["successor_of"]}},
            actor=actor)
        self.db.reorganisations.update_one(
            {"_id": stored["_id"], "status": "applying"},
            push_events({"$set": {"status": "applied", "assignments_ended": ended,
                                  "assignments_made": made}}, [event]))
        _log.info("reorganisation %s (%s on %s): %d units, %d assignments ended, %d carried",
                  stored["_id"], operation["kind"], stored["effective_on"],
                  len(plan["units"]), len(ended), len(made))
        return self.db.reorganisations.find_one({"_id": stored["_id"]}, OUT)

    def _shown(self, stored):
        plan = stored["plan"]
        return schemas.Reorganisation().dump({
            **stored, "units": plan["units"],
            "successor_of": {s["unit_id"]: s["successor_id"] for s in plan["successor_of"]}})

    @rpc
    def list_reorganisations(self, query=None):
        query = load_payload(PageQuery(), query or {}, "query")
        page = read_page(self.db.reorganisations, {}, [("_id", 1)], query, OUT)
        return {"reorganisations": [self._shown(item) for item in page["items"]],
                "next_cursor": page["next_cursor"]}

    # --- cadres -----------------------------------------------------------------------------

    @rpc
    def register_cadre(self, cadre, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        schema = schemas.RegisterCadre()
        cadre = schema.dump(load_payload(schema, cadre, "cadre"))
        if self.db.units.find_one({"_id": cadre["home_unit_id"]}) is None:
            raise NotFound("home unit not found", {"home_unit_id": [cadre["home_unit_id"]]})
        document = {"_id": cadre["cadre_id"], **{k: v for k, v in cadre.items()
                                                 if k != "cadre_id"},
                    "search": folding.search_key(cadre["full_name"]), "actor": actor_of(principal)}
        existing = self.db.cadres.find_one({"_id": cadre["cadre_id"]}, OUT)
        if existing and cadre["home_unit_id"] in existing.get("former_home_unit_ids", []):
            # registered again as before a merger carried their committee: the same cadre
            document["home_unit_id"] = existing["home_unit_id"]
            document["former_home_unit_ids"] = existing["former_home_unit_ids"]
        event = contracts.CADRE_REGISTERED.new(cadre, actor=actor_of(principal))
        changed = contracts.CADRE_CONTACT_CHANGED.new(
            {"cadre_id": cadre["cadre_id"], "email": cadre["email"]}, actor=actor_of(principal))
        stored = insert_or_change_contact(self.db.cadres, document, [event], "email", [changed])
        return schemas.Cadre().dump(stored)

    @rpc
    def change_cadre(self, cadre_id, changes, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        schema = schemas.ChangeCadre()
        changes = schema.dump(load_payload(schema, changes, "cadre changes"))
        cadre = self.db.cadres.find_one({"_id": cadre_id}, OUT)
        if cadre is None:
            raise NotFound("cadre not found", {"cadre_id": [str(cadre_id)]})
        after = {**cadre, **changes}
        if all(cadre.get(key) == value for key, value in changes.items()):
            return schemas.Cadre().dump(cadre)  # nothing new: a re-sent change
        actor = actor_of(principal)
        events = [contracts.CADRE_CHANGED.new({
            "cadre_id": cadre_id, **{key: after.get(key) for key in (
                "full_name", "home_unit_id", "positions", "email", "phone")},
            "memberships": after.get("memberships") or []}, actor=actor)]
        if after.get("email") != cadre.get("email"):
            events.append(contracts.CADRE_CONTACT_CHANGED.new(
                {"cadre_id": cadre_id, "email": after["email"]}, actor=actor))
        sets = {**changes, "search": folding.search_key(after["full_name"])}
        done = self.db.cadres.update_one(
            {"_id": cadre_id, **{key: cadre.get(key) for key in changes}},
            push_events({"$set": sets}, events))
        if done.modified_count != 1:
            raise Conflict("changed by someone else meanwhile; retry", {"cadre_id": [cadre_id]})
        return schemas.Cadre().dump(after)

    @rpc
    def get_cadre(self, cadre_id):
        cadre = self.db.cadres.find_one({"_id": cadre_id}, OUT)
        if cadre is None:
            raise NotFound("cadre not found", {"cadre_id": [str(cadre_id)]})
        return schemas.Cadre().dump(cadre)

    @rpc
    def list_cadres(self, query=None):
        query = load_payload(PageQuery(), query or {}, "query")
        page = read_page(self.db.cadres, {}, [("_id", 1)], query, OUT)
        return {"cadres": schemas.Cadre(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}

    # --- assignments ------------------------------------------------------------------------

    @rpc
    def assign_cadre(self, assignment, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        assignment = load_payload(schemas.AssignCadre(), assignment, "assignment")
        existing = self.db.assignments.find_one(
            {"cadre_id": assignment["cadre_id"], "unit_id": assignment["unit_id"]}, OUT)
        if existing and existing["starts_on"] == assignment["starts_on"].isoformat():
            # made already (a re-run import), perhaps ended or carried by a reorganisation since
            return schemas.Assignment().dump(existing)
        document = self._eligible(assignment["cadre_id"], assignment["unit_id"],
                                  assignment["starts_on"])
        document.update(_id=contracts.new_id(), actor=actor_of(principal))
        return schemas.Assignment().dump(
            tree.insert_assignment(self.db, document, actor_of(principal)))

    def _eligible(self, cadre_id, unit_id, starts_on):
        """A new assignment's fields, once the seed's rules allow it on ``starts_on``."""
        cadre = self.db.cadres.find_one({"_id": cadre_id}, OUT)
        if cadre is None:
            raise NotFound("cadre not found", {"cadre_id": [cadre_id]})
        unit = tree.unit_on(self.db, unit_id, starts_on)
        # the committee they sat on that day: their home, or one merged into it since
        homes = [cadre["home_unit_id"], *cadre.get("former_home_unit_ids", [])]
        home = next((h for h in homes if h in unit["path"][:-1]), cadre["home_unit_id"])
        rule = domain.eligible_rule(cadre["positions"], unit["level"], unit.get("kind"),
                                    unit["path"], home)
        return {"cadre_id": cadre_id, "unit_id": unit_id, "rule": rule,
                "starts_on": starts_on.isoformat(), "ends_on": None}

    def _assignment(self, assignment_id):
        found = self.db.assignments.find_one({"_id": assignment_id}, OUT)
        if found is None:
            raise NotFound("assignment not found", {"assignment_id": [str(assignment_id)]})
        return found

    @rpc
    def end_assignment(self, assignment_id, end, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        end = load_payload(schemas.EndAssignment(), end, "end of assignment")
        ended = tree.end_assignment(self.db, self._assignment(assignment_id), end["ends_on"],
                                    end["reason"], actor_of(principal))
        return schemas.Assignment().dump(ended)

    @rpc
    def replace_assignment(self, assignment_id, replacement, principal=None):
        """End an assignment the day before ``starts_on`` and assign ``cadre_id`` to the same
        unit from then; both stay in the history."""
        principal = require(principal_from(principal), "registry.manage")
        replacement = load_payload(schemas.ReplaceAssignment(), replacement, "replacement")
        old = self._assignment(assignment_id)
        document = self._eligible(replacement["cadre_id"], old["unit_id"],
                                  replacement["starts_on"])
        last_day = history.day_before(replacement["starts_on"])
        tree.end_assignment(self.db, old, dt.date.fromisoformat(last_day),
                            replacement["reason"], actor_of(principal))
        document.update(_id=tree.assignment_id_for(old["_id"], replacement["cadre_id"]),
                        replaces=old["_id"],
                        actor=actor_of(principal))
        return schemas.Assignment().dump(
            tree.insert_assignment(self.db, document, actor_of(principal)))

    @rpc
    def list_assignments(self, cadre_id, as_of=None):
        """A cadre's assignments (all of them; with ``as_of``, those holding that day)."""
        found = self.db.assignments.find({"cadre_id": cadre_id}, OUT).sort("_id", 1)
        return schemas.Assignment(many=True).dump(_holding(found, as_of))

    @rpc
    def list_unit_assignments(self, unit_id, as_of=None):
        found = self.db.assignments.find({"unit_id": unit_id}, OUT).sort("_id", 1)
        return schemas.Assignment(many=True).dump(_holding(found, as_of))

    # --- working groups ---------------------------------------------------------------------

    @rpc
    def form_working_group(self, group, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        schema = schemas.FormWorkingGroup()
        group = load_payload(schema, group, "working group")
        return schemas.WorkingGroup().dump(
            groups.form(self.db, group, schema.dump(group), actor_of(principal)))

    @rpc
    def change_working_group(self, working_group_id, changes, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        schema = schemas.ChangeWorkingGroup()
        changes = schema.dump(load_payload(schema, changes, "working group changes"))
        return schemas.WorkingGroup().dump(
            groups.change(self.db, working_group_id, changes, actor_of(principal)))

    @rpc
    def get_working_group(self, working_group_id):
        return schemas.WorkingGroup().dump(groups.find(self.db, working_group_id))

    @rpc
    def list_working_groups(self, query=None):
        query = load_payload(schemas.UnitQuery(), query or {}, "query")
        criteria = {}
        if query.get("as_of"):
            day = query["as_of"].isoformat()
            criteria = {"starts_on": {"$lte": day},
                        "$or": [{"ends_on": None}, {"ends_on": {"$gte": day}}]}
        page = read_page(self.db.working_groups, criteria, [("_id", 1)], query, OUT)
        return {"working_groups": schemas.WorkingGroup(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}

    # --- search -----------------------------------------------------------------------------

    @rpc
    def search(self, query):
        """Units (as they stood ``as_of``) and cadres whose names hold every query word as the
        start of a word, with or without diacritics."""
        query = load_payload(schemas.SearchQuery(), query, "search")
        criteria = folding.search_criteria(query["q"])
        day = history.iso(_as_of(query))
        units = self.db.units.find({"$and": [criteria, {"exists_from": {"$lte": day}},
                                             {"exists_to": {"$gte": day}}]}, OUT)
        cadres = self.db.cadres.find(criteria, OUT)
        return {"units": schemas.Unit(many=True).dump(
                    [history.state_on(unit, day)
                     for unit in units.sort("_id", 1).limit(query["limit"])]),
                "cadres": schemas.Cadre(many=True).dump(
                    list(cadres.sort("_id", 1).limit(query["limit"])))}


def _holding(found, as_of):
    if as_of is None:
        return list(found)
    day = load_payload(schemas.AsOfQuery(), {"as_of": as_of}, "query")["as_of"]
    return [assignment for assignment in found if domain.holds_on(assignment, day)]
