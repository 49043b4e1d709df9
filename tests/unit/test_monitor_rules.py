"""The monitor's plain rules: what an audit entry keeps, how a trace follows ids and orders
steps, when an alert holds; and which services' health it watches."""
import datetime as dt

import eventlet
import pytest
from kombu.exceptions import OperationalError

from services.monitor import alerts, trail, watch
from services.monitor.dependencies import WATCHED_SERVICES
from services.monitor.service import MonitorService
from shared import contracts
from shared.contracts import parse_event
from shared.rpc import health_of
from shared.services import BACKEND_SERVICES

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def entry(event_id, routing_key, seconds, payload, causation_id=None, actor=None):
    return {"_id": event_id, "routing_key": routing_key,
            "occurred_at": T0 + dt.timedelta(seconds=seconds), "actor": actor,
            "correlation_id": "req-1", "causation_id": causation_id, "payload": payload,
            "subjects": [{"id": v} for v in trail.subjects_of(payload)]}


def test_an_audit_entry_keeps_subjects_and_chain_and_correlates_a_chain_without_request():
    body = contracts.CASE_ROUTED.new(
        {"case_id": "k1", "concern_id": "c1", "authority_id": "ubnd-xa-tam-hop",
         "rule_id": "r1", "acknowledge_by": dt.date(2026, 11, 30),
         "answer_by": dt.date(2026, 12, 15), "routed_at": T0},
        event_id="e2", causation_id="e1")
    doc = trail.audit_entry(parse_event(body))
    assert doc["subjects"] == [{"id": "c1"}, {"id": "k1"}]
    assert doc["causation_id"] == "e1"
    assert doc["correlation_id"] == "e2"  # no request: the chain's first event names it


def test_a_concerns_trace_follows_its_cases_but_not_its_sibling_concerns():
    entries = [
        entry("e0", "visits.visit_logged", 0, {"visit_id": "v1", "concern_ids": ["c1", "c2"]}),
        entry("e1", "visits.concern_raised", 0, {"concern_id": "c1", "visit_id": "v1"}),
        entry("e9", "visits.concern_raised", 0, {"concern_id": "c2", "visit_id": "v1"}),
        entry("e2", "escalations.case_routed", 2, {"concern_id": "c1", "case_id": "k1"}, "e1"),
        entry("e3", "escalations.case_closed", 50, {"concern_id": "c1", "case_id": "k1"}),
        entry("e4", "notifications.notification_sent", 3, {"case_id": "k1"}),
    ]

    def find_about(value):
        return [e for e in entries if {"id": value} in e["subjects"]]

    found = {e["_id"] for e in trail.collect("c1", find_about)}
    assert found == {"e0", "e1", "e2", "e3", "e4"}
    assert {e["_id"] for e in trail.collect("k1", find_about)} == found  # same journey
    steps = trail.journey([e for e in entries if e["_id"] in found])
    assert [s["event_id"] for s in steps] == ["e0", "e1", "e2", "e4", "e3"]
    assert [s["seconds_since_previous"] for s in steps] == [None, 0.0, 2.0, 1.0, 47.0]
    assert steps[-1]["seconds_since_start"] == 50.0
    assert "payload" not in steps[0] and steps[2]["ids"] == {"concern_id": "c1",
                                                              "case_id": "k1"}
    # a visit's trace takes in every concern raised at it
    assert {e["_id"] for e in trail.collect("v1", find_about)} >= {"e1", "e9", "e2"}


def test_a_cause_comes_before_its_effect_in_the_same_millisecond():
    cause = entry("zz", "visits.concern_raised", 0, {"concern_id": "c1"})
    effect = entry("aa", "escalations.case_routed", 0, {"concern_id": "c1", "case_id": "k1"},
                   causation_id="zz")
    assert [s["event_id"] for s in trail.journey([effect, cause])] == ["zz", "aa"]


QUEUE = {"queue": "visits.unit_registered", "messages": 0, "consumers": 1}
THRESHOLDS = alerts.Thresholds(queue_depth=100, oldest_message_seconds=60, outbox_backlog=10)


def test_each_alert_kind_and_its_figures():
    found = alerts.evaluate(
        [{**QUEUE, "consumers": 0, "messages": 150, "oldest_message_seconds": 61},
         {"queue": "visits.unit_registered.dead", "messages": 2, "consumers": 0},
         {"queue": "visits.unit_registered.retry-1000ms", "messages": 3, "consumers": 0}],
        {"visits": {"status": "ok", "outbox_pending": 11},
         "escalations": {"status": "not answering"}}, THRESHOLDS)
    assert set(found) == {"no_consumer:visits.unit_registered",
                          "queue_depth:visits.unit_registered",
                          "oldest_message:visits.unit_registered",
                          "dead_letters:visits.unit_registered.dead",
                          "outbox_backlog:visits", "service_unhealthy:escalations"}
    assert found["queue_depth:visits.unit_registered"]["detail"] == \
        "150 messages (threshold 100)"


