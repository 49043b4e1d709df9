"""The notifications service's settings: where mail goes and how often it is retried."""
from marshmallow import fields, validate

from shared import config
from shared.config import DelayList


class Settings(config.Settings):
    """The keys of deploy/config.yml the notifications service reads (defaults: there)."""

    SMTP_HOST = fields.String(required=True, validate=validate.Length(min=1))
    SMTP_PORT = fields.Integer(required=True, validate=validate.Range(1, 65535))
    MAIL_FROM = fields.Email(required=True)
    # where people open the pages: each mail links to its case's page under it
    PAGES_URL = fields.Url(required=True, require_tld=False, schemes={"http", "https"})
    # seconds between attempts while the mail server refuses or is away; the last repeats
    MAIL_RETRY_DELAYS = DelayList(required=True)
    MAIL_POLL_SECONDS = fields.Float(required=True, validate=validate.Range(0.01, 60))
    SMTP_TIMEOUT_SECONDS = fields.Float(required=True, validate=validate.Range(0.1, 300))


def settings(given):
    return config.load_settings(Settings(), given)
