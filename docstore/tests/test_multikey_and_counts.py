"""Issue 21, parts 2 and 3: indexes on fields holding arrays are multikey (one entry per
element, MongoDB's semantics, mongomock the reference), a find with an equality on the array
field walks one range of that index in order, and ``count_documents`` over an indexed equality
counts index entries without reading a document."""
import random

import mongomock
import pytest
from pymongo.errors import OperationFailure, WriteError

from docstore import DocStoreClient, recording

INBOX_BY_UNIT = [("authority_id", 1), ("unit_path", 1), ("due_sort", 1), ("routed_at", -1),
                 ("_id", 1)]
ORDER = [("due_sort", 1), ("routed_at", -1), ("_id", 1)]
UNITS = ["vp", "vp.bx", "vp.bx.th", "vp.bx.th.np", "vp.yl", "vp.yl.a"]


def cases(count, seed=21):
    chance = random.Random(seed)
    for i in range(count):
        depth = chance.randint(1, 3)
        branch = chance.choice([UNITS[:4], [UNITS[0], *UNITS[4:]]])
        yield {"_id": f"c{i:04}", "authority_id": chance.choice("ab"),
               "status": chance.choice(["routed", "acknowledged"]),
               "unit_path": branch[:depth + 1], "due_sort": chance.randint(0, 4),
               "routed_at": chance.randint(0, 50)}


@pytest.fixture
def both(tmp_path):
    embedded = DocStoreClient(tmp_path)["escalations"].cases
    reference = mongomock.MongoClient()["escalations"].cases
    return embedded, reference


def ids(found):
    return [doc["_id"] for doc in found]


@pytest.mark.parametrize("declared_first", [True, False])
def test_an_index_on_an_array_field_answers_as_mongodb_from_one_range(both, declared_first):
    embedded, reference = both
    if declared_first:  # on an empty collection: multikey once the first array is written
        embedded.create_index(INBOX_BY_UNIT)
    for doc in cases(300):
        embedded.insert_one(dict(doc))
        reference.insert_one(dict(doc))
    if not declared_first:  # over arrays already stored
        embedded.create_index(INBOX_BY_UNIT)
    for doc in list(cases(300))[::7]:  # writes keep it in step
        change = {"$set": {"unit_path": ["vp", "vp.yl"]}}
        embedded.update_one({"_id": doc["_id"]}, change)
        reference.update_one({"_id": doc["_id"]}, change)
    embedded.delete_many({"routed_at": 7})
    reference.delete_many({"routed_at": 7})
    for unit in UNITS:
        for criteria in ({"authority_id": "a", "unit_path": unit},
                         {"authority_id": "b", "unit_path": unit, "status": "routed"},
                         {"authority_id": "a", "unit_path": unit, "due_sort": {"$gte": 2}}):
            assert ids(embedded.find(criteria).sort(ORDER).limit(9)) == \
                ids(reference.find(criteria).sort(ORDER).limit(9)), criteria
            assert embedded.count_documents(criteria) == reference.count_documents(criteria)
            steps = embedded.explain(criteria, sort=ORDER, limit=9)
            assert any("USING COVERING INDEX cases__mk__" in step for step in steps), steps
            assert not any("TEMP B-TREE" in step for step in steps), steps
        criteria = {"authority_id": "a", "unit_path": {"$in": [unit, "vp.yl"]}}
        assert ids(embedded.find(criteria).sort(ORDER)) == ids(reference.find(criteria)
                                                               .sort(ORDER)), criteria


def test_two_equalities_on_the_indexed_array_find_documents_holding_both(both):
    """The joined row holds one element: each further equality on the array is another row
    of the side table under the same key prefix (it used to be the same row: nothing found)."""
    embedded, reference = both
    embedded.create_index(INBOX_BY_UNIT)
    for doc in cases(300):
        embedded.insert_one(dict(doc))
        reference.insert_one(dict(doc))
    for first, second in (("vp", "vp.bx.th"), ("vp.bx", "vp.bx.th.np"), ("vp.yl", "vp.bx")):
        criteria = {"authority_id": "a", "$and": [{"unit_path": first}, {"unit_path": second}]}
        found = ids(embedded.find(criteria).sort(ORDER))
        assert found == ids(reference.find(criteria).sort(ORDER)), criteria
        assert found or first == "vp.yl", criteria
        steps = embedded.explain(criteria, sort=ORDER, limit=9)
        assert not any(step.startswith("SCAN") for step in steps), steps


