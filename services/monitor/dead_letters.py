"""Dead letters: read, replay and discard what failed for good, losing nothing on the way.

Reading takes each message with ``basic_get`` (unacknowledged) and closes the channel, so
RabbitMQ puts them all back: a listing changes nothing. A replay re-publishes the chosen
message, with publisher confirms, to the queue it failed on (fresh attempt count, the replay
noted in its headers), and only then acknowledges it on the dead-letter queue. A crash between
the two leaves it in both places: at worst the consumer sees it twice, and consumers are
idempotent by event id. A discard acknowledges it after the monitor recorded it. Example::

    letters = peek(amqp_uri, "escalations.concern_raised.dead", limit=50)
    take(amqp_uri, "escalations.concern_raised.dead", {letters[0]["letter_id"]}, replay_one)
    replay(db, {"queue": None, "letter_ids": [letter_id], "reason": "fixed"}, by, config)
"""
import datetime as dt
import hashlib
import json
from logging import getLogger

from kombu import Connection

from services.monitor import store
from shared import topology
from shared.errors import NotFound
from shared.messaging import (
    ATTEMPT_HEADER,
    DEFAULT_EXCHANGE,
    ERROR_HEADER,
    FAILED_AT_HEADER,
    QUEUE_HEADER,
    TRACEBACK_HEADER,
    ConfirmedPublisher,
)

_log = getLogger(__name__)

MAX_TAKEN = 10000  # messages one replay or discard goes through
REPLAYED_BY_HEADER = "x-sausat-replayed-by"
REPLAYED_AT_HEADER = "x-sausat-replayed-at"


def dead_letter_queues():
    return [topology.dead_letter_queue_name(sub) for sub in topology.SUBSCRIPTIONS]


def consumer_queues():
    return {sub.queue_name for sub in topology.SUBSCRIPTIONS}


def letter_id(queue, message):
    headers = headers_of(message)
    digest = hashlib.sha256()
    for part in (queue, str(headers.get(FAILED_AT_HEADER, "")),
                 str(headers.get(ATTEMPT_HEADER, "")), str(message.properties.get("timestamp"))):
        digest.update(part.encode() + b"\0")
    digest.update(message.body if isinstance(message.body, bytes) else str(message.body).encode())
    return digest.hexdigest()[:24]


def headers_of(message):
    return dict(message.properties.get("application_headers") or {})


def describe(queue, message, with_traceback=False):
    """What an operator sees of a dead letter: the event's metadata (never its payload), the
    error, the attempts, when, and where it failed."""
    headers = headers_of(message)
    try:
        body = json.loads(message.body)
        if not isinstance(body, dict):
            raise ValueError("not an object")
        decodable = True
    except (ValueError, TypeError, UnicodeDecodeError):
        body, decodable = {}, False

    def text(name):
        value = body.get(name)
        return value if isinstance(value, str) else None

    letter = {
        "letter_id": letter_id(queue, message),
        "queue": queue,
        "failed_on": failed_on(queue, headers),
        "event_id": text("event_id"),
        "event_type": text("event_type"),
        "source": text("source"),
        "occurred_at": text("occurred_at"),
        "actor": text("actor"),
        "correlation_id": text("correlation_id"),
        "decodable": decodable,
        "error": str(headers.get(ERROR_HEADER) or _rabbitmq_reason(headers) or "")[:2000],
        "attempts": _int(headers.get(ATTEMPT_HEADER)),
        "failed_at": str(headers.get(FAILED_AT_HEADER) or "") or None,
        "replayed_before": str(headers.get(REPLAYED_AT_HEADER) or "") or None,
    }
    if with_traceback:
        letter["traceback"] = str(headers.get(TRACEBACK_HEADER) or "")
    return letter


def failed_on(queue, headers):
    """The consumer queue a dead letter came from: our header, else the dead queue's name."""
    named = headers.get(QUEUE_HEADER)
    if isinstance(named, bytes):
        named = named.decode(errors="replace")
    return named if named in consumer_queues() else queue[:-len(".dead")]


def _rabbitmq_reason(headers):
    deaths = headers.get("x-death") or []
    if deaths and isinstance(deaths[0], dict):
        return f"dead-lettered by RabbitMQ: {deaths[0].get('reason')}"
    return None


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def peek(amqp_uri, queue, limit, with_traceback=False):
    """Up to ``limit`` dead letters of ``queue``, oldest first, all left in place."""
    letters = []
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        try:
            while len(letters) < limit:
                message = channel.basic_get(queue, no_ack=False)
                if message is None:
                    break
                letters.append(describe(queue, message, with_traceback))
        finally:
            channel.close()  # everything taken goes back, in order
    return letters


