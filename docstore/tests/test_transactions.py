"""``Database.transaction()``: the writes of a block committed together or not at all, each one
a savepoint, so a write that fails alone inside it undoes only itself (the event subscriber's
batches, shared/batches.py, rely on both)."""
import sqlite3

import pytest
from pymongo.errors import BulkWriteError, DuplicateKeyError

from docstore import DocStoreClient


@pytest.fixture
def db(tmp_path):
    client = DocStoreClient(tmp_path)
    yield client["audit"]
    client.close()


def test_writes_in_a_transaction_commit_together_in_one_begin(db, tmp_path):
    begins = []
    db.conn.set_trace_callback(lambda sql: begins.append(sql) if sql.startswith("BEGIN") else 0)
    with db.transaction():
        for n in range(5):
            db.entries.insert_one({"_id": n})
        db.entries.update_one({"_id": 0}, {"$set": {"seen": True}})
        assert db.entries.count_documents({}) == 5  # its own writes, read inside it
    assert [sql for sql in begins if sql == "BEGIN IMMEDIATE"] == ["BEGIN IMMEDIATE"]
    other = DocStoreClient(tmp_path)["audit"]  # another connection sees them committed
    assert other.entries.count_documents({}) == 5
    assert other.entries.find_one({"_id": 0})["seen"] is True


def test_a_block_that_raises_leaves_nothing_behind(db):
    db.entries.insert_one({"_id": "before"})
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.entries.insert_one({"_id": "a"})
            db.other.insert_one({"_id": "b", "tags": ["x"]})
            raise RuntimeError("the handler failed")
    assert [doc["_id"] for doc in db.entries.find()] == ["before"]
    assert db.other.count_documents({}) == 0
    db.other.insert_one({"_id": "c"})  # the table made in the undone block is made again
    assert db.other.count_documents({}) == 1


def test_a_failing_write_inside_undoes_only_itself(db):
    db.entries.create_index("key", unique=True)
    with db.transaction():
        db.entries.insert_one({"_id": 1, "key": "k"})
        with pytest.raises(DuplicateKeyError):
            db.entries.insert_one({"_id": 2, "key": "k"})
        with pytest.raises(BulkWriteError):  # a bulk insert's one-by-one retry too
            db.entries.insert_many([{"_id": 3, "key": "m"}, {"_id": 4, "key": "k"}])
        db.entries.insert_one({"_id": 5, "key": "n"})
    assert sorted(doc["_id"] for doc in db.entries.find()) == [1, 5]


def test_an_array_path_recorded_by_an_undone_write_is_forgotten(db):
    with db.transaction():
        db.entries.insert_one({"_id": 1, "tags": "plain"})
        with pytest.raises(DuplicateKeyError):
            db.entries.insert_one({"_id": 1, "tags": ["a", "b"]})
    assert "tags" not in db.meta("entries").arrays
    assert db.entries.find_one({"tags": "plain"})["_id"] == 1


def test_transactions_do_not_nest(db):
    with db.transaction():
        with pytest.raises(RuntimeError, match="already open"):
            with db.transaction():
                pass
        db.entries.insert_one({"_id": 1})
    assert db.entries.count_documents({}) == 1
    assert not db.conn.in_transaction


def test_the_lock_is_held_for_the_whole_block(db, tmp_path):
    """Another process waits for the block's commit rather than writing inside it."""
    other = sqlite3.connect(str(tmp_path / "audit.sqlite3"), timeout=0.05)
    with db.transaction():
        db.entries.insert_one({"_id": 1})
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()
