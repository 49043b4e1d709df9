"""The relay's store side on every backend: writes carrying events wake it, and a batch keeps
what was not confirmed, in order (the broker side is in tests/interface/test_outbox_relay.py)."""
import pytest

from docstore import recording
from shared.messaging import PublishOutcome
from shared.outbox import (
    PENDING,
    OutboxDatabase,
    OutboxRelay,
    UndeliverableEvents,
    clear_sent,
    push_events,
    with_events,
)
from shared.storage import DuplicateKeyError


def envelope(event_id):
    return {"event_id": event_id, "event_type": "case_routed", "source": "escalations",
            "occurred_at": "2026-11-25T00:00:00+00:00", "payload": {}}


class Bell:
    def __init__(self):
        self.rings = 0

    def ring(self):
        self.rings += 1


def test_outbox_collections_ring_once_a_write_carrying_events_returned(database):
    database.cases.create_index("concern_id", unique=True)
    bell = Bell()
    db = OutboxDatabase(database, ["cases"], bell.ring)

    db.cases.insert_one(with_events({"_id": "c1", "concern_id": "k1"}, [envelope("e1")]))
    assert bell.rings == 1
    db.cases.update_one({"_id": "c1"}, push_events({"$set": {"status": "answered"}},
                                                   [envelope("e2")]))
    db["cases"].find_one_and_update({"_id": "c1"}, push_events({}, [envelope("e3")]))
    db.cases.update_one({"_id": "c9"}, {"$setOnInsert": with_events(
        {"concern_id": "k9"}, [envelope("e9")])}, upsert=True)
    assert bell.rings == 4

    db.cases.insert_one({"_id": "c2", "concern_id": "k2"})  # no events: nothing to relay
    db.cases.update_one({"_id": "c2"}, {"$set": {"status": "routed"}})
    with pytest.raises(DuplicateKeyError):  # not committed: no ring
        db.cases.insert_one(with_events({"_id": "c3", "concern_id": "k1"}, [envelope("e4")]))
    db.authorities.insert_one(with_events({"_id": "a1"}, [envelope("e5")]))  # no outbox here
    assert bell.rings == 4
    assert [e["event_id"] for e in db.cases.find_one({"_id": "c1"})["outbox"]] == [
        "e1", "e2", "e3"]


class BatchRecorder:
    """A batch publisher confirming every event but those in ``refuse``."""

    def __init__(self, refuse=()):
        self.batches = []
        self.refuse = set(refuse)

    def publish_events(self, envelopes):
        self.batches.append([e["event_id"] for e in envelopes])
        return PublishOutcome(
            confirmed={e["event_id"] for e in envelopes} - self.refuse,
            failed={event_id: "unroutable" for event_id in self.refuse})


def test_relay_keeps_an_unconfirmed_event_and_what_follows_it_in_its_document(database):
    database.cases.insert_one(with_events({"_id": "c1"}, [envelope("e1"), envelope("e2"),
                                                          envelope("e3")]))
    database.cases.insert_one(with_events({"_id": "c2"}, [envelope("e4")]))
    publisher = BatchRecorder(refuse={"e2"})
    with pytest.raises(UndeliverableEvents, match="e2: unroutable"):
        OutboxRelay(database, ["cases"], publisher).relay_pending()
    assert publisher.batches == [["e1", "e2", "e3", "e4"]]
    c1, c2 = database.cases.find_one({"_id": "c1"}), database.cases.find_one({"_id": "c2"})
    assert [e["event_id"] for e in c1["outbox"]] == ["e2", "e3"] and c1["outbox_pending"]
    assert c2["outbox"] == [] and "outbox_pending" not in c2

    publisher.refuse.clear()
    assert OutboxRelay(database, ["cases"], publisher).relay_pending() == 2
    assert publisher.batches[-1] == ["e2", "e3"]
    assert database.cases.count_documents(PENDING) == 0


class WithoutBulkWrite:
    """A database whose collections lack ``bulk_write``, like a store that never had it."""

    def __init__(self, db):
        self.db = db

    def __getitem__(self, name):
        collection = self.db[name]

        class Collection:
            def __getattr__(self, attr):
                if attr == "bulk_write":
                    raise AttributeError(attr)
                return getattr(collection, attr)
        return Collection()


def test_a_store_without_bulk_write_is_cleared_with_updates_in_order(database):
    database.cases.insert_one(with_events({"_id": "c1"}, [envelope("e1"), envelope("e2")]))
    publisher = BatchRecorder()
    assert OutboxRelay(WithoutBulkWrite(database), ["cases"], publisher).relay_pending() == 2
    case = database.cases.find_one({"_id": "c1"})
    assert case["outbox"] == [] and "outbox_pending" not in case


# --- a document all of whose events were sent: emptied in one update ------------------------

def outbox_of(database, doc_id):
    document = database.cases.find_one({"_id": doc_id})
    return [e["event_id"] for e in document["outbox"]], document.get("outbox_pending")


def test_a_document_all_sent_is_emptied_with_one_rewrite(database, store_uri):
    database.cases.insert_one(with_events({"_id": "c1"}, [envelope("e1"), envelope("e2")]))
    database.cases.insert_one(with_events({"_id": "c2"}, [envelope("e3"), envelope("e4")]))
    with recording() as statements, pytest.raises(UndeliverableEvents):
        OutboxRelay(database, ["cases"], BatchRecorder(refuse={"e4"})).relay_pending()
    assert outbox_of(database, "c1") == ([], None)
    assert outbox_of(database, "c2") == (["e4"], True)
    if store_uri.startswith("embedded"):  # counted where the statements can be seen
        rewrites = [params[1] for _, sql, params in statements if sql.startswith("UPDATE")]
        assert len(rewrites) == 2  # c1 once (was twice), c2 once for the pull


def test_an_event_pushed_after_the_read_stays_pending(database):
    database.cases.insert_one(with_events({"_id": "c1"}, [envelope("e1")]))
    database.cases.update_one({"_id": "c1"}, push_events({}, [envelope("e2")]))
    clear_sent(database.cases, {"c1": ["e1"]}, {"c1": 1})  # read when it held e1 alone
    assert outbox_of(database, "c1") == (["e2"], True)


def test_a_relay_late_after_another_cleared_keeps_the_next_event(database):
    # two relays read [e1]; the first cleared it and e2 came: as many events, not the same
    database.cases.insert_one(with_events({"_id": "c1"}, [envelope("e1")]))
    clear_sent(database.cases, {"c1": ["e1"]}, {"c1": 1})
    database.cases.update_one({"_id": "c1"}, push_events({}, [envelope("e2")]))
    clear_sent(database.cases, {"c1": ["e1"]}, {"c1": 1})
    assert outbox_of(database, "c1") == (["e2"], True)
