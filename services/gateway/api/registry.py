"""The registry: units, cadres, assignments, authorities, routing rules."""
from services.assignments.schemas import (
    AssignCadre,
    Assignment,
    Cadre,
    RegisterCadre,
    RegisterUnit,
    Unit,
)
from services.escalations.schemas import AddRoutingRule, Authority, RegisterAuthority, RoutingRule
from services.gateway import schemas
from services.gateway.api import Api
from services.gateway.http import http, json_body, json_response, query_args
from services.gateway.route import Route
from shared.pages import PageQuery

ROUTES = {
    # --- the registry -----------------------------------------------------------------------
    ("GET", "/units"): Route(
        "List the organisation's units", schemas.UnitsPage, "registry", query=PageQuery,
        errors=(403,), description="Flat, ordered by unit_id, each with its path from the root."),
    ("GET", "/authorities"): Route(
        "List the authorities that answer concerns", schemas.AuthoritiesPage, "registry",
        query=PageQuery, errors=(403,), description="Ordered by authority_id."),
    ("GET", "/routing-rules"): Route(
        "List the routing rules", schemas.RoutingRulesPage, "registry", query=PageQuery,
        errors=(403,),
        description="Which authority answers which topic where; ordered by rule_id."),
    ("POST", "/units"): Route(
        "Register a unit of the organisation tree (administrator)", Unit, "registry",
        status=201, body=RegisterUnit, errors=(403, 404, 409, 413, 415, 422),
        description="Registering the same unit again with the same data answers it again "
                    "(a re-run import); other data under the same unit_id is a 409."),
    ("POST", "/cadres"): Route(
        "Register a committee member (administrator)", Cadre, "registry", status=201,
        body=RegisterCadre, errors=(403, 404, 409, 413, 415)),
    ("POST", "/assignments"): Route(
        "Assign a committee member to a unit (administrator)", Assignment, "registry",
        status=201, body=AssignCadre, errors=(403, 404, 409, 413, 415, 422),
        description="422 when no assignment rule of the seed allows it (which one, in "
                    "`message`)."),
    ("POST", "/authorities"): Route(
        "Register an authority, or change its e-mail address (administrator)", Authority,
        "registry", status=201, body=RegisterAuthority, errors=(403, 404, 409, 413, 415)),
    ("POST", "/routing-rules"): Route(
        "Add a routing rule (administrator)", RoutingRule, "registry", status=201,
        body=AddRoutingRule, errors=(403, 404, 409, 413, 415)),
}


class RegistryApi(Api):
    # --- the registry -----------------------------------------------------------------------

    @http("GET", "/units")
    def list_units(self, request):
        self._as(request, "registry.read")
        return json_response(self.assignments.list_units(query_args(request)))

    @http("GET", "/authorities")
    def list_authorities(self, request):
        self._as(request, "registry.read")
        return json_response(self.escalations.list_authorities(query_args(request)))

    @http("GET", "/routing-rules")
    def list_routing_rules(self, request):
        self._as(request, "registry.read")
        return json_response(self.escalations.list_routing_rules(query_args(request)))

    @http("POST", "/units")
    def register_unit(self, request):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.register_unit(json_body(request), principal), 201)

    @http("POST", "/cadres")
    def register_cadre(self, request):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.register_cadre(json_body(request), principal), 201)

    @http("POST", "/assignments")
    def assign_cadre(self, request):
        principal = self._as(request, "registry.manage")
        return json_response(self.assignments.assign_cadre(json_body(request), principal), 201)

    @http("POST", "/authorities")
    def register_authority(self, request):
        principal = self._as(request, "registry.manage")
        return json_response(self.escalations.register_authority(json_body(request), principal),
                             201)

    @http("POST", "/routing-rules")
    def add_routing_rule(self, request):
        principal = self._as(request, "registry.manage")
        return json_response(self.escalations.add_routing_rule(json_body(request), principal),
                             201)
