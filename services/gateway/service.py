"""Gateway service: HTTP for committee members, authorities, operators and administrators.

Every path but ``GET /health``, ``POST /sessions``, ``GET /openapi.json`` and ``/docs`` needs
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
| GET  /openapi.json                   | this table as OpenAPI 3 (see ``routes``)              |
| GET  /docs                           | the same as a readable page, served with its assets   |

Lists are paged (``?limit=&cursor=``, answering ``next_cursor``). Every route is described in
``services/gateway/routes.py``: the gateway does not start with one missing there; the edge
(``http``) checks query, path and body against the route's schemas before a handler runs.

- ``GET /health``, ``POST /sessions`` (sign in), ``GET /openapi.json``, ``/docs``: anyone
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

Case actions and their JSON bodies (who acts is the signed-in user; any other field, ``actor``
included, is refused as unknown): acknowledge {}, start {}, request_information {question},
provide_information {information}, redirect {authority_id, reason}, answer {answer}, close
{outcome: resolved|unresolved, note}, mark_duplicate {original_case_id}, reopen {reason},
escalate {reason}. The inbox takes ``status``, ``limit``, ``view=holding|escalated_past``,
``topic``, ``unit_id``, ``received_from`` and ``received_to``; the statistics ``period_from``,
``period_to`` (excluded) and ``topic``.
"""
from logging import getLogger

import eventlet

from services.gateway import docs
from services.gateway.auth import Authenticator
from services.gateway.dependencies import BoundedRpcProxy
from services.gateway.http import http, json_body, json_response, query_args
from services.gateway.openapi import openapi_description
from shared.errors import NotFound

_log = getLogger(__name__)

HEALTH_TIMEOUT_SECONDS = 3
SERVICES = ("assignments", "visits", "escalations", "monitor", "notifications", "accounts")


