"""What operators and administrators watch and mend: health, queues, events, mail; traces,
dead letters (replay, discard), alerts, stale wait queues; and the gateway's own operations port
(``/metrics``, ``/health/live``, ``/health/ready``).

Traces, dead letters, alerts and wait queues are for operators only (``monitor.read``;
replaying, discarding and removing: ``monitor.operate``). What they see is metadata: ids, event
types, users' ids, times, errors; never payloads.
"""
from kombu.exceptions import OperationalError
from marshmallow import Schema, fields

from services.gateway import schemas
from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response, query_args
from services.gateway.edge.route import Route
from shared.contracts.rpc import operations as monitor
from shared.contracts.rpc.notifications import (
    NotificationPath,
    NotificationsQuery,
    RetryNotification,
)
from shared.operations_port import OperationsPort
from shared.pages import PageQuery
from shared.rpc import health_of
from shared.services import BACKEND_SERVICES


class TraceStep(Schema):
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    source = fields.String(required=True)
    occurred_at = fields.String(required=True, metadata={"format": "date-time"})
    actor = fields.String(required=True, allow_none=True)
    correlation_id = fields.String(required=True, allow_none=True)
    causation_id = fields.String(required=True, allow_none=True)
    ids = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata={
        "description": "the concern, case, visit, authority and unit ids of the step"})
    seconds_since_previous = fields.Float(required=True, allow_none=True)
    seconds_since_start = fields.Float(required=True)


class Trace(Schema):
    subject_id = fields.String(required=True)
    steps = fields.List(fields.Nested(TraceStep), required=True)


class DeadLetter(Schema):
    letter_id = fields.String(required=True)
    queue = fields.String(required=True)
    failed_on = fields.String(required=True)
    event_id = fields.String(required=True, allow_none=True)
    event_type = fields.String(required=True, allow_none=True)
    source = fields.String(required=True, allow_none=True)
    occurred_at = fields.String(required=True, allow_none=True)
    actor = fields.String(required=True, allow_none=True)
    correlation_id = fields.String(required=True, allow_none=True)
    decodable = fields.Boolean(required=True)
    error = fields.String(required=True)
    attempts = fields.Integer(required=True)
    failed_at = fields.String(required=True, allow_none=True)
    replayed_before = fields.String(required=True, allow_none=True)
    traceback = fields.String()


class DeadLetterQueue(Schema):
    queue = fields.String(required=True)
    failed_on = fields.String(required=True)
    depth = fields.Integer(required=True)
    letters = fields.List(fields.Nested(DeadLetter), required=True)


class DeadLetters(Schema):
    queues = fields.List(fields.Nested(DeadLetterQueue), required=True)


class ActedOn(Schema):
    letter_id = fields.String(required=True)
    queue = fields.String(required=True)
    failed_on = fields.String(required=True)
    event_id = fields.String(required=True, allow_none=True)
    event_type = fields.String(required=True, allow_none=True)


class ActionOutcome(Schema):
    done = fields.List(fields.Nested(ActedOn), required=True)
    not_found = fields.List(fields.String(), required=True)


class DeadLetterAction(Schema):
    action_id = fields.String(required=True)
    action = fields.String(required=True)
    by = fields.String(required=True, allow_none=True)
    at = fields.String(required=True)
    reason = fields.String(required=True, allow_none=True)
    letter_id = fields.String(required=True)
    queue = fields.String(required=True)
    failed_on = fields.String(required=True)
    event_id = fields.String(required=True, allow_none=True)
    event_type = fields.String(required=True, allow_none=True)
    source = fields.String(required=True, allow_none=True)
    attempts = fields.Integer(required=True)
    error = fields.String(required=True)


