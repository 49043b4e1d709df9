"""The registry: the organisation tree with its history and reorganisations, levels, cadres,
assignments, working groups, authorities, routing rules, and search across them.

Every read takes ``as_of`` (a day) and answers as the registry stood that day; administrators
write, every signed-in user reads (cadres' contacts: not operators). Writes are idempotent: the
same request twice changes nothing the second time."""
from services.gateway import schemas
from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response, query_args
from services.gateway.edge.route import Route
from services.gateway.registry_schemas import (
    AssignmentPath,
    Assignments,
    AuthoritiesPage,
    CadrePath,
    Found,
    Levels,
    ReorganisationsPage,
    RulePath,
    UnitPath,
    UnitsPage,
    WorkingGroupPath,
    WorkingGroupsPage,
)
from shared.authorisation import may, principal_from
from shared.contracts.rpc import authorities as upkeep
from shared.contracts.rpc import registry as registry
from shared.contracts.rpc.cases import AddRoutingRule, RegisterAuthority, RoutingRule
from shared.pages import PageQuery

WRITE = (403, 404, 409, 413, 415, 422)


RENAME_EXAMPLE = {
    "operation_id": "example-rename", "kind": "rename", "effective_on": "2026-01-01",
    "unit_id": "vinh-phuc.binh-xuyen.tam-hop.yen-lan",
    "name": "Chi bộ thôn Yên Lan (khu dân cư Yên Lan)"}

