"""``subscribe``: an event handler that never loses a message and never applies one twice.

Example::

    @subscribe("concern_raised")
    def route_concern(self, event):       # event: shared.contracts.Event
        ...

The name refers to a subscription in ``shared.topology.SUBSCRIPTIONS`` for this service, which
gives the queue. For each message:

- a body over ``MAX_EVENT_BYTES`` is not even decoded, and one that cannot be decoded (not
  JSON, not UTF-8, a content type other than JSON such as pickle or msgpack) goes straight to
  ``<queue>.dead`` with the reason in its headers;
- it is loaded through its contract; one that does not load goes straight to ``<queue>.dead``;
- it must have been published by the broker user of its ``source`` service (RabbitMQ vouches
  for ``user_id``); a retry or dead letter re-published by this service, or a replay by the
  monitor, counts by the ``x-sausat-published-by`` header they keep. Any other goes straight to
  ``<queue>.dead`` naming who published it;
- an event id this subscription already handled is acknowledged without running the handler
  (the handler's own effects must still be keyed so a crash between effect and record is safe);
- a handler that raises is re-published to the wait queue of its next retry delay
  (``EVENT_RETRY_DELAYS``), and after the last one to ``<queue>.dead`` with the error, the
  traceback and the attempt count in its headers. Only then is the original acknowledged; if
  re-publishing fails the original is requeued instead.

A subscription that declares ``batch`` (``shared.topology.Batching``) is checked the same way,
in the consumer's own green thread, then applied with the deliveries that arrive with it: one
store transaction and one acknowledgement per batch (``shared.batches``).

TESTS ONLY: when the configuration names a ``TEST_FAIL_HANDLERS_FILE`` (empty by default) and
that file exists, every subscription whose queue name (or ``*``) is a line of it fails each
message as its handler would (``HandlerFailureInjected``), before the handler runs; deleting
the file ends the failure. The fault runs (``python -m tooling.faults handler-failing``) use it.
"""
import datetime as dt
import pathlib
import time
import traceback
from functools import partial
from logging import getLogger

import eventlet
from nameko.containers import WorkerContext
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import Consumer, QueueConsumer

from shared import callers, correlation, metrics, topology
from shared.batches import Batches
from shared.config import settings
from shared.contracts import MAX_EVENT_BYTES, parse_event
from shared.errors import InvalidEvent
from shared.messaging import (
    ATTEMPT_HEADER,
    DEFAULT_EXCHANGE,
    ERROR_HEADER,
    FAILED_AT_HEADER,
    PUBLISHED_BY_HEADER,
    QUEUE_HEADER,
    TRACEBACK_HEADER,
    ConfirmedPublisher,
)
from shared.settling import SettlingQuietly, queue_of, settle_quietly
from shared.store import Store

_log = getLogger(__name__)


class HandlerFailureInjected(RuntimeError):
    """Raised instead of running a handler while TEST_FAIL_HANDLERS_FILE names its queue."""


def failure_injected(flag_file, queue_name):
    """True while ``flag_file`` (tests only; None in production) names ``queue_name``."""
    if not flag_file:
        return False
    try:
        names = pathlib.Path(flag_file).read_text().split()
    except FileNotFoundError:
        return False
    return "*" in names or queue_name in names