class DeadLetterActions(Schema):
    actions = fields.List(fields.Nested(DeadLetterAction), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class Alert(Schema):
    alert_id = fields.String(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    detail = fields.String(required=True)
    active = fields.Boolean(required=True)
    raised_at = fields.String(required=True)
    cleared_at = fields.String(required=True, allow_none=True)


class Alerts(Schema):
    alerts = fields.List(fields.Nested(Alert), required=True)


class StaleWaitQueue(Schema):
    queue = fields.String(required=True)
    delay_ms = fields.Integer(required=True)
    messages = fields.Integer(required=True)


class WaitQueues(Schema):
    configured_delays = fields.List(fields.Float(), required=True)
    stale = fields.List(fields.Nested(StaleWaitQueue), required=True)


class WaitQueuesRemoved(Schema):
    removed = fields.List(fields.String(), required=True)
    kept_not_empty = fields.List(fields.String(), required=True)


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
    ("POST", "/notifications/<notification_id>/retry"): Route(
        "Send a failed or rejected mail again, saying why (operator, administrator)",
        schemas.NotificationShown, "operations", path=NotificationPath, body=RetryNotification,
        errors=(403, 404, 409, 413, 415),
        description="Due again at once; recorded in its retries with who, when, why and the "
                    "error it had. 409 in any other state.",
        example={"reason": "tên đơn vị đã sửa"}),
    ("GET", "/monitor/queues"): Route(
        "Queues, their backlog and dead letters (operator)", schemas.Queues, "operations",
        errors=(403,)),
    ("GET", "/monitor/events"): Route(
        "The audit trail of events, newest first (operator: metadata, no payloads)",
        schemas.EventsPage, "operations", query=PageQuery, errors=(403,)),
    ("GET", "/monitor/trace/<subject_id>"): Route(
        "Everything that happened to a concern, case or visit, in order (operator)", Trace,
        "operations", path=monitor.TraceQuery, errors=(403, 404),
        description="Across services, with the acting user and the seconds between steps; "
                    "ids and timings only. A correlation id gives what one request caused."),
    ("GET", "/monitor/dead-letters"): Route(
        "Dead letters per queue, oldest first (operator)", DeadLetters, "operations",
        query=monitor.DeadLettersQuery, errors=(403, 404),
        description="The event's metadata (never its payload), the error, the attempts and "
                    "when; the messages stay where they are."),
    ("GET", "/monitor/dead-letters/<letter_id>"): Route(
        "One dead letter, with its traceback (operator)", DeadLetter, "operations",
        path=monitor.LetterPath, errors=(403, 404)),
    ("POST", "/monitor/dead-letters/replay"): Route(
        "Replay dead letters to the queues they failed on (operator)", ActionOutcome,
        "operations", body=monitor.DeadLetterSelection, errors=(403, 404, 413, 415),
        description="letter_ids (of queue, or of any) or all: true (of queue, or of every "
                    "dead-letter queue). Published with confirms, then removed; each replay "
                    "recorded. An event already handled has no second effect.",
        example={"all": True, "reason": "handler fixed"}),
    ("POST", "/monitor/dead-letters/discard"): Route(
        "Discard dead letters, saying why (operator)", ActionOutcome, "operations",
        body=monitor.DiscardSelection, errors=(403, 404, 413, 415),
        description="Each discard recorded with who, when and the reason.",
        example={"letter_ids": ["0123456789abcdef01234567"], "reason": "malformed, re-sent"}),
    ("GET", "/monitor/dead-letter-actions"): Route(
        "Replays and discards, newest first (operator)", DeadLetterActions, "operations",
        query=monitor.ActionsQuery, errors=(403,)),
    ("GET", "/monitor/alerts"): Route(
        "Alerts, newest first (operator)", Alerts, "operations", query=monitor.AlertsQuery,
        errors=(403,), description="state=active (default) or all (cleared ones too)."),
    ("GET", "/monitor/wait-queues"): Route(
        "Wait queues of retry delays no longer configured (operator)", WaitQueues,
        "operations", errors=(403,)),
    ("POST", "/monitor/wait-queues/remove"): Route(
        "Remove empty stale wait queues (operator)", WaitQueuesRemoved, "operations",
        body=monitor.WaitQueuesRemoval, errors=(403, 404, 409, 413, 415),
        description="Only queues listed as stale, and only when empty (409 otherwise).",
        example={"queues": ["visits.unit_registered.retry-60000ms"]}),
}


class OperationsApi(Api):
    operations_port = OperationsPort()  # the gateway's own /metrics and probes

    # --- health, queues, events, mail -------------------------------------------------------
    @http("GET", "/health")
    def health(self, request):
        # the broker away: the edge answers 503 for it
        report = health_of({name: getattr(self, name) for name in BACKEND_SERVICES},
                           passing=(OperationalError,))
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
        principal = self._as(request, "notifications.read")
        return json_response(self.notifications.list_notifications(query_args(request),
                                                                   principal))

    @http("POST", "/notifications/<notification_id>/retry")
    def retry_notification(self, request, notification_id):
        principal = self._as(request, "notifications.retry")
        return json_response(self.notifications.retry_notification(
            notification_id, json_body(request), principal))

    # --- traces, dead letters, alerts, stale wait queues ------------------------------------
    @http("GET", "/monitor/trace/<subject_id>")
    def trace(self, request, subject_id):
        return json_response(self.monitor.trace(subject_id, self._as(request, "monitor.read")))

    @http("GET", "/monitor/dead-letters")
    def dead_letters(self, request):
        principal = self._as(request, "monitor.read")
        return json_response(self.monitor.dead_letters(query_args(request), principal))

    @http("GET", "/monitor/dead-letters/<letter_id>")
    def dead_letter(self, request, letter_id):
        principal = self._as(request, "monitor.read")
        return json_response(self.monitor.dead_letter(letter_id, principal))

    @http("POST", "/monitor/dead-letters/replay")
    def replay_dead_letters(self, request):
        principal = self._as(request, "monitor.operate")
        return json_response(self.monitor.replay_dead_letters(json_body(request), principal))

    @http("POST", "/monitor/dead-letters/discard")
    def discard_dead_letters(self, request):
        principal = self._as(request, "monitor.operate")
        return json_response(self.monitor.discard_dead_letters(json_body(request), principal))

    @http("GET", "/monitor/dead-letter-actions")
    def dead_letter_actions(self, request):
        principal = self._as(request, "monitor.read")
        return json_response(self.monitor.dead_letter_actions(query_args(request), principal))

    @http("GET", "/monitor/alerts")
    def alerts(self, request):
        principal = self._as(request, "monitor.read")
        return json_response(self.monitor.list_alerts(query_args(request), principal))

    @http("GET", "/monitor/wait-queues")
    def wait_queues(self, request):
        return json_response(self.monitor.stale_wait_queues(self._as(request, "monitor.read")))

    @http("POST", "/monitor/wait-queues/remove")
    def remove_wait_queues(self, request):
        principal = self._as(request, "monitor.operate")
        return json_response(self.monitor.remove_wait_queues(json_body(request), principal))
