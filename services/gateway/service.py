"""Gateway service: HTTP for committee members, authorities, operators and administrators.

Every path but ``GET /health``, ``POST /sessions``, ``GET /openapi.json``, ``/docs`` and the
public receipt page ``GET /follow`` (``pages.following``: what anyone with a receipt code may
read, no personal data) needs
``Authorization: Bearer <token>`` (401 without a valid one). Roles (see
``shared.authorisation.PERMISSIONS``): a role that may never do something gets 403; another
user's object answers 404 like a missing one.

| method and path                      | what it does                                          |
|--------------------------------------|-------------------------------------------------------|
| GET  /health                         | every service's health, within a few seconds         |
| GET  /units                          | the organisation tree, flat, with each unit's path    |
| GET  /authorities                    | authorities that receive concerns                     |
| GET  /routing-rules                  | which authority answers which topic, where            |
| POST /visits                         | log a visit and its concerns (once per submission_id) |
| GET  /visits/<visit_id>              | a logged visit                                        |
| GET  /concerns/<concern_id>          | a concern, its status and the authority holding it    |
| GET  /authorities/<id>/inbox         | cases routed to an authority (?status=&limit=)        |
| GET  /monitor/queues                 | queues, backlog and dead letters                      |
| GET  /monitor/events                 | the latest events of the audit trail (?limit=)        |
| GET  /cases/unrouted                 | concerns no routing rule covered, awaiting triage     |
| GET  /cases/<case_id>                | a case with its whole timeline                        |
| POST /cases/<case_id>/<action>       | act on a case (acknowledge, answer, ... see below)    |
| GET  /authorities/<id>/statistics    | received, on time, median to answer (?period_from=&  |
|                                      | period_to=&topic=)                                    |
| GET  /notifications                  | mail sent (or waiting) to whom and when (?case_id=&   |
|                                      | recipient_id=&state=&limit=)                          |
| POST /notifications/<id>/retry       | send a failed or rejected mail again, saying why      |
| GET  /audit/personal-data            | who read personal data, which records, when           |
|                                      | (?user_id=&record_id=&from=&to=; administrator)       |
| PUT  /cases/<id>/public-summary      | the cadre's summary for the public receipt page       |
| PUT  /cases/<id>/public-answer       | the holder's answer for the public receipt page       |
| GET  /follow                         | the public receipt page (no sign-in)                  |
| GET  /openapi.json                   | this table as OpenAPI 3 (see ``routes``)              |
| GET  /docs                           | the same as a readable page, served with its assets   |

Each resource's routes and handlers live in ``services/gateway/api/`` (one module per
resource, its route table beside its handlers), the pages' in ``services/gateway/pages/`` (by
role: cadre, officer, admin, operations); this class only gathers them with the proxies they
use, and hands the route table to the HTTP edge (``services/gateway/edge/``), which imports no
handler.

Lists are paged (``?limit=&cursor=``, answering ``next_cursor``). Every route is described in
``services/gateway/routes.py``: the gateway does not start with one missing there; the edge
(``edge.http``) checks query, path and body against the route's schemas before a handler runs.

- ``GET /health``, ``POST /sessions`` (sign in), ``GET /openapi.json``, ``/docs``: anyone
- ``GET /follow`` (a case by its receipt code, public fields only; lookups limited per
  client address): anyone
- ``DELETE /sessions/current`` (sign out), ``GET /me``, ``POST /me/password``: signed in
- ``GET /units``, ``/authorities``, ``/routing-rules``: signed in
- ``POST /units``, ``/cadres``, ``/assignments``, ``/authorities``, ``/routing-rules``;
  ``POST /users``, ``GET /users``, ``GET``/``PATCH /users/<id>``,
  ``POST /users/<id>/password-reset``: administrator
- ``POST /visits`` (assigned units only), ``GET /visits/<id>`` (own): cadre
- ``GET /concerns/<id>``: the cadre who carried it, an officer of the authority holding it
- ``GET /authorities/<id>/inbox``: an officer of that authority (``?view=escalated_past``:
  the cases escalated past it)
- ``GET /cases/<id>``: an officer of the authority holding it, the cadre who carried the concern
- ``POST /cases/<id>/<action>``: the holder's officers act for the authority, the cadre who
  carried the concern for the raising side (``provide_information``, ``close``, ``reopen``)
- ``GET /cases/unrouted``: administrator (all), officer (those their authority holds)
- ``GET /authorities/<id>/statistics``: administrator, an officer of that authority
- ``GET /monitor/queues``, ``GET /monitor/events`` (metadata, no payloads): operator
- ``GET /audit/personal-data`` (who read personal data, which records, when): administrator

Case actions and their JSON bodies (who acts is the signed-in user; any other field, ``actor``
included, is refused as unknown): acknowledge {}, start {}, request_information {question},
provide_information {information}, redirect {authority_id, reason}, answer {answer}, close
{outcome: resolved|unresolved, note}, mark_duplicate {original_case_id}, reopen {reason},
escalate {reason}. The inbox takes ``status``, ``limit``, ``view=holding|escalated_past``,
``topic``, ``unit_id``, ``received_from`` and ``received_to``; the statistics ``period_from``,
``period_to`` (excluded) and ``topic``.
"""
from services.gateway.api.accounts import AccountsApi
from services.gateway.api.attachments import AttachmentsApi
from services.gateway.api.audit import AuditApi
from services.gateway.api.calendars import CalendarsApi
from services.gateway.api.case_attachments import CaseAttachmentsApi
from services.gateway.api.cases import CasesApi
from services.gateway.api.documentation import DocumentationApi
from services.gateway.api.imports import ImportsApi
from services.gateway.api.meetings import MeetingsApi
from services.gateway.api.member_contacts import MemberContactsApi
from services.gateway.api.members import MembersApi
from services.gateway.api.operations import OperationsApi
from services.gateway.api.publishing import PublishingApi
from services.gateway.api.registry import RegistryApi
from services.gateway.api.reports import ReportsApi
from services.gateway.api.visits import VisitsApi
from services.gateway.edge.auth import Authenticator
from services.gateway.edge.client import ClientAddress
from services.gateway.pages.admin import AdminPagesApi
from services.gateway.pages.admin_cadres import CadresPagesApi
from services.gateway.pages.admin_calendar import CalendarPagesApi
from services.gateway.pages.admin_groups import GroupsPagesApi
from services.gateway.pages.admin_registry import RegistryPagesApi
from services.gateway.pages.admin_reorganise import ReorganisePagesApi
from services.gateway.pages.admin_requests import RequestsPagesApi
from services.gateway.pages.admin_tree import TreePagesApi
from services.gateway.pages.admin_users import UsersPagesApi
from services.gateway.pages.attachments import AttachmentPagesApi
from services.gateway.pages.cadre import CadrePagesApi
from services.gateway.pages.case_attachments import CaseAttachmentPagesApi
from services.gateway.pages.case_tier import TierPagesApi
from services.gateway.pages.following import FollowPagesApi
from services.gateway.pages.interim import InterimPagesApi
from services.gateway.pages.meeting_pages import MeetingPagesApi
from services.gateway.pages.member_page import MemberPagesApi
from services.gateway.pages.members_page import MembersPagesApi
from services.gateway.pages.officer import OfficerPagesApi
from services.gateway.pages.officer_desk import DeskPagesApi
from services.gateway.pages.operations import OperationsPagesApi
from services.gateway.pages.publishing import PublishingPagesApi
from services.gateway.pages.redaction import RedactionPagesApi
from services.gateway.pages.report import ReportPagesApi
from services.gateway.pages.roster_page import RosterPagesApi
from services.gateway.pages.similar import SimilarPagesApi
from services.gateway.routes import ROUTES
from services.gateway.settings import settings
from shared.rpc import BoundedRpcProxy


