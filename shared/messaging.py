"""Publishing that either reaches a queue or raises: publisher confirms and ``mandatory``.

:class:`ConfirmedPublisher` sends one message and waits for its confirm: a message RabbitMQ cannot
route raises :class:`nameko.amqp.publish.UndeliverableMessage`; one it does not confirm raises
too. Callers keep what they publish until this returns. Example::

    publisher = ConfirmedPublisher(amqp_uri)
    publisher.publish_event(envelope)

:class:`WindowedPublisher` sends many events on one channel with up to ``window`` unconfirmed at
once and reports, per event, whether RabbitMQ confirmed it. An event counts as confirmed only
after the broker's ``basic.ack`` for it, and never if it came back unroutable (``basic.return``)
or was refused (``basic.nack``); a lost connection leaves every unconfirmed event unconfirmed.
Events go out in the order given, on one channel, so the broker sees them in that order::

    publisher = WindowedPublisher(amqp_uri)
    outcome = publisher.publish_events(envelopes)
    outcome.confirmed     # {event_id, ...}: safe to forget
    outcome.failed        # {event_id: reason}: unroutable or refused, keep them
    outcome.error         # what broke the connection mid-batch, or None
"""
import time
from dataclasses import dataclass, field
from logging import getLogger

from amqp import Message
from kombu import Connection, Exchange
from kombu.utils.json import dumps
from nameko.amqp.publish import Publisher

from shared.callers import broker_user
from shared.topology import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE

_log = getLogger(__name__)

DEFAULT_EXCHANGE = Exchange("", type="direct")
PERSISTENT = 2

# headers the retry machinery writes on a message it re-publishes
ATTEMPT_HEADER = "x-sausat-attempt"
ERROR_HEADER = "x-sausat-error"
TRACEBACK_HEADER = "x-sausat-traceback"
QUEUE_HEADER = "x-sausat-queue"
FAILED_AT_HEADER = "x-sausat-failed-at"
# the broker user that first published an event, kept by whoever re-publishes it (the consumer's
# retries and dead letters, the monitor's replays): trusted only from those (shared/consumer.py)
PUBLISHED_BY_HEADER = "x-sausat-published-by"

def published_at():
    """The AMQP ``timestamp`` property (whole seconds) every message carries: RabbitMQ's
    management API reports the head message's, the age of a queue's oldest message."""
    return int(time.time())


EVENT_WINDOW = 100  # unconfirmed events at once: 10x the rate of one at a time, measured
CONFIRM_TIMEOUT_SECONDS = 30.0


class ConfirmedPublisher:
    def __init__(self, amqp_uri):
        self._publisher = Publisher(
            amqp_uri, use_confirms=True, mandatory=True, delivery_mode=PERSISTENT,
            serializer="json", retry=False,
            # RabbitMQ refuses a user_id other than the connection's: receivers can trust it
            user_id=broker_user(amqp_uri),
        )

    def publish_event(self, envelope):
        self._publisher.publish(
            envelope,
            exchange=EVENTS_EXCHANGE,
            routing_key=f"{envelope['source']}.{envelope['event_type']}",
            message_id=envelope["event_id"], timestamp=published_at(),
        )

    def publish_raw(self, body, *, exchange, routing_key, content_type, content_encoding,
                    headers):
        """Re-publish a received message's bytes unchanged, with new headers."""
        self._publisher.publish(
            body, exchange=exchange, routing_key=routing_key, headers=headers,
            timestamp=published_at(),
            content_type=content_type, content_encoding=content_encoding, serializer=None,
        )

    def to_queue(self, message, queue_name, headers):
        self.publish_raw(message.body, exchange=DEFAULT_EXCHANGE, routing_key=queue_name,
                         content_type=message.content_type,
                         content_encoding=message.content_encoding, headers=headers)

    def to_dead_letters(self, message, queue_name, headers):
        self.publish_raw(message.body, exchange=DEAD_LETTER_EXCHANGE, routing_key=queue_name,
                         content_type=message.content_type,
                         content_encoding=message.content_encoding, headers=headers)


