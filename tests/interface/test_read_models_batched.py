"""Read models fed by events apply a burst in batches (issue 27): the assignments service's
``visit_logged`` (plan against actual) and ``concern_outcomes`` (the periodic report's
concerns) on the real RabbitMQ, with the real service: one store transaction and one
acknowledgement per batch, every visit or concern kept once, nothing left in the queue. (The
batching itself, failures mid-batch and crashes between commit and ack:
tests/interface/test_event_batches.py.)"""
import contextlib
import datetime as dt
import math
import uuid

import amqp
import pytest
from kombu import Connection

from docstore import Database
from services.assignments.service import AssignmentsService
from shared import contracts, topology
from shared.messaging import WindowedPublisher
from shared.storage import connect
from tests.identities import identities_of
from tests.interface.helpers import concern_raised, long_window, wait_for

SIZE, EVENTS = 50, 120


def test_the_read_models_fed_per_concern_are_declared_batching():
    assert topology.subscription("assignments", "visit_logged").batch == topology.UNHURRIED
    assert topology.subscription("assignments", "concern_outcomes").batch == topology.UNHURRIED
    assert topology.subscription("visits", "case_life").batch == topology.Batching()


@pytest.fixture
def counted(monkeypatch):
    """Transactions a batch opened, and basic.acks sent, in order."""
    log, transaction, basic_ack = [], Database.transaction, amqp.Channel.basic_ack

    @contextlib.contextmanager
    def counted_transaction(self):
        log.append("batch")
        with transaction(self) as txn:
            yield txn

    def counted_ack(self, *args, **kwargs):
        log.append("ack")
        return basic_ack(self, *args, **kwargs)

    monkeypatch.setattr(Database, "transaction", counted_transaction)
    monkeypatch.setattr(amqp.Channel, "basic_ack", counted_ack)
    return log


def visit_logged(number):
    return contracts.VISIT_LOGGED.new({
        "visit_id": f"v-{number:04d}-{uuid.uuid4().hex[:6]}", "unit_id": "np",
        "cadre_id": "binh", "meeting_date": dt.date(2026, 12, 1) + dt.timedelta(days=number % 20),
        "meeting_kind": "regular", "concern_ids": []})


# the queue, a burst's events, where each is kept and under which key
BURSTS = {
    "assignments.visit_logged": (visit_logged, "meetings_attended", "visit_id"),
    "assignments.concern_outcomes": (lambda n: concern_raised(), "report_concerns",
                                     "concern_id"),
}


@pytest.mark.parametrize("queue", list(BURSTS))
def test_a_burst_is_kept_in_whole_batches(container_factory, config, counted, monkeypatch,
                                          queue):
    event_for, collection, key = BURSTS[queue]
    long_window(monkeypatch, queue, SIZE)
    attended = connect(config["STORE_URI"], "assignments")  # opened before the service writes
    container_factory(AssignmentsService, config).start()
    events = [event_for(n) for n in range(EVENTS)]
    publisher = WindowedPublisher(identities_of(config).uri(config["AMQP_URI"], "visits"))
    assert publisher.publish_events(events).error is None
    publisher.close()

    client, db = attended
    try:
        kept = wait_for(lambda: (lambda docs: docs if len(docs) == EVENTS else None)(
            list(db[collection].find({}, {"_id": 1}))), what="every event kept")
    finally:
        client.close()
    assert sorted(doc["_id"] for doc in kept) == sorted(e["payload"][key] for e in events)
    wait_for(lambda: counted.count("ack") >= math.ceil(EVENTS / SIZE), what="the acks")
    with Connection(config["AMQP_URI"]) as connection:
        assert connection.channel().queue_declare(queue, passive=True).message_count == 0
    # one transaction and one ack per batch, not one per event
    assert counted.count("batch") == math.ceil(EVENTS / SIZE)
    assert counted.count("ack") == math.ceil(EVENTS / SIZE)
