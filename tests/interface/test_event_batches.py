"""A subscription that declares ``batch`` (the monitor's audit trail here) against a real
RabbitMQ: a burst applied in order, in few store transactions and acknowledged with few acks; a
handler failing mid-batch losing and doubling nothing; a crash between commit and ack handled
once; a stop mid-batch committing it first."""
import contextlib
import math
import time

import amqp
import pytest
from kombu import Connection

from docstore import Database
from shared import topology
from shared.consumer import DeadLetteringQueueConsumer, subscribe
from shared.messaging import ATTEMPT_HEADER, WindowedPublisher
from shared.storage import connect
from shared.store import Store
from tests.identities import identities_of
from tests.interface.helpers import concern_raised, drain, long_window, wait_for

QUEUE = "monitor.audit"
DEAD = "monitor.audit.dead"
SIZE = 50


class Behaviour:
    """Counts each event's write (``$inc``, so a doubled one shows) and notes whether its
    handler ran inside a store transaction; raises for the event ids in ``failing``."""

    def __init__(self, failing=(), seconds=0.0):
        self.failing, self.seconds = set(failing), seconds
        self.calls = []
        self.in_transaction = []

    def __call__(self, db, event):
        self.calls.append(event.event_id)
        self.in_transaction.append(db.conn.in_transaction)
        if self.seconds:
            time.sleep(self.seconds)  # eventlet's: other green threads run meanwhile
        if event.event_id in self.failing:
            raise RuntimeError("audit trail unavailable")
        db.entries.update_one({"_id": event.event_id}, {"$inc": {"applied": 1}}, upsert=True)


def make_service(behaviour):
    class AuditStandIn:
        name = "monitor"  # borrows the monitor's batching subscription from the topology
        db = Store()

        @subscribe("audit")
        def record_event(self, event):
            behaviour(self.db, event)

    return AuditStandIn


@pytest.fixture
def counted(monkeypatch):
    """What the store and the channel did, in order: ``("batch", db)`` when a batch opens its
    transaction, ``("begin", db)`` for every transaction begun (a batch's included), ``"ack"``
    for every basic.ack sent."""
    log = []
    write, transaction, basic_ack = Database.write, Database.transaction, amqp.Channel.basic_ack

    @contextlib.contextmanager
    def counted_write(self):
        if self._open is None:
            log.append(("begin", id(self)))
        with write(self) as txn:
            yield txn

    @contextlib.contextmanager
    def counted_transaction(self):
        log.append(("batch", id(self)))
        with transaction(self) as txn:
            yield txn

    def counted_ack(self, *args, **kwargs):
        log.append("ack")
        return basic_ack(self, *args, **kwargs)

    monkeypatch.setattr(Database, "write", counted_write)
    monkeypatch.setattr(Database, "transaction", counted_transaction)
    monkeypatch.setattr(amqp.Channel, "basic_ack", counted_ack)
    return log


@pytest.fixture
def window(monkeypatch):
    long_window(monkeypatch, QUEUE, SIZE)


def burst(config, count):
    """``count`` events published at once, as the visits service publishes them."""
    events = [concern_raised() for _ in range(count)]
    uri = identities_of(config).uri(config["AMQP_URI"], "visits")
    publisher = WindowedPublisher(uri)
    outcome = publisher.publish_events(events)
    publisher.close()
    assert outcome.error is None and len(outcome.confirmed) == count
    return [event["event_id"] for event in events]


@pytest.fixture
def audit(config):
    """The monitor's store, opened by the test before the service runs (opening one writes,
    which in this process would wait on a batch's lock without yielding to it)."""
    client, db = connect(config["STORE_URI"], "monitor")
    yield db
    client.close()


def entries(db):
    """Each event's count of applications, read as another process would (WAL: no lock)."""
    return {doc["_id"]: doc["applied"] for doc in db.entries.find()}


def left_in_queue(config):
    with Connection(config["AMQP_URI"]) as connection:
        return connection.channel().queue_declare(QUEUE, passive=True).message_count


def test_the_audit_subscription_is_declared_batching():
    assert topology.subscription("monitor", "audit").batch == topology.UNHURRIED
    assert topology.subscription("escalations", "concern_withdrawn").batch is None


def test_a_burst_is_applied_in_whole_batches_and_acknowledged_per_batch(
        container_factory, config, counted, window, audit):
    behaviour = Behaviour()
    container = container_factory(make_service(behaviour), config)
    container.start()
    ids = burst(config, 120)

    wait_for(lambda: len(entries(audit)) == 120, what="the burst applied")
    wait_for(lambda: counted.count("ack") == math.ceil(120 / SIZE), what="the last ack")
    container.kill()
    assert left_in_queue(config) == 0  # every delivery acknowledged
    assert behaviour.calls == ids  # in the order published, across batches
    assert all(behaviour.in_transaction)
    assert set(entries(audit).values()) == {1}
    batches = [entry for entry in counted if entry[0] == "batch"]
    assert len(batches) == math.ceil(120 / SIZE)
    # from the first batch on, the service's store began no transaction but the batches'
    since = counted[counted.index(batches[0]):]
    assert since.count(("begin", batches[0][1])) == len(batches)


