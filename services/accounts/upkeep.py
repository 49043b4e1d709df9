"""The accounts service's own migrations (``shared.migrations``), after every service's;
append only: a store's schema version is how many of them it ran.

``restate_users``: escalations' read model of each authority's officers (issue 24) learns from
accounts' events, but it began after most users were created, and the events that created them
had no queue of its to reach: after an upgrade no head could assign a case to anyone. Each
authority officer is restated as accounts holds them now (``user_restated``, through the outbox,
published when the service starts), walked in ``_id`` order a batch at a time. Running it again
restates them again, which the read model takes as the same upsert.

``index_user_names``: users from before the administrator's search (issue 24) get the words of
their username and name, so the users list finds them past its first page.

Example::

    AccountsService.db = Store(..., migrations=upkeep.MIGRATIONS)
"""
from services.accounts import store, users
from shared import contracts
from shared.migrations import Migration, walk

BATCH = 500


def restate_users(db, batch=BATCH):
    """How many officers were restated."""
    def restate(user):
        store.restate_user(db, user["_id"], contracts.USER_RESTATED.new({
            "user_id": user["_id"], "display_name": user["display_name"], "role": user["role"],
            "authority_id": user.get("authority_id"),
            "authority_head": bool(user.get("authority_head")),
            "enabled": bool(user.get("enabled", True))}))
        return 1
    return walk(lambda last, size: store.officers_after(db, last, size), restate, batch,
                "officers restated for the read models that began after them")


def index_user_names(db, batch=BATCH):
    """How many users were given the search words of their username and name."""
    def index(user):
        store.set_user_search(db, user["_id"], users.user_search(user))
        return 1
    return walk(lambda last, size: store.users_without_search(db, last, size), index, batch)


MIGRATIONS = [Migration("restate_users", restate_users),
              Migration("index_user_names", index_user_names)]
