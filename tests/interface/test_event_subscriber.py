"""The reliable consumer against a real RabbitMQ: retries with backoff, dead letters with the
error recorded, duplicates handled once, unparseable messages parked, never silently acked."""
import pytest
from kombu import Connection

from shared import retries
from shared.consumer import subscribe
from shared.messaging import (
    ATTEMPT_HEADER,
    ERROR_HEADER,
    QUEUE_HEADER,
    TRACEBACK_HEADER,
    ConfirmedPublisher,
)
from shared.storage import connect
from shared.store import Store
from tests.interface.helpers import concern_raised, drain, publish, wait_for

QUEUE = "escalations.concern_raised"
DEAD = "escalations.concern_raised.dead"


class Behaviour:
    """What the handler does on its n-th call (shared by the test and the worker)."""

    def __init__(self, failures=0):
        self.failures = failures
        self.calls = []

    def __call__(self, event):
        self.calls.append(event.event_id)
        if len(self.calls) <= self.failures:
            raise RuntimeError(f"routing table unavailable (call {len(self.calls)})")


def make_service(behaviour):
    class RoutingStandIn:
        name = "escalations"  # borrows escalations' subscription from the topology
        db = Store()

        @subscribe("concern_raised")
        def route_concern(self, event):
            behaviour(event)

    return RoutingStandIn


@pytest.fixture
def run_with(container_factory, config):
    def run(behaviour):
        container = container_factory(make_service(behaviour), config)
        container.start()
        return container
    return run


def test_handler_failing_every_time_is_retried_then_dead_lettered_with_its_error(run_with, config):
    behaviour = Behaviour(failures=99)
    run_with(behaviour)
    event = concern_raised()
    publish(config, event)

    # one first try plus one retry per configured delay (0.2 s, 0.4 s)
    wait_for(lambda: len(behaviour.calls) == 3, what="three attempts")
    dead = wait_for(lambda: drain(config, DEAD), what="a dead letter")
    assert len(dead) == 1
    body, headers = dead[0]
    assert body == event
    assert headers[ATTEMPT_HEADER] == 3
    assert headers[QUEUE_HEADER] == QUEUE
    assert "RuntimeError: routing table unavailable (call 3)" == headers[ERROR_HEADER]
    assert "Traceback" in headers[TRACEBACK_HEADER]
    assert behaviour.calls == [event["event_id"]] * 3


def test_transient_failure_is_retried_and_handled_once(run_with, config):
    behaviour = Behaviour(failures=1)
    run_with(behaviour)
    publish(config, concern_raised())

    wait_for(lambda: len(behaviour.calls) == 2, what="the retry")
    assert drain(config, DEAD) == []
    assert drain(config, QUEUE) == []


def test_a_retry_the_broker_never_brings_back_is_re_published_and_handled_once(
        container_factory, config, monkeypatch):
    """The retry queue's dead-lettering back can strand a message when a cluster node dies
    (docs/reports/faults/REPORT.md): here every retry vanishes once confirmed. The subscriber
    noted it, so it re-publishes it onto its queue after the delay and the grace."""
    stranded = []
    monkeypatch.setattr(ConfirmedPublisher, "to_queue",
                        lambda self, message, queue_name, headers: stranded.append(queue_name))
    behaviour = Behaviour(failures=1)
    service = make_service(behaviour)
    container_factory(service, {**config, "EVENT_RETRY_GRACE_SECONDS": 0.5}).start()
    event = concern_raised()
    publish(config, event)

    wait_for(lambda: len(behaviour.calls) == 2, what="the stranded retry, re-published")
    assert stranded == [f"{QUEUE}.retry-200ms"]
    assert behaviour.calls == [event["event_id"]] * 2
    client, db = connect(config["STORE_URI"], "escalations")
    try:
        wait_for(lambda: db[retries.COLLECTION].count_documents({}) == 0,
                 what="the retry settled")
    finally:
        client.close()
    assert drain(config, DEAD) == []


def test_the_same_event_delivered_twice_is_handled_once(run_with, config, container_factory):
    behaviour = Behaviour()
    run_with(behaviour)
    event = concern_raised()
    publish(config, event)
    wait_for(lambda: behaviour.calls, what="first delivery")
    publish(config, event)
    publish(config, concern_raised())  # a different event, as a marker that the queue moved on

    wait_for(lambda: len(behaviour.calls) == 2, what="the marker event")
    assert behaviour.calls.count(event["event_id"]) == 1


def test_event_breaking_its_contract_goes_straight_to_dead_letters(run_with, config):
    behaviour = Behaviour()
    run_with(behaviour)
    broken = concern_raised()
    del broken["payload"]["topic"]
    publish(config, broken)

    dead = wait_for(lambda: drain(config, DEAD), what="a dead letter")
    body, headers = dead[0]
    assert body == broken
    assert headers[ATTEMPT_HEADER] == 1
    assert "invalid visits.concern_raised payload" in headers[ERROR_HEADER]
    assert "topic" in headers[ERROR_HEADER]
    assert behaviour.calls == []


def test_message_that_is_not_json_is_dead_lettered_and_consumption_goes_on(run_with, config):
    behaviour = Behaviour()
    run_with(behaviour)
    with Connection(config["AMQP_URI"]) as connection:
        producer = connection.Producer()
        producer.publish(b"{not json", exchange="sausat.events",
                         routing_key="visits.concern_raised", content_type="application/json",
                         content_encoding="utf-8")
    good = concern_raised()
    publish(config, good)

    wait_for(lambda: behaviour.calls == [good["event_id"]], what="the good event")
    dead = wait_for(lambda: drain(config, DEAD), what="the broken message dead-lettered")
    assert len(dead) == 1
