"""When operators are alerted: plain rules over what the monitor observed.

:func:`evaluate` takes the queues (RabbitMQ's management API, with the age of each queue's
oldest message), every service's health report and the thresholds from config, and returns the
alerts that hold now, keyed ``<kind>:<subject>``. The monitor compares them with the alerts it
holds: a new key is raised (``alert_raised``), a key gone is cleared (``alert_cleared``).
Details carry figures and thresholds only. Example::

    evaluate([{"queue": "visits.unit_registered", "consumers": 0, "messages": 3, ...}],
             {"visits": {"status": "ok", "outbox_pending": 0}}, THRESHOLDS)
    # {"no_consumer:visits.unit_registered": {"kind": "no_consumer", ...}}
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """The ``ALERT_*`` settings: the monitor judges by them, and Prometheus's rules are
    written from them (tooling/prometheus_config.py)."""

    queue_depth: int = 1000
    oldest_message_seconds: float = 300.0
    outbox_backlog: int = 100
    hold_seconds: float = 20.0
    mail_failures: int = 1
    deadline_unescalated_seconds: float = 600.0

    @classmethod
    def from_settings(cls, config):
        return cls(config["ALERT_QUEUE_DEPTH"], config["ALERT_OLDEST_MESSAGE_SECONDS"],
                   config["ALERT_OUTBOX_BACKLOG"], config["ALERT_HOLD_SECONDS"],
                   config["ALERT_MAIL_FAILURES"], config["ALERT_DEADLINE_UNESCALATED_SECONDS"])


def queue_kind(name):
    """``consumer``, ``wait`` (a retry delay's queue) or ``dead`` (dead letters)."""
    if name.endswith(".dead"):
        return "dead"
    if ".retry-" in name:
        return "wait"
    return "consumer"


def evaluate(queues, health, thresholds):
    alerts = {}

    def alert(kind, subject, detail):
        alerts[f"{kind}:{subject}"] = {"kind": kind, "subject": subject, "detail": detail}

    for queue in queues:
        name, kind = queue["queue"], queue_kind(queue["queue"])
        messages = queue.get("messages", queue.get("ready", 0) + queue.get("unacknowledged", 0))
        if kind == "dead":
            if messages > 0:
                alert("dead_letters", name, f"{messages} dead letter(s) waiting for an operator")
            continue
        if kind == "consumer" and queue.get("consumers", 0) == 0:
            alert("no_consumer", name, f"no consumer; {messages} message(s) waiting")
        if messages > thresholds.queue_depth:
            alert("queue_depth", name, f"{messages} messages (threshold "
                                       f"{thresholds.queue_depth})")
        age = queue.get("oldest_message_seconds")
        if kind == "consumer" and age is not None and age > thresholds.oldest_message_seconds:
            alert("oldest_message", name, f"oldest message {age:.0f} s old (threshold "
                                          f"{thresholds.oldest_message_seconds:g} s)")
    for service, report in health.items():
        status = report.get("status")
        if status != "ok":
            alert("service_unhealthy", service, f"health check: {status}"[:500])
        backlog = report.get("outbox_pending", 0) or 0
        if backlog > thresholds.outbox_backlog:
            alert("outbox_backlog", service, f"{backlog} events waiting in outboxes (threshold "
                                             f"{thresholds.outbox_backlog})")
    return alerts


def changes(active, now_holding):
    """``(to_raise, to_clear)``: keys newly holding, keys no longer holding."""
    return (sorted(set(now_holding) - set(active)), sorted(set(active) - set(now_holding)))


def due(holding, held_since, now, hold_seconds):
    """The alerts of ``holding`` that have held for ``hold_seconds`` at least: RabbitMQ's
    figures lag by seconds (a consumer that just started still shows none), so a finding must
    last before anyone is alerted. ``held_since`` ({key: first seen}) is kept up to date."""
    for key in list(held_since):
        if key not in holding:
            del held_since[key]
    for key in holding:
        held_since.setdefault(key, now)
    return {key: alert for key, alert in holding.items()
            if now - held_since[key] >= hold_seconds}


def oldest_age(name, queue, now_epoch, nonempty_since):
    """Seconds the queue's oldest message has waited: from the head message's timestamp when
    RabbitMQ reports one (classic queues), else since the monitor first saw the queue
    non-empty (quorum queues do not report it): an upper bound, good enough to alert on."""
    if not queue.get("messages"):
        return None
    stamp = queue.get("head_message_timestamp")
    if stamp:
        return max(0.0, now_epoch - stamp)
    since = nonempty_since.get(name)
    return None if since is None else max(0.0, now_epoch - since)
