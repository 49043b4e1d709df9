"""Indexed fields in key columns of their own (docstore/keyed.py): an update leaving them alone
writes no index entry, an older store's indexes move onto them, and they answer as before."""
import datetime as dt

from docstore import DocStoreClient, recording

UTC = dt.timezone.utc


def index_writes(db, sql, params):
    """The index entries SQLite's program of ``sql`` writes (deletes and inserts)."""
    program = db.execute("EXPLAIN " + sql, params).fetchall()
    return sum(1 for _, opcode, *_ in program if opcode in ("IdxInsert", "IdxDelete"))


def cases(tmp_path):
    db = DocStoreClient(tmp_path)["escalations"]
    for keys in ([("authority_id", 1), ("status", 1), ("due_at", 1)], [("status", 1)],
                 [("due_at", 1)], [("outbox_pending", 1)]):
        db.cases.create_index(keys)
    db.cases.insert_one({"_id": "c1", "authority_id": "a", "status": "routed",
                         "due_at": dt.datetime(2026, 12, 8, tzinfo=UTC), "outbox_pending": True,
                         "outbox": [{"event_id": "e1"}], "timeline": []})
    return db


def the_update(db, change):
    with recording() as statements:
        db.cases.update_one({"_id": "c1"}, change)
    (_, sql, params), = [s for s in statements if s[1].startswith("UPDATE")]
    return sql, params


def test_an_update_leaving_the_indexed_fields_alone_writes_no_index_entry(tmp_path):
    db = cases(tmp_path)
    sql, params = the_update(db, {"$push": {"timeline": {"what": "noted"}}})
    assert index_writes(db, sql, params) == 0
    # the check can fail: an update of an indexed field rewrites the indexes holding it
    sql, params = the_update(db, {"$set": {"status": "accepted"}})
    assert index_writes(db, sql, params) == 4  # two indexes hold status: out and in again
    assert [d["_id"] for d in db.cases.find({"status": "accepted"})] == ["c1"]
    assert db.cases.find_one({"status": "routed"}) is None


def test_setting_an_indexed_field_to_its_own_value_writes_no_index_entry(tmp_path):
    db = cases(tmp_path)
    sql, params = the_update(db, {"$set": {"status": "routed", "outbox": []}})
    assert index_writes(db, sql, params) == 0


def test_queries_read_the_key_columns_through_their_indexes(tmp_path):
    db = cases(tmp_path)
    plan = db.cases.explain({"authority_id": "a", "status": "routed"}, sort=[("due_at", 1)])
    assert "USING INDEX" in str(plan) and "TEMP B-TREE" not in str(plan)
    assert db.cases.count_documents({"due_at": {"$lt": dt.datetime(2026, 12, 9, tzinfo=UTC)}}) == 1


def test_an_older_stores_expression_indexes_move_onto_key_columns(tmp_path):
    db = cases(tmp_path)
    conn = db.cases.database.conn
    # as an older version left them: indexes on the document itself, no key columns
    conn.execute("DROP INDEX \"cases__authority_id_1_status_1_due_at_1\"")  # reads both too
    conn.execute("DELETE FROM _docstore_indexes WHERE name = 'authority_id_1_status_1_due_at_1'")
    for field in ("status", "due_at"):
        conn.execute(f'DROP INDEX "cases__{field}_1"')
        conn.execute(f"CREATE INDEX \"cases__{field}_1\" ON \"cases\" "
                     f"(json_extract(doc,'$.{field}'))")
        conn.execute("UPDATE _docstore_indexes SET spec = json_remove(spec, '$.keyed') "
                     "WHERE name = ?", (f"{field}_1",))
        conn.execute("DELETE FROM _docstore_keyed WHERE field = ?", (field,))
        conn.execute(f"ALTER TABLE cases DROP COLUMN `k.{field}`")
    reopened = DocStoreClient(tmp_path)["escalations"]
    reopened.cases.create_index([("status", 1)])  # as a service declares it at start
    for field in ("status", "due_at"):  # every older index of the collection, in one pass
        index_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                 (f"cases__{field}_1",))
        assert f"`k.{field}`" in index_sql.fetchone()[0]
    assert [d["_id"] for d in reopened.cases.find({"status": "routed"})] == ["c1"]
    assert reopened.cases.count_documents({"due_at": {"$gt": dt.datetime(2026, 12, 7,
                                                                         tzinfo=UTC)}}) == 1
    sql, params = the_update(reopened, {"$push": {"timeline": {"what": "noted"}}})
    assert index_writes(reopened, sql, params) == 0


def test_a_string_range_on_a_multikey_subdocument_field_matches_no_subdocument(tmp_path):
    # a side table holds a subdocument as its JSON text, which a string range would match
    collection = DocStoreClient(tmp_path)["db"].things
    collection.create_index([("c", 1)])
    collection.insert_many([{"_id": 0, "c": {}}, {"_id": 1, "c": []}, {"_id": 2, "c": "b"}])
    assert [d["_id"] for d in collection.find({"c": {"$gt": ""}})] == [2]
