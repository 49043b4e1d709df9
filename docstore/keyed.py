"""Indexed fields held apart: a key column per top-level field an expression index reads.

An expression index on ``json_extract(doc, '$.status')`` is rewritten by every UPDATE of
``doc``, whatever the update changed: SQLite only knows the column changed. A case's 16
indexes cost 16 index pages per update that only cleared its outbox (issue 27: the store's
pages written were the largest part of a write's CPU). So each top-level field an expression
index reads (its keys, its partial filter) gets a column of its own, ```k.<field>```, holding
that field's JSON text (NULL when the field is missing); the index and every query read
``json_extract(`k.status`, '$')`` instead, which gives the same values as from the document.
An update sets a key column only when its field's value changed, so its indexes stay
untouched otherwise. Example::

    db.cases.create_index([("status", 1)])   # adds `k.status`, filled from every document
    db.cases.update_one({"_id": 1}, {"$set": {"outbox": []}})   # UPDATE ... SET doc = ?
"""
import json

from docstore.encoding import dumps

loads_raw = json.loads  # the stored, encoded form: what the writes hold


def key_column(field):
    return f"k.{field}"


def quoted(name):
    """A key column in SQL: in backticks, which SQLite never reads as a string (a double-quoted
    name of no column would be one, silently)."""
    return "`" + name.replace("`", "``") + "`"


def value_text(encoded, field):
    """What a key column holds for one encoded document: the field's JSON, or None."""
    return dumps(encoded[field]) if field in encoded else None


def row_values(encoded, fields):
    return [value_text(encoded, field) for field in fields]


def ensure(collection, txn, fields):
    """Gives each of ``fields`` its key column, filled from every stored document in one pass
    (inside the write ``txn``); True when one was added (the caller reloads what SQL depends
    on)."""
    meta = txn.meta(collection.name)
    conn = collection.database.conn
    missing = sorted(set(fields) - set(meta.keyed) - {"_id"})
    if not missing:
        return False
    names = [key_column(field) for field in missing]
    for field, name in zip(missing, names):
        conn.execute(f"ALTER TABLE {collection.table} ADD COLUMN {quoted(name)}")
        conn.execute("INSERT INTO _docstore_keyed VALUES (?, ?, ?)",
                     (collection.name, field, name))
    sets = ", ".join(f"{quoted(name)} = ?" for name in names)
    rows = conn.execute(f"SELECT rid, doc FROM {collection.table}").fetchall()
    conn.executemany(f"UPDATE {collection.table} SET {sets} WHERE rid = ?", [
        (*row_values(loads_raw(text), missing), rid) for rid, text in rows])
    txn.invalidate()
    return True


def fields_of(spec, partial_paths):
    """The top-level fields an expression index reads: its keys' and its partial filter's."""
    paths = [path for path, _ in spec["keys"]] + list(partial_paths)
    return {path.split(".", 1)[0] for path in paths if path != "_id"}


def changed(meta, old, new, touched):
    """``[(column, text)]`` of the key columns an update must set: fields it touched (None:
    any) whose JSON changed."""
    out = []
    for field, name in meta.keyed.items():
        if touched is not None and field not in touched:
            continue
        text = value_text(new, field)
        if text != value_text(old, field):
            out.append((name, text))
    return out