def take(amqp_uri, queue, chosen, act):
    """Go through ``queue``; for each message whose letter id is in ``chosen`` (None: every
    one) call ``act(letter, message)`` and acknowledge it once ``act`` returned. Returns the
    letters acted on; what was not chosen (or whose ``act`` raised) goes back."""
    done = []
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        try:
            for _ in range(MAX_TAKEN):
                message = channel.basic_get(queue, no_ack=False)
                if message is None:
                    break
                letter = describe(queue, message, with_traceback=True)
                if chosen is not None and letter["letter_id"] not in chosen:
                    continue
                act(letter, message)
                channel.basic_ack(message.delivery_tag)
                done.append(letter)
                if chosen is not None and len(done) == len(chosen):
                    break
        finally:
            channel.close()
    return done


def replay_headers(message, by, at):
    """The headers a replayed message carries: a fresh attempt count and error, the replay
    noted."""
    headers = headers_of(message)
    for name in (ATTEMPT_HEADER, ERROR_HEADER, TRACEBACK_HEADER, FAILED_AT_HEADER, "x-death",
                 "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason"):
        headers.pop(name, None)
    headers[REPLAYED_BY_HEADER] = by or "system"
    headers[REPLAYED_AT_HEADER] = at
    return headers


# --- what operators do: list, look at, replay and discard -----------------------------------

def dead_queues(queue):
    """Every dead-letter queue, or only ``queue`` (NotFound when it is none of them)."""
    known = dead_letter_queues()
    if queue is None:
        return known
    if queue not in known:
        raise NotFound("no such dead-letter queue", {"queue": [queue]})
    return [queue]


def depth(amqp_uri, queue):
    with Connection(amqp_uri) as connection:
        return connection.default_channel.queue_declare(queue, passive=True).message_count


def listing(amqp_uri, queue, limit):
    """Each dead-letter queue (or ``queue``) with its depth and up to ``limit`` letters,
    oldest first."""
    result = []
    for name in dead_queues(queue):
        letters = peek(amqp_uri, name, limit)
        result.append({"queue": name, "failed_on": name[:-len(".dead")],
                       "depth": depth(amqp_uri, name), "letters": letters})
    return {"queues": result}


def find_letter(amqp_uri, letter_id):
    """One dead letter with its traceback, or NotFound."""
    for queue in dead_queues(None):
        if not depth(amqp_uri, queue):
            continue
        for letter in peek(amqp_uri, queue, MAX_TAKEN, with_traceback=True):
            if letter["letter_id"] == letter_id:
                return letter
    raise NotFound("no such dead letter (replayed or discarded already?)",
                   {"letter_id": [letter_id]})


def replay(db, selection, by, config):
    """Re-publish the chosen dead letters to the queues they failed on (confirmed), then
    remove them from the dead-letter queue; each replay recorded."""
    publisher = ConfirmedPublisher(config["AMQP_URI"])

    def replay_one(letter, message):
        at = dt.datetime.now(dt.timezone.utc)
        publisher.publish_raw(
            message.body, exchange=DEFAULT_EXCHANGE, routing_key=letter["failed_on"],
            content_type=message.properties.get("content_type"),
            content_encoding=message.properties.get("content_encoding"),
            headers=replay_headers(message, by, at.isoformat()))
        store.record_action(db, "replayed", letter, by, at, selection["reason"])

    return act_on(selection, replay_one, config["AMQP_URI"])


def discard(db, selection, by, config):
    """Remove the chosen dead letters for good, each discard recorded with its reason."""

    def discard_one(letter, message):
        store.record_action(db, "discarded", letter, by, dt.datetime.now(dt.timezone.utc),
                            selection["reason"])

    return act_on(selection, discard_one, config["AMQP_URI"])


def act_on(selection, act, amqp_uri):
    """``act`` on each chosen letter (every one when ``letter_ids`` is empty) of the chosen
    queue (every dead-letter queue when None); what was done and the ids not found."""
    chosen = set(selection["letter_ids"]) if selection["letter_ids"] else None
    done = []
    for queue in dead_queues(selection["queue"]):
        if chosen is not None and not (chosen - {d["letter_id"] for d in done}):
            break
        if not depth(amqp_uri, queue):
            continue
        wanted = None if chosen is None else chosen - {d["letter_id"] for d in done}
        done += take(amqp_uri, queue, wanted, act)
    missing = sorted((chosen or set()) - {d["letter_id"] for d in done})
    if chosen is not None and not done:
        raise NotFound("no such dead letter (replayed or discarded already?)",
                       {"letter_ids": missing})
    return {"done": [{k: letter[k] for k in ("letter_id", "queue", "failed_on", "event_id",
                                              "event_type")} for letter in done],
            "not_found": missing}
