"""Issue 21, "the store, exact": each defect D1–D9 as a test, with MongoDB's documented answer.

Each test failed on the store before the fix; the expected values are MongoDB's (where
mongomock, the usual reference, deviates, the test says so)."""
import datetime as dt

import pytest
from pymongo import UpdateOne
from pymongo.errors import DocumentTooLarge, DuplicateKeyError, OperationFailure, WriteError

from docstore import DocStoreClient, UnsupportedOperation

UTC = dt.timezone.utc


@pytest.fixture
def db(tmp_path):
    client = DocStoreClient(tmp_path)
    yield client["exact"]
    client.close()


def ids(cursor):
    return sorted(doc["_id"] for doc in cursor)


# D1: in a unique index that is neither sparse nor partial, missing and null are one key
def test_a_unique_index_holds_one_null_or_missing_key(db):
    rules = db.routing_rules
    rules.create_index([("topic", 1), ("unit_id", 1), ("urgency", 1), ("effective_from", 1)],
                       unique=True)
    rules.insert_one({"_id": 1, "topic": "t", "unit_id": "u", "urgency": None,
                      "effective_from": None})
    with pytest.raises(DuplicateKeyError):
        rules.insert_one({"_id": 2, "topic": "t", "unit_id": "u", "urgency": None,
                          "effective_from": None})
    with pytest.raises(DuplicateKeyError):  # missing is null
        rules.insert_one({"_id": 3, "topic": "t", "unit_id": "u"})
    rules.insert_one({"_id": 4, "topic": "t", "unit_id": "v"})
    assert ids(rules.find({})) == [1, 4]


def test_a_sparse_unique_index_lets_missing_repeat_but_not_null(db):
    db.users.create_index("email", unique=True, sparse=True)
    db.users.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3, "email": None}])
    with pytest.raises(DuplicateKeyError):  # MongoDB's sparse index holds explicit nulls
        db.users.insert_one({"_id": 4, "email": None})


def test_building_a_unique_index_over_duplicates_names_them(db):
    db.rules.insert_many([{"_id": "r1", "topic": "t"}, {"_id": "r2", "topic": "t",
                                                          "urgency": None},
                          {"_id": "r3", "topic": "s"}])
    with pytest.raises(DuplicateKeyError) as refused:
        db.rules.create_index([("topic", 1), ("urgency", 1)], unique=True)
    assert "r1" in str(refused.value) and "r2" in str(refused.value)
    assert refused.value.details["duplicates"] == [["r1", "r2"]]
    assert list(db.rules.index_information()) == ["_id_"]


# D2: $nor keeps the documents whose field is missing or null
def test_nor_keeps_missing_and_null(db):
    db.things.insert_many([{"_id": 1, "a": 1}, {"_id": 2, "a": 2}, {"_id": 3},
                           {"_id": 4, "a": None}])
    assert ids(db.things.find({"$nor": [{"a": 1}]})) == [2, 3, 4]
    assert db.things.count_documents({"$nor": [{"a": {"$gt": 1}}, {"a": 1}]}) == 2


# D3: a reader never misses a document while a field first becomes an array elsewhere
def test_a_reader_is_not_misled_by_an_array_written_between_its_plan_and_its_read(tmp_path):
    reader = DocStoreClient(tmp_path)["shared"]
    writer = DocStoreClient(tmp_path)["shared"]
    writer.visits.insert_many([{"_id": 1, "tags": "x"}, {"_id": 2, "tags": "x"}])
    assert reader.visits.count_documents({"tags": "x"}) == 2
    planned = reader.meta

    def meta_then_a_write(collection):
        found = planned(collection)
        if not getattr(reader, "_written", False):
            reader._written = True  # doc 2 holds "x" before and after
            writer.visits.update_one({"_id": 2}, {"$set": {"tags": ["x", "y"]}})
        return found

    reader.meta = meta_then_a_write
    assert ids(reader.visits.find({"tags": "x"})) == [1, 2]


# D4: the TTL sweep deletes only what the partial filter indexes
def test_ttl_sweep_honours_the_partial_filter(db):
    now = dt.datetime.now(UTC)
    old = now - dt.timedelta(hours=2)
    db.files.create_index("expires_at", expireAfterSeconds=0,
                          partialFilterExpression={"kind": "upload"})
    db.files.insert_many([{"_id": 1, "kind": "upload", "expires_at": old},
                          {"_id": 2, "kind": "report", "expires_at": old},
                          {"_id": 3, "expires_at": old}])
    assert db.sweep_expired() == 1
    assert ids(db.files.find({})) == [2, 3]


# D5: an index name reused with other options is refused
def test_an_existing_index_with_other_options_is_refused(db):
    db.cases.create_index("concern_id", unique=True)
    db.cases.create_index("concern_id", unique=True)  # the same again: fine
    with pytest.raises(OperationFailure) as refused:
        db.cases.create_index("concern_id")
    assert refused.value.code == 85  # IndexOptionsConflict
    with pytest.raises(OperationFailure):
        db.cases.create_index("handled_at", expireAfterSeconds=60, name="concern_id_1")
    with pytest.raises(OperationFailure):  # the same key pattern under another name
        db.cases.create_index("concern_id", unique=True, name="by_concern")
    assert db.cases.index_information()["concern_id_1"] == {"key": [("concern_id", 1)],
                                                             "unique": True}


# D6: ranges stay within the operand's type; subdocuments compare as subdocuments
def test_a_string_range_does_not_reach_subdocuments(db):
    db.things.insert_many([{"_id": 1, "a": {"x": 1}}, {"_id": 2, "a": "c"},
                           {"_id": 3, "a": '{"x":1}'}])
    assert ids(db.things.find({"a": {"$gt": "b"}})) == [2, 3]
    assert ids(db.things.find({"a": '{"x":1}'})) == [3]
    assert ids(db.things.find({"a": {"x": 1}})) == [1]