class GatewayService(AccountsApi, RegistryApi, VisitsApi, CasesApi, OperationsApi,
                     DocumentationApi, ImportsApi, CadrePagesApi, OfficerPagesApi, AdminPagesApi,
                     UsersPagesApi, RegistryPagesApi, ReorganisePagesApi, TreePagesApi,
                     CadresPagesApi, GroupsPagesApi, OperationsPagesApi, RedactionPagesApi,
                     FollowPagesApi, DeskPagesApi, RosterPagesApi, AuditApi, PublishingApi,
                     PublishingPagesApi, RequestsPagesApi, CalendarsApi, CalendarPagesApi,
                     TierPagesApi, InterimPagesApi, MeetingsApi, ReportsApi,
                     ReportPagesApi, AttachmentsApi, AttachmentPagesApi, SimilarPagesApi,
                     MeetingPagesApi, MembersApi, MembersPagesApi, MemberContactsApi,
                     MemberPagesApi, CaseAttachmentsApi, CaseAttachmentPagesApi):
    name = "gateway"
    # handed to the edge: the web server serves these routes and no other (edge.http)
    routes = ROUTES

    assignments = BoundedRpcProxy("assignments")
    visits = BoundedRpcProxy("visits")
    escalations = BoundedRpcProxy("escalations")
    monitor = BoundedRpcProxy("monitor")
    notifications = BoundedRpcProxy("notifications")
    accounts = BoundedRpcProxy("accounts")
    members = BoundedRpcProxy("members")
    auth = Authenticator()
    # the client's address as seen through TRUSTED_PROXIES only (the sign-in throttle's key)
    client = ClientAddress(settings)
