"""The visits service's own migrations (``shared.migrations``), after every service's.

``mark_raisers_held``: visits stored before issue 26 carry no ``raisers_held``, so the
retention sweep (``services.visits.retention``), which finds visits by it, never saw them. Their
summaries went to the authority as typed and were never checked for names or telephones, so each
is marked as holding raisers, idle since it was last logged or amended: the sweep anonymises it
``RETENTION_RAISER_DAYS`` after that, like any other. Walked in ``_id`` order a batch at a time;
idempotent (a marked visit is left as it is). Example::

    VisitsService.db = Store(..., migrations=upkeep.MIGRATIONS)
"""
from logging import getLogger

from services.visits import store
from shared.migrations import Migration

_log = getLogger(__name__)

BATCH = 500


def mark_raisers_held(db, batch=BATCH):
    """How many visits were marked."""
    marked, last = 0, None
    while True:
        visits = store.visits_without_raisers_held(db, last, batch)
        if not visits:
            break
        for visit in visits:
            store.set_raisers_held(db, visit["_id"],
                                   visit.get("amended_at") or visit["logged_at"])
            marked += 1
        last = visits[-1]["_id"]
    if marked:
        _log.warning("%d visits from before retention marked as holding raisers", marked)
    return marked


# append only: a store's schema version is how many of these it ran
MIGRATIONS = [Migration("mark_raisers_held", mark_raisers_held)]