@dataclass
class PublishOutcome:
    confirmed: set = field(default_factory=set)
    failed: dict = field(default_factory=dict)  # event_id → why it was not confirmed
    error: Exception = None  # what broke off the batch: the rest are neither


class WindowedPublisher:
    """Events on one reused channel in confirm mode, up to ``window`` awaiting their confirm.

    Not for concurrent use: one relay thread owns one. After any connection or channel error
    the connection is dropped and the next batch opens a new one (the caller backs off)."""

    def __init__(self, amqp_uri, window=EVENT_WINDOW, confirm_timeout=CONFIRM_TIMEOUT_SECONDS):
        self.amqp_uri = amqp_uri
        self.user_id = broker_user(amqp_uri)
        self.window = window
        self.confirm_timeout = confirm_timeout
        self._connection = None
        self._channel = None
        self._awaiting = {}  # delivery tag → event_id, published and not yet confirmed
        self._returned = {}  # event_id → why the broker returned it
        self._outcome = None

    def publish_events(self, envelopes):
        self._outcome = outcome = PublishOutcome()
        try:
            channel = self._open()
            for envelope in envelopes:
                while len(self._awaiting) >= self.window:
                    self._wait_for_confirms(until_below=self.window)
                self._next_tag += 1
                self._awaiting[self._next_tag] = envelope["event_id"]
                channel.basic_publish(
                    self._message(envelope), exchange=EVENTS_EXCHANGE.name,
                    routing_key=f"{envelope['source']}.{envelope['event_type']}",
                    mandatory=True)
            self._wait_for_confirms(until_below=1)
        except Exception as error:  # broker gone, channel closed, confirms overdue
            outcome.error = error
            self.close()
        return outcome

    def close(self):
        connection, self._connection, self._channel = self._connection, None, None
        self._awaiting.clear()
        self._returned.clear()
        if connection is not None:
            try:
                connection.release()
            except Exception:  # already broken: nothing more to release
                _log.debug("closing a broken connection failed", exc_info=True)

    def _open(self):
        if self._channel is None:
            connection = Connection(self.amqp_uri)
            connection.connect()
            channel = connection.channel()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            channel.events["basic_return"].add(self._on_return)
            self._connection, self._channel, self._next_tag = connection, channel, 0
        return self._channel

    def _message(self, envelope):
        return Message(dumps(envelope), content_type="application/json",
                       content_encoding="utf-8", delivery_mode=PERSISTENT,
                       message_id=envelope["event_id"], user_id=self.user_id,
                       # the age of a queue's oldest message, for operators (management API)
                       timestamp=published_at())

    def _wait_for_confirms(self, until_below):
        deadline = time.monotonic() + self.confirm_timeout
        while len(self._awaiting) >= until_below:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(self._awaiting)} events unconfirmed after "
                                   f"{self.confirm_timeout:g} s")
            try:
                self._connection.drain_events(timeout=remaining)
            except TimeoutError:
                continue  # the loop's deadline decides

    def _settled(self, delivery_tag, multiple):
        tags = [t for t in self._awaiting if t <= delivery_tag] if multiple else [delivery_tag]
        return [self._awaiting.pop(t) for t in tags if t in self._awaiting]

    def _on_ack(self, delivery_tag, multiple):
        for event_id in self._settled(delivery_tag, multiple):
            reason = self._returned.pop(event_id, None)
            if reason is None:
                self._outcome.confirmed.add(event_id)
            else:  # RabbitMQ acks a returned message too: it was routed nowhere
                self._outcome.failed[event_id] = reason

    def _on_nack(self, delivery_tag, multiple):
        for event_id in self._settled(delivery_tag, multiple):
            self._returned.pop(event_id, None)
            self._outcome.failed[event_id] = "refused by the broker (basic.nack)"

    def _on_return(self, exc, exchange, routing_key, message):
        event_id = message.properties.get("message_id")
        self._returned[event_id] = f"unroutable: no queue bound to {exchange} {routing_key} " \
                                   f"({exc.reply_code} {exc.reply_text})"
