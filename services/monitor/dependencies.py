"""The monitor's nameko dependencies: what it remembers between rounds and the timer of its
alert rounds; and the services whose health it watches (each an ``RpcProxy`` of the service
class, so the broker's permissions can be checked against the code)."""
from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from services.monitor.settings import settings
from shared.services import BACKEND_SERVICES

# every service behind the gateway but the monitor, which reports its own health
WATCHED_SERVICES = tuple(name for name in BACKEND_SERVICES if name != "monitor")


class Findings(DependencyProvider):
    """``self.findings``: what this container has seen across rounds and requests, kept in
    memory (a restart begins afresh, as RabbitMQ's lagging figures allow).

    - ``nonempty_since``: queue -> epoch seconds first seen non-empty (quorum queues report
      no head message age; see ``alerts.oldest_age``)
    - ``held_since``: alert key -> monotonic time its finding was first seen (``alerts.due``)
    """

    def setup(self):
        self.nonempty_since = {}
        self.held_since = {}

    def get_dependency(self, worker_ctx):
        return self


class AlertTimer(Timer):
    """nameko's timer every ``ALERT_INTERVAL_SECONDS``."""

    def __init__(self, eager=False, **kwargs):
        super().__init__(None, eager=eager, **kwargs)

    def setup(self):
        self.interval = settings(self.container.config)["ALERT_INTERVAL_SECONDS"]
        super().setup()


alert_timer = AlertTimer.decorator
