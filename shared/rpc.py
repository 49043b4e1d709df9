"""``rpc``: nameko's RPC entrypoint, minus one way to crash a service.

nameko 2.14 answers every request on its ``reply_to``; a request without one raises inside
the worker's result handling and takes the whole service down, and the unacknowledged request
comes back at restart to do it again. Here such a request is logged and acknowledged: there is
nobody to answer, and nothing was carried out. Every service uses this ``rpc``, never nameko's,
so one consumer serves the service's RPC queue.

A :class:`shared.errors.SausatError` it raises (``NotFound``, ``InvalidInput``, …) is an expected
refusal: returned to the caller and logged as one line, without a traceback.
"""
from logging import getLogger

from nameko import rpc as nameko_rpc

from shared.errors import SausatError, quiet_expected_refusals

_log = getLogger(__name__)


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
