"""One conformance suite: every operation the services use, the same on each backend (the
embedded store, mongomock as the reference for MongoDB's semantics, MongoDB when MONGO_URI is
set)."""
import datetime as dt

import pytest
from pymongo import DeleteOne, InsertOne, ReplaceOne, ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from tests.stores import MONGOMOCK_URI

UTC = dt.timezone.utc


def not_on_mongomock(store_uri, why):
    if store_uri == MONGOMOCK_URI:
        pytest.skip(f"mongomock differs from MongoDB here: {why}")


def at(day, hour=0):
    return dt.datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def cases(database):
    database.cases.create_index([("authority_id", 1), ("status", 1), ("routed_at", -1)])
    database.cases.insert_many([
        {"_id": "c1", "authority_id": "a", "status": "routed", "routed_at": at(1), "n": 5,
         "tags": ["land", "water"], "unit": {"level": "branch", "code": 7}},
        {"_id": "c2", "authority_id": "a", "status": "routed", "routed_at": at(3), "n": 1.5,
         "tags": ["land"], "unit": {"level": "district", "code": 2}},
        {"_id": "c3", "authority_id": "a", "status": "answered", "routed_at": at(2), "n": None,
         "tags": [], "unit": {"level": "branch"}},
        {"_id": "c4", "authority_id": "b", "status": "routed", "routed_at": at(4), "n": "5",
         "unit": {"level": "branch", "code": 9}},
        {"_id": "c5", "authority_id": "b", "status": "unrouted", "routed_at": None, "n": 9},
    ])
    return database.cases


def ids(found):
    return [doc["_id"] for doc in found]


# --- reads --------------------------------------------------------------------------------------

def test_inbox_query_sorts_newest_first_and_limits(cases):
    found = cases.find({"authority_id": "a", "status": "routed"}, {"tags": 0}).sort(
        "routed_at", -1).limit(1)
    assert [(doc["_id"], "tags" in doc) for doc in found] == [("c2", False)]


@pytest.mark.parametrize("query, expected", [
    ({"status": "routed"}, ["c1", "c2", "c4"]),
    ({"status": {"$in": ["answered", "unrouted"]}}, ["c3", "c5"]),
    ({"status": {"$nin": ["routed"]}}, ["c3", "c5"]),
    ({"status": {"$ne": "routed"}}, ["c3", "c5"]),
    ({"n": {"$gt": 1}}, ["c1", "c2", "c5"]),           # numbers only: "5" is a string
    ({"n": {"$gte": 5, "$lt": 9}}, ["c1"]),
    ({"n": {"$lte": "5"}}, ["c4"]),                    # strings only
    ({"n": None}, ["c3"]),                             # null (no document lacks n)
    ({"n": {"$ne": None}}, ["c1", "c2", "c4", "c5"]),
    ({"routed_at": {"$gte": at(2), "$lt": at(4)}}, ["c2", "c3"]),
    ({"routed_at": None}, ["c5"]),
    ({"tags": "land"}, ["c1", "c2"]),                   # any element
    ({"tags": ["land"]}, ["c2"]),                       # the whole array
    ({"tags": {"$size": 0}}, ["c3"]),
    ({"tags": {"$all": ["land", "water"]}}, ["c1"]),
    ({"tags": {"$exists": False}}, ["c4", "c5"]),
    ({"unit.level": "branch"}, ["c1", "c3", "c4"]),     # dotted path into a subdocument
    ({"unit.code": None}, ["c3", "c5"]),                # missing matches null
    ({"unit.code": {"$exists": True}}, ["c1", "c2", "c4"]),
    ({"$or": [{"authority_id": "b"}, {"n": 5}]}, ["c1", "c4", "c5"]),
    ({"$and": [{"authority_id": "a"}, {"status": {"$ne": "routed"}}]}, ["c3"]),
    ({"_id": {"$in": ["c2", "c9", "c4"]}}, ["c2", "c4"]),
    ({"_id": {"$gt": "c3"}}, ["c4", "c5"]),
])
def test_filters_match_as_mongodb_does(cases, query, expected):
    assert sorted(ids(cases.find(query))) == expected
    assert cases.count_documents(query) == len(expected)


