"""``rpc``: nameko's RPC entrypoint, minus one way to crash a service.

nameko 2.14 answers every request on its ``reply_to``; a request without one raises inside
the worker's result handling and takes the whole service down, and the unacknowledged request
comes back at restart to do it again. Here such a request is logged and acknowledged: there is
nobody to answer, and nothing was carried out. Every service uses this ``rpc``, never nameko's,
so one consumer serves the service's RPC queue.

A :class:`shared.errors.SausatError` it raises (``NotFound``, ``InvalidInput``, …) is an expected
refusal: returned to the caller and logged as one line, without a traceback. Importing this
module registers those classes with nameko, so a caller gets the same class back.

:class:`BoundedRpcProxy` is the proxy every caller uses: it gives up after
``RPC_TIMEOUT_SECONDS`` with :class:`~shared.errors.Unavailable` (503), so a caller on a phone
gets an answer, not an endless wait. The request stays queued for the service, so it may still be
carried out when the service is back: clients retry with the same ``submission_id`` and get that
result instead of a double.
"""
import time
from logging import getLogger

import eventlet
from nameko import rpc as nameko_rpc
from nameko.exceptions import deserialize_to_instance

from shared import errors, metrics
from shared.config import settings
from shared.errors import SausatError, Unavailable, quiet_expected_refusals

_log = getLogger(__name__)

# an RPC caller gets the service's own error class back, with its fields
for _error in errors.REFUSALS:
    deserialize_to_instance(_error)


class GuardedRpcConsumer(nameko_rpc.RpcConsumer):
    def handle_message(self, body, message):
        properties = message.properties
        if not properties.get("reply_to") or not properties.get("correlation_id"):
            _log.error("refused RPC request %s without reply_to or correlation_id: "
                       "nobody to answer, nothing done", message.delivery_info.get("routing_key"))
            self.queue_consumer.ack_message(message)
            return
        super().handle_message(body, message)


class Rpc(nameko_rpc.Rpc):
    rpc_consumer = GuardedRpcConsumer()

    def __init__(self, expected_exceptions=SausatError, **kwargs):
        super().__init__(expected_exceptions=expected_exceptions, **kwargs)

    def setup(self):
        quiet_expected_refusals()
        super().setup()


rpc = Rpc.decorator


class BoundedRpcProxy(nameko_rpc.RpcProxy):
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
