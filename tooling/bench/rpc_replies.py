"""Same-run before/after of an RPC reply (``shared.rpc.GuardedRpcConsumer.handle_result``):
nameko's Responder as the base used it (the result encoded twice, the reply confirmed) against
this branch's (encoded once, unconfirmed), alternately in one process, on a real broker vhost,
replying a 20-case inbox answer into a reply queue (no assertions: it prints figures; the CPU
is this process's only, the broker's saved confirms come on top).

    .venv/bin/python -m tooling.bench.rpc_replies [--pairs 5] [--replies 1000]
"""
import argparse
import sys
import uuid
from functools import partial
from types import SimpleNamespace

from kombu import Connection, Exchange, Queue
from nameko import rpc as nameko_rpc
from nameko.amqp.publish import Publisher

from shared.config import load_config_file, settings
from shared.rpc import GuardedRpcConsumer
from tooling.bench import broker
from tooling.bench.json_answers import _inbox
from tooling.bench.pairs import compare

EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True)


def _base_handle_result(consumer, message, result, exc_info):
    """The base's handle_result (e2f24b2): nameko's Responder as it is."""
    config = consumer.container.config
    responder = nameko_rpc.Responder(
        config["AMQP_URI"], nameko_rpc.get_rpc_exchange(config), "json", message)
    responder.publisher_cls = partial(Publisher, user_id=consumer.own_user)
    return responder.send_response(result, exc_info)


def _consumer(amqp_uri, user):
    consumer = GuardedRpcConsumer.__new__(GuardedRpcConsumer)
    consumer.container = SimpleNamespace(config={"AMQP_URI": amqp_uri})
    consumer.own_user = user
    consumer.queue_consumer = SimpleNamespace(ack_message=lambda message: None)
    return consumer


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--replies", type=int, default=1000)
    args = parser.parse_args()
    config = settings({**load_config_file(), "DEPLOYMENT_MODE": "development"})
    with broker.Vhost(config["RABBIT_MANAGEMENT_URI"], config["AMQP_URI"]) as vhost, \
            Connection(vhost.amqp_uri) as connection:
        key = str(uuid.uuid4())
        Queue(f"rpc.reply-bench-{key}", EXCHANGE, routing_key=key, auto_delete=True,
              exclusive=True)(connection.channel()).declare()
        message = SimpleNamespace(properties={"content_type": "application/json",
                                              "reply_to": key, "correlation_id": "c"},
                                  delivery_info={"routing_key": "bench.inbox"})
        consumer = _consumer(vhost.amqp_uri, vhost.username)
        sides = {"base": partial(_base_handle_result, consumer),
                 "branch": consumer.handle_result}
        payload = _inbox()
        line = compare({side: partial(handle, message, payload, None)
                        for side, handle in sides.items()}, args.pairs, args.replies)
    print(f"a 20-case inbox reply: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
