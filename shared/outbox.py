"""The outbox: an aggregate carries the events its change causes, written in the same update.

A service never publishes directly. It writes, in one document insert or update, its new state
and the envelopes of the events that change causes, under the document's ``outbox`` field::

    db.visits.insert_one(with_events(visit, [VISIT_LOGGED.new(...), CONCERN_RAISED.new(...)]))
    db.cases.update_one({"_id": id}, push_events({"$set": {...}}, [CASE_ROUTED.new(...)]))

:class:`OutboxRelay` then publishes pending envelopes, a batch of documents at a time, with
windowed publisher confirms, and removes from the outbox only what RabbitMQ confirmed, with one
store write per batch, after copying them to the retained event log (``shared.event_log``,
what a restore re-publishes). A crash anywhere in between leaves the envelope in the outbox and
it is published again after restart: at least once, and consumers deduplicate by ``event_id``.
Events of one document are published in the order they were written, and one that is not confirmed
keeps the ones after it pending too.

Workers write through :class:`OutboxDatabase`, which rings the relay once a write carrying events
returned (committed): the relay publishes at once, not at its next poll (see ``shared.store``).
"""
from logging import getLogger

from pymongo import UpdateMany, UpdateOne

from shared import event_log, metrics
from shared.errors import Conflict
from shared.messaging import PublishOutcome
from shared.storage import DuplicateKeyError

_log = getLogger(__name__)

# ``outbox_pending`` is present (and true) exactly while the outbox holds something: an equality
# on one indexed field, which both MongoDB and the embedded store answer from an index
PENDING = {"outbox_pending": True}

# who registered something does not make it other data: a re-import by another administrator
# is the same registration
NOT_COMPARED = frozenset({"actor"})


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
        compared = {k: v for k, v in document.items()
                    if (k != "_id" or ("_id",) in unique_keys) and k not in NOT_COMPARED}
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
                                   if k != contact_field and k not in NOT_COMPARED):
            raise
        old = existing.get(contact_field)
        changed = collection.update_one(
            {"_id": document["_id"], contact_field: old},
            push_events({"$set": {contact_field: document[contact_field]}}, change_events))
        if changed.modified_count != 1:
            raise Conflict("changed by someone else meanwhile; retry",
                           {contact_field: [str(document[contact_field])]}) from None
        return {**existing, contact_field: document[contact_field]}


class UndeliverableEvents(Exception):
    """Events the broker did not confirm (unroutable or refused); they stay pending."""

    def __init__(self, failed):
        super().__init__(f"{len(failed)} event(s) not confirmed, kept pending: "
                         + "; ".join(f"{event_id}: {why}" for event_id, why in failed.items()))
        self.failed = failed


def one_at_a_time(publish):
    """A ``publish_events`` from a ``publish(envelope)`` that raises on failure: stops at the
    first failure, everything before it confirmed."""
    def publish_events(envelopes):
        outcome = PublishOutcome()
        for envelope in envelopes:
            try:
                publish(envelope)
            except Exception as error:
                outcome.error = error
                break
            outcome.confirmed.add(envelope["event_id"])
        return outcome
    return publish_events


class OutboxRelay:
    """Publishes pending outbox envelopes of ``collections``, a batch of documents at a time.

    ``publisher`` has ``publish_events(envelopes) -> PublishOutcome`` (see
    ``shared.messaging.WindowedPublisher``), or is a plain ``publish(envelope)`` that raises.
    Of each document only the confirmed events at the head of its outbox are removed, so what
    follows an unconfirmed event is published again after it, in order."""

    def __init__(self, db, collections, publisher, batch_size=100):
        self.db = db
        self.collections = tuple(collections)
        self.publish_events = getattr(publisher, "publish_events", None) \
            or one_at_a_time(publisher)
        self.batch_size = batch_size
        self.full_batch = False  # the last pass left documents it had no room for

    def ensure_indexes(self):
        for name in self.collections:
            self.db[name].create_index("outbox_pending", sparse=True)

    def relay_pending(self):
        """Publish one batch per collection; returns how many events were published.
        Raises what stopped publishing (after clearing what was confirmed), leaving the rest
        pending: the broker's error, or :class:`UndeliverableEvents`."""
        published, failed, error = 0, {}, None
        self.full_batch = False
        for name in self.collections:
            collection = self.db[name]
            documents = list(collection.find(PENDING, {"outbox": 1}).limit(self.batch_size))
            self.full_batch |= len(documents) == self.batch_size
            envelopes = [envelope for doc in documents for envelope in doc["outbox"]]
            if not envelopes:
                continue
            outcome = self.publish_events(envelopes)
            sent = {}
            for doc in documents:
                for envelope in doc["outbox"]:
                    if envelope["event_id"] not in outcome.confirmed:
                        break
                    sent.setdefault(doc["_id"], []).append(envelope["event_id"])
            # logged before cleared: a crash between the two publishes again, logged once
            cleared = {event_id for published in sent.values() for event_id in published}
            event_log.retain(self.db, [e for e in envelopes if e["event_id"] in cleared])
            clear_sent(collection, sent, {doc["_id"]: len(doc["outbox"]) for doc in documents})
            metrics.observe_relayed([e for e in envelopes if e["event_id"] in outcome.confirmed])
            published += sum(len(ids) for ids in sent.values())
            failed.update(outcome.failed)
            error = error or outcome.error
        if published:
            _log.debug("relayed %d events", published)
        if error is not None:
            raise error
        if failed:
            raise UndeliverableEvents(failed)
        return published


