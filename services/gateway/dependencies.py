"""RPC proxies that give up: a caller on a phone gets an answer, not an endless wait.

A call that gets no reply within ``RPC_TIMEOUT_SECONDS`` raises :class:`Unavailable` (503).
The request stays queued for the service, so it may still be carried out when the service is
back: clients retry with the same ``submission_id`` and get that result instead of a double.
"""
import eventlet
from nameko.rpc import RpcProxy

from shared.config import settings
from shared.errors import Unavailable


class BoundedRpcProxy(RpcProxy):
    def setup(self):
        super().setup()
        self.timeout = settings(self.container.config)["RPC_TIMEOUT_SECONDS"]

    def get_dependency(self, worker_ctx):
        return BoundedServiceProxy(super().get_dependency(worker_ctx), self.target_service,
                                   self.timeout)


class BoundedServiceProxy:
    def __init__(self, proxy, service, timeout):
        self._proxy = proxy
        self._service = service
        self._timeout = timeout

    def __getattr__(self, method_name):
        method = getattr(self._proxy, method_name)

        def call(*args, **kwargs):
            reply = method.call_async(*args, **kwargs)
            try:
                with eventlet.Timeout(self._timeout):
                    return reply.result()
            except eventlet.Timeout:
                raise Unavailable(
                    f"{self._service} did not answer within {self._timeout:g} s; retry later",
                    {"service": [self._service]}) from None

        call.call_async = method.call_async
        return call