def test_a_quiet_system_raises_nothing_and_wait_queues_need_no_consumer():
    assert alerts.evaluate([QUEUE, {"queue": "visits.unit_registered.retry-1000ms",
                                    "messages": 0, "consumers": 0}],
                           {"visits": {"status": "ok", "outbox_pending": 10}}, THRESHOLDS) == {}


def test_an_alert_must_hold_before_it_is_raised_and_clears_when_gone():
    held = {}
    finding = {"no_consumer:q": {"kind": "no_consumer"}}
    assert alerts.due(finding, held, now=100.0, hold_seconds=10) == {}
    assert alerts.due(finding, held, now=109.0, hold_seconds=10) == {}
    assert alerts.due(finding, held, now=110.0, hold_seconds=10) == finding
    assert alerts.due({}, held, now=111.0, hold_seconds=10) == {} and held == {}
    assert alerts.changes({"a": 1, "b": 1}, {"b": 1, "c": 1}) == (["c"], ["a"])


def test_age_of_the_oldest_message():
    assert alerts.oldest_age("q", {"messages": 0}, 1000.0, {"q": 1.0}) is None
    assert alerts.oldest_age("q", {"messages": 3, "head_message_timestamp": 900}, 1000.0,
                             {}) == 100.0
    assert alerts.oldest_age("q", {"messages": 3}, 1000.0, {"q": 400.0}) == 600.0


class Reply:
    def __init__(self, answer=None, error=None, wait=0.0):
        self.answer, self.error, self.wait = answer, error, wait

    def result(self):
        eventlet.sleep(self.wait)
        if self.error:
            raise self.error
        return self.answer


class HealthProxy:
    """A service's RPC proxy as far as ``health.call_async()`` goes."""

    def __init__(self, reply=None, refused=None):
        self.health = self
        self.reply, self.refused = reply, refused

    def call_async(self):
        if self.refused:
            raise self.refused
        return self.reply


def test_every_backend_service_is_watched_imports_too():
    assert set(WATCHED_SERVICES) == set(BACKEND_SERVICES) - {"monitor"}
    assert "imports" in WATCHED_SERVICES
    # each asked through a proxy of the service class (the broker's permissions follow them)
    assert {name: getattr(MonitorService, name).target_service
            for name in WATCHED_SERVICES} == {name: name for name in WATCHED_SERVICES}
    ok = {"status": "ok", "outbox_pending": 0}
    watched = {name: HealthProxy(Reply({"service": name, **ok})) for name in WATCHED_SERVICES}
    watched["imports"] = HealthProxy(Reply(wait=1.0))                  # does not answer
    watched["accounts"] = HealthProxy(refused=LookupError("no queue"))  # nobody consumes
    watched["visits"] = HealthProxy(Reply(error=RuntimeError("broken")))
    report = watch.health_of_all({"service": "monitor", **ok}, watched, timeout=0.05)
    assert set(report) == set(BACKEND_SERVICES)
    assert report["imports"] == {"service": "imports", "status": "not answering"}
    assert report["accounts"]["status"] == "error: LookupError"
    assert report["visits"]["status"] == "error: RuntimeError"
    assert report["escalations"]["status"] == "ok"
    unhealthy = alerts.evaluate([], report, THRESHOLDS)
    assert sorted(unhealthy) == ["service_unhealthy:accounts", "service_unhealthy:imports",
                                 "service_unhealthy:visits"]


def test_the_gateway_and_the_monitor_ask_for_health_the_same_way_but_the_broker_away_is_raised():
    watched = {"visits": HealthProxy(refused=OperationalError("broker away"))}
    assert health_of(watched, timeout=0.05)["visits"]["status"] == "error: OperationalError"
    with pytest.raises(OperationalError):
        health_of(watched, timeout=0.05, passing=(OperationalError,))


def test_each_rounds_queue_figures_are_what_prometheus_sees_and_a_gone_queue_is_dropped():
    from services.monitor.queues import export_figures
    from shared.metrics import REGISTRY

    def sample(name, queue, kind):
        return REGISTRY.get_sample_value(name, {"queue": queue, "kind": kind})
    export_figures([
        {"queue": "visits.unit_registered", "kind": "consumer", "messages": 3, "consumers": 0,
         "oldest_message_seconds": 12.5},
        {"queue": "visits.unit_registered.dead", "kind": "dead", "messages": 2, "consumers": 0,
         "oldest_message_seconds": None}])
    assert sample("sausat_queue_messages", "visits.unit_registered", "consumer") == 3
    assert sample("sausat_queue_consumers", "visits.unit_registered", "consumer") == 0
    assert sample("sausat_queue_oldest_message_seconds", "visits.unit_registered",
                  "consumer") == 12.5
    assert sample("sausat_queue_messages", "visits.unit_registered.dead", "dead") == 2
    export_figures([])  # the management API away, or the queue deleted
    assert sample("sausat_queue_messages", "visits.unit_registered", "consumer") is None
