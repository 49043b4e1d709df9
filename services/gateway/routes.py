"""Every route of the gateway, described once: what it takes, what it gives, how it refuses.

The gateway refuses to start with an ``@http`` entrypoint missing here (``http.JsonWebServer``),
the edge validates query and path parameters against these schemas before a handler runs, and
``services.gateway.openapi`` generates the OpenAPI description from this table alone, so the
served description cannot drift from what the gateway does. Example::

    ("GET", "/units"): Route("List units", schemas.UnitsPage, query=PageQuery, tag="registry"),
"""
from typing import NamedTuple, Optional

from marshmallow import Schema, fields, validate

from services.accounts.schemas import (
    ChangePassword,
    ChangeUser,
    CreateUser,
    ResetPassword,
    SignIn,
    User,
)
from services.assignments.schemas import (
    AssignCadre,
    Assignment,
    Cadre,
    RegisterCadre,
    RegisterUnit,
    Unit,
)
from services.escalations.schemas import (
    AddRoutingRule,
    Authority,
    CaseWithTimeline,
    RegisterAuthority,
    RoutingRule,
    UnroutedQuery,
)
from services.gateway import schemas
from services.notifications.schemas import NotificationsQuery
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
    # --- sessions and one's own account -----------------------------------------------------
    ("POST", "/sessions"): Route(
        "Sign in: an access token for a username and password", schemas.Session, "accounts",
        status=201, body=SignIn, errors=(401, 413, 415, 429), public=True,
        description="The same 401 for an unknown user, a wrong password and a disabled user. "
                    "Failed attempts are counted per username and per client address: past the "
                    "limit, 429 with Retry-After.",
        example={"username": "binh", "password": "binh-dev-only-2026"}),
    ("DELETE", "/sessions/current"): Route(
        "Sign out: this user's tokens stop working", schemas.SignedOut, "accounts"),
    ("GET", "/me"): Route(
        "Who is signed in: the role and its scope", schemas.Me, "accounts"),
    ("POST", "/me/password"): Route(
        "Change one's own password (every token of the user stops working)",
        schemas.PasswordChanged, "accounts", body=ChangePassword, errors=(413, 415)),
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
    # --- users ------------------------------------------------------------------------------
    ("POST", "/users"): Route(
        "Create a user with a role and its scope (administrator)", User, "accounts",
        status=201, body=CreateUser, errors=(403, 409, 413, 415, 422)),
    ("GET", "/users"): Route(
        "List the users (administrator)", schemas.UsersPage, "accounts",
        query=PageQuery, errors=(403,), description="Ordered by username."),
    ("GET", "/users/<user_id>"): Route(
        "A user (administrator)", User, "accounts", path=schemas.UserPath, errors=(403, 404)),
    ("PATCH", "/users/<user_id>"): Route(
        "Change a user's role and scope, or disable it (administrator)", User, "accounts",
        path=schemas.UserPath, body=ChangeUser, errors=(403, 404, 409, 413, 415, 422),
        description="Either ends every token of the user."),
    ("POST", "/users/<user_id>/password-reset"): Route(
        "Set a user's password (administrator)", User, "accounts", path=schemas.UserPath,
        body=ResetPassword, errors=(403, 404, 409, 413, 415)),
    # --- visits, concerns, cases ------------------------------------------------------------
    ("POST", "/visits"): Route(
        "Log a visit to a branch meeting and the concerns raised there", schemas.LoggedVisit,
        "visits", status=201, body=LogVisit, errors=(403, 404, 409, 413, 415),
        description="A cadre, for a unit assigned to them. Once per submission_id: sending "
                    "the same submission again (a retry after a lost reply) answers 200 with "
                    "the visit already logged; the same submission_id with other data is a "
                    "409.",
        also=((200, schemas.LoggedVisit, "this submission was logged before; nothing new"),),
        example={
            "submission_id": "5f0c9a1e6b7d4c2a9e8f7a6b5c4d3e2f",
            "unit_id": "vinh-phuc.binh-xuyen.tam-hop.noi-phat", "meeting_date": "2026-11-20",
            "meeting_kind": "regular", "attendance": {"present": 27, "expected": 31},
            "assessment": {"leadership": 4, "education": 4, "combativeness": 3,
                           "note": "Sinh hoạt đúng nội dung, có tranh luận"},
            "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                          "summary": "Hệ thống thoát nước thải thôn Nội Phật chưa hoàn thành"}]}),
    ("GET", "/visits/<visit_id>"): Route(
        "A logged visit (the cadre's own)", schemas.Visit, "visits", path=schemas.VisitPath,
        errors=(403, 404)),
    ("GET", "/concerns/<concern_id>"): Route(
        "A concern, its status and the authority holding it", schemas.ConcernStatus, "visits",
        path=schemas.ConcernPath, errors=(403, 404),
        description="The cadre who carried it, or an officer of the authority holding it."),
    ("GET", "/authorities/<authority_id>/inbox"): Route(
        "An authority's cases: overdue first, then by deadline", schemas.Inbox, "cases",
        path=schemas.AuthorityPath, query=schemas.InboxQuery, errors=(403, 404),
        description="Its officers only. view=escalated_past: the cases escalated past it, "
                    "newest first. counts: the cases it holds per status."),
    ("GET", "/cases/unrouted"): Route(
        "Cases no routing rule covered, awaiting triage, oldest first",
        schemas.UnroutedCases, "cases", query=UnroutedQuery, errors=(403,),
        description="Administrators see all of them, an officer those their authority holds."),
    ("GET", "/cases/<case_id>"): Route(
        "A case with its whole timeline", CaseWithTimeline, "cases", path=schemas.CasePath,
        errors=(403, 404),
        description="An officer of the authority holding it, or the cadre who carried it."),
    ("POST", "/cases/<case_id>/<action>"): Route(
        "Act on a case", CaseWithTimeline, "cases", path=schemas.CaseActionPath,
        body=schemas.CaseActionArguments, errors=(403, 404, 409, 413, 415, 422),
        description="The body is the action's arguments: acknowledge {}, start {}, "
                    "request_information {question}, provide_information {information}, "
                    "redirect {authority_id, reason}, answer {answer}, close {outcome, note}, "
                    "mark_duplicate {original_case_id}, reopen {reason}, escalate {reason}. "
                    "409 when the case's state does not allow the action now (or someone "
                    "acted first), 403 when the user's side may not take it.",
        example={}),
    ("GET", "/authorities/<authority_id>/statistics"): Route(
        "An authority's statistics for a period, per topic", schemas.Statistics, "cases",
        path=schemas.AuthorityPath, query=schemas.StatisticsQuery, errors=(403, 404),
        description="Received, on time, answered and the median days to answer; "
                    "period_to is excluded."),
    ("GET", "/notifications"): Route(
        "Mail sent (or waiting) to whom and when, newest first (administrator)",
        schemas.NotificationsPage, "operations", query=NotificationsQuery, errors=(403,)),
    ("GET", "/monitor/queues"): Route(
        "Queues, their backlog and dead letters (operator)", schemas.Queues, "operations",
        errors=(403,)),
    ("GET", "/monitor/events"): Route(
        "The audit trail of events, newest first (operator: metadata, no payloads)",
        schemas.EventsPage, "operations", query=PageQuery, errors=(403,)),
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
