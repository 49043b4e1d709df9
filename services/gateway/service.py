"""Gateway service: HTTP for committee members, authorities and operators.

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

Case actions and their JSON bodies (``actor`` names who acts until accounts vouch for it):
acknowledge {}, start {}, request_information {question}, provide_information {information},
redirect {authority_id, reason}, answer {answer}, close {outcome: resolved|unresolved, note},
mark_duplicate {original_case_id}, reopen {reason}, escalate {reason}. The inbox also takes
``view=holding|escalated_past``, ``topic``, ``unit_id``, ``received_from`` and ``received_to``.
"""
from logging import getLogger

import eventlet

from services.gateway.dependencies import BoundedRpcProxy
from services.gateway.http import http, json_body, json_response
from shared.errors import NotFound

_log = getLogger(__name__)

HEALTH_TIMEOUT_SECONDS = 3
SERVICES = ("assignments", "visits", "escalations", "monitor")


class GatewayService:
    name = "gateway"

    assignments = BoundedRpcProxy("assignments")
    visits = BoundedRpcProxy("visits")
    escalations = BoundedRpcProxy("escalations")
    monitor = BoundedRpcProxy("monitor")

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

    @http("GET", "/units")
    def list_units(self, request):
        return json_response({"units": self.assignments.list_units()})

    @http("GET", "/authorities")
    def list_authorities(self, request):
        return json_response({"authorities": self.escalations.list_authorities()})

    @http("GET", "/routing-rules")
    def list_routing_rules(self, request):
        return json_response({"routing_rules": self.escalations.list_routing_rules()})

    @http("POST", "/visits")
    def log_visit(self, request):
        visit = self.visits.log_visit(json_body(request))
        return json_response(visit, 200 if visit["replayed"] else 201)

    @http("GET", "/visits/<visit_id>")
    def get_visit(self, request, visit_id):
        return json_response(self.visits.get_visit(visit_id))

    @http("GET", "/concerns/<concern_id>")
    def get_concern(self, request, concern_id):
        concern = self.visits.get_concern(concern_id)
        try:
            case = self.escalations.get_case_for_concern(concern_id)
        except NotFound:
            # raised and accepted, not yet routed: the event is on its way
            concern.update(status="raised", case=None, held_by=None)
        else:
            held_by = None
            if case["authority_id"]:
                held_by = {"authority_id": case["authority_id"], "name": case["authority_name"]}
            concern.update(status=case["status"], case=case, held_by=held_by)
        return json_response(concern)

    @http("GET", "/authorities/<authority_id>/inbox")
    def inbox(self, request, authority_id):
        query = {"authority_id": authority_id, **request.args.to_dict()}
        return json_response(self.escalations.inbox(query))

    @http("GET", "/monitor/queues")
    def queues(self, request):
        return json_response({"queues": self.monitor.queue_overview()})

    @http("GET", "/monitor/events")
    def events(self, request):
        return json_response({"events": self.monitor.recent_events(request.args.to_dict())})

    # --- case life ------------------------------------------------------------------------

    @http("GET", "/cases/unrouted")
    def unrouted_cases(self, request):
        return json_response(self.escalations.list_unrouted(request.args.to_dict()))

    @http("GET", "/cases/<case_id>")
    def get_case(self, request, case_id):
        return json_response(self.escalations.get_case(case_id))

    @http("POST", "/cases/<case_id>/<action>")
    def act_on_case(self, request, case_id, action):
        args = json_body(request)
        actor = args.pop("actor", None) or "anonymous"
        return json_response(self.escalations.act_on_case(case_id, action, args, actor))

    @http("GET", "/authorities/<authority_id>/statistics")
    def case_statistics(self, request, authority_id):
        query = {"authority_id": authority_id, **request.args.to_dict()}
        return json_response(self.escalations.statistics(query))
