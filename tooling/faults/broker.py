"""The fault runs' own RabbitMQ node, and what the runs do on it besides the services.

- :class:`PrivateBroker`: a node of its own (``faults@localhost``, AMQP 5682, management 15682,
  distribution 25682, data under ``var/faults/rabbitmq``) started, stopped and SIGKILLed through
  ``deploy/rabbitmq.sh``, so the shared node on 5672 is never touched.
- :func:`publish_poison`: malformed messages straight onto ``sausat.events``; each must end in
  the dead-letter queue of every subscription it reaches (:func:`poison_expected`).
- :class:`Duplicator`: every event delivered twice. A tap queue bound to ``sausat.events``
  (``#``) is re-published, message by message with confirms, to ``faults.again``; every
  subscription queue is bound to ``faults.again`` with its own keys, so each event reaches it
  once more, a little later. Given the run's broker users, a copy is published instead as the
  broker user of its source service (to ``sausat.events``, marked so the tap skips it): a
  consumer dead-letters an event from any other user, as it should a forged one.

Example::

    with PrivateBroker() as broker:              # started; stopped on exit
        broker.kill(); broker.start()           # SIGKILL, then back
"""
import fnmatch
import os
import subprocess
import threading
import time
from logging import getLogger

from kombu import Connection, Exchange, Producer, Queue

from shared import topology
from shared.config import ROOT

_log = getLogger(__name__)

AGAIN_EXCHANGE = Exchange("faults.again", type="topic", durable=True)
TAP_QUEUE = "faults.tap"
COPY_HEADER = "x-faults-copy"  # a copy published as its source: not to be copied again