ROUTES = {
    # --- units and their history ------------------------------------------------------------
    ("GET", "/units"): Route(
        "List the organisation's units as they stood on a day", UnitsPage, "registry",
        query=registry.UnitListQuery, errors=(403,),
        description="Flat, ordered by unit_id, each with its path from the root on `as_of` "
                    "(default today); units that did not exist that day are left out."),
    ("GET", "/units/<unit_id>"): Route(
        "A unit as it stood on a day", registry.Unit, "registry", path=UnitPath,
        query=registry.AsOfQuery, errors=(403, 404),
        description="404 also when the unit did not exist on `as_of` (merged away, split up, "
                    "or not yet founded); `fields.as_of` says when it existed."),
    ("GET", "/units/<unit_id>/history"): Route(
        "Every version of a unit: names, parents and paths with the days they held",
        registry.UnitHistory, "registry", path=UnitPath, errors=(403, 404)),
    ("PATCH", "/units/<unit_id>"): Route(
        "Change a unit's locality, meeting schedule or contacts (administrator)", registry.Unit,
        "registry", path=UnitPath, body=registry.ChangeUnitDetails, errors=WRITE,
        description="Renames and moves are reorganisations (POST /reorganisations)."),
    ("POST", "/units"): Route(
        "Register a unit of the organisation tree (administrator)", registry.Unit, "registry",
        status=201, body=registry.RegisterUnit, errors=WRITE,
        description="Registering the same unit again with the same data answers it again "
                    "(a re-run import); other data under the same unit_id is a 409. The levels "
                    "table (GET /levels) says which level may sit under which."),
    ("GET", "/units/<unit_id>/assignments"): Route(
        "Who is assigned to a unit (on a day)", Assignments, "registry", path=UnitPath,
        query=registry.AsOfQuery, errors=(403,),
        description="Without `as_of`: every assignment ever made, ended ones included."),
    ("GET", "/levels"): Route(
        "The levels of the tree and which may sit under which", Levels, "registry",
        errors=(403,)),
    # --- reorganisations --------------------------------------------------------------------
    ("POST", "/reorganisations"): Route(
        "Rename, move, merge or split units from an effective day (administrator)",
        registry.Reorganisation, "registry", status=201, body=registry.Reorganise,
        errors=WRITE, example=RENAME_EXAMPLE,
        description="One operation, one `unit_reorganised` event. merge: `unit_ids` end the "
                    "day before and what sat under them moves under `into` (an existing unit, "
                    "or a new one with name and level); their assignments are carried to it or "
                    "ended (`assignments`). split: `parts` share out the unit's children. The "
                    "same `operation_id` again answers the operation (finishing it if it was "
                    "interrupted); with other data it is a 409."),
    ("GET", "/reorganisations"): Route(
        "The reorganisations carried out, by operation_id", ReorganisationsPage, "registry",
        query=PageQuery, errors=(403,)),
    # --- cadres and assignments -------------------------------------------------------------
    ("POST", "/cadres"): Route(
        "Register a committee member (administrator)", registry.Cadre, "registry", status=201,
        body=registry.RegisterCadre, errors=(403, 404, 409, 413, 415)),
    ("GET", "/cadres"): Route(
        "List the committee members", registry.CadresPage, "registry",
        query=registry.CadreListQuery, errors=(403,),
        description="Not operators: contacts are personal data."),
    ("GET", "/cadres/<cadre_id>"): Route(
        "A committee member", registry.Cadre, "registry", path=CadrePath, errors=(403, 404)),
    ("PATCH", "/cadres/<cadre_id>"): Route(
        "Change a committee member's name, positions, memberships or contacts "
        "(administrator)", registry.Cadre, "registry", path=CadrePath,
        body=registry.ChangeCadre, errors=WRITE),
    ("GET", "/cadres/<cadre_id>/assignments"): Route(
        "A committee member's assignments (on a day)", Assignments, "registry",
        path=CadrePath, query=registry.AsOfQuery, errors=(403,)),
    ("POST", "/assignments"): Route(
        "Assign a committee member to a unit (administrator)", registry.Assignment, "registry",
        status=201, body=registry.AssignCadre, errors=WRITE,
        description="422 when no assignment rule of the seed allows it on `starts_on` (which "
                    "one, in `message`)."),
    ("POST", "/assignments/<assignment_id>/end"): Route(
        "End an assignment on its last day (administrator)", registry.Assignment, "registry",
        path=AssignmentPath, body=registry.EndAssignment, errors=WRITE),
    ("POST", "/assignments/<assignment_id>/replace"): Route(
        "Hand an assignment over to another committee member (administrator)",
        registry.Assignment, "registry", status=201, path=AssignmentPath,
        body=registry.ReplaceAssignment, errors=WRITE,
        description="The assignment ends the day before `starts_on`; the new one names it in "
                    "`replaces`. Both stay in the history."),
    # --- working groups ---------------------------------------------------------------------
    ("POST", "/working-groups"): Route(
        "Form a working group of a district-level standing committee (administrator)",
        registry.WorkingGroup, "registry", status=201, body=registry.FormWorkingGroup,
        errors=WRITE,
        description="Its branches must sit under grassroots organisations directly under the "
                    "forming committee; its members on that committee or below."),
    ("GET", "/working-groups"): Route(
        "List the working groups (those active on a day)", WorkingGroupsPage, "registry",
        query=registry.UnitQuery, errors=(403,)),
    ("GET", "/working-groups/<working_group_id>"): Route(
        "A working group", registry.WorkingGroup, "registry", path=WorkingGroupPath,
        errors=(403, 404)),
    ("PATCH", "/working-groups/<working_group_id>"): Route(
        "Change a working group's name, members, branches or end (administrator)",
        registry.WorkingGroup, "registry", path=WorkingGroupPath,
        body=registry.ChangeWorkingGroup, errors=WRITE),
    # --- authorities and routing rules ------------------------------------------------------
    ("GET", "/authorities"): Route(
        "List the authorities that answer concerns (those in service on a day)",
        AuthoritiesPage, "registry", query=upkeep.RegistryQuery, errors=(403,),
        description="Ordered by authority_id."),
    ("POST", "/authorities"): Route(
        "Register an authority, or change its e-mail address (administrator)",
        upkeep.DatedAuthority, "registry", status=201, body=RegisterAuthority,
        errors=(403, 404, 409, 413, 415)),
    ("PATCH", "/authorities/<authority_id>"): Route(
        "Change an authority (administrator)", upkeep.DatedAuthority, "registry",
        path=schemas.AuthorityPath, body=upkeep.ChangeAuthority, errors=WRITE),
    ("POST", "/authorities/<authority_id>/retire"): Route(
        "Retire an authority from a day (administrator)", upkeep.DatedAuthority, "registry",
        path=schemas.AuthorityPath, body=upkeep.RetireAuthority, errors=WRITE,
        description="Its routing rules end the day before; its open cases stay with it."),
    ("GET", "/routing-rules"): Route(
        "List the routing rules (those in force on a day)", schemas.RoutingRulesPage,
        "registry", query=upkeep.RegistryQuery, errors=(403,),
        description="Which authority answers which topic where; ordered by rule_id."),
    ("POST", "/routing-rules"): Route(
        "Add a routing rule (administrator)", RoutingRule, "registry", status=201,
        body=AddRoutingRule, errors=(403, 404, 409, 413, 415)),
    ("PATCH", "/routing-rules/<rule_id>"): Route(
        "Retire a routing rule, or hand it to another authority from a day (administrator)",
        upkeep.RuleChanged, "registry", path=RulePath, body=upkeep.ChangeRoutingRule,
        errors=WRITE),
    # --- search -----------------------------------------------------------------------------
    ("GET", "/search"): Route(
        "Find units, committee members and authorities by name, with or without diacritics",
        Found, "registry", query=registry.SearchQuery, errors=(403,),
        description="Each word of `q` must begin a word of the name, whatever its accents, "
                    "case or Unicode normalisation (\"noi phat\" finds \"Nội Phật\"). Units as "
                    "they stood on `as_of`; committee members not for operators."),
}


