"""The imports service's nameko dependencies: its job lease, the registry's RPCs, and the
timer that carries import jobs forward (settings in ``settings``)."""
import uuid

from nameko.extensions import DependencyProvider
from nameko.rpc import ReplyListener, ServiceProxy
from nameko.timer import Timer

from services.imports.jobs import RegistryCalls
from services.imports.settings import settings

# the services whose RPCs an import applies rows through and reads the registry from
REGISTRY_SERVICES = ("assignments", "escalations")


class JobSettings(DependencyProvider):
    """``self.jobs.owner`` (this instance's lease token, new at every start) and
    ``self.jobs.lease_seconds``."""

    def setup(self):
        self.lease_seconds = settings(self.container.config)["IMPORT_LEASE_SECONDS"]
        self.owner = uuid.uuid4().hex

    def get_dependency(self, worker_ctx):
        return self


class Registry(DependencyProvider):
    """``self.registry``: :class:`~services.imports.jobs.RegistryCalls` over a proxy to each
    registry service, as nameko's ``RpcProxy`` gives one (sharing its reply queue)."""

    rpc_reply_listener = ReplyListener()

    def get_dependency(self, worker_ctx):
        return RegistryCalls({name: ServiceProxy(worker_ctx, name, self.rpc_reply_listener)
                              for name in REGISTRY_SERVICES})


class ImportTimer(Timer):
    """nameko's timer with ``IMPORT_POLL_SECONDS`` from the configuration."""

    def __init__(self, eager=True, **kwargs):
        super().__init__(None, eager=eager, **kwargs)

    def setup(self):
        self.interval = settings(self.container.config)["IMPORT_POLL_SECONDS"]
        super().setup()


import_timer = ImportTimer.decorator