def test_a_handler_failing_mid_batch_loses_and_doubles_none_of_the_others(
        container_factory, config, window, audit):
    events = [concern_raised() for _ in range(10)]
    ids = [event["event_id"] for event in events]
    behaviour = Behaviour(failing={ids[4]})
    container_factory(make_service(behaviour), config).start()
    uri = identities_of(config).uri(config["AMQP_URI"], "visits")
    publisher = WindowedPublisher(uri)
    assert publisher.publish_events(events).error is None
    publisher.close()

    dead = wait_for(lambda: drain(config, DEAD), what="the failing event dead-lettered")
    assert [body["event_id"] for body, _ in dead] == [ids[4]]
    assert dead[0][1][ATTEMPT_HEADER] == 3  # its retries as any other failure
    applied = wait_for(lambda: entries(audit) if len(entries(audit)) == 9 else None,
                       what="the others applied")
    assert applied == {event_id: 1 for event_id in ids if event_id != ids[4]}
    # the others ran in the undone batch, then once more each on their own, in order; the
    # failing one once per attempt
    assert behaviour.calls[:14] == ids[:5] + ids[:4] + ids[5:]
    assert behaviour.calls[14:] == [ids[4]] * 2
    assert left_in_queue(config) == 0


def test_a_batch_committed_but_not_acknowledged_is_acknowledged_once_redelivered(
        container_factory, config, window, monkeypatch, audit):
    behaviour = Behaviour()
    # the process dies between the commit and the ack: nothing acknowledged
    monkeypatch.setattr(DeadLetteringQueueConsumer, "ack_all", lambda self, messages: None)
    first = container_factory(make_service(behaviour), config)
    first.start()
    ids = burst(config, 5)
    wait_for(lambda: len(entries(audit)) == 5, what="the batch committed")
    first.kill()
    assert left_in_queue(config) == 5  # back in the queue, unacknowledged
    monkeypatch.undo()

    counts = {"acks": 0}
    basic_ack = amqp.Channel.basic_ack

    def counted_ack(self, *args, **kwargs):
        counts["acks"] += 1
        return basic_ack(self, *args, **kwargs)
    monkeypatch.setattr(amqp.Channel, "basic_ack", counted_ack)
    second = container_factory(make_service(behaviour), config)
    second.start()
    wait_for(lambda: counts["acks"] > 0, what="the redelivered batch acknowledged")
    second.kill()
    assert left_in_queue(config) == 0
    assert sorted(behaviour.calls) == sorted(ids)  # each handler ran once, before the crash
    assert entries(audit) == {event_id: 1 for event_id in ids}


def test_a_service_stopping_mid_batch_commits_and_acknowledges_it_first(
        container_factory, config, window, audit):
    behaviour = Behaviour(seconds=0.3)  # 3 s: longer than stopping takes
    container = container_factory(make_service(behaviour), config)
    container.start()
    ids = burst(config, 10)
    wait_for(lambda: behaviour.calls, what="the batch begun")
    container.stop()
    assert behaviour.calls == ids
    assert entries(audit) == {event_id: 1 for event_id in ids}
    assert left_in_queue(config) == 0


def test_the_same_event_twice_in_one_batch_is_applied_once(
        container_factory, config, counted, window, audit):
    behaviour = Behaviour()
    container = container_factory(make_service(behaviour), config)
    container.start()
    events = [concern_raised(), concern_raised()]
    repeated = [events[0], events[1], events[0], events[0]]  # a duplicating broker, say
    uri = identities_of(config).uri(config["AMQP_URI"], "visits")
    publisher = WindowedPublisher(uri)
    assert publisher.publish_events(repeated).error is None
    publisher.close()

    wait_for(lambda: len(entries(audit)) == 2, what="both applied")
    wait_for(lambda: "ack" in counted, what="the batch acknowledged")
    container.kill()
    assert left_in_queue(config) == 0  # all four acknowledged
    assert behaviour.calls == [events[0]["event_id"], events[1]["event_id"]]
    assert set(entries(audit).values()) == {1}


def test_a_lone_event_goes_the_one_by_one_way_without_a_transaction(container_factory, config,
                                                                     counted, audit):
    behaviour = Behaviour()
    container_factory(make_service(behaviour), config).start()
    ids = burst(config, 1)

    wait_for(lambda: entries(audit) == {ids[0]: 1}, what="the event applied")
    wait_for(lambda: "ack" in counted, what="its ack")
    assert behaviour.in_transaction == [False]  # its writes stand alone, as unbatched
    assert not [entry for entry in counted if entry[0] == "batch"]
    assert counted.count("ack") == 1 and left_in_queue(config) == 0
