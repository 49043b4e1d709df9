"""Prometheus metrics, counted where the shared mechanisms already stand.

The promise: every process's metrics are in this module's registry and served as Prometheus
text on its operations port (``shared.operations_port``); the consumer counts each event
handled and failed per handler with its latency, the outbox relay counts what it published with
the time from the event to its confirm and the backlog left, the gateway times every RPC per
service and method and counts HTTP answers per route and status. A service adds gauges of its
own with :class:`Gauges`, refreshed in the background so a scrape costs no query. Example::

    from shared import metrics
    with metrics.timed(metrics.HANDLER_SECONDS, queue, handler):
        ...
    text = metrics.exposition()          # what GET /metrics answers
"""
import contextlib
import datetime as dt
import time
from logging import getLogger

import eventlet
from nameko.extensions import DependencyProvider
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

_log = getLogger(__name__)

REGISTRY = CollectorRegistry()
CONTENT_TYPE = CONTENT_TYPE_LATEST

EVENTS_HANDLED = Counter("sausat_events_handled", "Events a handler handled",
                         ["queue", "handler"], registry=REGISTRY)
EVENTS_FAILED = Counter("sausat_events_failed",
                        "Events a handler failed (retried or dead-lettered) or could not parse",
                        ["queue", "handler", "outcome"], registry=REGISTRY)
HANDLER_SECONDS = Histogram("sausat_handler_seconds", "Time an event handler took",
                            ["queue", "handler"], registry=REGISTRY)
EVENTS_RELAYED = Counter("sausat_outbox_events_relayed", "Outbox events confirmed by RabbitMQ",
                         registry=REGISTRY)
RELAY_SECONDS = Histogram("sausat_outbox_relay_latency_seconds",
                          "From an event's occurred_at to RabbitMQ's confirm of it",
                          buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60),
                          registry=REGISTRY)
OUTBOX_BACKLOG = Gauge("sausat_outbox_backlog", "Outbox documents still holding events, "
                       "after the relay's last pass", registry=REGISTRY)
RPC_SECONDS = Histogram("sausat_rpc_seconds", "RPC calls from the gateway, until the reply",
                        ["service", "method", "outcome"], registry=REGISTRY)
HTTP_RESPONSES = Counter("sausat_http_responses", "HTTP answers of the gateway",
                         ["method", "route", "status"], registry=REGISTRY)
HTTP_SECONDS = Histogram("sausat_http_seconds", "Time the gateway took to answer",
                         ["method", "route"], registry=REGISTRY)


def exposition():
    return generate_latest(REGISTRY)


@contextlib.contextmanager
def timed(histogram, *labels):
    started = time.perf_counter()
    try:
        yield
    finally:
        histogram.labels(*labels).observe(time.perf_counter() - started)


def observe_relayed(envelopes, now=None):
    """The relay confirmed ``envelopes``: count them and how long each waited since it
    occurred (read from the envelope: no store round trip)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    for envelope in envelopes:
        EVENTS_RELAYED.inc()
        try:
            occurred = dt.datetime.fromisoformat(envelope["occurred_at"])
        except (KeyError, TypeError, ValueError):
            continue
        RELAY_SECONDS.observe(max(0.0, (now - occurred).total_seconds()))


_GAUGES = {}


def _gauge(name, help_text, label):
    """One gauge per name in the process, however many times a service class is defined."""
    if name not in _GAUGES:
        _GAUGES[name] = Gauge(name, help_text, [label] if label else [], registry=REGISTRY)
    return _GAUGES[name]


class Gauges(DependencyProvider):
    """Gauges a service computes from its own data, refreshed every ``interval`` seconds in a
    managed thread. ``compute(db)`` returns ``{(metric name, label value or None): value}``;
    ``gauges`` names each metric with its help and label (or None). Example::

        case_metrics = Gauges(case_figures, {"sausat_cases": ("Cases by state", "state")})
    """

    def __init__(self, compute, gauges, interval=30.0):
        self.compute = compute
        self.interval = interval
        self.gauges = {name: _gauge(name, help_text, label)
                       for name, (help_text, label) in gauges.items()}

    def start(self):
        self.container.spawn_managed_thread(self._refresh_forever, identifier="gauges")

    def _refresh_forever(self):
        from shared.store import Store
        store = next(dep for dep in self.container.dependencies if isinstance(dep, Store))
        while True:
            try:
                for (name, label), value in self.compute(store.db).items():
                    gauge = self.gauges[name]
                    (gauge.labels(label) if label is not None else gauge).set(value)
            except Exception:  # the store busy: the next refresh catches up
                _log.exception("refreshing gauges failed; again in %.0f s", self.interval)
            eventlet.sleep(self.interval)
