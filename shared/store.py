"""``Store``: a service's own database as a nameko dependency, with its outbox relay running.

Each service declares one::

    class VisitsService:
        name = "visits"
        db = Store(outbox_collections=["visits"],
                   indexes={"visits": [([("submission_id", 1)], {"unique": True})]})

The database is named after the service and opened from ``STORE_URI`` (see ``shared.storage``).
On setup, before any entrypoint consumes, it declares the messaging topology (unless
``DECLARE_TOPOLOGY`` is false, where a deploy step did it). While the service runs, a managed
thread relays the outbox of ``outbox_collections`` to RabbitMQ (see ``shared.outbox``).
Workers get the database with those collections wrapped so that a write carrying events rings
the relay's doorbell once it returned: the relay publishes at once, and polls every
``OUTBOX_POLL_SECONDS`` only for what it was not told about (another process's writes, events
left by a crash, a batch that failed). ``OUTBOX_RELAY: paused`` holds it, for fault-injection
runs. The store also remembers which
events each subscription has handled (``processed_events``), for
``PROCESSED_EVENTS_RETENTION_DAYS`` (a TTL index: MongoDB expires them, the embedded store's
sweep deletes them); a redelivery older than that would be handled again.

Before anything else reads the store, and before its indexes are created, the store brings it
to the service's schema version by running its ``migrations`` (``shared.migrations``; e.g. one
that resolves what a new unique index would refuse), or refuses to start when
``MIGRATE_ON_START`` is false and some are pending, or when a newer version wrote it. The relay
copies each event RabbitMQ confirmed to the retained event log (``shared.event_log``) and, on
the first start after a restore, re-publishes the last ``RETAINED_EVENT_HOURS`` of it. A unique
index that still cannot be built over the documents already stored stops the service at start
with :class:`DuplicateKeysAtStart`, naming the collection, the index and the ``_id``s that share
a key, rather than running without the index.
"""
import datetime as dt
import time
from logging import getLogger

import eventlet
from eventlet.event import Event
from kombu import Connection
from nameko.extensions import DependencyProvider
from pymongo.errors import BulkWriteError

from docstore import Database as EmbeddedDatabase
from shared import correlation, event_log, migrations, retries, topology
from shared.clock import Clock
from shared.config import settings
from shared.messaging import WindowedPublisher
from shared.operations_port import OperationsPort
from shared.outbox import PENDING, OutboxDatabase, OutboxRelay, UndeliverableEvents
from shared.rpc import rpc
from shared.storage import DuplicateKeyError, connect, writes_together

_log = getLogger(__name__)

MAX_RELAY_BACKOFF = 5.0
TOPOLOGY_CONNECT_RETRIES = 10
TTL_SWEEP_SECONDS = 60.0


def sweep_forever(db, running, interval=TTL_SWEEP_SECONDS):
    """Deletes what the embedded store's TTL indexes say expired, every ``interval`` seconds
    while ``running()``; MongoDB sweeps its own."""
    while running():
        try:
            db.sweep_expired()
        except Exception:  # a busy or full disk: the next sweep catches up
            _log.exception("TTL sweep failed; trying again in %.0f s", interval)
        eventlet.sleep(interval)


class Doorbell:
    """Wakes a green thread waiting on it; a ring while nobody waits is kept for the next wait."""

    def __init__(self):
        self._rung = Event()

    def ring(self):
        if not self._rung.ready():
            self._rung.send(True)

    def clear(self):
        if self._rung.ready():
            self._rung = Event()

    def wait(self, timeout):
        """Until rung (or rung already) or ``timeout`` seconds passed."""
        self._rung.wait(timeout)
        self.clear()


class DuplicateKeysAtStart(RuntimeError):
    """A unique index cannot be built: documents already stored share its key."""

    def __init__(self, service, collection, index, duplicates):
        self.collection, self.index, self.duplicates = collection, index, duplicates
        super().__init__(
            f"{service} refuses to start: the unique index {index} of {collection} cannot be "
            f"built, documents share its key (by _id): {duplicates}; no migration of the "
            f"service resolves them, so an administrator must (keep one of each group)")


def index_name(keys):
    """The name MongoDB (and docstore) give an index of ``[(field, direction)]``."""
    return "_".join(f"{key}_{direction}" for key, direction in keys)


