"""Schema versions: a service's store says which shape its documents have, and a service starting
on an older one migrates it before anything else reads it.

Each service's migrations are an ordered list of named steps ``step(db)``:
:func:`every_service`'s, then its own (``Store(migrations=[...])``); its schema version is how
many it has. The store keeps one document, ``schema_migrations`` ``{"_id": "schema"}``, with the
version reached and the steps applied. :func:`migrate` runs the
steps past that version one by one and records each once it returned; a step killed midway
(a crash, a power cut) is not recorded, so the next start runs it again: every step must be
idempotent, which on MongoDB and on the embedded store alike means conditional writes and no
step that relies on an earlier attempt having finished. Example::

    db = Store(outbox_collections=["cases"], migrations=[
        Migration("retire_duplicate_routing_rules", resolve_duplicate_rules)])
    # at start (shared.store), or by tooling.migrate:
    migrate(database, "escalations", EscalationsService.db.schema())

A store written by a newer version (a version past the steps this code knows) is never touched:
:class:`SchemaTooNew`. With ``MIGRATE_ON_START`` false, a service finding steps to run refuses
to start with :class:`MigrationsPending`, naming them and the command that runs them.
"""
import dataclasses
import datetime as dt
from logging import getLogger

_log = getLogger(__name__)

COLLECTION = "schema_migrations"
SCHEMA = {"_id": "schema"}
COMMAND = "python -m tooling.migrate"


def walk(read_after, handle, batch, what=None):
    """A migration's walk: the documents ``read_after(last_id, batch)`` answers, ``_id`` after
    ``_id``, a batch at a time, each given to ``handle(document)``, which answers how many
    things it changed; the total (logged, naming ``what``, when anything changed)."""
    changed, last = 0, None
    while True:
        found = read_after(last, batch)
        if not found:
            break
        changed += sum(handle(document) for document in found)
        last = found[-1]["_id"]
    if changed and what:
        _log.warning("%d %s", changed, what)
    return changed


@dataclasses.dataclass(frozen=True)
class Migration:
    name: str
    step: object  # step(db), idempotent


class SchemaTooNew(RuntimeError):
    def __init__(self, service, stored, known):
        self.stored, self.known = stored, known
        super().__init__(
            f"{service} refuses to start: its store is at schema version {stored}, written by a "
            f"newer version of Sâu Sát; this one knows versions up to {known}. Run that newer "
            f"version, or restore a backup taken by this one (docs/backups.md)")


class MigrationsPending(RuntimeError):
    def __init__(self, service, stored, pending):
        self.pending = [migration.name for migration in pending]
        super().__init__(
            f"{service} refuses to start: its store is at schema version {stored}, this version "
            f"needs {stored + len(pending)}; migrations to run: {', '.join(self.pending)}. Run "
            f"`{COMMAND} {service}` (with the services stopped), or start with "
            f"MIGRATE_ON_START=true")


def schema_state(db):
    """``{"version": n, "applied": [names], ...}``; version 0 for a store that never had one."""
    return db[COLLECTION].find_one(SCHEMA) or {"version": 0, "applied": []}


def pending(db, service, migrations):
    """The migrations this store still needs, in order; :class:`SchemaTooNew` for a store a
    newer version wrote."""
    version = schema_state(db)["version"]
    if version > len(migrations):
        raise SchemaTooNew(service, version, len(migrations))
    return list(migrations[version:])


def migrate(db, service, migrations):
    """Run the steps this store still needs; the names of those this call ran."""
    done = []
    # the version document exists from the first start on, steps or not
    db[COLLECTION].update_one(SCHEMA, {"$setOnInsert": {"version": 0, "applied": []}},
                              upsert=True)
    while pending(db, service, migrations):
        version = schema_state(db)["version"]
        migration = migrations[version]
        _log.warning("%s: migrating the store to schema version %d: %s", service, version + 1,
                     migration.name)
        db[COLLECTION].update_one(SCHEMA, {"$set": {
            "running": migration.name, "started_at": _now()}})
        migration.step(db)
        # recorded only once the step returned; conditional, so of two instances running it
        # at once one records it (the other finds the next step, or none)
        recorded = db[COLLECTION].update_one({**SCHEMA, "version": version}, {
            "$set": {"version": version + 1, "finished_at": _now()},
            "$push": {"applied": migration.name}, "$unset": {"running": ""}})
        if recorded.modified_count:
            done.append(migration.name)
    return done


def at_start(db, service, migrations, migrate_on_start):
    """What a service does with its store's schema at start: migrate, or refuse naming what
    is pending."""
    waiting = pending(db, service, migrations)
    if waiting and not migrate_on_start:
        raise MigrationsPending(service, len(migrations) - len(waiting), waiting)
    return migrate(db, service, migrations)


def _now():
    return dt.datetime.now(dt.timezone.utc)


# --- steps every service takes --------------------------------------------------------------

def every_service(outbox_collections):
    """The migrations every service starts its list with (``shared.store.Store`` adds them)."""
    return [Migration("flag_pending_outboxes", flag_pending_outboxes(outbox_collections))]


def flag_pending_outboxes(collections, batch=1000):
    """Documents whose outbox holds events but lack the ``outbox_pending`` flag the relay
    looks for (stores written before the flag existed): flagged, so their events are relayed
    instead of waiting forever. The collection is walked in ``_id`` order, a batch at a time
    (no table scan, no long write); idempotent: a flagged document is left as it is."""
    def step(db):
        for name in collections:
            flagged, last = 0, None
            while True:
                after = {} if last is None else {"_id": {"$gt": last}}
                documents = list(db[name].find(after, {"outbox": 1, "outbox_pending": 1})
                                 .sort("_id", 1).limit(batch))
                if not documents:
                    break
                unflagged = [doc["_id"] for doc in documents
                             if doc.get("outbox") and "outbox_pending" not in doc]
                if unflagged:
                    flagged += db[name].update_many(
                        {"_id": {"$in": unflagged}, "outbox_pending": {"$exists": False}},
                        {"$set": {"outbox_pending": True}}).modified_count
                last = documents[-1]["_id"]
            if flagged:
                _log.warning("%s: %d documents with unrelayed events flagged", name, flagged)
    return step
