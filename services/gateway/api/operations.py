"""What operators and administrators watch: health, queues, events, mail."""

import eventlet
from kombu.exceptions import OperationalError

from services.gateway import schemas
from services.gateway.api import Api
from services.gateway.http import http, json_response, query_args
from services.gateway.route import Route
from services.notifications.schemas import NotificationsQuery
from shared.pages import PageQuery

HEALTH_TIMEOUT_SECONDS = 3
SERVICES = ("assignments", "visits", "escalations", "monitor", "notifications", "accounts",
            "imports")

ROUTES = {
    ("GET", "/health"): Route(
        "Every service's health", schemas.Health, "operations", public=True,
        description="Asks each service at once and waits a few seconds at most. 503 with the "
                    "same body when any service is not answering or not ok.",
        also=((503, {"oneOf": [schemas.Health, schemas.Error]},
               "a service is not answering or not ok (the report), or the broker is away"),)),
    ("GET", "/notifications"): Route(
        "Mail sent (or waiting) to whom and when, newest first (administrator)",
        schemas.NotificationsPage, "operations", query=NotificationsQuery, errors=(403,)),
    ("GET", "/monitor/queues"): Route(
        "Queues, their backlog and dead letters (operator)", schemas.Queues, "operations",
        errors=(403,)),
    ("GET", "/monitor/events"): Route(
        "The audit trail of events, newest first (operator: metadata, no payloads)",
        schemas.EventsPage, "operations", query=PageQuery, errors=(403,)),
}


class OperationsApi(Api):
    @http("GET", "/health")
    def health(self, request):
        replies, report = {}, {}
        for name in SERVICES:
            try:
                replies[name] = getattr(self, name).health.call_async()
            except OperationalError:  # the broker is away: the edge answers 503 for it
                raise
            except Exception as error:  # UnknownService: its RPC queue has no consumer yet
                report[name] = {"service": name, "status": f"error: {type(error).__name__}"}
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

    @http("GET", "/monitor/queues")
    def queues(self, request):
        return json_response({"queues": self.monitor.queue_overview(
            self._as(request, "monitor.read"))})

    @http("GET", "/monitor/events")
    def events(self, request):
        principal = self._as(request, "monitor.read")
        return json_response(self.monitor.recent_events(query_args(request), principal))

    @http("GET", "/notifications")
    def list_notifications(self, request):
        self._as(request, "notifications.read")
        return json_response(self.notifications.list_notifications(query_args(request)))