def test_subdocuments_sort_after_strings_and_by_their_fields(db):
    db.things.insert_many([{"_id": 1, "a": {"x": 10}}, {"_id": 2, "a": "zz"},
                           {"_id": 3, "a": {"x": 9}}, {"_id": 4, "a": 5}])
    # MongoDB: numbers < strings < objects; {x: 9} < {x: 10} numerically, not as text
    assert [doc["_id"] for doc in db.things.find({}).sort("a", 1)] == [4, 2, 3, 1]


# D7: _id cannot be unset
def test_unsetting_the_id_is_refused(db):
    db.things.insert_one({"_id": 1, "n": 1})
    with pytest.raises(WriteError) as refused:
        db.things.update_one({"_id": 1}, {"$unset": {"_id": ""}})
    assert refused.value.code == 66  # ImmutableField
    assert db.things.find_one({}) == {"_id": 1, "n": 1}


# D8: strings holding NUL compare and stay unique exactly
def test_strings_with_nul_are_compared_whole(db):
    db.keys.create_index("key", unique=True)
    db.keys.insert_many([{"_id": 1, "key": "a\x00b"}, {"_id": 2, "key": "a\x00c"},
                         {"_id": 3, "key": "a\x01"}])
    assert ids(db.keys.find({"key": "a"})) == []
    assert ids(db.keys.find({"key": "a\x00c"})) == [2]
    assert ids(db.keys.find({"key": {"$gt": "a\x00b"}})) == [2, 3]
    assert db.keys.find_one({"_id": 3})["key"] == "a\x01"
    assert [doc["key"] for doc in db.keys.find({}).sort("key", 1)] == ["a\x00b", "a\x00c",
                                                                       "a\x01"]


# D9: two operators on one path (or a path and its parent) conflict: refused, code 40
def test_conflicting_update_paths_are_refused(db):
    # mongomock applies them in turn; MongoDB refuses with ConflictingUpdateOperators (40)
    db.things.insert_one({"_id": 1, "a": 1, "b": {"c": 1}})
    with pytest.raises(WriteError) as refused:
        db.things.update_one({"_id": 1}, {"$set": {"a": 5}, "$inc": {"a": 1}})
    assert refused.value.code == 40
    with pytest.raises(WriteError):
        db.things.update_one({"_id": 1}, {"$set": {"b": {}}, "$unset": {"b.c": ""}})
    assert db.things.find_one({}) == {"_id": 1, "a": 1, "b": {"c": 1}}


# D10+: each shape either MongoDB's answer or refused by name
def test_size_and_elem_match_look_at_the_array_itself(db):
    db.things.insert_many([{"_id": 1, "a": [[1, 2]]}, {"_id": 2, "a": [1, 2]},
                           {"_id": 3, "a": [[5]]}])
    assert ids(db.things.find({"a": {"$size": 2}})) == [2]
    assert ids(db.things.find({"a": {"$elemMatch": {"$gt": 1}}})) == [2]
    assert ids(db.things.find({"a": {"$elemMatch": {"$size": 1}}})) == [3]


def test_sort_through_an_array_uses_the_least_or_greatest_element(db):
    db.things.insert_many([{"_id": 1, "c": [{"x": 5}, {"x": 1}]}, {"_id": 2, "c": [{"x": 3}]},
                           {"_id": 3, "c": []}])
    assert [doc["_id"] for doc in db.things.find({}).sort("c.x", 1)] == [3, 1, 2]
    assert [doc["_id"] for doc in db.things.find({}).sort("c.x", -1)] == [1, 2, 3]
    assert [doc["_id"] for doc in db.things.find({}).sort("c.x", -1).skip(1).limit(1)] == [2]


def test_aggregate_groups_numbers_by_value_and_refuses_what_it_cannot(db):
    db.things.insert_many([{"_id": 1, "g": 1}, {"_id": 2, "g": 1.0}, {"_id": 3, "g": 2}])
    groups = list(db.things.aggregate([{"$group": {"_id": "$g", "n": {"$sum": 1}}},
                                       {"$sort": {"_id": 1}}]))
    assert groups == [{"_id": 1, "n": 2}, {"_id": 2, "n": 1}]
    with pytest.raises(OperationFailure):  # mongomock returns nothing; MongoDB: code 15958
        list(db.things.aggregate([{"$limit": 0}]))
    with pytest.raises(UnsupportedOperation) as refused:
        list(db.things.aggregate([{"$project": {"whole": "$$ROOT"}}]))
    assert refused.value.operator == "$$ROOT"
    with pytest.raises(UnsupportedOperation) as refused:
        db.things.find_one({}, {"a.$": 1})
    assert refused.value.operator == "$"


def test_bulk_update_one_with_a_sort_updates_the_first_in_that_order(db):
    db.things.insert_many([{"_id": 1, "n": 3}, {"_id": 2, "n": 1}, {"_id": 3, "n": 2}])
    db.things.bulk_write([UpdateOne({}, {"$set": {"picked": True}}, sort={"n": 1})])
    assert ids(db.things.find({"picked": True})) == [2]


def test_documents_over_16_mb_are_refused(db):
    with pytest.raises(DocumentTooLarge):
        db.things.insert_one({"_id": 1, "blob": "x" * (16 * 1024 * 1024)})
    db.things.insert_one({"_id": 2, "blob": "x" * (9 * 1024 * 1024)})
    with pytest.raises(WriteError) as refused:
        db.things.update_one({"_id": 2}, {"$set": {"more": "y" * (8 * 1024 * 1024)}})
    assert refused.value.code == 17419
    assert db.things.count_documents({}) == 1