class DeadLetteringQueueConsumer(SettlingQuietly, QueueConsumer):
    """nameko's shared consumer, except that a body that cannot be decoded, or is too large to
    try, is dead-lettered by the subscriber it was meant for, instead of kombu's default: log
    and ack (or decode whatever size arrives)."""

    _channel = None  # the channel deliveries now arrive on (a new one after a reconnection)
    _unsettled = frozenset()  # its delivery tags neither acknowledged nor requeued yet

    @property
    def prefetch_count(self):
        # room for a whole batch waiting while the one before is applied (shared/batches.py)
        sizes = [provider.subscription.batch.size for provider in self._providers
                 if getattr(provider, "batches", None) is not None]
        return max([self.container.max_workers, *(2 * size for size in sizes)])

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        self._channel, self._unsettled = channel, set()
        for provider, consumer in self._consumers.items():
            # kombu hands the raw message to ``on_message`` instead of decoding it first
            consumer.on_message = partial(self._on_raw_message, provider)
        return consumers

    def handle_message(self, provider, body, message):
        if getattr(provider, "batches", None) is not None:
            # checked and queued here, in delivery order, without a green thread each
            provider.handle_message(body, message)
        else:
            super().handle_message(provider, body, message)

    def ack_message(self, message):
        self._settled([message])
        super().ack_message(message)

    def requeue_message(self, message):
        self._settled([message])
        super().requeue_message(message)

    def ack_all(self, messages):
        """Acknowledge ``messages``: with one ``basic.ack`` (``multiple``) when every delivery
        of the channel up to the last of them is one of them, else one by one."""
        ours = [m for m in messages if m.channel is self._channel and m.channel.connection]
        tags = {message.delivery_tag for message in ours}
        if len(ours) > 1 and len(tags) == len(ours):
            last = max(ours, key=lambda message: message.delivery_tag)
            if all(tag in tags for tag in self._unsettled if tag <= last.delivery_tag):
                self._settled(ours)
                # the connection gone: the broker delivers them again (shared/settling.py)
                settle_quietly(lambda: last.ack(multiple=True), "ack (multiple)", queue_of(last))
                messages = [m for m in messages if m not in ours]
        for message in messages:
            self.ack_message(message)

    def _settled(self, messages):
        for message in messages:
            if message.channel is self._channel:
                self._unsettled.discard(message.delivery_tag)

    def _on_raw_message(self, provider, message):
        if message.channel is self._channel:
            self._unsettled.add(message.delivery_tag)
        size = self._size(message.body)
        if size > MAX_EVENT_BYTES:
            provider.park_undecodable(message, f"{size} bytes is over the limit of "
                                               f"{MAX_EVENT_BYTES} bytes; not decoded")
            return
        try:
            body = message.decode()
        except Exception as exc:  # anything the decoder raises: the body is not ours to read
            provider.park_undecodable(message, f"{type(exc).__name__}: {exc}")
            return
        self.handle_message(provider, body, message)

    @staticmethod
    def _size(body):
        """Bytes on the wire; py-amqp may hand over a body it decoded (its content encoding)."""
        if isinstance(body, str) and len(body) <= MAX_EVENT_BYTES:  # chars never outnumber bytes
            return len(body.encode("utf-8", "surrogatepass"))
        return len(body or b"")

    def on_decode_error(self, message, exc):
        tag = message.delivery_info.get("consumer_tag")
        for provider, consumer in list(self._consumers.items()):
            if tag in consumer._active_tags.values():
                provider.park_undecodable(message, exc)
                return
        _log.error("undecodable message from unknown consumer %s; requeueing", tag)
        self.requeue_message(message)


