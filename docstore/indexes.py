"""Declared indexes as SQLite indexes, and the side tables that index values inside arrays.

A key on fields becomes an expression index on ``json_extract(doc, '$.field')`` (descending
keys stay descending, ``unique`` a UNIQUE index, ``sparse`` a partial index ``WHERE … IS NOT
NULL``, ``partialFilterExpression`` its SQL). A single dotted key such as ``concerns.concern_id``
may reach into an array of subdocuments, so it gets a *side table* ``(key, rid)`` holding every
value the path reaches, maintained in the same transaction as the document. Example::

    create_index(visits, [("concerns.concern_id", 1)])   # side table visits__mk__concerns...
    create_index(cases, "routed_at", expireAfterSeconds=86400)
"""
import json
import sqlite3

from bson import json_util
from pymongo.errors import DuplicateKeyError, OperationFailure

from docstore import keyed, multikey
from docstore import unique as null_keys
from docstore.encoding import values_at
from docstore.errors import UnsupportedOperation
from docstore.match import parse_filter
from docstore.query import Meta, id_operand, where


def normalize_keys(keys, direction=1):
    if isinstance(keys, str):
        return [(keys, direction)]
    return [(key, value) for key, value in (keys.items() if isinstance(keys, dict) else keys)]


def index_name(keys):
    return "_".join(f"{key}_{direction}" for key, direction in keys)


def create_index(collection, keys, unique=False, sparse=False, name=None,
                 expireAfterSeconds=None, partialFilterExpression=None, background=None):
    keys = normalize_keys(keys)
    if not keys:
        raise ValueError("an index needs at least one key")
    for key, direction in keys:
        if direction not in (1, -1):
            raise UnsupportedOperation(str(direction), f"index key {key!r}: only 1 or -1")
    name = name or index_name(keys)
    if name == "_id_" or keys == [("_id", 1)]:
        return "_id_"  # the table's own unique id
    if expireAfterSeconds is not None and (len(keys) != 1 or expireAfterSeconds < 0):
        raise ValueError("expireAfterSeconds needs one key and a non-negative number")
    side = None
    if len(keys) == 1 and "." in keys[0][0]:  # a dotted key: the older side table (key, rid)
        side = f"{collection.name}__mk__{name}"
    spec = {"keys": keys, "unique": bool(unique), "sparse": bool(sparse), "side": side,
            "ttl": expireAfterSeconds, "partial": partialFilterExpression}
    database = collection.database
    with database.write() as txn:
        collection._ensure_table()
        declared = {row[0]: json_util.loads(row[1]) for row in database.conn.execute(
            "SELECT name, spec FROM _docstore_indexes WHERE collection = ?", (collection.name,))}
        _refuse_conflicts(name, spec, declared)
        if name in declared:
            side = declared[name].get("side")
            meta = txn.meta(collection.name)
            if not side and multikey.uses_array(declared[name], meta):
                # an older store's expression index over arrays: multikey from now on
                multikey.convert(collection, txn, meta.arrays)
                return name
            if not side and not declared[name].get("keyed"):
                _rebuild_keyed(collection, txn, declared)
                return name
        elif not side and multikey.uses_array(spec, txn.meta(collection.name)):
            if sparse or partialFilterExpression or expireAfterSeconds is not None:
                raise UnsupportedOperation("index", "sparse, partial or TTL indexes on a "
                                                    "field holding arrays")
            spec = {**spec, "side": f"{collection.name}__mk__{name}",
                    "columns": [f"k{i}" for i in range(len(keys))]}
            multikey.create_side_table(database.conn, collection, spec)
            database.conn.execute("INSERT INTO _docstore_indexes VALUES (?, ?, ?)",
                                  (collection.name, name, json_util.dumps(spec)))
            txn.invalidate()
            return name
        if name not in declared:
            if side:
                try:
                    _create_side_table(collection, spec)
                except sqlite3.IntegrityError as error:
                    raise DuplicateKeyError(f"E11000 duplicate key error collection: "
                                            f"{collection.full_name} index: {name}: {error}",
                                            11000) from None
            else:
                spec = {**spec, "keyed": True}
                keyed.ensure(collection, txn, keyed.fields_of(spec, _partial_paths(spec)))
                _create_expression_index(collection, txn.meta(collection.name), name, spec)
            database.conn.execute("INSERT INTO _docstore_indexes VALUES (?, ?, ?)",
                                  (collection.name, name, json_util.dumps(spec)))
            txn.invalidate()
        if spec["unique"] and not side:  # also over an index an older store built without it
            null_keys.create_null_key_index(collection, txn.meta(collection.name), name, spec,
                                            _literal_where)
    return name


