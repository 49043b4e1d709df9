"""The raw broker, measured with kombu and py-amqp, and the broker-side helpers of the run.

- :class:`Vhost`: a vhost of the run's own, made and deleted through the management API the
  way nameko's ``rabbit_config`` fixture does, so nothing here touches anyone else's queues.
- Baselines: persistent messages to a quorum queue with publisher confirms — round trip
  (publish → consume) latency, confirmed publishes one at a time, and with a window of
  outstanding confirms (py-amqp's ``confirm_select`` and ``basic_ack`` events).
- :class:`CaseRoutedWatcher`: notes when each concern's ``case_routed`` event goes by on
  ``sausat.events``: the moment "case stored" is visible to the rest of the system.

Example::

    with Vhost(management_uri, amqp_uri) as vhost:
        rtt = round_trip_latencies(vhost.amqp_uri, count=500)     # seconds, one per message
"""
import json
import random
import string
import threading
import time
from logging import getLogger
from urllib.parse import urlparse

from kombu import Connection, Consumer, Exchange, Producer, Queue
from nameko.testing.rabbit import Client

from shared import broker_uri, contracts
from shared.topology import EVENTS_EXCHANGE

_log = getLogger(__name__)

QUORUM = {"x-queue-type": "quorum"}
PERSISTENT = 2
BODY = json.dumps({"concern_id": "0" * 32, "summary": "x" * 200})  # about an event's size


class Vhost:
    """A fresh vhost for the run, deleted on exit with everything in it."""

    def __init__(self, management_uri, amqp_uri, prefix="sausat_bench_"):
        self.manager = Client(management_uri)
        self.username = broker_uri.user(amqp_uri)
        self.name = prefix + "".join(random.choice(string.ascii_lowercase) for _ in range(8))
        # every node of a cluster (";"-separated), each naming the new vhost
        self.amqp_uri = ";".join(f"{parts.scheme}://{parts.netloc}/{self.name}"
                                 for parts in map(urlparse, broker_uri.alternates(amqp_uri)))

    def __enter__(self):
        self.manager.create_vhost(self.name)
        self.manager.set_vhost_permissions(self.name, self.username, ".*", ".*", ".*")
        return self

    def __exit__(self, *exc):
        for attempt in range(5):
            try:
                self.manager.delete_vhost(self.name)
                return
            except Exception:  # the broker still closing the run's connections
                time.sleep(1)
        _log.error("could not delete vhost %s; delete it by hand", self.name)

    def purge(self, queue_name):
        """Drop the messages waiting in one of the run's queues."""
        self.manager._delete("queues", self.name, queue_name, "contents")

    def rabbitmq_version(self):
        return self.manager._get("overview").get("rabbitmq_version", "?")


def _quorum_queue(name):
    return Queue(name, Exchange("", type="direct"), routing_key=name, durable=True,
                 queue_arguments=QUORUM)


def round_trip_latencies(amqp_uri, count, timeout=30):
    """Publish ``count`` messages one at a time (persistent, confirmed, to a quorum queue) and
    time each from publish to its arrival at a consumer on another connection."""
    queue = _quorum_queue("bench.round-trip")
    latencies = []
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as publishing, \
            Connection(amqp_uri) as consuming:
        producer = Producer(publishing.channel())
        queue(producer.channel).declare()
        queue(producer.channel).purge()
        arrived = []
        consumer = Consumer(consuming.channel(), [queue], accept=["json"],
                            callbacks=[lambda body, message: (arrived.append(time.perf_counter()),
                                                              message.ack())])
        consumer.consume()
        for _ in range(count):
            arrived.clear()
            sent = time.perf_counter()
            producer.publish(BODY, routing_key=queue.name, delivery_mode=PERSISTENT,
                             serializer="json", mandatory=True)
            deadline = time.monotonic() + timeout
            while not arrived:
                consuming.drain_events(timeout=max(0.01, deadline - time.monotonic()))
            latencies.append(arrived[0] - sent)
        consumer.cancel()
        queue(producer.channel).delete()
    return latencies


def confirmed_publish_rate(amqp_uri, seconds, window=1, max_messages=200_000):
    """Confirmed persistent publishes per second to a quorum queue with at most ``window``
    publishes awaiting their confirm, for ``seconds`` (or ``max_messages``)."""
    queue = _quorum_queue(f"bench.publish-window-{window}")
    with Connection(amqp_uri) as connection:
        connection.ensure_connection()
        channel = connection.connection.channel()  # py-amqp's own channel
        queue(channel).declare()
        queue(channel).purge()
        channel.confirm_select()
        state = {"sent": 0, "confirmed": 0, "nacked": 0}

        def on_ack(delivery_tag, multiple):
            state["confirmed"] = delivery_tag if multiple else state["confirmed"] + 1

        def on_nack(delivery_tag, multiple):
            state["nacked"] += 1
            on_ack(delivery_tag, multiple)

        channel.events["basic_ack"].add(on_ack)
        channel.events["basic_nack"].add(on_nack)
        import amqp  # py-amqp, kombu's transport
        message = amqp.Message(BODY, content_type="application/json", delivery_mode=PERSISTENT)
        started = time.perf_counter()
        deadline = started + seconds
        while time.perf_counter() < deadline and state["sent"] < max_messages:
            channel.basic_publish(message, exchange="", routing_key=queue.name, mandatory=True)
            state["sent"] += 1
            while state["sent"] - state["confirmed"] >= window:
                connection.connection.drain_events(timeout=30)
        while state["confirmed"] < state["sent"]:
            connection.connection.drain_events(timeout=30)
        elapsed = time.perf_counter() - started
        queue(channel).delete()
    if state["nacked"]:
        raise RuntimeError(f"the broker refused {state['nacked']} publishes")
    return state["confirmed"] / elapsed


class CaseRoutedWatcher:
    """Records, for each concern, when its ``case_routed`` event went by (time.monotonic())."""

    def __init__(self, amqp_uri):
        self.amqp_uri = amqp_uri
        self.routed = {}
        self._changed = threading.Condition()
        self._stopping = False
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="case-routed-watcher", daemon=True)

    def __enter__(self):
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("could not bind a queue to sausat.events")
        return self

    def __exit__(self, *exc):
        self._stopping = True
        self._thread.join(10)

    def _run(self):
        queue = Queue("", EVENTS_EXCHANGE,
                      routing_key=contracts.CASE_ROUTED.routing_key,
                      exclusive=True, auto_delete=True, durable=False)
        with Connection(self.amqp_uri) as connection:
            with Consumer(connection.channel(), [queue], accept=["json"], no_ack=True,
                          callbacks=[self._on_event]):
                self._ready.set()
                while not self._stopping:
                    try:
                        connection.drain_events(timeout=0.5)
                    except TimeoutError:
                        pass

    def _on_event(self, body, message):
        seen = time.monotonic()
        with self._changed:
            self.routed.setdefault(body["payload"]["concern_id"], seen)
            self._changed.notify_all()

    def wait_for(self, concern_ids, timeout):
        """Wait until every one of ``concern_ids`` is routed or ``timeout`` passed; returns
        {concern_id: routed time} of those routed."""
        concern_ids = set(concern_ids)
        deadline = time.monotonic() + timeout
        with self._changed:
            while not concern_ids <= self.routed.keys():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(min(left, 1.0))
            return {c: self.routed[c] for c in concern_ids if c in self.routed}
