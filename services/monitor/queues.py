"""Queue figures from RabbitMQ's management API (lagging a few seconds): per queue of ours its
depth, ready and unacknowledged messages, consumers, publish and deliver rates, and the age of
its oldest message (see ``alerts.oldest_age``). And the wait queues of retry delays no longer
configured (``EVENT_RETRY_DELAYS`` changed), removed over AMQP once empty."""
import re
import time
from urllib.parse import quote, unquote, urlsplit

import requests
from kombu import Connection
from prometheus_client import Gauge

from services.monitor import alerts as alert_rules
from shared import broker_uri, topology
from shared.errors import Conflict, NotFound, Unavailable
from shared.metrics import REGISTRY
from shared.topology import SUBSCRIPTIONS

OUR_QUEUE_PREFIXES = tuple(sorted({f"{sub.service}." for sub in SUBSCRIPTIONS}))
QUEUE_COLUMNS = ("name,messages,messages_ready,messages_unacknowledged,consumers,"
                 "head_message_timestamp,message_stats.publish_details.rate,"
                 "message_stats.deliver_get_details.rate")
WAIT_QUEUE = re.compile(r"^(?P<queue>.+)\.retry-(?P<ms>\d+)ms$")
# the figures of each alert round, for Prometheus (its rules alert on them as the monitor does);
# kind: consumer, wait (a retry delay's queue) or dead (dead letters)
QUEUE_MESSAGES = Gauge("sausat_queue_messages", "Messages in one of our queues, as RabbitMQ's "
                       "management API last told the monitor", ["queue", "kind"],
                       registry=REGISTRY)
QUEUE_CONSUMERS = Gauge("sausat_queue_consumers", "Consumers of one of our queues",
                        ["queue", "kind"], registry=REGISTRY)
QUEUE_OLDEST = Gauge("sausat_queue_oldest_message_seconds", "Age of a queue's oldest message "
                     "(0: empty)", ["queue", "kind"], registry=REGISTRY)


def management_request(base_uri, path, timeout=5, method="GET"):
    """``path`` of the management API, from the first node of ``base_uri`` that answers (a
    cluster's nodes separated by ``;``, each answering for the whole cluster)."""
    problems = []
    for node in broker_uri.alternates(base_uri):
        parts = urlsplit(node)
        url = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}{path}"
        try:
            response = requests.request(method, url, timeout=timeout, auth=(
                unquote(parts.username or "guest"), unquote(parts.password or "guest")))
        except requests.RequestException as error:
            problems.append(f"{parts.hostname}:{parts.port or 15672}: {error}")
            continue
        if response.status_code >= 500:  # a node paused in a minority answers 503
            problems.append(f"{parts.hostname}:{parts.port or 15672}: {response.status_code}")
            continue
        try:
            response.raise_for_status()
        except requests.RequestException as error:
            raise Unavailable(f"RabbitMQ management API refused: {error}") from None
        return response.json() if response.content else None
    raise Unavailable(f"RabbitMQ management API did not answer: {'; '.join(problems)}")


def _rate(queue, key):
    return float(((queue.get("message_stats") or {}).get(key) or {}).get("rate") or 0.0)


def queue_figures(config, nonempty_since):
    """Our queues, by name. ``nonempty_since`` ({queue: epoch seconds first seen non-empty})
    is kept up to date: quorum queues report no head message timestamp."""
    vhost = quote(broker_uri.vhost(config["AMQP_URI"]), safe="")
    queues = management_request(config["RABBIT_MANAGEMENT_URI"],
                                f"/api/queues/{vhost}?columns={QUEUE_COLUMNS}")
    now = time.time()
    result = []
    for q in sorted(queues, key=lambda q: q["name"]):
        if not q["name"].startswith(OUR_QUEUE_PREFIXES):
            continue
        messages = q.get("messages", 0) or 0
        if messages:
            nonempty_since.setdefault(q["name"], now)
        else:
            nonempty_since.pop(q["name"], None)
        age = alert_rules.oldest_age(q["name"], q, now, nonempty_since)
        result.append({
            "queue": q["name"], "kind": alert_rules.queue_kind(q["name"]),
            "messages": messages, "ready": q.get("messages_ready", 0) or 0,
            "unacknowledged": q.get("messages_unacknowledged", 0) or 0,
            "consumers": q.get("consumers", 0) or 0,
            "dead_letters": q["name"].endswith(".dead"),
            "publish_rate": _rate(q, "publish_details"),
            "deliver_rate": _rate(q, "deliver_get_details"),
            "oldest_message_seconds": None if age is None else round(age, 1)})
    return result


def export_figures(queues):
    """Put one round's figures in the gauges; a queue gone is dropped from them."""
    for gauge in (QUEUE_MESSAGES, QUEUE_CONSUMERS, QUEUE_OLDEST):
        gauge.clear()
    for queue in queues:
        labels = (queue["queue"], queue["kind"])
        QUEUE_MESSAGES.labels(*labels).set(queue["messages"])
        QUEUE_CONSUMERS.labels(*labels).set(queue["consumers"])
        QUEUE_OLDEST.labels(*labels).set(queue["oldest_message_seconds"] or 0)


def stale_wait_queues(config, nonempty_since):
    """Wait queues of retry delays no longer configured: what they hold still returns to
    its queue after its delay; an empty one can be removed."""
    wanted = {topology.retry_queue_name(sub, delay) for sub in SUBSCRIPTIONS
              for delay in config["EVENT_RETRY_DELAYS"]}
    consumers = {sub.queue_name for sub in SUBSCRIPTIONS}
    stale = []
    for queue in queue_figures(config, nonempty_since):
        match = WAIT_QUEUE.match(queue["queue"])
        if match and match["queue"] in consumers and queue["queue"] not in wanted:
            stale.append({"queue": queue["queue"], "delay_ms": int(match["ms"]),
                          "messages": queue["messages"]})
    return {"configured_delays": config["EVENT_RETRY_DELAYS"], "stale": stale}


def remove_wait_queues(config, nonempty_since, queues):
    """Delete stale wait queues, only if empty (a message waiting there is not lost)."""
    stale = {q["queue"] for q in stale_wait_queues(config, nonempty_since)["stale"]}
    unknown = [q for q in queues if q not in stale]
    if unknown:
        raise NotFound("not a stale wait queue", {"queues": unknown})
    removed, kept = [], []
    with Connection(config["AMQP_URI"]) as connection:
        for queue in queues:
            channel = connection.channel()
            try:
                if channel.queue_declare(queue, passive=True).message_count:
                    kept.append(queue)
                    continue
                channel.queue_delete(queue, if_empty=True)
                removed.append(queue)
            finally:
                try:
                    channel.close()
                except Exception:  # the broker closed it on a refusal already
                    pass
    if kept and not removed:
        raise Conflict("messages still wait there; they return to their queue after "
                       "the delay, then remove it", {"queues": kept})
    return {"removed": removed, "kept_not_empty": kept}
