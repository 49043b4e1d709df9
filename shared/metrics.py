"""Prometheus metrics, counted where the shared mechanisms already stand.

The promise: every process's metrics are in this module's registry and served as Prometheus
text on its operations port (``shared.operations_port``); the consumer counts each event
handled and failed per handler with its latency, the outbox relay counts what it published with
the time from the event to its confirm and the backlog left, the gateway times every RPC per
service and method and counts HTTP answers per route and status. A service adds gauges of
its own with :class:`shared.gauges.Gauges`, refreshed in the background so a scrape costs no
query. Example::

    from shared import metrics
    with metrics.timed(metrics.HANDLER_SECONDS, queue, handler):
        ...
    text = metrics.exposition()          # what GET /metrics answers
"""
import contextlib
import datetime as dt
import time
from logging import getLogger

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


def announce_handler(queue, handler):
    """Every count of a handler at 0 from its start, so a query over dead letters or retries
    has an answer before the first one."""
    EVENTS_HANDLED.labels(queue, handler)
    for outcome in ("retried", "dead_lettered", "unparseable"):
        EVENTS_FAILED.labels(queue, handler, outcome)


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


