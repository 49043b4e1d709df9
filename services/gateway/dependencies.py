"""RPC proxies that give up: a caller on a phone gets an answer, not an endless wait.

A call that gets no reply within ``RPC_TIMEOUT_SECONDS`` raises :class:`Unavailable` (503).
The request stays queued for the service, so it may still be carried out when the service is
back: clients retry with the same ``submission_id`` and get that result instead of a double.
"""
import time

import eventlet
from nameko.rpc import RpcProxy

from shared import metrics
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
            started, outcome = time.perf_counter(), "error"
            reply = method.call_async(*args, **kwargs)
            try:
                with eventlet.Timeout(self._timeout):
                    result = reply.result()
                    outcome = "ok"
                    return result
            except eventlet.Timeout:
                outcome = "timeout"
                raise Unavailable(
                    f"{self._service} did not answer within {self._timeout:g} s; retry later",
                    {"service": [self._service]}) from None
            finally:
                metrics.RPC_SECONDS.labels(self._service, method_name, outcome).observe(
                    time.perf_counter() - started)

        call.call_async = method.call_async
        return call