class PrivateBroker:
    def __init__(self, base=None, node="faults@localhost", port=5682, management_port=15682,
                 dist_port=25682):
        self.base = base or ROOT / "var" / "faults" / "rabbitmq"
        self.port, self.management_port = port, management_port
        self.env = {**os.environ, "RABBITMQ_BASE": str(self.base), "RABBITMQ_NODENAME": node,
                    "RABBITMQ_NODE_PORT": str(port),
                    "RABBITMQ_MANAGEMENT_PORT": str(management_port),
                    "RABBITMQ_DIST_PORT": str(dist_port),
                    # clear of the suite's node's 15692 (rabbitmq_prometheus)
                    "RABBITMQ_PROMETHEUS_PORT": str(management_port + 100)}
        self.amqp_uri = f"amqp://guest:guest@localhost:{port}/"
        self.management_uri = f"http://guest:guest@localhost:{management_port}"

    def _script(self, command, timeout=420):  # a node on a busy machine starts slowly
        done = subprocess.run(["bash", "deploy/rabbitmq.sh", command], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        if command != "status" and done.returncode != 0:
            raise RuntimeError(f"deploy/rabbitmq.sh {command}: {done.stderr[-2000:]}")
        return done.returncode == 0

    def start(self):
        self._script("start")

    def stop(self):
        self._script("stop")

    def kill(self):
        self._script("kill")

    def answers(self):
        return self._script("status")

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def _topic_matches(binding_key, routing_key):
    """AMQP topic matching of the keys this project binds: exact, or ``#`` for everything."""
    return binding_key == "#" or fnmatch.fnmatchcase(routing_key, binding_key.replace("#", "*"))


POISON = (
    # (routing key, body, content type, why)
    ("visits.concern_raised", b"not json at all {", "application/json", "not JSON"),
    ("visits.concern_raised", b'{"event_type": "concern_raised", "payload": {}}',
     "application/json", "wrong schema"),
    ("escalations.case_routed", b'{"hello": 1}', "text/plain", "wrong content type"),
)


def poison_expected():
    """How many poison messages each subscription queue's dead-letter queue should receive."""
    expected = {}
    for key, *_ in POISON:
        for sub in topology.SUBSCRIPTIONS:
            if any(_topic_matches(b, key) for b in sub.binding_keys):
                name = topology.dead_letter_queue_name(sub)
                expected[name] = expected.get(name, 0) + 1
    return expected


def publish_poison(amqp_uri):
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        producer = Producer(connection.default_channel, exchange=topology.EVENTS_EXCHANGE)
        for key, body, content_type, _ in POISON:
            producer.publish(body, routing_key=key, content_type=content_type,
                             content_encoding="utf-8", delivery_mode=2)
    return len(POISON)


def dead_letter_depths(amqp_uri):
    """``{dead-letter queue: messages}``, read live (passive declares), not from statistics."""
    depths = {}
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        for sub in topology.SUBSCRIPTIONS:
            name = topology.dead_letter_queue_name(sub)
            depths[name] = channel.queue_declare(name, passive=True).message_count
    return depths


def queue_depths(amqp_uri, retry_delays):
    """Messages waiting in every subscription's queue and its retry queues (0 once drained)."""
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        total = 0
        for sub in topology.SUBSCRIPTIONS:
            names = [sub.queue_name, *(topology.retry_queue_name(sub, delay)
                                       for delay in retry_delays)]
            for name in names:
                total += channel.queue_declare(name, passive=True).message_count
        return total


class Duplicator:
    """Re-publishes every event once more (see the module docstring) until :meth:`stop`."""

    def __init__(self, amqp_uri, users=None):
        self.amqp_uri = amqp_uri
        self.users = users  # tooling.broker_users.RunUsers: copies as their source's user
        self.copied = 0
        self._running = False
        self._thread = None

    def bind(self):
        with Connection(self.amqp_uri) as connection:
            channel = connection.channel()
            AGAIN_EXCHANGE(channel).declare()
            Queue(TAP_QUEUE, topology.EVENTS_EXCHANGE, routing_key="#", durable=True,
                  queue_arguments={"x-queue-type": "quorum"})(channel).declare()
            for sub in topology.SUBSCRIPTIONS:
                for key in sub.binding_keys:
                    channel.queue_bind(sub.queue_name, AGAIN_EXCHANGE.name, key)

    def start(self):
        self.bind()
        self._running = True
        self._thread = threading.Thread(target=self._run, name="duplicator", daemon=True)
        self._thread.start()

    def stop(self, drain_seconds=30):
        """Copy what the tap still holds, then stop."""
        deadline = time.monotonic() + drain_seconds
        while time.monotonic() < deadline and self.waiting() > 0:
            time.sleep(0.5)
        self._running = False
        if self._thread:
            self._thread.join(30)

    def waiting(self):
        try:
            with Connection(self.amqp_uri) as connection:
                return connection.channel().queue_declare(TAP_QUEUE, passive=True).message_count
        except Exception:
            return 1

    def _run(self):
        while self._running:
            try:
                self._copy_until_stopped()
            except Exception as error:  # the broker away: connect again
                _log.warning("duplicator: %s; reconnecting", error)
                time.sleep(1)

    def _copy_until_stopped(self):
        connections = []
        with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as conn:
            producer = Producer(conn.channel(), exchange=AGAIN_EXCHANGE)
            as_source = {}  # source service -> a producer publishing as its broker user
            channel = conn.channel()
            try:
                while self._running:
                    message = channel.basic_get(TAP_QUEUE, no_ack=False)
                    if message is None:
                        time.sleep(0.05)
                        continue
                    properties = message.properties
                    headers = dict(properties.get("application_headers") or {})
                    key = message.delivery_info["routing_key"]
                    source = key.partition(".")[0]
                    if headers.get(COPY_HEADER):  # one of ours, back through the tap
                        channel.basic_ack(message.delivery_tag)
                        continue
                    target, identity = producer, {}
                    if self.users is not None and source in self.users.passwords:
                        if source not in as_source:
                            connections.append(Connection(
                                self.users.uri(source),
                                transport_options={"confirm_publish": True}))
                            as_source[source] = Producer(connections[-1].channel(),
                                                         exchange=topology.EVENTS_EXCHANGE)
                        target, headers = as_source[source], {**headers, COPY_HEADER: 1}
                        # as the services publish: user_id, which RabbitMQ vouches for
                        identity = {"user_id": source + self.users.suffix}
                    target.publish(message.body, routing_key=key,
                                   content_type=properties.get("content_type"),
                                   content_encoding=properties.get("content_encoding"),
                                   headers=headers, delivery_mode=2, serializer=None,
                                   **identity)
                    channel.basic_ack(message.delivery_tag)
                    self.copied += 1
            finally:
                for connection in connections:
                    connection.release()
