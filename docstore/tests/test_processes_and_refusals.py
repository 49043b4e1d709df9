"""Writes stay atomic when several processes share one store, and what the embedded store does
not implement is refused by name, changing nothing.

The cross-process tests run on every store backend under test (``tests/stores.py``): MongoDB,
where it runs, is the reference the embedded store must match."""
import datetime as dt
import os
import pathlib
import subprocess
import sys
import uuid

import pytest
from bson.errors import InvalidDocument

from docstore import DocStoreClient, UnsupportedOperation
from tests.stores import MONGOMOCK_URI, open_store

ROOT = pathlib.Path(__file__).resolve().parents[2]

WORKER = r"""
import os, sys, time
from pymongo.errors import DuplicateKeyError
from tests.stores import open_store
uri, name, task, me, go = sys.argv[1:6]
client, db = open_store(uri, name)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.005)
if task == "inc":
    for _ in range(500):
        db.counters.update_one({"_id": "hits"}, {"$inc": {"n": 1}})
else:
    try:
        db.cases.insert_one({"_id": me, "concern_id": "k1"})
        print("won", flush=True)
    except DuplicateKeyError:
        print("lost", flush=True)
client.close()
"""


def run_together(store_uri, tmp_path, name, task, count):
    """Starts ``count`` processes, lets them go at once, returns their outputs."""
    if store_uri == MONGOMOCK_URI:
        pytest.skip("mongomock lives inside one process")
    go = tmp_path / f"go-{uuid.uuid4().hex}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, store_uri, name, task, f"p{i}",
                                 str(go)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
               for i in range(count)]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    go.touch()
    outputs = [worker.communicate(timeout=120)[0].split() for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * count
    return outputs


@pytest.fixture
def shared_name(store_uri):
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield name
    if store_uri.startswith("mongodb"):
        client, _ = open_store(store_uri, name)
        client.drop_database(name)
        client.close()


def test_two_processes_incrementing_one_document_lose_nothing(store_uri, tmp_path, shared_name):
    if store_uri != MONGOMOCK_URI:
        client, db = open_store(store_uri, shared_name)
        db.counters.insert_one({"_id": "hits", "n": 0})
    run_together(store_uri, tmp_path, shared_name, "inc", 2)
    assert db.counters.find_one({"_id": "hits"})["n"] == 1000
    client.close()


def test_concurrent_inserts_on_a_unique_key_have_exactly_one_winner(store_uri, tmp_path,
                                                                     shared_name):
    if store_uri != MONGOMOCK_URI:
        client, db = open_store(store_uri, shared_name)
        db.cases.create_index([("concern_id", 1)], unique=True)
    outputs = run_together(store_uri, tmp_path, shared_name, "insert", 4)
    assert sorted(output[-1] for output in outputs) == ["lost", "lost", "lost", "won"]
    assert db.cases.count_documents({"concern_id": "k1"}) == 1
    client.close()


# --- refusals (the embedded store; MongoDB refuses these too, in its own words) -----------------

@pytest.fixture
def embedded(tmp_path):
    client = DocStoreClient(tmp_path)
    db = client["refusals"]
    db.things.insert_one({"_id": 1, "n": 1, "tags": ["a"]})
    yield db
    client.close()


@pytest.mark.parametrize("call, operator", [
    (lambda db: list(db.things.find({"name": {"$regex": "^a"}})), "$regex"),
    (lambda db: list(db.things.find({"$where": "this.n > 1"})), "$where"),
    (lambda db: list(db.things.find({"$text": {"$search": "x"}})), "$text"),
    (lambda db: db.things.update_one({"_id": 1}, {"$rename": {"n": "m"}}), "$rename"),
    (lambda db: db.things.update_one({"_id": 1}, {"$push": {"tags": {"$each": ["b"],
                                                                     "$slice": 3}}}), "$slice"),
    (lambda db: db.things.update_one({"tags": "a"}, {"$set": {"tags.$": "b"}}), "$set"),
    (lambda db: list(db.things.aggregate([{"$lookup": {"from": "x"}}])), "$lookup"),
    (lambda db: list(db.things.aggregate([{"$group": {"_id": None, "x": {"$push": "$n"}}}])),
     "{'$push': '$n'}"),
    (lambda db: list(db.things.find({"n": {"$gt": [1]}})), "$gt"),
])
def test_operators_outside_the_subset_are_refused_by_name(embedded, call, operator):
    with pytest.raises(UnsupportedOperation) as refused:
        call(embedded)
    assert refused.value.operator == operator
    assert isinstance(refused.value, NotImplementedError)
    assert embedded.things.find_one({"_id": 1}) == {"_id": 1, "n": 1, "tags": ["a"]}


def test_values_mongodb_cannot_hold_are_refused_naming_the_field(embedded):
    with pytest.raises(OverflowError, match="counts.big"):
        embedded.things.insert_one({"_id": 2, "counts": {"big": 2 ** 64}})
    with pytest.raises(OverflowError):
        embedded.things.update_one({"_id": 1}, {"$inc": {"n": 2 ** 63}})
    with pytest.raises(InvalidDocument, match="raised_on"):
        embedded.things.insert_one({"_id": 3, "raised_on": dt.date(2026, 11, 20)})
    with pytest.raises(InvalidDocument, match=r"\$set"):
        embedded.things.insert_one({"_id": 4, "$set": 1})
    assert embedded.things.count_documents({}) == 1
    assert embedded.things.find_one({"_id": 1})["n"] == 1


def test_an_increment_that_overflows_64_bits_is_refused(embedded):
    embedded.things.update_one({"_id": 1}, {"$set": {"n": 2 ** 63 - 1}})
    with pytest.raises(Exception, match="overflows 64 bits"):
        embedded.things.update_one({"_id": 1}, {"$inc": {"n": 1}})
    assert embedded.things.find_one({"_id": 1})["n"] == 2 ** 63 - 1


# --- TTL ----------------------------------------------------------------------------------------

def test_ttl_index_is_honoured_by_the_sweep(embedded):
    now = dt.datetime.now(dt.timezone.utc)
    events = embedded.processed_events
    events.create_index("handled_at", expireAfterSeconds=3600)
    events.insert_many([{"_id": "old", "handled_at": now - dt.timedelta(hours=2)},
                        {"_id": "new", "handled_at": now},
                        {"_id": "no-date", "handled_at": "yesterday"}])
    assert embedded.sweep_expired() == 1
    assert sorted(doc["_id"] for doc in events.find({})) == ["new", "no-date"]
    assert embedded.sweep_expired(now + dt.timedelta(hours=2)) == 1
    assert events.index_information()["handled_at_1"]["expireAfterSeconds"] == 3600


def test_a_second_connection_learns_of_arrays_and_indexes_the_first_added(tmp_path):
    first = DocStoreClient(tmp_path)["shared"]
    second = DocStoreClient(tmp_path)["shared"]
    first.visits.insert_one({"_id": 1, "tags": "land"})
    assert second.visits.count_documents({"tags": "land"}) == 1  # its cache: no arrays yet
    first.visits.insert_one({"_id": 2, "tags": ["water", "land"]})
    assert second.visits.count_documents({"tags": "land"}) == 2  # the array's element
    first.visits.create_index([("concerns.concern_id", 1)])
    second.visits.insert_one({"_id": 3, "concerns": [{"concern_id": "k1"}]})
    assert first.visits.find_one({"concerns.concern_id": "k1"})["_id"] == 3
    assert any("__mk__" in step for step in first.visits.explain({"concerns.concern_id": "k1"}))
