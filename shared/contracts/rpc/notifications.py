"""RPC payloads of the notifications service."""
from marshmallow import Schema, fields, validate

from shared.contracts import Id, Text
from shared.pages import PageQuery

# failed: could not be written or sent as stored (last_error says why); failed and rejected
# are retried by an operator (RetryNotification)
STATES = ("pending", "sending", "sent", "rejected", "failed", "no_address")


class NotificationsQuery(PageQuery):
    case_id = Id(load_default=None, metadata={"description": "only those about this case"})
    recipient_id = Id(load_default=None, metadata={"description": "only those to this user"})
    state = fields.String(load_default=None, validate=validate.OneOf(STATES),
                          metadata={"description": "only those in this state"})


class RetryNotification(Schema):
    reason = Text(500, metadata={"description": "why it should go now (the cause mended)",
                                 "example": "tên đơn vị đã sửa"}, required=True)


class NotificationPath(Schema):
    notification_id = Id(required=True)


class Retry(Schema):
    by = fields.String(allow_none=True)
    at = fields.AwareDateTime()
    reason = fields.String()
    error = fields.String(allow_none=True, metadata={"description": "the error it had"})


class Notification(Schema):
    notification_id = fields.String(attribute="_id")
    case_id = fields.String(allow_none=True)
    cause = fields.String(attribute="cause_event_type")
    cause_event_id = fields.String()
    recipient_kind = fields.String()
    recipient_id = fields.String()
    recipient_name = fields.String()
    email = fields.String(allow_none=True)
    subject = fields.String()
    message_id = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    smtp_reply = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)
    retries = fields.List(fields.Nested(Retry), dump_default=[], metadata={
        "description": "each retry an operator asked for, oldest first"})
