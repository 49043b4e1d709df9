"""Retention sweeps a store runs by itself (Law 91/2025/QH15: personal data kept no longer than
its purpose needs; the periods are settings of ``shared.config``, stated in the processing
record by ``shared.processing_record``).

A service lists its sweeps on its store, ``Store(..., sweeps=[ACCESS_LOG, ...])``; every
``RETENTION_SWEEP_SECONDS`` the store runs each with the time of ``shared.clock`` (moved by
``TEST_CLOCK_FILE`` in tests). A sweep is ``Sweep(name, key, collection, index, run)``:
``run(db, before, batch)`` removes what is older than ``before`` (now less the ``key`` setting's
days), a batch at a time, and says how many; ``index`` is the one its query walks. Example::

    ACCESS_LOG.run(db, now - dt.timedelta(days=1825), 500)     # 3 entries forgotten
"""
import dataclasses
import datetime as dt
from logging import getLogger

from shared.personal_data import COLLECTION as READS

_log = getLogger(__name__)

BATCH = 500


@dataclasses.dataclass(frozen=True)
class Sweep:
    name: str
    key: str           # the setting: days kept
    collection: str
    index: list        # the keys its query walks
    run: object        # run(db, before, batch) -> how many removed

    def due(self, db, now, settings):
        """Everything past its period removed; how many."""
        before = now - dt.timedelta(days=settings[self.key])
        removed = 0
        while True:
            done = self.run(db, before, BATCH)
            removed += done
            if done < BATCH:
                break
        if removed:
            _log.info("%s: %d removed, older than %s days (%s)", self.name, removed,
                      settings[self.key], self.key)
        return removed


def forget_old_reads(db, before, batch):
    """Access-log entries read before ``before`` whose event was published (an entry still
    waiting for the relay stays: the monitor's copy comes from that event)."""
    old = [entry["_id"] for entry in db[READS].find(
        {"read_at": {"$lt": before}}, {"_id": 1, "outbox_pending": 1}).sort("read_at", 1)
        .limit(batch) if not entry.get("outbox_pending")]
    if not old:
        return 0
    return db[READS].delete_many({"_id": {"$in": old}, "outbox_pending": {"$ne": True}}
                                 ).deleted_count


# every store keeping an access log (its own reads, or the monitor's gathered ones) lists it
ACCESS_LOG = Sweep("access log", "RETENTION_ACCESS_LOG_DAYS", READS, [("read_at", 1)],
                   forget_old_reads)
