"""The OpenAPI description covers exactly the gateway's HTTP entrypoints, each fully described."""
import datetime as dt
import inspect
import json

import pytest
import requests
import schemathesis
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from schemathesis.core.transport import Response

from services.gateway.edge.http import JsonHttp, JsonWebServer
from services.gateway.edge.openapi import openapi_description, openapi_path
from services.gateway.routes import ROUTES
from services.gateway.service import GatewayService
from services.members import roll
from shared.contracts.rpc.members import MemberRow

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def gateway_entrypoints():
    found = set()
    for _, member in inspect.getmembers(GatewayService):
        for entrypoint in getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, JsonHttp):
                for method in entrypoint.method.split(","):
                    found.add((method.upper(), entrypoint.url))
    return found


def described_operations():
    return {(method.upper(), path)
            for path, operations in openapi_description(ROUTES)["paths"].items()
            for method in operations if method in HTTP_METHODS}


def test_the_description_has_every_entrypoint_and_nothing_else():
    served = {(method, openapi_path(rule)) for method, rule in gateway_entrypoints()}
    assert served == described_operations()
    assert set(ROUTES) == gateway_entrypoints()


@pytest.mark.parametrize("method, path", sorted(described_operations()))
def test_each_operation_names_its_answers_refusals_and_security(method, path):
    description = openapi_description(ROUTES)
    operation = description["paths"][path][method.lower()]
    assert operation["summary"] and operation["operationId"]
    responses = operation["responses"]
    assert any(status.startswith("2") for status in responses)
    for status in ("400", "414", "431"):  # every route: bad parameters, the web server's own
        assert responses[status] == {"$ref": f"#/components/responses/{_refusal(status)}"}
    assert "security" in operation
    if operation["security"]:
        assert operation["security"] == [{"bearerAuth": []}]
        assert "401" in responses
    for name in ("{", "}"):
        assert path.count(name) == sum(p["in"] == "path" for p in operation["parameters"])
    if method == "POST":
        content = operation["requestBody"]["content"]
        # a page's form, or JSON
        body = (content.get("application/json")
                or content["application/x-www-form-urlencoded"])["schema"]
        assert body["$ref"].startswith("#/components/schemas/")
        assert "415" in responses and "413" in responses


def _refusal(status):
    return {"400": "InvalidInput", "414": "UriTooLong", "431": "HeadersTooLarge"}[status]


def test_refusals_share_the_one_error_body():
    description = openapi_description(ROUTES)
    error = description["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "message"]
    # retry_after: a 429 only (shared.errors.TooManyRequests), as its Retry-After header;
    # error_id: a 5xx only, the log line's id (services.gateway.edge.http.failure_response)
    assert set(error["properties"]) == {"error", "message", "fields", "retry_after", "error_id"}
    for response in description["components"]["responses"].values():
        assert response["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"}


def test_the_bearer_token_scheme_is_described():
    scheme = openapi_description(ROUTES)["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_request_bodies_refuse_unknown_fields_and_name_their_limits():
    schemas = openapi_description(ROUTES)["components"]["schemas"]
    visit = schemas["LogVisitRequest"]  # the visit form's and POST /visits': counts or a list
    assert visit["additionalProperties"] is False
    assert "submission_id" in visit["required"]
    attendance = schemas["RequestAttendance"]["properties"]["expected"]
    assert attendance["maximum"] < 2 ** 63
    summary = schemas["RaiseConcern"]["properties"]["summary"]
    assert summary["maxLength"] == 2000


def test_list_answers_carry_a_next_cursor_and_lists_take_limit_and_cursor():
    description = openapi_description(ROUTES)
    for path in ("/units", "/authorities", "/routing-rules", "/monitor/events",
                 "/authorities/{authority_id}/inbox"):
        operation = description["paths"][path]["get"]
        names = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert {"limit", "cursor"} <= names
        limit = next(p for p in operation["parameters"] if p["name"] == "limit")["schema"]
        assert limit["maximum"] == 500
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page_schema = description["components"]["schemas"][page.rsplit("/", 1)[1]]
        assert "next_cursor" in page_schema["required"]


def test_the_description_loads_as_openapi_3_with_every_operation():
    loaded = schemathesis.openapi.from_dict(openapi_description(ROUTES))
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} == described_operations()


class Entrypoint:
    def __init__(self, method, url):
        self.method, self.url = method, url


class Container:
    """What the web server reads its route table from: its service class."""
    service_cls = GatewayService


def test_the_gateway_does_not_start_with_a_route_nobody_described():
    server = JsonWebServer()
    server.container = Container()
    server._providers = {Entrypoint("GET", "/units"), Entrypoint("DELETE", "/units/<unit_id>")}
    with pytest.raises(RuntimeError, match="DELETE /units/<unit_id> is not described"):
        server.get_wsgi_app()


def test_a_member_imports_rows_are_described_registered_and_refused_alike():
    """A row written answers what was registered, a refused one why (services/members/roll);
    the description takes both (the fuzzer found a registered row undescribed)."""
    rows = [MemberRow().load({"member_code": code, "organisation_code": "01.003",
                              "full_name": "Nguyễn Văn An"}) for code in ("00123", "00123")]
    registered = roll.plan(rows[:1], {"01.003": "vp.np"}, {}, dt.date(2026, 12, 7))
    refused = roll.plan(rows, {"01.003": "vp.np"}, {}, dt.date(2026, 12, 7))
    assert "registered" in registered[0].to_dict() and "refused" in refused[0].to_dict()
    operation = schemathesis.openapi.from_dict(openapi_description(ROUTES))[
        "/members/imports"]["POST"]
    request = requests.Request("POST", "http://gateway/members/imports").prepare()
    for outcomes in (registered, refused):
        body = json.dumps({"results": [outcome.to_dict() for outcome in outcomes]}).encode()
        operation.validate_response(Response(200, {"Content-Type": ["application/json"]}, body,
                                             request, elapsed=0, verify=True))