def test_dotted_path_into_an_array_of_subdocuments_matches_any_element(database):
    database.visits.create_index([("concerns.concern_id", 1)])
    database.visits.insert_many([
        {"_id": "v1", "concerns": [{"concern_id": "k1"}, {"concern_id": "k2"}]},
        {"_id": "v2", "concerns": [{"concern_id": "k3"}]},
        {"_id": "v3", "concerns": []},
    ])
    assert ids(database.visits.find({"concerns.concern_id": "k2"})) == ["v1"]
    assert sorted(ids(database.visits.find({"concerns.concern_id": {"$in": ["k1", "k3"]}}))) \
        == ["v1", "v2"]
    database.visits.update_one({"_id": "v2"}, {"$push": {"concerns": {"concern_id": "k4"}}})
    assert ids(database.visits.find({"concerns.concern_id": "k4"})) == ["v2"]
    database.visits.delete_one({"_id": "v1"})
    assert database.visits.find_one({"concerns.concern_id": "k1"}) is None


def test_sort_puts_null_and_missing_first_then_numbers_then_strings(cases):
    cases.insert_one({"_id": "c6", "status": "x"})  # no n at all
    order = ids(cases.find({}).sort([("n", 1), ("_id", 1)]))
    assert order == ["c3", "c6", "c2", "c1", "c5", "c4"]
    # null and missing sort as equals: the second key orders them
    assert ids(cases.find({}).sort([("n", -1), ("_id", 1)])) == ["c4", "c5", "c1", "c2", "c3",
                                                                  "c6"]


def test_skip_limit_projection_and_find_one(cases):
    page = cases.find({}, {"status": 1}).sort("_id", 1).skip(1).limit(2)
    assert list(page) == [{"_id": "c2", "status": "routed"}, {"_id": "c3", "status": "answered"}]
    assert cases.find_one({"_id": "c4"}, {"_id": 0, "unit.code": 1}) == {"unit": {"code": 9}}
    assert cases.find_one("c5")["n"] == 9
    # the _id alone, included or excluded
    assert cases.find_one({"_id": "c2"}, {"_id": 1}) == {"_id": "c2"}
    assert "_id" not in cases.find_one({"_id": "c2"}, {"_id": 0})
    assert cases.find_one({"_id": "nope"}) is None
    assert cases.count_documents({"authority_id": "a"}, limit=2) == 2


def test_distinct_unwinds_arrays(cases):
    assert sorted(cases.distinct("tags")) == ["land", "water"]
    assert sorted(cases.distinct("status", {"authority_id": "a"})) == ["answered", "routed"]


def test_aggregate_groups_for_statistics(cases):
    rows = cases.aggregate([
        {"$match": {"status": {"$ne": "unrouted"}}},
        {"$group": {"_id": "$authority_id", "cases": {"$sum": 1}, "first": {"$min": "$routed_at"},
                    "last": {"$max": "$routed_at"}, "mean": {"$avg": "$n"}}},
        {"$sort": {"_id": 1}},
        {"$project": {"cases": 1, "first": 1, "last": 1, "mean": 1}},
    ])
    assert list(rows) == [
        {"_id": "a", "cases": 3, "first": at(1), "last": at(3), "mean": 3.25},
        {"_id": "b", "cases": 1, "first": at(4), "last": at(4), "mean": None},
    ]
    assert list(cases.aggregate([{"$match": {"authority_id": "a"}}, {"$count": "n"}])) \
        == [{"n": 3}]


# --- writes -------------------------------------------------------------------------------------

