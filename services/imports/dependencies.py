"""The imports service's nameko dependencies: its job lease and the timer that carries import
jobs forward (settings in ``settings``)."""
import uuid

from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from services.imports.settings import limits, settings


class JobSettings(DependencyProvider):
    """``self.jobs.owner`` (this instance's lease token, new at every start),
    ``self.jobs.lease_seconds``, ``self.jobs.bulk_rows`` (rows per bulk registering call) and
    ``self.jobs.limits`` (what one uploaded file may hold)."""

    def setup(self):
        given = settings(self.container.config)
        self.lease_seconds = given["IMPORT_LEASE_SECONDS"]
        self.bulk_rows = given["IMPORT_BULK_ROWS"]
        self.limits = limits(self.container.config)
        self.owner = uuid.uuid4().hex

    def get_dependency(self, worker_ctx):
        return self


class ImportTimer(Timer):
    """nameko's timer with ``IMPORT_POLL_SECONDS`` from the configuration."""

    def __init__(self, eager=True, **kwargs):
        super().__init__(None, eager=eager, **kwargs)

    def setup(self):
        self.interval = settings(self.container.config)["IMPORT_POLL_SECONDS"]
        super().setup()


import_timer = ImportTimer.decorator
