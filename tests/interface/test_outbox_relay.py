"""The outbox relay against the real RabbitMQ: woken by the write itself, windowed publisher
confirms, nothing marked sent before its confirm, one store write per batch."""
import datetime as dt
import logging
import time

import pytest
from kombu import Connection
from nameko.standalone.rpc import ServiceRpcProxy

from services.visits.service import VisitsService
from shared import contracts, topology
from shared.messaging import WindowedPublisher
from shared.outbox import PENDING, OutboxRelay, UndeliverableEvents, with_events
from shared.storage import connect
from tests.interface.helpers import concern_raised, drain, publish, wait_for

CONCERNS = "escalations.concern_raised"
NOI_PHAT = {"unit_id": "vp.bx.th.np", "name": "Chi bộ thôn Nội Phật", "level": "branch",
            "parent_id": "vp.bx.th", "path": ["vp", "vp.bx", "vp.bx.th", "vp.bx.th.np"]}


@pytest.fixture
def declared(config):
    with Connection(config["AMQP_URI"]) as connection:
        topology.declare(connection, config["EVENT_RETRY_DELAYS"])
    return config


@pytest.fixture
def db(tmp_path):
    client, database = connect(f"embedded:{tmp_path / 'relay'}", "visits")
    yield database
    client.close()


@pytest.fixture
def publisher(config):
    publisher = WindowedPublisher(config["AMQP_URI"])
    yield publisher
    publisher.close()


def concern_ids(messages):
    return [body["payload"]["concern_id"] for body, _ in messages]


class CountingDatabase:
    """The database, counting every write call made to it (reads pass through uncounted)."""
    WRITES = {"insert_one", "insert_many", "update_one", "update_many", "replace_one",
              "delete_one", "delete_many", "find_one_and_update", "bulk_write"}

    def __init__(self, db):
        self.db = db
        self.writes = []

    def __getitem__(self, name):
        counting = self

        class Counted:
            def __getattr__(self, attr):
                method = getattr(counting.db[name], attr)
                if attr not in CountingDatabase.WRITES:
                    return method

                def counted(*args, **kwargs):
                    counting.writes.append(attr)
                    return method(*args, **kwargs)
                return counted
        return Counted()