def test_update_operators(cases):
    result = cases.update_one({"_id": "c1"}, {
        "$set": {"status": "acknowledged", "sla.ack_by": at(9)}, "$unset": {"unit": ""},
        "$inc": {"n": 2, "reminders": 1}, "$push": {"tags": {"$each": ["roads", "land"]}},
        "$addToSet": {"seen_by": {"$each": ["u1", "u2"]}}})
    assert (result.matched_count, result.modified_count, result.upserted_id) == (1, 1, None)
    case = cases.find_one({"_id": "c1"})
    assert case["status"] == "acknowledged" and case["sla"] == {"ack_by": at(9)}
    assert "unit" not in case and case["n"] == 7 and case["reminders"] == 1
    assert case["tags"] == ["land", "water", "roads", "land"]
    assert case["seen_by"] == ["u1", "u2"]
    cases.update_one({"_id": "c1"}, {"$pull": {"tags": "land"}, "$addToSet": {"seen_by": "u1"}})
    assert cases.find_one({"_id": "c1"}, {"tags": 1, "seen_by": 1, "_id": 0}) == {
        "tags": ["water", "roads"], "seen_by": ["u1", "u2"]}


def test_pull_by_condition_empties_an_outbox(database):
    outbox = [{"event_id": "e1"}, {"event_id": "e2"}, {"event_id": "e3"}]
    database.visits.insert_one({"_id": "v1", "outbox": outbox, "outbox_pending": True})
    database.visits.update_one({"_id": "v1"},
                               {"$pull": {"outbox": {"event_id": {"$in": ["e1", "e3"]}}}})
    assert database.visits.find_one({"_id": "v1"})["outbox"] == [{"event_id": "e2"}]
    database.visits.update_one({"_id": "v1"}, {"$pull": {"outbox": {"event_id": "e2"}}})
    result = database.visits.update_one({"_id": "v1", "outbox": {"$size": 0}},
                                        {"$unset": {"outbox_pending": ""}})
    assert result.modified_count == 1
    assert database.visits.find_one({"outbox_pending": True}) is None


def test_update_many_counts_matched_and_modified(cases):
    result = cases.update_many({"authority_id": "a"}, {"$set": {"status": "routed"}})
    assert (result.matched_count, result.modified_count) == (3, 1)
    nothing = cases.update_many({"authority_id": "z"}, {"$set": {"status": "x"}})
    assert (nothing.matched_count, nothing.modified_count) == (0, 0)


def test_upserts_take_the_filter_equalities(database):
    result = database.stats.update_one(
        {"_id": "day-1", "kind": "visits"},
        {"$inc": {"count": 1}, "$setOnInsert": {"first_at": at(1)}}, upsert=True)
    assert result.upserted_id == "day-1" and result.matched_count == 0
    database.stats.update_one({"_id": "day-1", "kind": "visits"},
                              {"$inc": {"count": 1}, "$setOnInsert": {"first_at": at(5)}},
                              upsert=True)
    assert database.stats.find_one({"_id": "day-1"}) == {
        "_id": "day-1", "kind": "visits", "count": 2, "first_at": at(1)}
    replaced = database.units.replace_one({"_id": "u1"}, {"name": "Nội Phật"}, upsert=True)
    assert replaced.upserted_id == "u1"
    again = database.units.replace_one({"_id": "u1"}, {"name": "Tam Hợp"}, upsert=True)
    assert (again.matched_count, again.modified_count, again.upserted_id) == (1, 1, None)
    assert database.units.find_one({"_id": "u1"}) == {"_id": "u1", "name": "Tam Hợp"}