def _rebuild_keyed(collection, txn, declared):
    """An older store's expression indexes on the document, every one of the collection at
    once (one pass over its documents), built again on key columns."""
    conn = collection.database.conn
    meta = txn.meta(collection.name)
    older = {name: spec for name, spec in declared.items()
             if not spec.get("side") and not spec.get("keyed")
             and not multikey.uses_array(spec, meta)}  # those become side tables instead
    keyed.ensure(collection, txn, set().union(*(
        keyed.fields_of(spec, _partial_paths(spec)) for spec in older.values())))
    meta = txn.meta(collection.name)
    for name, spec in older.items():
        conn.execute(f'DROP INDEX IF EXISTS "{collection.name}__{name}"')
        conn.execute(f'DROP INDEX IF EXISTS "{collection.name}__{name}{null_keys.NULL_SUFFIX}"')
        spec = {**spec, "keyed": True}
        _create_expression_index(collection, meta, name, spec)
        if spec["unique"]:
            null_keys.create_null_key_index(collection, meta, name, spec, _literal_where)
        conn.execute("UPDATE _docstore_indexes SET spec = ? WHERE collection = ? AND name = ?",
                     (json_util.dumps(spec), collection.name, name))
    txn.invalidate()


def _partial_paths(spec):
    if not spec.get("partial"):
        return []
    paths = []

    def walk(node):
        if getattr(node, "path", None):
            paths.append(node.path)
        for child in getattr(node, "children", ()) or ():
            walk(child)
    walk(parse_filter(spec["partial"], "partialFilterExpression"))
    return paths


_OPTIONS = ("unique", "sparse", "ttl", "partial")


def _refuse_conflicts(name, spec, declared):
    """MongoDB refuses a name reused for other keys (86) or options (85), and a key pattern
    declared again under another name (85), rather than keeping the old index silently."""
    keys = [list(key) for key in spec["keys"]]
    for other, held in declared.items():
        same_keys = [list(key) for key in held["keys"]] == keys
        if other == name and not same_keys:
            raise OperationFailure(f"An existing index has the same name ({name}) as the "
                                   f"requested index but other keys: {held['keys']}", 86)
        differs = [o for o in _OPTIONS if _option(held, o) != _option(spec, o)]
        if other == name and differs:
            raise OperationFailure(f"Index with name: {name} already exists with different "
                                   f"options: {', '.join(differs)}", 85)
        if other != name and same_keys and held.get("partial") == spec["partial"]:
            raise OperationFailure(f"Index already exists with a different name: {other}", 85)


def _option(spec, option):
    value = spec.get(option)
    return bool(value) if option in ("unique", "sparse") else (value or None) if (
        option == "partial") else value


def _create_expression_index(collection, meta, name, spec):
    column = meta.column
    columns = [column(key) + (" DESC" if direction == -1 else "")
               for key, direction in spec["keys"]]
    conditions = []
    if spec["sparse"]:
        conditions.append(" OR ".join(f"{column(key)} IS NOT NULL" for key, _ in spec["keys"]))
    if spec["partial"]:
        conditions.append(_literal_where(spec["partial"], meta))
    condition = " WHERE " + " AND ".join(f"({c})" for c in conditions) if conditions else ""
    statement = (f'CREATE {"UNIQUE " if spec["unique"] else ""}INDEX IF NOT EXISTS '
                 f'"{collection.name}__{name}" ON {collection.table} ({", ".join(columns)})'
                 f"{condition}")
    if not spec["unique"]:
        collection.database.conn.execute(statement)
        return
    held = [column(key) for key, _ in spec["keys"]]
    every_key = " AND ".join(f"{c} IS NOT NULL" for c in held)
    null_keys.build(collection, name, held, " AND ".join(
        f"({c})" for c in [every_key] + conditions), statement)


def _literal_where(partial, meta):
    """A partial index's condition: its SQL with values inlined (an index takes no params)."""
    keyed_only = Meta()  # the paths are the collection's, the arrays not: refused below
    keyed_only.keyed = meta.keyed
    sql, params = where(parse_filter(partial, "partialFilterExpression"), keyed_only)
    if "ds_match" in sql or "SELECT" in sql:
        raise UnsupportedOperation("partialFilterExpression",
                                   "partialFilterExpression on paths through arrays")
    pieces = sql.split("?")
    out = pieces[0]
    for value, piece in zip(params, pieces[1:]):
        out += _sql_literal(value) + piece
    return out