class EventSubscriber(Consumer):
    queue_consumer = DeadLetteringQueueConsumer()

    def __init__(self, subscription_name, **kwargs):
        self.subscription_name = subscription_name
        super().__init__(queue=None, requeue_on_error=False, **kwargs)

    def setup(self):
        self.subscription = topology.subscription(self.container.service_name,
                                                  self.subscription_name)
        self.queue = topology.consumer_queue(self.subscription)
        config = settings(self.container.config)
        self.retry_delays = config["EVENT_RETRY_DELAYS"]
        self.retry_grace = dt.timedelta(seconds=config["EVENT_RETRY_GRACE_SECONDS"])
        self.fail_flag_file = config["TEST_FAIL_HANDLERS_FILE"] or None
        self.publisher = ConfirmedPublisher(config["AMQP_URI"])
        self.user_suffix = config["BROKER_USER_SUFFIX"] or ""
        # who may re-publish an event they did not write: this service, the monitor's replays
        self.republishers = {callers.broker_user(config["AMQP_URI"]),
                             callers.service_user("monitor", self.user_suffix)}
        stores = [dep for dep in self.container.dependencies if isinstance(dep, Store)]
        if len(stores) != 1:
            raise TypeError(f"{self.container.service_name} needs exactly one Store to "
                            f"remember handled events, found {len(stores)}")
        self.store = stores[0]
        batching = self.subscription.batch
        self.batches = Batches(self, batching) if batching else None
        self._watching = False
        super().setup()
        metrics.announce_handler(self.queue_name, self.method_name)

    def start(self):
        super().start()
        self._watching = True
        self.container.spawn_managed_thread(self._watch_retries,
                                            identifier=f"{self.queue_name}.retries")
        if self.batches is not None:
            self.container.spawn_managed_thread(self.batches.apply_forever,
                                                identifier=f"{self.queue_name}.batches")

    def stop(self):
        self._watching = False
        if self.batches is not None:
            self.batches.finish()
        super().stop()

    def _watch_retries(self):
        """Re-publish, straight onto the queue, each retry the broker has not brought back
        within its delay plus the grace (shared/retries.py)."""
        interval = max(0.1, min(self.retry_grace.total_seconds(), 5.0))
        while self._watching:
            eventlet.sleep(interval)
            try:
                now = dt.datetime.now(dt.timezone.utc)
                for retry in self.store.overdue_retries(self.queue_name, now):
                    _log.warning("%s: the retry of %s did not come back; re-publishing it",
                                 self.queue_name, retry["event_id"])
                    self.publisher.publish_raw(
                        retry["body"].encode("utf-8"), exchange=DEFAULT_EXCHANGE,
                        routing_key=self.queue_name, content_type=retry["content_type"],
                        content_encoding=retry["content_encoding"], headers=retry["headers"])
                    self.store.retry_postponed(retry, now + self.retry_grace)
            except Exception:  # the broker or the store away: the next round tries again
                _log.warning("%s: retries not checked this round", self.queue_name,
                             exc_info=True)

    @property
    def queue_name(self):
        return self.subscription.queue_name

    def handle_message(self, body, message):
        try:
            event = parse_event(body)
            if not self.subscription.wants(event.event_type):
                raise InvalidEvent(f"{event.event_type.routing_key} is not part of "
                                   f"subscription {self.queue_name}")
            source_user = callers.service_user(event.event_type.source, self.user_suffix)
            publisher = self.first_publisher(message, source_user)
            if publisher != source_user:
                raise InvalidEvent(f"{event.event_type.routing_key} was published by broker "
                                   f"user {publisher!r}, not by {source_user!r}, its source")
        except InvalidEvent as error:
            _log.error("dead-lettering unparseable message on %s: %s", self.queue_name, error)
            metrics.EVENTS_FAILED.labels(self.queue_name, self.method_name, "unparseable").inc()
            self._settle_failure(message, error, "", final=True)
            return
        injected = failure_injected(self.fail_flag_file, self.queue_name)
        if self.batches is not None and not injected:
            self.batches.add(event, message)
            return
        self.run_alone(event, message, injected, spawn=True)

    def run_alone(self, event, message, injected=False, spawn=False):
        """One event on its own: skipped if handled already, else its handler in a worker
        (``spawn``: a new green thread; else this one, as a batch's fallback does)."""
        if self.store.already_handled(self.queue_name, event.event_id):
            _log.info("%s already handled %s; acknowledging", self.queue_name, event.event_id)
            self.store.retry_settled(self.queue_name, event.event_id)
            self.queue_consumer.ack_message(message)
            return
        if injected:
            self._settle_failure(message, HandlerFailureInjected(
                f"TEST_FAIL_HANDLERS_FILE names {self.queue_name}"), "", final=False,
                event_id=event.event_id)
            return
        handle_result = partial(self.handle_event_result, message, event, time.perf_counter())
        try:
            if spawn:
                self.container.spawn_worker(self, (event,), {},
                                            context_data=correlation.caused_by(event),
                                            handle_result=handle_result)
            else:
                self.run_worker(event, handle_result)
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def run_worker(self, event, handle_result):
        """The handler as a nameko worker in *this* green thread: a batch's store transaction
        belongs to the thread that opened it (nameko's own ``_run_worker``, unspawned)."""
        if self.container._being_killed:
            raise ContainerBeingKilled()
        worker_ctx = WorkerContext(self.container, self.container.service_cls(), self,
                                   args=(event,), kwargs={},
                                   data=correlation.caused_by(event))
        self.container._run_worker(worker_ctx, handle_result)

    def first_publisher(self, message, source_user=None):
        """The broker user that first published ``message``: its ``user_id``, or for a copy
        this service or the monitor re-published, the header they kept."""
        user = message.properties.get("user_id")
        if user != source_user and user in self.republishers:
            return (message.headers or {}).get(PUBLISHED_BY_HEADER)
        return user

    def park_undecodable(self, message, exc):
        _log.error("dead-lettering undecodable message on %s: %s", self.queue_name, exc)
        metrics.EVENTS_FAILED.labels(self.queue_name, self.method_name, "unparseable").inc()
        self._settle_failure(message, InvalidEvent(f"body cannot be decoded: {exc}"), "",
                             final=True)

    def handle_event_result(self, message, event, started, worker_ctx, result=None,
                            exc_info=None):
        metrics.HANDLER_SECONDS.labels(self.queue_name, self.method_name).observe(
            time.perf_counter() - started)
        if exc_info is None:
            metrics.EVENTS_HANDLED.labels(self.queue_name, self.method_name).inc()
            self.store.mark_handled(self.queue_name, event.event_id)
            self.store.retry_settled(self.queue_name, event.event_id)
            self.queue_consumer.ack_message(message)
        else:
            self.handler_failed(event, message, exc_info)
        return result, exc_info

    def handler_failed(self, event, message, exc_info):
        """Retry ``event`` later, or dead-letter it after its last retry."""
        trace = "".join(traceback.format_exception(*exc_info))
        self._settle_failure(message, exc_info[1], trace, final=False, event_id=event.event_id)

    def _settle_failure(self, message, error, trace, final, event_id=None):
        try:
            attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 0)) + 1
        except (TypeError, ValueError):  # not ours to trust: count from here
            attempt = 1
        headers = {
            **(message.headers or {}),
            ATTEMPT_HEADER: attempt,
            ERROR_HEADER: f"{type(error).__name__}: {error}"[:2000],
            TRACEBACK_HEADER: trace[-4000:],
            QUEUE_HEADER: self.queue_name,
            FAILED_AT_HEADER: dt.datetime.now(dt.timezone.utc).isoformat(),
        }
        # always overwritten: a header the publisher wrote itself must not survive a replay
        headers[PUBLISHED_BY_HEADER] = self.first_publisher(message) or ""
        try:
            if not final and attempt <= len(self.retry_delays):
                metrics.EVENTS_FAILED.labels(self.queue_name, self.method_name, "retried").inc()
                delay = self.retry_delays[attempt - 1]
                _log.warning("%s failed (attempt %d), retrying in %s s: %s",
                             self.queue_name, attempt, delay, headers[ERROR_HEADER])
                self.publisher.to_queue(
                    message, topology.retry_queue_name(self.subscription, delay), headers)
                if event_id is not None:  # noted before the original is acknowledged
                    self.store.retry_scheduled(
                        self.queue_name, event_id, message, headers,
                        dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=delay)
                        + self.retry_grace)
            else:
                if not final:
                    metrics.EVENTS_FAILED.labels(self.queue_name, self.method_name,
                                                 "dead_lettered").inc()
                _log.error("%s failed for good after %d attempt(s), dead-lettered: %s",
                           self.queue_name, attempt, headers[ERROR_HEADER])
                self.publisher.to_dead_letters(message, self.queue_name, headers)
                if event_id is not None:
                    self.store.retry_settled(self.queue_name, event_id)
        except Exception:
            _log.exception("could not park failed message; requeueing it on %s", self.queue_name)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)


subscribe = EventSubscriber.decorator