def clear_sent(collection, sent, read_sizes=None):
    """Remove published events ``{document_id: [event_id, ...]}`` from their outboxes in one
    store write; ``outbox_pending`` goes only where nothing was pushed meanwhile (the ops run in
    order, the second re-checking each outbox). A document all of whose events were sent
    (``read_sizes``: how many its outbox held when read) is emptied and unflagged in one update
    instead, conditional on its outbox still holding exactly them: one rewrite of it, not two."""
    if not sent:
        return
    whole = {doc_id: event_ids for doc_id, event_ids in sent.items()
             if read_sizes and read_sizes.get(doc_id) == len(event_ids)}
    if whole and _empty_whole(collection, whole) == len(whole):
        sent = {doc_id: event_ids for doc_id, event_ids in sent.items() if doc_id not in whole}
        if not sent:
            return
    # the rest, and every document again if one changed meanwhile: both updates are idempotent
    ids = list(sent)
    event_ids = [event_id for published in sent.values() for event_id in published]
    pull = ({"_id": {"$in": ids}}, {"$pull": {"outbox": {"event_id": {"$in": event_ids}}}})
    unflag = ({"_id": {"$in": ids}, "outbox": {"$size": 0}}, {"$unset": {"outbox_pending": ""}})
    try:
        collection.bulk_write([UpdateMany(*pull), UpdateMany(*unflag)], ordered=True)
    except (AttributeError, NotImplementedError, TypeError) as missing:
        # a store without bulk_write: the same two updates, in order (both are idempotent,
        # so repeating whatever part of the bulk write happened is harmless)
        _log.warning("no bulk_write on %s (%s): clearing with two updates", collection, missing)
        collection.update_many(*pull)
        collection.update_many(*unflag)


def _empty_whole(collection, whole):
    """How many of ``whole``'s documents were emptied: each only while its outbox holds exactly
    the events sent (as many, all of them), so an event pushed meanwhile, or one another
    relay cleared before a new one came, keeps the document for the two updates."""
    requests = [UpdateOne({"_id": doc_id, "outbox": {"$size": len(event_ids)},
                           "outbox.event_id": {"$all": event_ids}},
                          {"$set": {"outbox": []}, "$unset": {"outbox_pending": ""}})
                for doc_id, event_ids in whole.items()]
    try:
        return collection.bulk_write(requests, ordered=False).modified_count
    except (AttributeError, NotImplementedError, TypeError):
        return 0  # a store without bulk_write: the two updates do it all


# --- waking the relay ------------------------------------------------------------------------

def carries_events(update):
    """Whether an update may add to an outbox: any operator touching ``outbox`` or
    ``outbox_pending`` (``push_events``' ``$push``, an upsert's ``$setOnInsert``, …), or a
    pipeline, which we do not read."""
    if not isinstance(update, dict):
        return True
    return any(isinstance(fields, dict) and ("outbox" in fields or "outbox_pending" in fields)
               for fields in update.values())


class OutboxCollection:
    """A collection whose writes that carry events call ``ring()`` once they returned, i.e.
    once the store committed them: the relay publishes at once instead of at its next poll."""

    def __init__(self, collection, ring):
        self._collection = collection
        self._ring = ring

    def __getattr__(self, name):
        return getattr(self._collection, name)

    def __getitem__(self, name):
        return self._collection[name]

    def _rung(self, result, carried):
        if carried:
            self._ring()
        return result

    def insert_one(self, document, *args, **kwargs):
        return self._rung(self._collection.insert_one(document, *args, **kwargs),
                          bool(document.get("outbox")))

    def insert_many(self, documents, *args, **kwargs):
        documents = list(documents)
        return self._rung(self._collection.insert_many(documents, *args, **kwargs),
                          any(doc.get("outbox") for doc in documents))

    def replace_one(self, filter, replacement, *args, **kwargs):
        return self._rung(self._collection.replace_one(filter, replacement, *args, **kwargs),
                          bool(replacement.get("outbox")))

    def update_one(self, filter, update, *args, **kwargs):
        return self._rung(self._collection.update_one(filter, update, *args, **kwargs),
                          carries_events(update))

    def update_many(self, filter, update, *args, **kwargs):
        return self._rung(self._collection.update_many(filter, update, *args, **kwargs),
                          carries_events(update))

    def find_one_and_update(self, filter, update, *args, **kwargs):
        return self._rung(self._collection.find_one_and_update(filter, update, *args, **kwargs),
                          carries_events(update))

    def bulk_write(self, requests, *args, **kwargs):
        # pymongo's operations do not say publicly what they carry; a needless wake costs
        # the relay one indexed query
        return self._rung(self._collection.bulk_write(requests, *args, **kwargs), True)


class OutboxDatabase:
    """A database whose ``outbox_collections`` are :class:`OutboxCollection`; the rest as is."""

    def __init__(self, db, outbox_collections, ring):
        self._db = db
        self._outboxes = {name: OutboxCollection(db[name], ring) for name in outbox_collections}

    def __getitem__(self, name):
        return self._outboxes.get(name) or self._db[name]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._outboxes.get(name) or getattr(self._db, name)
