"""The imports service's settings, and the timer that carries import jobs forward."""
import uuid

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from shared.errors import ConfigError


class ImportSettings(Schema):
    class Meta:
        unknown = EXCLUDE

    # seconds between two looks for import jobs that need work (a job runs to its end at once)
    IMPORT_POLL_SECONDS = fields.Float(load_default=0.5, validate=validate.Range(0.05, 60))
    # how long a job stays with an instance that stopped renewing it before another takes over
    IMPORT_LEASE_SECONDS = fields.Float(load_default=15.0, validate=validate.Range(0.5, 3600))


def import_settings(config):
    try:
        return ImportSettings().load(dict(config))
    except ValidationError as error:
        raise ConfigError("invalid configuration", error.normalized_messages()) from None


class JobSettings(DependencyProvider):
    """``self.jobs.owner`` (this instance's lease token, new at every start) and
    ``self.jobs.lease_seconds``."""

    def setup(self):
        self.lease_seconds = import_settings(self.container.config)["IMPORT_LEASE_SECONDS"]
        self.owner = uuid.uuid4().hex

    def get_dependency(self, worker_ctx):
        return self


class ImportTimer(Timer):
    """nameko's timer with ``IMPORT_POLL_SECONDS`` from the configuration."""

    def __init__(self, eager=True, **kwargs):
        super().__init__(None, eager=eager, **kwargs)

    def setup(self):
        self.interval = import_settings(self.container.config)["IMPORT_POLL_SECONDS"]
        super().setup()


import_timer = ImportTimer.decorator
