"""The monitor's settings: the broker's addresses, ``EVENT_RETRY_DELAYS`` (to tell stale wait
queues) and the ``ALERT_*`` thresholds, all declared in :class:`shared.config.Settings` (the
operations port and the configuration checks read them too); the monitor adds the deadline of
requests from the people concerned."""
from marshmallow import fields, validate

from shared import config


class Settings(config.Settings):
    """The keys of deploy/config.yml the monitor reads (defaults: there)."""

    # days the law gives to carry out a request from a person concerned, per kind of request
    # (deploy/config.yml says where each number comes from; requests.DEADLINE_KEYS)
    DATA_SUBJECT_ACCESS_DAYS = fields.Integer(required=True, validate=validate.Range(1, 90))
    DATA_SUBJECT_CORRECTION_DAYS = fields.Integer(required=True, validate=validate.Range(1, 90))
    DATA_SUBJECT_DELETION_DAYS = fields.Integer(required=True, validate=validate.Range(1, 90))
    DATA_SUBJECT_OBJECTION_DAYS = fields.Integer(required=True, validate=validate.Range(1, 90))


def settings(given):
    return config.load_settings(Settings(), given)
