"""What the monitor tells operators: alerts raised and cleared (no personal data in them)."""
from marshmallow import Schema, fields, validate

from shared.contracts.base import Text
from shared.contracts.envelope import EventType

ALERT_KINDS = ("no_consumer", "queue_depth", "oldest_message", "dead_letters",
               "service_unhealthy", "outbox_backlog")


class AlertRaised(Schema):
    alert_id = Text(200, required=True)  # "<kind>:<subject>", one per kind and subject
    kind = fields.String(required=True, validate=validate.OneOf(ALERT_KINDS))
    subject = Text(200, required=True)  # the queue or the service
    detail = Text(500, required=True)  # figures and thresholds, never payloads
    raised_at = fields.AwareDateTime(required=True)


class AlertCleared(Schema):
    alert_id = Text(200, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ALERT_KINDS))
    subject = Text(200, required=True)
    raised_at = fields.AwareDateTime(required=True)
    cleared_at = fields.AwareDateTime(required=True)


ALERT_RAISED = EventType("monitor", "alert_raised", AlertRaised)
ALERT_CLEARED = EventType("monitor", "alert_cleared", AlertCleared)

__all__ = ["ALERT_KINDS", "ALERT_RAISED", "ALERT_CLEARED"]
