"""The retained event log: what a service published, kept ``RETAINED_EVENT_HOURS``, so that a
restore loses no event.

The outbox relay removes an event once RabbitMQ confirmed it (``shared.outbox``), and the
services' backups are not one instant (``tooling.backup``): an event confirmed before its
source's backup but consumed after its consumer's backup would be in no backup at all. So the
relay first copies each confirmed event here (``event_log``, a TTL index on ``published_at``),
then clears it from the outbox: a crash between the two publishes it again and the copy is kept
once. A restore leaves a marker in each store (:func:`mark_restored`); the service's relay, at
its next start and before anything else, re-publishes every event logged in the last
``RETAINED_EVENT_HOURS`` (:func:`republish_after_restore`), and consumers drop the ones they had
handled already (they deduplicate by ``event_id``, ``shared.consumer``). Example::

    retain(db, confirmed_envelopes)                   # the relay, before clearing the outbox
    mark_restored(db, "2026-12-06T23-50-00Z")         # the restore command, per store
    republish_after_restore(db, publisher, hours=48)  # the relay at start: events re-sent
"""
import datetime as dt
from logging import getLogger

from pymongo.errors import BulkWriteError

from shared.storage import DuplicateKeyError

_log = getLogger(__name__)

COLLECTION = "event_log"
RESTORES = "store_restores"
BATCH = 100


def ensure_index(db, hours):
    db[RESTORES].create_index("republished_at")  # each start asks for restores not yet done
    try:
        db[COLLECTION].create_index("published_at", expireAfterSeconds=int(hours * 3600))
    except Exception as error:  # MongoDB keeps an older retention until the index is dropped
        _log.warning("event_log TTL index not changed: %s", error)


def retain(db, envelopes, now=None):
    """Keep ``envelopes`` (confirmed by RabbitMQ) in the log; one already kept stays as it is."""
    if not envelopes:
        return
    now = now or dt.datetime.now(dt.timezone.utc)
    entries = [{"_id": envelope["event_id"], "envelope": envelope, "published_at": now}
               for envelope in envelopes]
    try:
        db[COLLECTION].insert_many(entries, ordered=False)
    except (BulkWriteError, DuplicateKeyError):  # published again after a crash: once is enough
        for entry in entries:
            try:
                db[COLLECTION].insert_one(entry)
            except DuplicateKeyError:
                pass


def mark_restored(db, backup_id, now=None):
    """Tell the service that owns ``db`` it was restored from ``backup_id``: its next start
    re-publishes its retained events."""
    db[RESTORES].update_one({"_id": backup_id}, {"$set": {
        "restored_at": now or dt.datetime.now(dt.timezone.utc), "republished_at": None}},
        upsert=True)


def restores_to_republish(db):
    return list(db[RESTORES].find({"republished_at": None}, {"_id": 1}))


def republish_after_restore(db, publisher, hours, now=None):
    """Re-publish the events logged in the last ``hours`` if a restore asked for it (oldest
    first, ``BATCH`` at a time); how many were re-published. Raises what stopped publishing:
    the marker stays, and the next attempt starts over (consumers deduplicate)."""
    restores = restores_to_republish(db)
    if not restores:
        return 0
    now = now or dt.datetime.now(dt.timezone.utc)
    since = now - dt.timedelta(hours=hours)
    logged = db[COLLECTION].find({"published_at": {"$gte": since}}, {"envelope": 1}) \
        .sort([("published_at", 1), ("_id", 1)])
    republished, batch = 0, []
    for entry in logged:
        batch.append(entry["envelope"])
        if len(batch) == BATCH:
            republished += _publish(publisher, batch)
            batch = []
    if batch:
        republished += _publish(publisher, batch)
    for restore in restores:
        db[RESTORES].update_one({"_id": restore["_id"]}, {"$set": {
            "republished_at": now, "republished": republished}})
    _log.warning("after the restore from %s: %d retained events re-published",
                 ", ".join(str(restore["_id"]) for restore in restores), republished)
    return republished


def _publish(publisher, envelopes):
    outcome = publisher.publish_events(envelopes)
    if outcome.error is not None:
        raise outcome.error
    if outcome.failed:
        raise RuntimeError(f"{len(outcome.failed)} re-published events not confirmed: "
                           f"{sorted(outcome.failed)[:5]}")
    return len(envelopes)


def redact(db, replace):
    """Every retained event's text passed through ``replace`` (``text -> text``): a concern
    anonymised in its service (a deletion request, the retention sweep) is anonymised in the
    log too, so that neither the next backup nor a restore's re-publishing brings it back. The
    log holds ``RETAINED_EVENT_HOURS`` of events: read whole, rarely. How many changed."""
    changed = 0
    for entry in db[COLLECTION].find({}, {"envelope": 1}):
        envelope = _replaced(entry["envelope"], replace)
        if envelope != entry["envelope"]:
            db[COLLECTION].update_one({"_id": entry["_id"]}, {"$set": {"envelope": envelope}})
            changed += 1
    return changed


def _replaced(value, replace):
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, dict):
        return {key: _replaced(item, replace) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, replace) for item in value]
    return value
