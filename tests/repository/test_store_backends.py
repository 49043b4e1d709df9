"""The pymongo subset the services rely on, run against every store backend under test
(the embedded store always, MongoDB when MONGO_URI is set)."""
import datetime as dt
import time

import eventlet
import pytest

from shared.errors import Conflict
from shared.outbox import OutboxRelay, insert_once, push_events, with_events
from shared.storage import DuplicateKeyError, connect
from shared.store import sweep_forever


def envelope(event_id):
    return {"event_id": event_id, "event_type": "visit_logged", "source": "visits",
            "occurred_at": "2026-11-25T00:00:00+00:00", "payload": {}}


class RecordingPublisher:
    def __init__(self, fail_on=()):
        self.published = []
        self.fail_on = set(fail_on)

    def __call__(self, event):
        if event["event_id"] in self.fail_on:
            raise ConnectionError("broker went away")
        self.published.append(event["event_id"])


def test_unique_compound_index_refuses_second_submission(database):
    database.visits.create_index([("cadre_id", 1), ("submission_id", 1)], unique=True)
    database.visits.insert_one({"_id": "v1", "cadre_id": "c", "submission_id": "s"})
    with pytest.raises(DuplicateKeyError):
        database.visits.insert_one({"_id": "v2", "cadre_id": "c", "submission_id": "s"})
    database.visits.insert_one({"_id": "v3", "cadre_id": "other", "submission_id": "s"})
    assert database.visits.count_documents({}) == 2


def test_aware_datetimes_come_back_aware_in_utc(database):
    moment = dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    database.things.insert_one({"_id": 1, "at": moment})
    stored = database.things.find_one({"_id": 1})["at"]
    assert stored.utcoffset() == dt.timedelta(0)
    assert stored == moment


def test_relay_publishes_in_order_and_empties_the_outbox(database):
    database.visits.insert_one(with_events({"_id": "v1"}, [envelope("e1"), envelope("e2")]))
    database.visits.insert_one({"_id": "v2"})  # nothing to publish
    publish = RecordingPublisher()
    relay = OutboxRelay(database, ["visits"], publish)
    relay.ensure_indexes()

    assert relay.relay_pending() == 2
    assert publish.published == ["e1", "e2"]
    relayed = database.visits.find_one({"_id": "v1"})
    assert relayed["outbox"] == [] and "outbox_pending" not in relayed
    assert relay.relay_pending() == 0


def test_event_pushed_while_relaying_stays_pending(database):
    database.cases.insert_one(with_events({"_id": "c1"}, [envelope("e1")]))

    def publish_while_the_case_changes(event):
        if event["event_id"] == "e1":  # the case moves on while e1 is being published
            database.cases.update_one({"_id": "c1"}, push_events({}, [envelope("e2")]))

    OutboxRelay(database, ["cases"], publish_while_the_case_changes).relay_pending()
    case = database.cases.find_one({"_id": "c1"})
    assert [e["event_id"] for e in case["outbox"]] == ["e2"]
    assert case["outbox_pending"] is True


def test_failed_publish_keeps_that_event_and_the_rest_pending(database):
    database.visits.insert_one(with_events({"_id": "v1"}, [envelope("e1"), envelope("e2"),
                                                           envelope("e3")]))
    relay = OutboxRelay(database, ["visits"], RecordingPublisher(fail_on={"e2"}))
    with pytest.raises(ConnectionError):
        relay.relay_pending()
    pending = [e["event_id"] for e in database.visits.find_one({"_id": "v1"})["outbox"]]
    assert pending == ["e2", "e3"]

    later = RecordingPublisher()
    OutboxRelay(database, ["visits"], later).relay_pending()
    assert later.published == ["e2", "e3"]


def test_events_pushed_with_an_update_join_the_outbox(database):
    database.cases.insert_one(with_events({"_id": "c1", "status": "routed"}, [envelope("e1")]))
    database.cases.update_one({"_id": "c1"},
                              push_events({"$set": {"status": "acknowledged"}}, [envelope("e2")]))
    case = database.cases.find_one({"_id": "c1"})
    assert case["status"] == "acknowledged"
    assert [e["event_id"] for e in case["outbox"]] == ["e1", "e2"]


def test_embedded_store_keeps_pending_events_across_a_restart(tmp_path):
    uri = f"embedded:{tmp_path}"
    client, db = connect(uri, "visits")
    db.visits.insert_one(with_events({"_id": "v1"}, [envelope("e1")]))
    client.close()

    client, db = connect(uri, "visits")
    publish = RecordingPublisher()
    assert OutboxRelay(db, ["visits"], publish).relay_pending() == 1
    assert publish.published == ["e1"]
    client.close()


def test_a_sweep_runs_while_the_store_dependency_runs(tmp_path):
    client, db = connect(f"embedded:{tmp_path}", "sweeping")
    db.processed_events.create_index("handled_at", expireAfterSeconds=0)
    db.processed_events.insert_one({"_id": "e1", "handled_at": dt.datetime(2020, 1, 1)})
    running = [True]
    thread = eventlet.spawn(sweep_forever, db, lambda: running[0], 0.01)
    deadline = time.monotonic() + 10
    while db.processed_events.count_documents({}) and time.monotonic() < deadline:
        eventlet.sleep(0.01)
    running[0] = False
    thread.wait()
    assert db.processed_events.count_documents({}) == 0
    client.close()


def test_unknown_store_uri_is_refused():
    with pytest.raises(ValueError, match="unsupported store URI"):
        connect("postgres://localhost/x", "visits")


def test_insert_once_accepts_a_repeat_and_names_the_key_a_different_document_collides_on(
        database):
    database.rules.create_index([("topic", 1), ("unit_id", 1)], unique=True)
    keys = [("_id",), ("topic", "unit_id")]
    rule = {"_id": "land-bx", "topic": "land", "unit_id": "bx", "authority_id": "ubnd-bx"}

    assert insert_once(database.rules, rule, [envelope("e1")], keys) == rule
    assert insert_once(database.rules, dict(rule), [envelope("e2")], keys)["_id"] == "land-bx"
    with pytest.raises(Conflict) as same_id:
        insert_once(database.rules, {**rule, "authority_id": "other"}, [], keys)
    assert same_id.value.fields == {"_id": ["land-bx"]}
    with pytest.raises(Conflict) as same_place:
        insert_once(database.rules, {**rule, "_id": "land-bx-2"}, [], keys)
    assert same_place.value.fields == {"topic": ["land"], "unit_id": ["bx"]}

    stored = database.rules.find_one({"_id": "land-bx"})
    assert [e["event_id"] for e in stored["outbox"]] == ["e1"]  # the repeat added no event
    assert database.rules.count_documents({}) == 1
