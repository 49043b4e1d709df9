"""The accounts service's own migrations (``shared.migrations``), after every service's;
append only: a store's schema version is how many of them it ran.

``restate_users``: escalations' read model of each authority's officers (issue 24) learns from
accounts' events, but it began after most users were created, and the events that created them
had no queue of its to reach: after an upgrade no head could assign a case to anyone. Each
authority officer is restated as accounts holds them now (``user_restated``, through the outbox,
published when the service starts), walked in ``_id`` order a batch at a time. Running it again
restates them again, which the read model takes as the same upsert. Example::

    AccountsService.db = Store(..., migrations=upkeep.MIGRATIONS)
"""
from logging import getLogger

from services.accounts import store
from shared import contracts
from shared.migrations import Migration

_log = getLogger(__name__)

BATCH = 500


def restate_users(db, batch=BATCH):
    """How many officers were restated."""
    restated, last = 0, None
    while True:
        officers = store.officers_after(db, last, batch)
        if not officers:
            break
        for user in officers:
            store.restate_user(db, user["_id"], contracts.USER_RESTATED.new({
                "user_id": user["_id"], "display_name": user["display_name"],
                "role": user["role"], "authority_id": user.get("authority_id"),
                "authority_head": bool(user.get("authority_head")),
                "enabled": bool(user.get("enabled", True))}))
            restated += 1
        last = officers[-1]["_id"]
    if restated:
        _log.warning("%d officers restated for the read models that began after them", restated)
    return restated


MIGRATIONS = [Migration("restate_users", restate_users)]