class Store(DependencyProvider):

    def __init__(self, outbox_collections=(), indexes=None, migrations=(), sweeps=()):
        self.outbox_collections = tuple(outbox_collections)
        self.sweeps = tuple(sweeps)  # shared.retention: what is removed once its period is over
        self.indexes = indexes or {}
        self.migrations = tuple(migrations)
        self.doorbell = Doorbell()
        self._running = False
        self._relay_passed_at = None  # monotonic time of the relay's last pass

    def setup(self):
        self.settings = settings(self.container.config)
        if self.settings["DECLARE_TOPOLOGY"]:
            # here, before any entrypoint consumes: a quorum queue consumed while another
            # party is still creating it fails on RabbitMQ 3.10 (noproc)
            with Connection(self.settings["AMQP_URI"]) as connection:
                connection.ensure_connection(max_retries=TOPOLOGY_CONNECT_RETRIES)
                topology.declare(connection, self.settings["EVENT_RETRY_DELAYS"])
        self.client, self.db = connect(self.settings["STORE_URI"], self.container.service_name)
        migrations.at_start(self.db, self.container.service_name, self.schema(),
                            self.settings["MIGRATE_ON_START"])
        self.publisher = WindowedPublisher(self.settings["AMQP_URI"])
        self.relay = OutboxRelay(self.db, self.outbox_collections, self.publisher)
        self.workers_db = OutboxDatabase(self.db, self.outbox_collections, self.doorbell.ring)
        self.relay.ensure_indexes()
        retention = self.settings["PROCESSED_EVENTS_RETENTION_DAYS"] * 86400
        try:
            self.db.processed_events.create_index("handled_at",
                                                  expireAfterSeconds=int(retention))
        except Exception as error:  # MongoDB keeps an older retention until the index is dropped
            _log.warning("processed_events TTL index not changed: %s", error)
        event_log.ensure_index(self.db, self.settings["RETAINED_EVENT_HOURS"])
        self.create_indexes()
        for sweep in self.sweeps:
            self.db[sweep.collection].create_index(sweep.index)
        retries.ensure_index(self.db)

    def schema(self):
        """The service's migrations in order: its schema version is their number."""
        return [*migrations.every_service(self.outbox_collections), *self.migrations]

    def create_indexes(self):
        for collection, specs in self.indexes.items():
            for keys, options in specs:
                try:
                    self.db[collection].create_index(keys, **options)
                except DuplicateKeyError as error:
                    # the embedded store names the groups; MongoDB's message names a key
                    duplicates = (error.details or {}).get("duplicates") or str(error)
                    raise DuplicateKeysAtStart(
                        self.container.service_name, collection,
                        options.get("name") or index_name(keys), duplicates) from None

    def start(self):
        self._running = True
        if isinstance(self.db, EmbeddedDatabase):
            self.container.spawn_managed_thread(
                lambda: sweep_forever(self.db, lambda: self._running), identifier="ttl_sweep")
        if self.sweeps:
            self.container.spawn_managed_thread(self._retention_forever,
                                                identifier="retention_sweep")
        if not self.outbox_collections:
            self._republished_after_restore()  # it published nothing: the restore is done
            return
        if self.settings["OUTBOX_RELAY"] == "paused":
            _log.warning("outbox relay PAUSED by configuration: events stay pending")
            return
        self.container.spawn_managed_thread(self._relay_forever)

    def _retention_forever(self):
        clock = Clock(self.settings["TEST_CLOCK_FILE"] or None)
        interval = self.settings["RETENTION_SWEEP_SECONDS"]
        while self._running:
            for sweep in self.sweeps:
                try:
                    sweep.due(self.db, clock.now(), self.settings)
                except Exception:  # a busy store: the next sweep catches up
                    _log.exception("%s sweep failed; trying again in %.0f s", sweep.name,
                                   interval)
            eventlet.sleep(interval)

    def stop(self):
        self._running = False
        self.doorbell.ring()  # let the relay see it should stop

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.workers_db

    def worker_setup(self, worker_ctx):
        # events this worker writes carry its request's correlation id and their cause
        correlation.bind_worker(worker_ctx.data)

    def worker_teardown(self, worker_ctx):
        correlation.unbind()

    def _relay_forever(self):
        try:
            self._relay_until_stopped()
        finally:  # also when the container kills this thread
            self.publisher.close()

    def _relay_until_stopped(self):
        poll = self.settings["OUTBOX_POLL_SECONDS"]
        backoff = poll
        while self._running and not self._republished_after_restore():
            eventlet.sleep(backoff)
            backoff = min(backoff * 2, MAX_RELAY_BACKOFF)
        backoff = poll
        while self._running:
            self._relay_passed_at = time.monotonic()
            self.doorbell.clear()  # a write from now on is seen by the next pass
            try:
                published = self.relay.relay_pending()
                backoff = poll
            except UndeliverableEvents as error:  # no queue wants them: a topology mistake
                _log.error("outbox relay: %s; retrying in %.1f s", error, backoff)
            except Exception:  # broker away, store hiccup: all retried later
                _log.exception("outbox relay failed; retrying in %.1f s", backoff)
            else:
                # a full batch may have left more; otherwise only a ring (perhaps during this
                # pass) or the poll finds something new
                if not (published and self.relay.full_batch):
                    self.doorbell.wait(poll)
                continue
            eventlet.sleep(backoff)  # a broken broker is not hurried by new writes
            backoff = min(backoff * 2, MAX_RELAY_BACKOFF)

    def _republished_after_restore(self):
        """True once nothing restored waits to be re-published (first, before the outbox)."""
        try:
            event_log.republish_after_restore(self.db, self.publisher,
                                              self.settings["RETAINED_EVENT_HOURS"])
            return True
        except Exception:  # broker away: retried, the outbox waits behind it
            _log.exception("re-publishing the retained events after a restore failed")
            return False

    # --- what readiness probes read (shared.operations_port) ---------------------------------

    def outbox_backlog(self):
        """Documents whose outbox still holds events (an indexed count)."""
        return sum(self.db[name].count_documents(PENDING) for name in self.outbox_collections)

    def relay_state(self):
        if not self.outbox_collections:
            return "none"
        if self.settings["OUTBOX_RELAY"] == "paused":
            return "paused"
        passed = self._relay_passed_at
        if not self._running or passed is None:
            return "stopped"
        # a pass at least every poll, or every MAX_RELAY_BACKOFF while the broker is away
        stale_after = 10 * max(self.settings["OUTBOX_POLL_SECONDS"], MAX_RELAY_BACKOFF)
        return "running" if time.monotonic() - passed < stale_after else "stalled"

    # --- idempotent consumption -------------------------------------------------------------

    def already_handled(self, queue_name, event_id):
        return self.db.processed_events.find_one({"_id": f"{queue_name}:{event_id}"}) is not None

    # the retries a subscriber noted until they come back (shared/retries.py)
    def retry_scheduled(self, queue_name, event_id, message, headers, due):
        retries.scheduled(self.db, queue_name, event_id, message.body, message.content_type,
                          message.content_encoding, headers, due)

    def retry_settled(self, queue_name, event_id):
        retries.settled(self.db, queue_name, event_id)

    def overdue_retries(self, queue_name, now):
        return retries.overdue(self.db, queue_name, now)

    def retry_postponed(self, retry, due):
        retries.postponed(self.db, retry, due)

    # --- batches of deliveries (shared/batches.py) --------------------------------------------

    def batch(self):
        """The writes of a batch of deliveries in one transaction, where the store has them
        (``shared.storage.writes_together``); yields whether they are."""
        return writes_together(self.db)

    def handled_among(self, queue_name, event_ids):
        """Which of ``event_ids`` this subscription already handled (one query)."""
        keys = [f"{queue_name}:{event_id}" for event_id in event_ids]
        found = self.db.processed_events.find({"_id": {"$in": keys}}, {"_id": 1})
        return {doc["_id"][len(queue_name) + 1:] for doc in found}

    def mark_all_handled(self, queue_name, event_ids, also_settled=()):
        """Remember ``event_ids`` as handled, and settle any retry noted for them or for
        ``also_settled`` (redeliveries of events handled before)."""
        now = dt.datetime.now(dt.timezone.utc)
        records = [{"_id": f"{queue_name}:{event_id}", "handled_at": now}
                   for event_id in event_ids]
        if records:
            try:
                self.db.processed_events.insert_many(records, ordered=False)
            except (BulkWriteError, DuplicateKeyError):  # a competing consumer: one is enough
                for event_id in event_ids:
                    self.mark_handled(queue_name, event_id)
        settled = {*event_ids, *also_settled}
        if settled:
            retries.settled_all(self.db, queue_name, sorted(settled))

    def mark_handled(self, queue_name, event_id):
        try:
            self.db.processed_events.insert_one({
                "_id": f"{queue_name}:{event_id}",
                "handled_at": dt.datetime.now(dt.timezone.utc),
            })
        except DuplicateKeyError:
            pass  # handled concurrently by a competing consumer: one record is enough


class ReportsHealth:
    """Mixin for services with a ``db = Store(...)``: an RPC ``health`` for operators, and the
    operations port (``/metrics``, ``/health/live``, ``/health/ready``)."""

    operations_port = OperationsPort()

    @rpc
    def health(self):
        store = type(self).db  # the declaration: which collections carry an outbox
        pending = sum(
            len(doc["outbox"])
            for name in store.outbox_collections
            for doc in self.db[name].find(PENDING, {"outbox": 1}))
        return {"service": self.name, "status": "ok", "outbox_pending": pending}
