"""Configuration and RPC payloads of the notifications service."""
from marshmallow import EXCLUDE, Schema, fields, validate

from shared.config import DelayList
from shared.contracts import Id
from shared.pages import PageQuery

STATES = ("pending", "sending", "sent", "rejected", "no_address")


class MailSettings(Schema):
    """The keys of deploy/config.yml this service reads; defaults suit development."""
    class Meta:
        unknown = EXCLUDE

    SMTP_HOST = fields.String(load_default="localhost", validate=validate.Length(min=1))
    SMTP_PORT = fields.Integer(load_default=2525, validate=validate.Range(1, 65535))
    MAIL_FROM = fields.Email(load_default="thongbao@sausat.localhost")
    # seconds between attempts while the mail server refuses or is away; the last repeats
    MAIL_RETRY_DELAYS = DelayList(load_default=lambda: [5.0, 30.0, 120.0, 600.0])
    MAIL_POLL_SECONDS = fields.Float(load_default=1.0, validate=validate.Range(0.01, 60))
    SMTP_TIMEOUT_SECONDS = fields.Float(load_default=30.0, validate=validate.Range(0.1, 300))


class NotificationsQuery(PageQuery):
    case_id = Id(load_default=None, metadata={"description": "only those about this case"})
    recipient_id = Id(load_default=None, metadata={"description": "only those to this user"})
    state = fields.String(load_default=None, validate=validate.OneOf(STATES),
                          metadata={"description": "only those in this state"})


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