def test_an_older_stores_index_over_arrays_becomes_multikey_when_declared_again(tmp_path):
    collection = DocStoreClient(tmp_path)["escalations"].cases
    collection.create_index([("escalated_past", 1), ("routed_at", -1)])  # an expression index
    collection.insert_one({"_id": "c1", "routed_at": 1})
    # arrays an older store wrote and recorded, without making its index multikey
    collection.database.execute(
        "INSERT INTO cases (id, doc) VALUES ('c2', json('{\"_id\": \"c2\", "
        "\"escalated_past\": [\"a\", \"b\"], \"routed_at\": 2}'))")
    collection.database.execute("INSERT INTO _docstore_arrays VALUES ('cases', 'escalated_past')")
    collection = DocStoreClient(tmp_path)["escalations"].cases  # the next start
    collection.create_index([("escalated_past", 1), ("routed_at", -1)])
    assert ids(collection.find({"escalated_past": "a"}).sort("routed_at", -1)) == ["c2"]
    steps = collection.explain({"escalated_past": "a"}, sort=[("routed_at", -1)], limit=5)
    assert any("cases__mk__" in step for step in steps), steps


def test_parallel_arrays_are_refused_as_mongodb_refuses_them(tmp_path):
    collection = DocStoreClient(tmp_path)["db"].things
    collection.create_index([("tags", 1), ("owners", 1)])
    collection.insert_one({"_id": 1, "tags": ["a", "b"], "owners": "x"})
    collection.insert_one({"_id": 2, "tags": "c", "owners": ["y", "z"]})  # one array each
    with pytest.raises(WriteError, match="cannot index parallel arrays") as refused:
        collection.insert_one({"_id": 3, "tags": ["a"], "owners": ["y"]})
    assert refused.value.code == 171
    with pytest.raises(WriteError, match="cannot index parallel arrays"):
        collection.update_one({"_id": 1}, {"$set": {"owners": ["x", "w"]}})
    assert collection.find_one({"_id": 1})["owners"] == "x"  # nothing written
    assert sorted(ids(collection.find({"tags": "c"}))) == [2]
    other = DocStoreClient(tmp_path)["db"].others
    other.insert_one({"_id": 1, "a": [1, 2], "b": [3]})
    with pytest.raises(OperationFailure, match="cannot index parallel arrays") as refused:
        other.create_index([("a", 1), ("b", 1)])
    assert refused.value.code == 171
    assert list(other.index_information()) == ["_id_"]


def test_an_exclusion_that_names_id_keeps_it(tmp_path):
    # mongomock adds "_id": 1 to the projection it is handed: the services' shared LISTED
    collection = DocStoreClient(tmp_path)["db"].cases
    collection.insert_one({"_id": "c1", "outbox": [], "summary": "s"})
    assert collection.find_one({}, {"outbox": 0, "_id": 1}) == {"_id": "c1", "summary": "s"}


def table_columns_read(db, sql, params, table):
    """The table columns SQLite's program of ``sql`` reads from ``table``'s rows."""
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    program = db.execute("EXPLAIN " + sql, params).fetchall()
    cursors = {p1 for _, opcode, p1, p2, *_ in program if opcode == "OpenRead" and p2 == root}
    return [p2 for _, opcode, p1, p2, *_ in program if opcode == "Column" and p1 in cursors]


def test_a_count_over_an_indexed_equality_is_exact_and_reads_no_document(tmp_path):
    db = DocStoreClient(tmp_path)["escalations"]
    db.cases.create_index([("authority_id", 1), ("status", 1)])
    db.cases.insert_many([{"_id": i, "authority_id": "a", "status": "routed", "text": "x"}
                          for i in range(1500)])
    with recording() as statements:
        assert db.cases.count_documents({"authority_id": "a", "status": "routed"}) == 1500
    (_, sql, params), = statements[-1:]
    assert "count(*)" in sql
    assert table_columns_read(db, sql, params, "cases") == []
    # the check can fail: a condition no index holds reads every document
    with recording() as statements:
        assert db.cases.count_documents({"authority_id": "a", "text": "x"}) == 1500
    (_, sql, params), = statements[-1:]
    assert table_columns_read(db, sql, params, "cases")


def test_a_filter_pinning_one_id_matches_through_arrays_without_the_unindexed_warning(
        tmp_path, caplog):
    collection = DocStoreClient(tmp_path)["db"]["outboxes"]
    collection.insert_one({"_id": "d1", "outbox": [{"event_id": "e1"}, {"event_id": "e2"}]})
    pinned = {"_id": "d1", "outbox.event_id": {"$all": ["e1", "e2"]}}
    assert collection.count_documents(pinned) == 1  # one row, read by its id
    assert "no multikey index" not in caplog.text
    assert collection.count_documents({"outbox.event_id": {"$all": ["e2"]}}) == 1
    assert "'outbox.event_id' ($all) goes through an array with no multikey index" in caplog.text
