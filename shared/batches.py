"""Batches of deliveries for a subscription that declares ``batch`` (``shared.topology``): the
events that arrive together are applied in one store transaction and acknowledged together.

Each valid delivery of such a subscription joins a queue (in delivery order); one green thread
per subscription takes the first waiting, waits at most ``Batching.window`` seconds for others
to join it (up to ``Batching.size``; with ``Batching.quiet``, no longer than that after the last
one came), and applies them in order, one batch after the other, so the order of deliveries,
and so of each aggregate's events, is kept:

- events this subscription already handled (a redelivery after a crash between commit and
  ack) are acknowledged with the batch without running (one query for the whole batch);
- the handlers run one after the other as nameko workers *in this green thread* (the store
  transaction belongs to the thread that opened it), inside ``Store.batch()``; the handled ids
  are recorded in the same transaction;
- after the commit, the whole batch is acknowledged: one ``basic.ack`` with ``multiple`` when
  no other delivery below the batch's last is unsettled on the channel, else one by one;
- a handler that raises: the transaction is undone (on MongoDB, where writes stand alone, the
  events handled before it are recorded and acknowledged); its event is retried or
  dead-lettered as any failure (not run again at once), and the others go one by one through
  the subscriber's usual path, in order;
- anything else (the store away): the batch is requeued, after a pause, and redelivered;
- a delivery that found no other to join it goes the subscriber's one-by-one way (its handled
  check, handler, handled record and ack), still in this green thread and in order: a
  transaction of one costs more than the writes alone (issue 27, perf27b).

Example (what ``EventSubscriber`` does)::

    batches = Batches(subscriber, Batching(size=50, window=0.005))
    container.spawn_managed_thread(batches.apply_forever)
    batches.add(event, message)   # for each delivery, in order
"""
import time
from functools import partial
from logging import getLogger

import eventlet
from eventlet.queue import Empty, LightQueue

from shared import metrics

_log = getLogger(__name__)

PAUSE_AFTER_FAILURE = 1.0  # seconds before a batch the store could not take is requeued
STOP_TIMEOUT = 10.0  # seconds a stopping service waits for the batch it is applying


class HandlerFailed(Exception):
    """A handler of the batch raised (``exc_info``): the batch's transaction is undone."""

    def __init__(self, exc_info):
        super().__init__(f"{type(exc_info[1]).__name__}: {exc_info[1]}")
        self.exc_info = exc_info


class Batches:

    def __init__(self, subscriber, batching):
        self.subscriber = subscriber
        self.size, self.window, self.quiet = batching.size, batching.window, batching.quiet
        self.waiting = LightQueue()
        self.stopping = False
        self.applying = False

    def add(self, event, message):
        self.waiting.put((event, message))

    def finish(self, timeout=STOP_TIMEOUT):
        """On stop: no new batch; the one being applied is given ``timeout`` seconds to commit
        and be acknowledged. What waits is redelivered once the connection closes."""
        self.stopping = True
        deadline = time.monotonic() + timeout
        while self.applying and time.monotonic() < deadline:
            eventlet.sleep(0.01)

    def apply_forever(self):
        while True:
            batch = self.collect()
            if self.stopping:
                continue  # left unacknowledged: the broker redelivers it
            settled = set()  # positions acknowledged or handed to the one-by-one path
            self.applying = True
            try:
                if len(batch) == 1:  # alone: a transaction and savepoints would only cost more
                    self.subscriber.run_alone(*batch[0])
                    settled.add(0)
                else:
                    self.apply(batch, settled)
            except Exception:  # the store or the broker away: the broker redelivers the rest
                _log.exception("%s: a batch of %d was not applied; requeueing it after %.0f s",
                               self.subscriber.queue_name, len(batch), PAUSE_AFTER_FAILURE)
                eventlet.sleep(PAUSE_AFTER_FAILURE)
                for position, (_, message) in enumerate(batch):
                    if position not in settled:
                        self.subscriber.queue_consumer.requeue_message(message)
            finally:
                self.applying = False

    def collect(self):
        """The first delivery waiting (however long that takes), and those that join it within
        the window, up to the batch size; with ``quiet``, no longer than ``quiet`` seconds
        after the last that came."""
        batch = [self.waiting.get()]
        deadline = time.monotonic() + self.window
        while len(batch) < self.size:
            wait = deadline - time.monotonic()
            if self.quiet is not None:
                wait = min(wait, self.quiet)
            try:
                batch.append(self.waiting.get(timeout=wait) if wait > 0
                             else self.waiting.get_nowait())  # already here: no wait
            except Empty:
                break
        return batch

    def apply(self, batch, settled):
        subscriber, store = self.subscriber, self.subscriber.store
        queue_name = subscriber.queue_name
        ids = [event.event_id for event, _ in batch]
        seen = store.handled_among(queue_name, ids)
        fresh = []  # positions to run; the rest are redeliveries or repeats within the batch
        for position, (event, _) in enumerate(batch):
            if event.event_id not in seen:
                seen.add(event.event_id)
                fresh.append(position)
        applied, atomic = [], None
        try:
            with store.batch() as atomic:
                for position in fresh:
                    self.run(batch[position][0])
                    applied.append(position)
                store.mark_all_handled(queue_name, [ids[p] for p in applied], also_settled=ids)
        except HandlerFailed as failure:
            failing = fresh[len(applied)]
            rest = fresh[len(applied):]
            if atomic:  # undone: they run again, one by one
                rest, applied = fresh, []
            # on MongoDB what ran stays written, so it is remembered
            done = [p for p in range(len(batch)) if p not in rest]
            store.mark_all_handled(queue_name, [ids[p] for p in applied],
                                   also_settled=[ids[p] for p in done])
            self.acknowledge(batch, done, settled)
            for position in rest:
                if position == failing:  # not run again: retried or dead-lettered as it is
                    subscriber.handler_failed(*batch[position], failure.exc_info)
                else:
                    subscriber.run_alone(*batch[position])
                settled.add(position)  # acknowledged, parked or requeued by now
            return
        self.acknowledge(batch, range(len(batch)), settled)

    def run(self, event):
        """The handler of ``event`` as a nameko worker in this green thread."""
        errors = []
        self.subscriber.run_worker(event, partial(self._result, time.perf_counter(), errors))
        if errors:  # raised once the worker was torn down
            raise HandlerFailed(errors[0])

    def _result(self, started, errors, worker_ctx, result=None, exc_info=None):
        subscriber = self.subscriber
        metrics.HANDLER_SECONDS.labels(subscriber.queue_name, subscriber.method_name).observe(
            time.perf_counter() - started)
        if exc_info is None:
            metrics.EVENTS_HANDLED.labels(subscriber.queue_name, subscriber.method_name).inc()
        else:
            errors.append(exc_info)
        return result, exc_info

    def acknowledge(self, batch, positions, settled):
        positions = list(positions)
        self.subscriber.queue_consumer.ack_all([batch[p][1] for p in positions])
        settled.update(positions)
