"""Attributing the firehose's copies to services (tooling/bench/messages.py), on made-up copies:
which service published, which received, which RPC round trips it made, for one correlation."""
import json

from tooling.bench import messages
from tooling.bench.messages import Trace

OURS, OTHER = "budget-visit-1", "someone-else"


def event(kind, where, event_id, source="visits", correlation=OURS, cause=None, **extra):
    body = {"event_id": event_id, "event_type": f"{source}_thing", "source": source,
            "correlation_id": correlation, "causation_id": None,
            "payload": {"cause_event_id": cause} if cause else {}}
    return Trace(kind, where, f"{source}.{source}_thing", extra, json.dumps(body).encode())


def rpc_request(kind, where, method, amqp_id, caller="gateway", correlation=OURS):
    headers = {"nameko.correlation_id": correlation,
               "nameko.call_id_stack": [f"{caller}.handler.1"]}
    return Trace(kind, where, method, {"reply_to": "r1", "correlation_id": amqp_id,
                                       "headers": headers}, b'{"args": []}')


def rpc_reply(kind, where, amqp_id):
    return Trace(kind, where, "r1", {"correlation_id": amqp_id}, b'{"result": 1}')


REPLY_QUEUE = "rpc.reply-gateway-0b6e-4f1c"


def test_a_round_trip_is_the_callers_publish_and_call_and_the_callees_reply():
    traces = [rpc_request("publish", "nameko-rpc", "visits.log_visit", "a1"),
              rpc_request("deliver", "rpc-visits", "visits.log_visit", "a1"),
              rpc_reply("publish", "nameko-rpc", "a1"),
              rpc_reply("deliver", REPLY_QUEUE, "a1"),
              # someone else's round trip: not counted
              rpc_request("publish", "nameko-rpc", "visits.log_visit", "b2", correlation=OTHER),
              rpc_reply("publish", "nameko-rpc", "b2"),
              rpc_reply("deliver", REPLY_QUEUE, "b2")]
    assert messages.tally(traces, OURS).counts == {
        "gateway": {"publishes": 1, "deliveries": 1, "rpc_calls": 1},
        "visits": {"publishes": 1, "deliveries": 1, "rpc_calls": 0}}


def test_events_count_for_their_source_and_for_every_queue_they_land_in():
    traces = [event("publish", "sausat.events", "e1"),
              event("deliver", "monitor.audit", "e1"),
              event("deliver", "escalations.concern_raised", "e1"),
              event("publish", "sausat.events", "x9", correlation=OTHER),
              event("deliver", "monitor.audit", "x9", correlation=OTHER)]
    assert messages.tally(traces, OURS).counts == {
        "visits": {"publishes": 1, "deliveries": 0, "rpc_calls": 0},
        "monitor": {"publishes": 0, "deliveries": 1, "rpc_calls": 0},
        "escalations": {"publishes": 0, "deliveries": 1, "rpc_calls": 0}}


def test_an_event_a_timer_sent_because_of_ours_is_ours_too():
    traces = [event("publish", "sausat.events", "e1", source="escalations"),
              event("publish", "sausat.events", "m1", source="notifications",
                    correlation=None, cause="e1"),
              event("deliver", "monitor.audit", "m1", source="notifications", correlation=None)]
    counts = messages.tally(traces, OURS).counts
    assert counts["notifications"]["publishes"] == 1
    assert counts["monitor"]["deliveries"] == 1


def test_a_retry_is_published_by_the_subscriber_that_failed():
    retry = event("publish", "", "e1", **{"headers": {"x-sausat-queue": "notifications.directory"}})
    assert messages.tally([retry], OURS).counts == {
        "notifications": {"publishes": 1, "deliveries": 0, "rpc_calls": 0}}


def test_queues_name_their_service():
    assert messages.service_of_queue("rpc-escalations") == "escalations"
    assert messages.service_of_queue(REPLY_QUEUE) == "gateway"
    assert messages.service_of_queue("visits.case_life.retry-200ms") == "visits"


def test_the_table_shows_each_count_beside_its_budget_and_the_totals():
    counts = {"visits": {"publishes": 3, "deliveries": 2, "rpc_calls": 0}}
    budget = {"visits": {"publishes": 2, "deliveries": 2, "rpc_calls": 0}}
    lines = messages.table(counts, budget).splitlines()
    assert lines[1].split() == ["visits", "3", "(budget", "2)", "2", "(budget", "2)",
                                "0", "(budget", "0)"]
    assert lines[-1].split()[:4] == ["total", "3", "(budget", "2)"]