def test_find_one_and_update_returns_before_or_after(cases):
    before = cases.find_one_and_update({"_id": "c2", "status": "routed"},
                                       {"$set": {"status": "acknowledged"}, "$inc": {"version": 1}})
    assert before["status"] == "routed" and "version" not in before
    after = cases.find_one_and_update({"_id": "c2"}, {"$inc": {"version": 1}},
                                      projection={"version": 1},
                                      return_document=ReturnDocument.AFTER)
    assert after == {"_id": "c2", "version": 2}
    # optimistic concurrency: a stale expected state matches nothing and changes nothing
    assert cases.find_one_and_update({"_id": "c2", "status": "routed"},
                                     {"$set": {"status": "answered"}}) is None
    created = cases.find_one_and_update({"_id": "c9"}, {"$set": {"status": "routed"}},
                                        upsert=True, return_document=ReturnDocument.AFTER)
    assert created == {"_id": "c9", "status": "routed"}
    oldest = cases.find_one_and_update({"status": "routed"}, {"$set": {"picked": True}},
                                       sort=[("routed_at", 1)])
    assert oldest["_id"] == "c9"  # its routed_at is missing: sorts first


def test_delete_one_and_many(cases):
    assert cases.delete_one({"authority_id": "a"}).deleted_count == 1
    assert cases.delete_many({"authority_id": "a"}).deleted_count == 2
    assert cases.delete_many({"authority_id": "a"}).deleted_count == 0
    assert sorted(ids(cases.find({}))) == ["c4", "c5"]


def test_insert_one_assigns_an_id_and_insert_many_reports_ids(database):
    doc = {"name": "x"}
    result = database.things.insert_one(doc)
    assert doc["_id"] == result.inserted_id
    assert database.things.find_one({"_id": result.inserted_id})["name"] == "x"
    assert database.things.insert_many([{"_id": 1}, {"_id": 2}]).inserted_ids == [1, 2]


def test_bulk_write_applies_all_in_one_go(cases, store_uri):
    not_on_mongomock(store_uri, "4.3 cannot take pymongo 4.15's UpdateOne")
    result = cases.bulk_write([
        InsertOne({"_id": "c7", "status": "routed"}),
        UpdateOne({"_id": "c1"}, {"$set": {"status": "answered"}}),
        UpdateOne({"_id": "c8"}, {"$set": {"status": "routed"}}, upsert=True),
        ReplaceOne({"_id": "c5"}, {"status": "closed"}),
        DeleteOne({"_id": "c4"}),
    ])
    assert (result.inserted_count, result.matched_count, result.modified_count,
            result.upserted_count, result.deleted_count) == (1, 2, 2, 1, 1)
    assert result.upserted_ids == {2: "c8"}
    assert sorted(ids(cases.find({}))) == ["c1", "c2", "c3", "c5", "c7", "c8"]


def test_bulk_write_with_a_duplicate_raises_bulk_write_error(cases, store_uri):
    not_on_mongomock(store_uri, "4.3 cannot take pymongo 4.15's UpdateOne")
    with pytest.raises(BulkWriteError) as error:
        cases.bulk_write([UpdateOne({"_id": "c1"}, {"$set": {"x": 1}}),
                          InsertOne({"_id": "c2"})])
    assert error.value.details["writeErrors"][0]["index"] == 1


# --- indexes and refusals -----------------------------------------------------------------------

def test_unique_indexes_raise_duplicate_key_error_and_change_nothing(database):
    database.cases.create_index([("concern_id", 1)], unique=True)
    database.cases.insert_one({"_id": "c1", "concern_id": "k1", "status": "routed"})
    with pytest.raises(DuplicateKeyError):
        database.cases.insert_one({"_id": "c2", "concern_id": "k1"})
    with pytest.raises(DuplicateKeyError):
        database.cases.insert_one({"_id": "c1", "concern_id": "k2"})
    database.cases.insert_one({"_id": "c3", "concern_id": "k3"})
    with pytest.raises(DuplicateKeyError):
        database.cases.update_one({"_id": "c3"}, {"$set": {"concern_id": "k1"}})
    assert database.cases.find_one({"_id": "c3"})["concern_id"] == "k3"
    assert database.cases.count_documents({}) == 2


