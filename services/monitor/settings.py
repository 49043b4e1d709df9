"""The monitor's settings: the broker's addresses, ``EVENT_RETRY_DELAYS`` (to tell stale wait
queues) and the ``ALERT_*`` thresholds, all declared in :class:`shared.config.Settings` (the
operations port and the configuration checks read them too); the monitor adds the deadline of
requests from the people concerned."""
from marshmallow import fields, validate

from shared import config


class Settings(config.Settings):
    """The keys of deploy/config.yml the monitor reads (defaults: there)."""

    # days the law gives to answer a request from a person concerned
    DATA_SUBJECT_REQUEST_DAYS = fields.Integer(required=True, validate=validate.Range(1, 90))


def settings(given):
    return config.load_settings(Settings(), given)