class GatewayService:
    name = "gateway"

    assignments = BoundedRpcProxy("assignments")
    visits = BoundedRpcProxy("visits")
    escalations = BoundedRpcProxy("escalations")
    monitor = BoundedRpcProxy("monitor")
    notifications = BoundedRpcProxy("notifications")
    accounts = BoundedRpcProxy("accounts")
    auth = Authenticator()

    def _as(self, request, action):
        """The signed-in principal (a dict for the RPCs), if its role may do ``action``."""
        return self.auth.principal(request, self.accounts, action)

    @http("GET", "/health")
    def health(self, request):
        replies = {name: getattr(self, name).health.call_async() for name in SERVICES}
        report = {}
        for name, reply in replies.items():
            try:
                with eventlet.Timeout(HEALTH_TIMEOUT_SECONDS):
                    report[name] = reply.result()
            except eventlet.Timeout:
                report[name] = {"service": name, "status": "not answering"}
            except Exception as error:  # a service that answers with an error is unhealthy
                report[name] = {"service": name, "status": f"error: {error}"}
        healthy = all(entry["status"] == "ok" for entry in report.values())
        return json_response({"status": "ok" if healthy else "degraded", "services": report},
                             200 if healthy else 503)

    # --- sessions and one's own account -----------------------------------------------------

    @http("POST", "/sessions")
    def sign_in(self, request):
        return json_response(self.accounts.sign_in(json_body(request), request.remote_addr), 201)

    @http("DELETE", "/sessions/current")
    def sign_out(self, request):
        return json_response(self.accounts.sign_out(self._as(request, "self")))

    @http("GET", "/me")
    def me(self, request):
        return json_response(self._as(request, "self"))

    @http("POST", "/me/password")
    def change_password(self, request):
        principal = self._as(request, "self")
        return json_response(self.accounts.change_password(json_body(request), principal))

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

    # --- users ------------------------------------------------------------------------------

    @http("POST", "/users")
    def create_user(self, request):
        principal = self._as(request, "users.manage")
        return json_response(self.accounts.create_user(json_body(request), principal), 201)

    @http("GET", "/users")
    def list_users(self, request):
        principal = self._as(request, "users.manage")
        return json_response(self.accounts.list_users(query_args(request), principal))

    @http("GET", "/users/<user_id>")
    def get_user(self, request, user_id):
        return json_response(self.accounts.get_user(user_id, self._as(request, "users.manage")))

    @http("PATCH", "/users/<user_id>")
    def change_user(self, request, user_id):
        principal = self._as(request, "users.manage")
        return json_response(self.accounts.change_user(user_id, json_body(request), principal))

    @http("POST", "/users/<user_id>/password-reset")
    def reset_password(self, request, user_id):
        principal = self._as(request, "users.manage")
        return json_response(self.accounts.reset_password(user_id, json_body(request),
                                                          principal))

    # --- visits, concerns, cases ------------------------------------------------------------

    @http("POST", "/visits")
    def log_visit(self, request):
        principal = self._as(request, "visits.log")
        visit = self.visits.log_visit(json_body(request), principal)
        return json_response(visit, 200 if visit["replayed"] else 201)

    @http("GET", "/visits/<visit_id>")
    def get_visit(self, request, visit_id):
        return json_response(self.visits.get_visit(visit_id, self._as(request, "visits.read")))

    @http("GET", "/concerns/<concern_id>")
    def get_concern(self, request, concern_id):
        principal = self._as(request, "concerns.read")
        if principal["role"] == "cadre":
            concern = self.visits.get_concern(concern_id, principal)  # the cadre's own only
            case = self._case_or_none(concern_id, principal)
        else:  # an officer: only a case their authority holds, checked where cases live
            case = self._case_or_none(concern_id, principal)
            if case is None:
                raise NotFound("concern not found", {"concern_id": [str(concern_id)]})
            concern = self.visits.get_concern(concern_id, None)
        if case is None:  # raised and accepted, not yet routed: the event is on its way
            concern.update(status="raised", case=None, held_by=None)
        else:
            held_by = None
            if case["authority_id"]:
                held_by = {"authority_id": case["authority_id"], "name": case["authority_name"]}
            concern.update(status=case["status"], case=case, held_by=held_by)
        return json_response(concern)

    def _case_or_none(self, concern_id, principal):
        try:
            return self.escalations.get_case_for_concern(concern_id, principal)
        except NotFound:
            return None

    @http("GET", "/authorities/<authority_id>/inbox")
    def inbox(self, request, authority_id):
        principal = self._as(request, "cases.inbox")
        query = {**query_args(request), "authority_id": authority_id}
        return json_response(self.escalations.inbox(query, principal))

    @http("GET", "/monitor/queues")
    def queues(self, request):
        return json_response({"queues": self.monitor.queue_overview(
            self._as(request, "monitor.read"))})

    @http("GET", "/monitor/events")
    def events(self, request):
        principal = self._as(request, "monitor.read")
        return json_response(self.monitor.recent_events(query_args(request), principal))

    # --- case life --------------------------------------------------------------------------

    @http("GET", "/cases/unrouted")
    def unrouted_cases(self, request):
        principal = self._as(request, "cases.unrouted")
        return json_response(self.escalations.list_unrouted(query_args(request), principal))

    @http("GET", "/cases/<case_id>")
    def get_case(self, request, case_id):
        return json_response(self.escalations.get_case(case_id, self._as(request, "cases.read")))

    @http("POST", "/cases/<case_id>/<action>")
    def act_on_case(self, request, case_id, action):
        principal = self._as(request, "cases.act")
        return json_response(self.escalations.act_on_case(case_id, action, json_body(request),
                                                          principal))

    @http("GET", "/authorities/<authority_id>/statistics")
    def case_statistics(self, request, authority_id):
        principal = self._as(request, "cases.statistics")
        query = {**query_args(request), "authority_id": authority_id}
        return json_response(self.escalations.statistics(query, principal))

    @http("GET", "/notifications")
    def list_notifications(self, request):
        self._as(request, "notifications.read")
        return json_response(self.notifications.list_notifications(query_args(request)))

    # --- this description -------------------------------------------------------------------

    @http("GET", "/openapi.json")
    def openapi(self, request):
        return json_response(openapi_description())

    @http("GET", "/docs")
    def docs_page(self, request):
        return docs.page()

    @http("GET", "/docs/<asset>")
    def docs_asset(self, request, asset):
        return docs.asset(asset)