def test_sparse_index_and_index_names(database):
    name = database.visits.create_index("outbox_pending", sparse=True)
    assert name == "outbox_pending_1"
    assert database.visits.create_index([("unit_id", 1), ("meeting_date", -1)]) \
        == "unit_id_1_meeting_date_-1"
    database.visits.insert_many([{"_id": 1, "outbox_pending": True}, {"_id": 2}])
    assert ids(database.visits.find({"outbox_pending": True})) == [1]
    info = database.visits.index_information()
    assert info["outbox_pending_1"]["key"] == [("outbox_pending", 1)]
    assert info["outbox_pending_1"].get("sparse") is True


def test_aware_datetimes_round_trip_in_utc_at_millisecond_precision(database):
    hanoi = dt.timezone(dt.timedelta(hours=7))
    moment = dt.datetime(2026, 11, 25, 8, 30, 15, 123456, tzinfo=hanoi)
    naive = dt.datetime(2026, 11, 25, 1, 30, 15, 123000)  # taken as UTC, as pymongo does
    database.things.insert_one({"_id": 1, "at": moment, "naive": naive})
    stored = database.things.find_one({"_id": 1})
    assert stored["at"] == moment.replace(microsecond=123000)
    assert stored["at"].utcoffset() == dt.timedelta(0)
    assert stored["naive"] == naive.replace(tzinfo=UTC)
    assert database.things.count_documents({"at": {"$gt": naive.replace(tzinfo=UTC)}}) == 0
    assert database.things.count_documents({"at": {"$gte": stored["naive"]}}) == 1


def test_booleans_are_not_numbers(database, store_uri):
    not_on_mongomock(store_uri, "it compares True == 1 as Python does")
    database.things.insert_many([{"_id": 1, "f": True}, {"_id": 2, "f": 1}, {"_id": 3, "f": 0},
                                 {"_id": 4, "f": False}])
    assert ids(database.things.find({"f": True})) == [1]
    assert ids(database.things.find({"f": 1})) == [2]
    assert sorted(ids(database.things.find({"f": {"$in": [False, 0]}}))) == [3, 4]


def test_insert_many_with_a_duplicate_names_the_document(database):
    database.things.insert_one({"_id": 2})
    with pytest.raises(BulkWriteError) as error:
        database.things.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3}])
    assert error.value.details["writeErrors"][0]["index"] == 1
    assert database.things.find_one({"_id": 3}) is None  # an ordered insert stops there


def test_partial_unique_index_applies_only_where_its_filter_holds(database):
    database.cases.create_index("concern_id", unique=True,
                                partialFilterExpression={"status": "open"})
    database.cases.insert_one({"_id": 1, "concern_id": "k", "status": "open"})
    database.cases.insert_one({"_id": 2, "concern_id": "k", "status": "closed"})
    with pytest.raises(DuplicateKeyError):
        database.cases.insert_one({"_id": 3, "concern_id": "k", "status": "open"})
    assert database.cases.count_documents({"concern_id": "k"}) == 2


def test_elem_match_needs_one_element_to_satisfy_every_condition(database):
    database.visits.insert_many([
        {"_id": 1, "concerns": [{"topic": "land", "urgent": 1}, {"topic": "water", "urgent": 0}]},
        {"_id": 2, "concerns": [{"topic": "land", "urgent": 0}]},
        {"_id": 3, "scores": [1, 5, 9]},
    ])
    found = database.visits.find({"concerns": {"$elemMatch": {"topic": "land", "urgent": 1}}})
    assert ids(found) == [1]
    assert ids(database.visits.find({"scores": {"$elemMatch": {"$gt": 4, "$lt": 6}}})) == [3]


def test_a_first_insert_many_with_a_duplicate_inside_changes_nothing(database):
    with pytest.raises(BulkWriteError) as error:
        database.fresh.insert_many([{"_id": 1}, {"_id": 1}])
    assert error.value.details["writeErrors"][0]["index"] == 1
    database.fresh.insert_one({"_id": 2})
    assert database.fresh.count_documents({"_id": 2}) == 1
