"""Every route of the gateway, described once: what it takes, what it gives, how it refuses.

The gateway refuses to start with an ``@http`` entrypoint missing here (``http.JsonWebServer``),
the edge validates query and path parameters against these schemas before a handler runs, and
``services.gateway.openapi`` generates the OpenAPI description from this table alone, so the
served description cannot drift from what the gateway does. Example::

    ("GET", "/units"): Route("List units", schemas.UnitsPage, query=PageQuery, tag="registry"),
"""
from typing import NamedTuple, Optional

from marshmallow import Schema, fields, validate

from services.gateway import schemas
from services.visits.schemas import LogVisit
from shared.pages import PageQuery

# files of the Swagger UI distribution that the /docs page loads
DOCS_ASSETS = {
    "swagger-ui.css": "text/css",
    "index.css": "text/css",
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui-standalone-preset.js": "application/javascript",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}


class DocsAssetPath(Schema):
    asset = fields.String(required=True, validate=validate.OneOf(sorted(DOCS_ASSETS)))


class Route(NamedTuple):
    summary: str
    # the 2xx body: a schema, a JSON schema dict, or the media types of what is not JSON data
    response: object
    tag: str
    status: int = 200
    query: type = schemas.NoParameters
    path: Optional[type] = None
    body: Optional[type] = None
    # refusals beyond the ones every route has (400 bad parameters, 414, 431)
    errors: tuple = ()
    # answers without asking another service: no 503
    local: bool = False
    # reachable without a token (the identity work signs everyone else in)
    public: bool = False
    description: str = ""
    # another success: (status, schema, description)
    also: tuple = ()
    # a request body that works on the demo data, shown in /docs and tried first by the fuzzer
    example: Optional[dict] = None


ROUTES = {
    ("GET", "/health"): Route(
        "Every service's health", schemas.Health, "operations", public=True,
        description="Asks each service at once and waits a few seconds at most. 503 with the "
                    "same body when any service is not answering or not ok.",
        also=((503, {"oneOf": [schemas.Health, schemas.Error]},
               "a service is not answering or not ok (the report), or the broker is away"),)),
    ("GET", "/units"): Route(
        "List the organisation's units", schemas.UnitsPage, "registry", query=PageQuery,
        description="Flat, ordered by unit_id, each with its path from the root."),
    ("GET", "/authorities"): Route(
        "List the authorities that answer concerns", schemas.AuthoritiesPage, "registry",
        query=PageQuery, description="Ordered by authority_id."),
    ("GET", "/routing-rules"): Route(
        "List the routing rules", schemas.RoutingRulesPage, "registry", query=PageQuery,
        description="Which authority answers which topic where; ordered by rule_id."),
    ("POST", "/visits"): Route(
        "Log a visit to a branch meeting and the concerns raised there", schemas.LoggedVisit,
        "visits", status=201, body=LogVisit, errors=(404, 409, 413, 415),
        description="Once per submission_id: sending the same submission again (a retry after "
                    "a lost reply) answers 200 with the visit already logged; the same "
                    "submission_id with other data is a 409.",
        also=((200, schemas.LoggedVisit, "this submission was logged before; nothing new"),),
        example={
            "submission_id": "5f0c9a1e6b7d4c2a9e8f7a6b5c4d3e2f", "cadre_id": "tran-thi-binh",
            "unit_id": "vinh-phuc.binh-xuyen.tam-hop.noi-phat", "meeting_date": "2026-11-20",
            "meeting_kind": "regular", "attendance": {"present": 27, "expected": 31},
            "assessment": {"leadership": 4, "education": 4, "combativeness": 3,
                           "note": "Sinh hoạt đúng nội dung, có tranh luận"},
            "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                          "summary": "Hệ thống thoát nước thải thôn Nội Phật chưa hoàn thành"}]}),
    ("GET", "/visits/<visit_id>"): Route(
        "A logged visit", schemas.Visit, "visits", path=schemas.VisitPath, errors=(404,)),
    ("GET", "/concerns/<concern_id>"): Route(
        "A concern, its status and the authority holding it", schemas.ConcernStatus, "visits",
        path=schemas.ConcernPath, errors=(404,)),
    ("GET", "/authorities/<authority_id>/inbox"): Route(
        "Cases routed to an authority, newest first", schemas.Inbox, "cases",
        path=schemas.AuthorityPath, query=schemas.InboxQuery, errors=(404,)),
    ("GET", "/monitor/queues"): Route(
        "Queues, their backlog and dead letters", schemas.Queues, "operations"),
    ("GET", "/monitor/events"): Route(
        "The audit trail of events, newest first", schemas.EventsPage, "operations",
        query=PageQuery),
    ("GET", "/openapi.json"): Route(
        "This description (OpenAPI 3)", "application/json", "documentation", local=True,
        public=True),
    ("GET", "/docs"): Route(
        "A readable page of this description (Swagger UI, served here)", "text/html",
        "documentation", local=True, public=True),
    ("GET", "/docs/<asset>"): Route(
        "A file of the documentation page", tuple(sorted(set(DOCS_ASSETS.values()))),
        "documentation", path=DocsAssetPath, local=True, public=True),
}


def route_for(method, rule):
    """The description of ``method rule``, or KeyError for a route nobody described."""
    return ROUTES[(method, rule)]


def is_schema(response):
    return isinstance(response, type) and issubclass(response, Schema)
