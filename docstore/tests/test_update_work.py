"""Issue 27: an update does the work of the fields it changes, not of the whole document. The
fields it does not change are shared with the stored version, never copied; the side tables of
indexes whose fields it does not change are not recomputed; and ``$all`` of strings walks the
path once. Each result checked against mongomock, the reference for MongoDB's semantics."""
import copy

import mongomock
import pytest

from docstore import DocStoreClient, multikey
from docstore.encoding import decode_value, encode_document
from docstore.updates import apply_update, parse_update

VISIT = {"_id": "v1", "unit_id": "np", "last_activity_at": 1,
         "concerns": [{"concern_id": "c1", "tags": ["a"]}, {"concern_id": "c2", "tags": []}],
         "outbox": [{"event_id": "e1"}, {"event_id": "e2"}], "outbox_pending": True,
         "meta": {"by": "binh", "count": 1}}

UPDATES = [
    {"$set": {"last_activity_at": 2, "outbox": []}, "$unset": {"outbox_pending": ""}},
    {"$set": {"meta.by": "an"}, "$inc": {"meta.count": 1}},
    {"$push": {"outbox": {"$each": [{"event_id": "e3"}]}}, "$set": {"outbox_pending": True}},
    {"$pull": {"outbox": {"event_id": "e1"}}},
    {"$set": {"concerns.0.tags.0": "b"}},
    {"$unset": {"meta.count": ""}, "$addToSet": {"outbox": {"event_id": "e1"}}},
]


@pytest.mark.parametrize("update", UPDATES)
def test_an_update_leaves_the_stored_version_as_it_was(update):
    stored = encode_document(copy.deepcopy(VISIT))
    new = apply_update(stored, parse_update(update), inserting=False)
    assert decode_value(stored) == VISIT
    reference = mongomock.MongoClient()["visits"].visits
    reference.insert_one(copy.deepcopy(VISIT))
    reference.update_one({"_id": "v1"}, update)
    assert decode_value(new) == reference.find_one({"_id": "v1"})


def test_the_fields_an_update_does_not_change_are_shared_not_copied():
    stored = encode_document(copy.deepcopy(VISIT))
    new = apply_update(stored, parse_update(UPDATES[0]), inserting=False)
    assert new["concerns"] is stored["concerns"] and new["meta"] is stored["meta"]
    changed_inside = apply_update(stored, parse_update(UPDATES[1]), inserting=False)
    assert changed_inside["meta"] is not stored["meta"]
    assert changed_inside["concerns"] is stored["concerns"]


@pytest.fixture
def visits(tmp_path):
    collection = DocStoreClient(tmp_path)["visits"].visits
    collection.create_index([("concerns.concern_id", 1)])
    collection.create_index([("unit_id", 1), ("concerns.tags", 1)])
    collection.insert_one(copy.deepcopy(VISIT))
    return collection


@pytest.fixture
def keys_computed(monkeypatch):
    """How many times a compound side table's rows were computed for a document."""
    calls = []
    side_rows = multikey.side_rows

    def counted(doc, keys, *args, **kwargs):
        calls.append([path for path, _ in keys])
        return side_rows(doc, keys, *args, **kwargs)
    monkeypatch.setattr(multikey, "side_rows", counted)
    return calls


def test_clearing_the_outbox_computes_no_key_of_the_concerns_indexes(visits, keys_computed):
    visits.update_one({"_id": "v1"}, UPDATES[0])
    assert keys_computed == []
    stored = visits.find_one({"_id": "v1"})
    assert (stored["outbox"], "outbox_pending" in stored) == ([], False)
    assert [v["_id"] for v in visits.find({"concerns.concern_id": "c2"})] == ["v1"]


def test_an_update_of_an_indexed_array_still_moves_its_index_entries(visits, keys_computed):
    visits.update_one({"_id": "v1"}, {"$set": {"concerns.1.concern_id": "c9"},
                                      "$push": {"concerns.0.tags": "z"}})
    assert keys_computed  # the compound index on concerns.tags was recomputed
    assert [v["_id"] for v in visits.find({"concerns.concern_id": "c9"})] == ["v1"]
    assert list(visits.find({"concerns.concern_id": "c2"})) == []
    assert [v["_id"] for v in visits.find({"unit_id": "np", "concerns.tags": "z"})] == ["v1"]
    visits.update_one({"_id": "v1"}, {"$set": {"unit_id": "th"}})  # a scalar key of it
    assert [v["_id"] for v in visits.find({"unit_id": "th", "concerns.tags": "a"})] == ["v1"]
    assert list(visits.find({"unit_id": "np", "concerns.tags": "a"})) == []


@pytest.mark.parametrize("wanted", [["e1", "e2"], ["e2"], ["e1", "e3"], ["e3"]])
def test_all_of_strings_through_an_array_matches_as_mongodb(tmp_path, wanted):
    documents = [VISIT, {"_id": "v2", "outbox": [{"event_id": ["e1", "e2"]}]},
                 {"_id": "v3", "outbox": {"event_id": "e1"}}, {"_id": "v4"}]
    embedded = DocStoreClient(tmp_path)["visits"].visits
    reference = mongomock.MongoClient()["visits"].visits
    for collection in (embedded, reference):
        collection.insert_many(copy.deepcopy(documents))
    query = {"outbox.event_id": {"$all": wanted}}
    assert sorted(d["_id"] for d in embedded.find(query)) == \
        sorted(d["_id"] for d in reference.find(query))
