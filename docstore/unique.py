"""Unique indexes with MongoDB's keys: a missing field and an explicit null are one key.

SQLite's UNIQUE index lets NULLs repeat, so a unique index gets a second, small UNIQUE index
over only the documents with some null key, on ``ifnull(value, x'')`` (no JSON value is a blob,
so ``x''`` stands for null alone). It covers the documents the main index covers: all of them,
those with some key present (even as null) when sparse, those the partial filter selects.
Building either over duplicates fails naming them, so a service refuses to start on them::

    DuplicateKeyError: ... index: topic_1_urgency_1 ... duplicates: [['r1', 'r2']]
"""
import json
import sqlite3

from pymongo.errors import DuplicateKeyError

from docstore.encoding import decode_value

NULL_SUFFIX = "__nulls"
NULL_KEY = "x''"


def json_type(meta, path):
    return meta.column(path).replace("json_extract(", "json_type(", 1)


def covered(meta, spec, literal_where):
    """SQL of the documents a unique index holds (MongoDB's sparse holds explicit nulls)."""
    conditions = []
    if spec["sparse"]:
        conditions.append(" OR ".join(f"{json_type(meta, key)} IS NOT NULL"
                                      for key, _ in spec["keys"]))
    if spec["partial"]:
        conditions.append(literal_where(spec["partial"], meta))
    return conditions


def create_null_key_index(collection, meta, name, spec, literal_where):
    """The UNIQUE index of the documents whose key has a null or missing part."""
    keys = [key for key, _ in spec["keys"]]
    conditions = [" OR ".join(f"{meta.column(key)} IS NULL" for key in keys)]
    conditions += covered(meta, spec, literal_where)
    held = [f"ifnull({meta.column(key)}, {NULL_KEY})" for key in keys]
    condition = " AND ".join(f"({c})" for c in conditions)
    build(collection, name, held, condition,
          f'CREATE UNIQUE INDEX IF NOT EXISTS "{collection.name}__{name}{NULL_SUFFIX}" ON '
          f'{collection.table} ({", ".join(held)}) WHERE {condition}')


def build(collection, name, held, condition, statement):
    """Runs ``statement``; over duplicates, raises ``DuplicateKeyError`` naming their ``_id``s."""
    try:
        collection.database.conn.execute(statement)
    except sqlite3.IntegrityError:
        duplicates = [[decode_value(_id) for _id in json.loads(group)]
                      for (group,) in collection.database.conn.execute(
                          f"SELECT json_group_array(id) FROM {collection.table} WHERE {condition}"
                          f" GROUP BY {', '.join(held)} HAVING count(*) > 1 ORDER BY min(rid)")]
        raise DuplicateKeyError(
            f"E11000 duplicate key error collection: {collection.full_name} index: {name} "
            f"cannot be built: documents sharing a key (by _id): {duplicates}", 11000,
            {"index": name, "duplicates": duplicates}) from None
