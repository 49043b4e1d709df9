"""The gateway's OpenAPI 3 description, generated from a route table and marshmallow schemas.

Nothing here is written by hand per endpoint: a route's parameters, body, answers and refusals
all come from its row in the table (``services.gateway.routes.ROUTES``, handed in as an
argument), so adding an ``@http`` entrypoint without a row stops the gateway from starting, and
``tests/unit/test_openapi.py`` compares the two. Example::

    spec = openapi_description(ROUTES)  # a dict, served as GET /openapi.json
    spec["paths"]["/units"]["get"]["responses"]["200"]
"""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.gateway import schemas
from services.gateway.edge.route import is_schema

TITLE = "Sâu Sát gateway"
VERSION = "1"
OPENAPI_VERSION = "3.0.3"

REFUSALS = {  # status -> (component name, what it means)
    400: ("InvalidInput", "The request is malformed; `fields` names each bad field and why "
          "(INVALID_INPUT), or the HTTP request itself is (BAD_REQUEST)."),
    401: ("Unauthorized", "No bearer token, or one that expired or was revoked."),
    403: ("Forbidden", "The signed-in user's role may never do this."),
    404: ("NotFound", "Nothing by that id (or nothing this user may see)."),
    409: ("Conflict", "The request contradicts what is stored."),
    413: ("PayloadTooLarge", "The body is over the size limit; it was not read whole."),
    414: ("UriTooLong", "The request line (path and query) is too long."),
    415: ("UnsupportedMediaType", "The body is not application/json in UTF-8."),
    422: ("RuleViolated", "A business rule refuses the request; `message` says which."),
    429: ("TooManyRequests", "Too many attempts; wait the seconds `Retry-After` says."),
    431: ("HeadersTooLarge", "The request headers are too large."),
    503: ("Unavailable", "A service or the message broker does not answer now; nothing was "
          "done unless the body says otherwise: retry with the same data."),
}
EVERY_ROUTE = (400, 414, 431)
# response components whose optional parts are really optional; every other one always
# carries all its properties (dumped from a stored document), so they are all required
# (a member import's row: refused or registered, never both)
OPTIONAL_PARTS = {"Error", "ServiceHealth", "RowOutcome"}
# id(table) -> (table, its description): each table is described once, as it is served often
_DESCRIBED = {}


def openapi_path(rule):
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def openapi_description(routes):
    """The description of ``routes`` (``{(method, rule): Route}``), built on first use."""
    described = _DESCRIBED.get(id(routes))
    if described is None or described[0] is not routes:
        described = _DESCRIBED[id(routes)] = (routes, _describe(routes))
    return described[1]


def _describe(routes):
    spec = APISpec(title=TITLE, version=VERSION, openapi_version=OPENAPI_VERSION,
                   plugins=[MarshmallowPlugin()], info={"description": (
                       "HTTP interface of Sâu Sát: committee members log visits to branch "
                       "meetings and the concerns raised there; authorities see the cases "
                       "routed to them; operators watch the queues. Every refusal has the body "
                       "`{\"error\": CODE, \"message\": ..., \"fields\": {...}}`. Lists are "
                       "paged: `limit` (at most 500) and the `next_cursor` of the page before.")})
    spec.components.schema("Error", schema=schemas.Error)
    spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "`Authorization: Bearer <token>`, the access token POST /sessions "
                       "gives for a username and password."})
    for status, (name, meaning) in REFUSALS.items():
        spec.components.response(name, {"description": meaning, "content": {
            "application/json": {"schema": "Error"}}})
    paths = {}
    for (method, rule), route in routes.items():
        paths.setdefault(openapi_path(rule), {})[method.lower()] = _operation(method, rule, route)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    description = spec.to_dict()
    _parameters_are_never_null(description)
    _require_what_is_always_there(description)
    return description


def _operation(method, rule, route):
    operation = {
        "operationId": _operation_id(method, rule), "summary": route.summary,
        "tags": [route.tag], "parameters": [{"in": "query", "schema": route.query}],
        "responses": {str(route.status): _success(route.response, "success")},
    }
    if route.description:
        operation["description"] = route.description
    if route.path is not None:
        operation["parameters"].append({"in": "path", "schema": route.path})
    else:
        for name in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule):
            operation["parameters"].append({"in": "path", "name": name, "required": True,
                                            "schema": {"type": "string"}})
    if route.body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": route.body}}}
        if route.example is not None:
            operation["requestBody"]["content"]["application/json"]["example"] = route.example
    if route.form is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": route.form}}}
        if route.files:  # the same fields, and the files under route.files
            operation["requestBody"]["content"]["multipart/form-data"] = {"schema": route.form}
    for status, response, meaning in route.also:
        operation["responses"][str(status)] = _success(response, meaning)
    refusals = set(EVERY_ROUTE) | set(route.errors)
    if not route.local:
        refusals.add(503)
    if not route.public:
        refusals.add(401)
        operation["security"] = [{"bearerAuth": []}]
    else:
        operation["security"] = []
    for status in sorted(refusals):
        if str(status) not in operation["responses"]:
            operation["responses"][str(status)] = REFUSALS[status][0]
    return operation


def _success(response, meaning):
    if is_schema(response) or isinstance(response, dict):
        return {"description": meaning, "content": {"application/json": {"schema": response}}}
    media_types = response if isinstance(response, tuple) else (response,)
    return {"description": meaning, "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}
                     if not media_type.startswith("application/json") else {"type": "object"}}
        for media_type in media_types}}


def _operation_id(method, rule):
    words = re.findall(r"[a-z0-9]+", openapi_path(rule).replace("{", "by_"))
    return "_".join([method.lower(), *words])


def _parameters_are_never_null(description):
    """A query string cannot carry null: an absent parameter is what a None default means."""
    for operations in description["paths"].values():
        for operation in operations.values():
            for parameter in operation["parameters"]:
                schema = parameter["schema"]
                schema.pop("nullable", None)
                if "default" in schema and schema["default"] is None:
                    del schema["default"]
                if "enum" in schema:
                    schema["enum"] = [value for value in schema["enum"] if value is not None]


def _require_what_is_always_there(description):
    request_only = set()
    for operations in description["paths"].values():
        for operation in operations.values():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                request_only |= _refs(body["schema"], description)
    for name, schema in description["components"]["schemas"].items():
        if name in request_only or name in OPTIONAL_PARTS or "properties" not in schema:
            continue
        schema["required"] = sorted(schema["properties"])


def _refs(schema, description, seen=None):
    seen = set() if seen is None else seen
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if ref and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                _refs(description["components"]["schemas"][name], description, seen)
        for value in schema.values():
            _refs(value, description, seen)
    elif isinstance(schema, list):
        for value in schema:
            _refs(value, description, seen)
    return seen
