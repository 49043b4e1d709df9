"""Mail the notifications service sent."""
from marshmallow import Schema, fields, validate

from shared.contracts.base import Id, Text
from shared.contracts.envelope import EventType


class NotificationSent(Schema):
    notification_id = Id(required=True)
    cause_event_id = Id(required=True)  # the event it told of
    case_id = Id(required=True, allow_none=True)
    # a raiser (issue 30): told when the answer arrives, where they left an address;
    # officer: the one working on the case (issue 24)
    recipient_kind = fields.String(required=True, validate=validate.OneOf(
        ("authority", "cadre", "officer", "raiser")))
    recipient_id = Id(required=True)
    # a raiser's address is theirs alone: never kept in the monitor's audit trail
    email = fields.Email(required=True, metadata={"personal": True})
    # quotes the concern's text: never kept in the monitor's audit trail
    subject = Text(500, required=True, metadata={"personal": True})
    message_id = Text(300, required=True)
    sent_at = fields.AwareDateTime(required=True)


NOTIFICATION_SENT = EventType("notifications", "notification_sent", NotificationSent)
