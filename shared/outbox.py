"""The outbox: an aggregate carries the events its change causes, written in the same update.

A service never publishes directly. It writes, in one document insert or update, its new state
and the envelopes of the events that change causes, under the document's ``outbox`` field::

    db.visits.insert_one(with_events(visit, [VISIT_LOGGED.new(...), CONCERN_RAISED.new(...)]))
    db.cases.update_one({"_id": id}, push_events({"$set": {...}}, [CASE_ROUTED.new(...)]))

:class:`OutboxRelay` then publishes each pending envelope with confirms and removes it from the
outbox only after RabbitMQ confirmed it. A crash anywhere in between leaves the envelope in the
outbox and it is published again after restart: at least once, and consumers deduplicate by
``event_id``. Events of one document are published in the order they were written.
"""
from logging import getLogger

from shared.errors import Conflict
from shared.storage import DuplicateKeyError

_log = getLogger(__name__)

# ``outbox_pending`` is present (and true) exactly while the outbox holds something: an equality
# on one indexed field, which both MongoDB and the embedded store answer from an index
PENDING = {"outbox_pending": True}


def with_events(document, events):
    document = {**document, "outbox": list(events)}
    if events:
        document["outbox_pending"] = True
    return document


def push_events(update, events):
    if not events:
        return update
    pushes = {**update.get("$push", {}), "outbox": {"$each": list(events)}}
    sets = {**update.get("$set", {}), "outbox_pending": True}
    return {**update, "$push": pushes, "$set": sets}


def insert_once(collection, document, events=(), unique_keys=(("_id",),)):
    """Insert a document (with its events) that must exist once per each of ``unique_keys``.
    Inserting it again with the same data is a no-op returning the stored one (a retried call
    or a re-run import); a document already there with other data is a :class:`Conflict`
    naming the key it collides on."""
    try:
        collection.insert_one(with_events(document, events) if events else document)
        return document
    except DuplicateKeyError:
        # an _id the caller minted afresh (not one of the keys) says nothing about sameness
        compared = {k: v for k, v in document.items() if k != "_id" or ("_id",) in unique_keys}
        for fields in unique_keys:
            key = {field: document[field] for field in fields}
            existing = collection.find_one(key, {"outbox": 0, "outbox_pending": 0})
            if existing is None:
                continue
            if all(existing.get(k) == v for k, v in compared.items()):
                return existing
            raise Conflict("already registered with other data",
                           {field: [str(value)] for field, value in key.items()}) from None
        raise  # a unique index the caller did not name


def insert_or_change_contact(collection, document, events, contact_field, change_events):
    """:func:`insert_once`, except that registering a document again with only
    ``contact_field`` different (an administrator re-imports the sheet with a new e-mail
    address) sets it and carries ``change_events`` in the same update. Example::

        insert_or_change_contact(db.authorities, document, [AUTHORITY_REGISTERED.new(...)],
                                 "email", [AUTHORITY_CONTACT_CHANGED.new(...)])

    Any other difference is still a :class:`Conflict`, and so is a concurrent change."""
    try:
        return insert_once(collection, document, events)
    except Conflict:
        existing = collection.find_one({"_id": document["_id"]},
                                       {"outbox": 0, "outbox_pending": 0})
        if existing is None or any(existing.get(k) != v for k, v in document.items()
                                   if k != contact_field):
            raise
        old = existing.get(contact_field)
        changed = collection.update_one(
            {"_id": document["_id"], contact_field: old},
            push_events({"$set": {contact_field: document[contact_field]}}, change_events))
        if changed.modified_count != 1:
            raise Conflict("changed by someone else meanwhile; retry",
                           {contact_field: [str(document[contact_field])]}) from None
        return {**existing, contact_field: document[contact_field]}


class OutboxRelay:
    """Publishes pending outbox envelopes of ``collections`` through ``publish(envelope)``."""

    def __init__(self, db, collections, publish, batch_size=100):
        self.db = db
        self.collections = tuple(collections)
        self.publish = publish
        self.batch_size = batch_size

    def ensure_indexes(self):
        for name in self.collections:
            self.db[name].create_index("outbox_pending", sparse=True)

    def relay_pending(self):
        """Publish what is pending, one batch per collection; returns how many were published.
        Raises whatever publishing raised, leaving that envelope and the rest pending."""
        published = 0
        for name in self.collections:
            collection = self.db[name]
            for doc in collection.find(PENDING, {"outbox": 1}).limit(self.batch_size):
                for envelope in doc["outbox"]:
                    self.publish(envelope)
                    collection.update_one(
                        {"_id": doc["_id"]},
                        {"$pull": {"outbox": {"event_id": envelope["event_id"]}}},
                    )
                    published += 1
                # only if nothing was pushed meanwhile: the check and the unset are one update
                collection.update_one({"_id": doc["_id"], "outbox": {"$size": 0}},
                                      {"$unset": {"outbox_pending": ""}})
        if published:
            _log.info("relayed %d events", published)
        return published
