"""The visits service's settings: the amendment window, the retention of raisers and the clock
it is judged by."""
from marshmallow import fields, validate

from shared import config


class Settings(config.Settings):
    """The keys of deploy/config.yml the visits service reads (defaults: there)."""

    # hours after logging a visit during which its author may amend it
    VISIT_AMEND_WINDOW_HOURS = fields.Float(required=True, validate=validate.Range(0, 24 * 365))
    # days after a visit's last activity before its raisers are removed (retention)
    RETENTION_RAISER_DAYS = fields.Integer(required=True, validate=validate.Range(1, 36500))
    # days after its case closes before a raiser's mail address is deleted (raiser_mail)
    RETENTION_RAISER_EMAIL_DAYS = fields.Integer(required=True,
                                                 validate=validate.Range(1, 36500))
    # attachments (issue 31, docs/attachments.md): bytes per file (base64 in one RPC, under
    # RabbitMQ's message size), a photo's pixels, files per concern or minutes and per visit,
    # days an upload waits for its visit before the sweep removes it
    ATTACHMENT_MAX_BYTES = fields.Integer(required=True, validate=validate.Range(1, 10_000_000))
    ATTACHMENT_MAX_PIXELS = fields.Integer(required=True,
                                           validate=validate.Range(1, 100_000_000))
    ATTACHMENTS_PER_ITEM = fields.Integer(required=True, validate=validate.Range(0, 20))
    ATTACHMENTS_PER_VISIT = fields.Integer(required=True, validate=validate.Range(0, 200))
    ATTACHMENT_UNATTACHED_DAYS = fields.Integer(required=True, validate=validate.Range(1, 365))
    # RETENTION_SWEEP_SECONDS and TEST_CLOCK_FILE: every service's (shared.config)


def settings(given):
    return config.load_settings(Settings(), given)