def test_a_logged_visit_is_published_at_once_not_at_the_next_poll(container_factory, config):
    config = {**config, "OUTBOX_POLL_SECONDS": 30}
    container_factory(VisitsService, config).start()
    publish(config, contracts.UNIT_REGISTERED.new(NOI_PHAT))
    publish_assignment(config)
    with ServiceRpcProxy("visits", config, timeout=15) as visits:
        wait_for(lambda: _knows_unit(visits), what="visits to learn the unit")
        wait_for(lambda: _knows_assignment(visits), what="visits to learn the assignment")
        time.sleep(0.3)  # the relay has made its first pass and now waits out its 30 s poll
        logged = visits.log_visit({
            "submission_id": contracts.new_id(),
            "unit_id": NOI_PHAT["unit_id"], "meeting_date": "2026-11-20",
            "meeting_kind": "regular", "attendance": {"present": 27, "expected": 31},
            "assessment": {"leadership": 4, "education": 4, "combativeness": 3},
            "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                          "summary": "Đường thôn xuống cấp"}]}, BINH)
        received = []
        wait_for(lambda: received.extend(drain(config, CONCERNS)) or received, timeout=5,
                 what="concern_raised, long before the relay's next poll")
        assert concern_ids(received) == [logged["concerns"][0]["concern_id"]]
        assert visits.health()["outbox_pending"] == 0


# the signed-in cadre who logs the visits below, assigned to Nội Phật
BINH = {"user_id": "u-binh", "role": "cadre", "cadre_id": "tran-thi-binh"}


def publish_assignment(config):
    publish(config, contracts.ASSIGNMENT_MADE.new({
        "assignment_id": "a1", "cadre_id": BINH["cadre_id"], "unit_id": NOI_PHAT["unit_id"],
        "rule": "district_member_to_branch", "starts_on": dt.date(2026, 1, 1)}))


def _knows_assignment(visits):
    return visits.knows_assignment(BINH["cadre_id"], NOI_PHAT["unit_id"])


def _knows_unit(visits):
    try:
        return visits.get_unit(NOI_PHAT["unit_id"])
    except Exception:
        return None


def test_windowed_confirms_publish_a_thousand_events_in_order_each_confirmed(declared,
                                                                             publisher):
    events = [concern_raised() for _ in range(1000)]
    outcome = publisher.publish_events(events)
    assert outcome.error is None and outcome.failed == {}
    assert outcome.confirmed == {event["event_id"] for event in events}

    received = []
    wait_for(lambda: received.extend(drain(declared, CONCERNS)) or len(received) >= 1000,
             what="1,000 events in the queue")
    assert concern_ids(received) == [e["payload"]["concern_id"] for e in events]

    again = publisher.publish_events(events[:3])  # the same connection serves the next batch
    assert again.confirmed == {event["event_id"] for event in events[:3]}


def test_relay_logs_and_clears_each_batch_with_two_store_writes(declared, db, publisher):
    for number in range(250):
        db.visits.insert_one(with_events({"_id": number}, [concern_raised(), concern_raised()]))
    counting = CountingDatabase(db)
    relay = OutboxRelay(counting, ["visits"], publisher, batch_size=100)

    batches = [relay.relay_pending() for _ in range(4)]
    assert batches == [200, 200, 100, 0]
    # the confirmed events copied to the retained event log, then cleared from the outboxes
    assert counting.writes == ["insert_many", "bulk_write"] * 3
    assert db.visits.count_documents(PENDING) == 0
    assert db.event_log.count_documents({}) == 500
    assert db.visits.count_documents({"outbox": {"$size": 0}}) == 250
    received = []
    wait_for(lambda: received.extend(drain(declared, CONCERNS)) or len(received) >= 500,
             what="500 events in the queue")
    assert len(set(concern_ids(received))) == 500


def test_unroutable_event_stays_pending_with_what_follows_it_and_is_reported(config, db,
                                                                            publisher):
    # only the queue for concern_raised exists: nothing is bound for visit_logged
    with Connection(config["AMQP_URI"]) as connection:
        topology.consumer_queue(topology.subscription("escalations", "concern_raised"))(
            connection.default_channel).declare()
    first, second, other = concern_raised(), concern_raised(), concern_raised()
    unroutable = contracts.VISIT_LOGGED.new({
        "visit_id": "v1", "unit_id": "u1", "cadre_id": "c1", "meeting_date": dt.date(2026, 11, 20),
        "meeting_kind": "regular", "concern_ids": []})
    db.visits.insert_one(with_events({"_id": "v1"}, [first, unroutable, second]))
    db.visits.insert_one(with_events({"_id": "v2"}, [other]))

    with pytest.raises(UndeliverableEvents) as refused:
        OutboxRelay(db, ["visits"], publisher).relay_pending()
    assert list(refused.value.failed) == [unroutable["event_id"]]
    assert "unroutable" in str(refused.value)

    v1, v2 = db.visits.find_one({"_id": "v1"}), db.visits.find_one({"_id": "v2"})
    assert [e["event_id"] for e in v1["outbox"]] == [unroutable["event_id"], second["event_id"]]
    assert v1["outbox_pending"] is True
    assert v2["outbox"] == [] and "outbox_pending" not in v2
    assert concern_ids(drain(config, CONCERNS)) == [
        e["payload"]["concern_id"] for e in (first, second, other)]


class DroppedMidBatch(WindowedPublisher):
    """Has the broker close this publisher's connection when it reaches event ``at``."""

    def __init__(self, amqp_uri, rabbit_manager, vhost, at):
        super().__init__(amqp_uri)
        self.rabbit_manager, self.vhost, self.at, self.sent = rabbit_manager, vhost, at, 0

    def _message(self, envelope):
        self.sent += 1
        if self.sent == self.at:
            ours = wait_for(lambda: [c["name"] for c in self.rabbit_manager.get_connections()
                                     if c["vhost"] == self.vhost], what="our connection listed")
            for name in ours:
                self.rabbit_manager.delete_connection(name)
        return super()._message(envelope)


def test_connection_dropped_mid_batch_keeps_the_unconfirmed_and_publishes_them_after(
        declared, db, rabbit_manager):
    events = [concern_raised() for _ in range(1000)]
    db.visits.insert_one(with_events({"_id": "v1"}, events))
    publisher = DroppedMidBatch(declared["AMQP_URI"], rabbit_manager, declared["vhost"], at=500)
    relay = OutboxRelay(db, ["visits"], publisher)
    try:
        with pytest.raises(Exception) as dropped:
            relay.relay_pending()
        left = [e["event_id"] for e in db.visits.find_one({"_id": "v1"})["outbox"]]
        assert 0 < len(left) <= 1000 - 400, dropped.value  # at most a window was unconfirmed
        assert left == [e["event_id"] for e in events[-len(left):]]  # the tail, in order

        assert relay.relay_pending() == len(left)  # a new connection, the rest confirmed
    finally:
        publisher.close()
    assert "outbox_pending" not in db.visits.find_one({"_id": "v1"})
    received = []
    wait_for(lambda: received.extend(drain(declared, CONCERNS)) or len(set(
        concern_ids(received))) >= 1000, what="every event at least once")
    first_seen = list(dict.fromkeys(concern_ids(received)))
    assert first_seen == [e["payload"]["concern_id"] for e in events]


def test_service_keeps_unroutable_events_logs_them_and_publishes_once_routable(
        container_factory, config, caplog):
    config = {**config, "DECLARE_TOPOLOGY": False}
    with Connection(config["AMQP_URI"]) as connection:  # no queue for visits' own events yet
        for name in ("unit_registered", "assignment_made"):
            topology.consumer_queue(topology.subscription("visits", name))(
                connection.default_channel).declare()
    container_factory(VisitsService, config).start()
    publish(config, contracts.UNIT_REGISTERED.new(NOI_PHAT))
    publish_assignment(config)
    with ServiceRpcProxy("visits", config, timeout=15) as visits:
        wait_for(lambda: _knows_unit(visits), what="visits to learn the unit")
        wait_for(lambda: _knows_assignment(visits), what="visits to learn the assignment")
        with caplog.at_level(logging.ERROR, logger="shared.store"):
            logged = visits.log_visit({
                "submission_id": contracts.new_id(),
                "unit_id": NOI_PHAT["unit_id"], "meeting_date": "2026-11-20",
                "meeting_kind": "regular", "attendance": {"present": 27, "expected": 31},
                "assessment": {"leadership": 4, "education": 4, "combativeness": 3},
                "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                              "summary": "Đường thôn xuống cấp"}]}, BINH)
            wait_for(lambda: "not confirmed, kept pending" in caplog.text,
                     what="the relay to report the unroutable events")
        assert visits.health()["outbox_pending"] == 2
        assert "unroutable" in caplog.text and "visits.concern_raised" in caplog.text

        with Connection(config["AMQP_URI"]) as connection:
            # the watched queue first: the relay retries while the rest is being declared, and
            # what it publishes then reaches only the queues bound so far (on a slow broker,
            # concern_raised went out to the other subscribers' queues alone)
            topology.consumer_queue(topology.subscription("escalations", "concern_raised"))(
                connection.default_channel).declare()
            topology.declare(connection, config["EVENT_RETRY_DELAYS"])
        received = []
        wait_for(lambda: received.extend(drain(config, CONCERNS)) or received, timeout=15,
                 what="concern_raised once a queue is bound")
        wait_for(lambda: visits.health()["outbox_pending"] == 0, what="an empty outbox")
        received.extend(drain(config, CONCERNS))
        # at least once: while the queues are being declared, concern_raised may be confirmed
        # in a batch whose visit_logged (before it) is still unroutable; it stays pending to keep
        # the order and goes out again. Consumers deduplicate by event id.
        assert set(concern_ids(received)) == {logged["concerns"][0]["concern_id"]}
        assert len({body["event_id"] for body, _ in received}) == 1