def plain(request):
    """The query parameters as the RPCs take them: days as ISO text."""
    return {key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in query_args(request).items() if value is not None}


class RegistryApi(Api):
    # --- units and their history ------------------------------------------------------------

    @http("GET", "/units")
    def list_units(self, request):
        self._as(request, "registry.read")
        return json_response(self.assignments.list_units(plain(request)))

    @http("GET", "/units/<unit_id>")
    def get_unit(self, request, unit_id):
        self._as(request, "registry.read")
        return json_response(self.assignments.get_unit(unit_id, plain(request).get("as_of")))

    @http("GET", "/units/<unit_id>/history")
    def unit_history(self, request, unit_id):
        self._as(request, "registry.read")
        return json_response(self.assignments.unit_history(unit_id))

    @http("PATCH", "/units/<unit_id>")
    def change_unit_details(self, request, unit_id):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.change_unit_details(unit_id, json_body(request),
                                                                  principal))

    @http("POST", "/units")
    def register_unit(self, request):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.register_unit(json_body(request), principal), 201)

    @http("GET", "/units/<unit_id>/assignments")
    def unit_assignments(self, request, unit_id):
        self._as(request, "registry.read")
        return json_response({"assignments": self.assignments.list_unit_assignments(
            unit_id, plain(request).get("as_of"))})

    @http("GET", "/levels")
    def list_levels(self, request):
        self._as(request, "registry.read")
        return json_response(self.assignments.list_levels())

    # --- reorganisations --------------------------------------------------------------------

    @http("POST", "/reorganisations")
    def reorganise(self, request):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.reorganise(json_body(request), principal), 201)

    @http("GET", "/reorganisations")
    def list_reorganisations(self, request):
        self._as(request, "registry.read")
        return json_response(self.assignments.list_reorganisations(plain(request)))

    # --- cadres and assignments -------------------------------------------------------------

    @http("POST", "/cadres")
    def register_cadre(self, request):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.register_cadre(json_body(request), principal), 201)

    @http("GET", "/cadres")
    def list_cadres(self, request):
        principal = self._as(request, "registry.people.read")
        return json_response(self.assignments.list_cadres(plain(request), principal))

    @http("GET", "/cadres/<cadre_id>")
    def get_cadre(self, request, cadre_id):
        principal = self._as(request, "registry.people.read")
        return json_response(self.assignments.get_cadre(cadre_id, principal))

    @http("PATCH", "/cadres/<cadre_id>")
    def change_cadre(self, request, cadre_id):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.change_cadre(cadre_id, json_body(request),
                                                           principal))

    @http("GET", "/cadres/<cadre_id>/assignments")
    def cadre_assignments(self, request, cadre_id):
        self._as(request, "registry.read")
        return json_response({"assignments": self.assignments.list_assignments(
            cadre_id, plain(request).get("as_of"))})

    @http("POST", "/assignments")
    def assign_cadre(self, request):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.assign_cadre(json_body(request), principal), 201)

    @http("POST", "/assignments/<assignment_id>/end")
    def end_assignment(self, request, assignment_id):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.end_assignment(assignment_id, json_body(request),
                                                             principal))

    @http("POST", "/assignments/<assignment_id>/replace")
    def replace_assignment(self, request, assignment_id):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.replace_assignment(
            assignment_id, json_body(request), principal), 201)

    # --- working groups ---------------------------------------------------------------------

    @http("POST", "/working-groups")
    def form_working_group(self, request):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.form_working_group(json_body(request),
                                                                 principal), 201)

    @http("GET", "/working-groups")
    def list_working_groups(self, request):
        self._as(request, "registry.read")
        return json_response(self.assignments.list_working_groups(plain(request)))

    @http("GET", "/working-groups/<working_group_id>")
    def get_working_group(self, request, working_group_id):
        self._as(request, "registry.read")
        return json_response(self.assignments.get_working_group(working_group_id))

    @http("PATCH", "/working-groups/<working_group_id>")
    def change_working_group(self, request, working_group_id):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.change_working_group(
            working_group_id, json_body(request), principal))

    # --- authorities and routing rules ------------------------------------------------------

    @http("GET", "/authorities")
    def list_authorities(self, request):
        self._as(request, "registry.read")
        return json_response(self.escalations.list_authorities(plain(request)))

    @http("POST", "/authorities")
    def register_authority(self, request):
        principal = self._as(request, "registry.manage")
        registered = self.escalations.register_authority(json_body(request), principal)
        return json_response({"retired_on": None, **registered}, 201)

    @http("PATCH", "/authorities/<authority_id>")
    def change_authority(self, request, authority_id):
        principal = self._as(request, "registry.manage")
        return json_response(self.escalations.change_authority(authority_id, json_body(request),
                                                               principal))

    @http("POST", "/authorities/<authority_id>/retire")
    def retire_authority(self, request, authority_id):
        principal = self._as(request, "registry.manage")
        return json_response(self.escalations.retire_authority(authority_id, json_body(request),
                                                               principal))

    @http("GET", "/routing-rules")
    def list_routing_rules(self, request):
        self._as(request, "registry.read")
        return json_response(self.escalations.list_routing_rules(plain(request)))

    @http("POST", "/routing-rules")
    def add_routing_rule(self, request):
        principal = self._as(request, "registry.manage")
        return json_response(self.escalations.add_routing_rule(json_body(request), principal),
                             201)

    @http("PATCH", "/routing-rules/<rule_id>")
    def change_routing_rule(self, request, rule_id):
        principal = self._as(request, "registry.manage")
        return json_response(self.escalations.change_routing_rule(rule_id, json_body(request),
                                                                  principal))

    # --- search -----------------------------------------------------------------------------

    @http("GET", "/search")
    def search(self, request):
        principal = self._as(request, "registry.read")
        query = plain(request)
        if may(principal_from(principal), "registry.people.read"):
            found = self.assignments.search(query, principal)  # its contacts shown: audited
        else:
            found = self.assignments.search(query)  # the cadres are left out below
            found["cadres"] = []
        found["authorities"] = self.escalations.search_authorities(query)["authorities"]
        return json_response(found)