def _sql_literal(value):
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (int, float)):
        return repr(value)
    raise UnsupportedOperation("partialFilterExpression", f"value {value!r} in a partial index")


def _create_side_table(collection, spec):
    table = spec["side"]
    unique = "UNIQUE " if spec["unique"] else ""
    conn = collection.database.conn
    conn.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (key, rid INTEGER NOT NULL)')
    conn.execute(f'CREATE {unique}INDEX IF NOT EXISTS "{table}__key" ON "{table}" (key)')
    conn.execute(f'CREATE INDEX IF NOT EXISTS "{table}__rid" ON "{table}" (rid)')
    path = spec["keys"][0][0]
    for rid, text in conn.execute(f"SELECT rid, doc FROM {collection.table}").fetchall():
        _insert_keys(conn, table, rid, side_keys(json.loads(text), path))


def side_keys(doc, path):
    """The distinct scalar values ``path`` reaches in an encoded document."""
    keys = []
    for value in values_at(doc, path):
        if value is None or isinstance(value, (dict, list)):
            continue
        if value not in keys:
            keys.append(value)
    return keys


def _insert_keys(conn, table, rid, keys):
    conn.executemany(f'INSERT INTO "{table}" (key, rid) VALUES (?, ?)',
                     [(id_operand(key), rid) for key in keys])


def after_write(collection, txn, rid, old, new, touched=None):
    """Keeps side tables and the record of array paths in step with one written document.
    ``touched``: the top-level fields an update changed (None: any); the rest of ``new`` is
    as ``old`` was, already recorded and indexed, so it is not walked again."""
    walked = new if touched is None else {key: new[key] for key in touched if key in new}
    subdocuments = set()
    first = txn.add_arrays(collection.name, array_paths(walked, subdocuments=subdocuments),
                           subdocuments)
    # an index a first array reaches becomes multikey, built with this document already in
    converted = multikey.convert(collection, txn, first) if first else ()
    meta = txn.meta(collection.name)
    conn = collection.database.conn
    for name, spec in meta.indexes.items():
        if not spec.get("side") or name in converted:
            continue
        if old is not None and touched is not None and not any(
                path.split(".", 1)[0] in touched for path, _ in spec["keys"]):
            continue  # none of its keys changed
        if spec.get("columns"):
            rows = multikey.side_rows(new, spec["keys"])
            if old is not None:
                if multikey.side_rows(old, spec["keys"]) == rows:
                    continue
                conn.execute(f'DELETE FROM "{spec["side"]}" WHERE {multikey.ROW} = ?', (rid,))
            multikey.insert_rows(collection, spec, rid, rows)
            continue
        path = spec["keys"][0][0]
        keys = side_keys(new, path)
        if old is not None:
            if side_keys(old, path) == keys:
                continue
            conn.execute(f'DELETE FROM "{spec["side"]}" WHERE rid = ?', (rid,))
        try:
            _insert_keys(conn, spec["side"], rid, keys)
        except sqlite3.IntegrityError:
            raise DuplicateKeyError(f"E11000 duplicate key error collection: "
                                    f"{collection.full_name} index: {path}", 11000) from None


def after_delete(collection, txn, rids):
    if not rids:
        return
    conn = collection.database.conn
    for spec in txn.meta(collection.name).indexes.values():
        if spec.get("side"):
            row = multikey.layout(spec)[1]
            conn.executemany(f'DELETE FROM "{spec["side"]}" WHERE {row} = ?',
                             [(rid,) for rid in rids])


def array_paths(doc, prefix="", out=None, subdocuments=None):
    """Dotted paths (array positions left out) at which ``doc`` holds an array; those at which
    it holds a subdocument go to ``subdocuments`` when given."""
    out = set() if out is None else out
    for key, value in doc.items():
        cls = value.__class__
        if cls is list:
            path = prefix + key
            out.add(path)
            for item in value:
                if item.__class__ is dict:
                    array_paths(item, path + ".", out, subdocuments)
        elif cls is dict:
            if subdocuments is not None:
                subdocuments.add(prefix + key)
            array_paths(value, prefix + key + ".", out, subdocuments)
    return out


def index_information(collection):
    info = {"_id_": {"key": [("_id", 1)]}}
    for name, spec in collection.database.meta(collection.name).indexes.items():
        entry = {"key": [tuple(key) for key in spec["keys"]]}
        for option, field in (("unique", "unique"), ("sparse", "sparse"),
                              ("expireAfterSeconds", "ttl"),
                              ("partialFilterExpression", "partial")):
            if spec.get(field):
                entry[option] = spec[field]
        info[name] = entry
    return info
