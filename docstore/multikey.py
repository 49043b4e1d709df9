"""Multikey indexes on fields holding arrays, as MongoDB keeps them: one index entry per element.

An index whose keys reach an array (``unit_path``, or ``authority_id, unit_path, due_sort``) is
a *side table* ``(k0, …, kn, doc_rid)`` holding, for each document, one row per element of its
array field with the other keys' values beside it, indexed on all of them in the index's order.
An index becomes one when it is created over documents already holding an array there, or when a
write first stores an array at one of its keys (as MongoDB marks an index multikey), in the same
transaction. At most one key may hold an array in one document: two refuse the write, as MongoDB
refuses it (``cannot index parallel arrays``, code 171).

A find with an equality on the array field (``{"authority_id": a, "unit_path": "vp.bx"}``) is
answered by joining the side table: the equality picks one row per matching document, and the
sort walks the side table's index in order, so the inbox filtered by unit is a page of one index
range. Example::

    create_index(cases, [("authority_id", 1), ("unit_path", 1), ("due_sort", 1)])
    plan = join_plan(node, [("due_sort", 1)], meta)   # (meta with side columns, " JOIN ...")
"""
import copy
import json
import sqlite3

from bson import json_util
from pymongo.errors import DuplicateKeyError, OperationFailure, WriteError

from docstore.encoding import dumps, values_at
from docstore.match import Field, Logical
from docstore.query import id_operand

ROW = "doc_rid"
PARALLEL_ARRAYS = 171


def layout(spec):
    """``(key columns, row column)`` of a side table (the older single-key ones: key, rid)."""
    if spec.get("columns"):
        return spec["columns"], ROW
    return ["key"], "rid"


def reaches_array(doc, path):
    """Whether ``path`` runs through (or ends at) an array in an encoded document."""
    value = doc
    for segment in path.split("."):
        if value.__class__ is list:
            return True
        if value.__class__ is not dict or segment not in value:
            return False
        value = value[segment]
    return value.__class__ is list


def _scalar(doc, path):
    """A key's value as ``json_extract`` gives it (None when missing; a subdocument's text)."""
    value = doc
    for segment in path.split("."):
        value = value.get(segment) if value.__class__ is dict else None
    if path == "_id":
        return id_operand(value)
    return dumps(value) if value.__class__ is dict else value


def _elements(doc, path):
    found = []
    for value in values_at(doc, path):
        if value is None or value.__class__ in (dict, list):
            continue
        if value not in found:
            found.append(value)
    return found or [None]  # as MongoDB, a document without elements is still indexed


def side_rows(doc, keys, error=WriteError):
    """The rows of a compound side table for one encoded document."""
    arrays = [path for path, _ in keys if reaches_array(doc, path)]
    if len(arrays) > 1:
        raise error(f"cannot index parallel arrays [{arrays[1]}] [{arrays[0]}]",
                    PARALLEL_ARRAYS)
    rows = [[]]
    for path, _ in keys:
        values = _elements(doc, path) if path in arrays else [_scalar(doc, path)]
        rows = [row + [value] for row in rows for value in values]
    return [tuple(row) for row in rows]


def create_side_table(conn, collection, spec, error=OperationFailure):
    """The side table of ``spec`` (new layout), filled from every stored document."""
    table, columns = spec["side"], spec["columns"]
    conn.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({", ".join(columns)}, '
                 f'{ROW} INTEGER NOT NULL)')
    ordered = [c + (" DESC" if direction == -1 else "")
               for c, (_, direction) in zip(columns, spec["keys"])]
    if spec["unique"]:
        conn.execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "{table}__key" ON "{table}" '
                     f'({", ".join(ordered)})')
    else:
        conn.execute(f'CREATE INDEX IF NOT EXISTS "{table}__key" ON "{table}" '
                     f'({", ".join(ordered)}, {ROW})')
    conn.execute(f'CREATE INDEX IF NOT EXISTS "{table}__row" ON "{table}" ({ROW})')
    for rid, text in conn.execute(f"SELECT rid, doc FROM {collection.table}").fetchall():
        insert_rows(collection, spec, rid, side_rows(json.loads(text), spec["keys"], error))


def insert_rows(collection, spec, rid, rows):
    columns, _ = layout(spec)
    marks = ", ".join("?" * (len(columns) + 1))
    try:
        collection.database.conn.executemany(
            f'INSERT INTO "{spec["side"]}" ({", ".join(columns)}, {ROW}) VALUES ({marks})',
            [(*row, rid) for row in rows])
    except sqlite3.IntegrityError:
        raise DuplicateKeyError(f"E11000 duplicate key error collection: "
                                f"{collection.full_name} index: {spec['side']}", 11000) from None


def uses_array(spec, meta):
    return any(meta.through_array(path) for path, _ in spec["keys"])


def convert(collection, txn, new_paths):
    """Turns the expression indexes whose keys a write just made reach an array into side
    tables (inside the write's transaction); the names of those converted."""
    conn = collection.database.conn
    meta = txn.meta(collection.name)
    converted = []
    for name, spec in meta.indexes.items():
        if spec.get("side") or not any(
                path == new or path.startswith(new + ".")
                for path, _ in spec["keys"] for new in new_paths):
            continue
        spec = {**spec, "side": f"{collection.name}__mk__{name}",
                "columns": [f"k{i}" for i in range(len(spec["keys"]))]}
        conn.execute(f'DROP INDEX IF EXISTS "{collection.name}__{name}"')
        conn.execute(f'DROP INDEX IF EXISTS "{collection.name}__{name}__nulls"')
        create_side_table(conn, collection, spec, error=WriteError)
        conn.execute("UPDATE _docstore_indexes SET spec = ? WHERE collection = ? AND name = ?",
                     (json_util.dumps(spec), collection.name, name))
        converted.append(name)
    if converted:
        txn.invalidate()
    return converted


# --- finds through a side table ----------------------------------------------------------

def _equalities(node, found=None):
    """``{path: operand}`` of the scalar equalities every match must meet (top-level $and)."""
    found = {} if found is None else found
    if isinstance(node, Logical) and node.op == "$and":
        for child in node.children:
            _equalities(child, found)
    elif isinstance(node, Field) and node.op == "$eq" and node.operand is not None \
            and not isinstance(node.operand, (dict, list)):
        found.setdefault(node.path, node.operand)
    return found


def join_plan(node, sort, meta):
    """``(meta, join)`` to answer a find from a side table in index order, or None: an index
    with one array field, an equality on it and on every key before it; the one whose keys
    then follow the sort is preferred."""
    equal = _equalities(node)
    best = None
    for spec in meta.indexes.values():
        if not spec.get("columns"):
            continue
        paths = [path for path, _ in spec["keys"]]
        arrays = [path for path in paths if meta.through_array(path)]
        if len(arrays) != 1 or arrays[0] not in equal \
                or any(path in meta.subdocuments for path in paths):
            continue
        prefix = 0
        while prefix < len(paths) and paths[prefix] in equal:
            prefix += 1
        if paths.index(arrays[0]) >= prefix:
            continue
        rest = [list(key) for key in spec["keys"][prefix:]]
        ordered = not sort or [list(key) for key in sort] == rest[:len(sort)] or \
            [[path, -direction] for path, direction in sort] == rest[:len(sort)]
        score = (ordered, prefix)
        if best is None or score > best[0]:
            best = (score, spec, arrays[0])
    if best is None:
        return None
    _, spec, array_path = best
    table = spec["side"]
    planned = copy.copy(meta)
    planned.columns = {path: f'"{table}".{name}'
                       for (path, _), name in zip(spec["keys"], spec["columns"])}
    planned.array_path = array_path
    # the joined row holds ONE element: a further equality on the array is another row of the
    # side table, found by the same key prefix (query._field), not this row's column
    prefix_keys = spec["keys"][:spec["keys"].index(next(k for k in spec["keys"]
                                                         if k[0] == array_path)) + 1]
    planned.array_side = (table, ROW, [(name, path, equal[path])
                                       for (path, _), name in zip(prefix_keys, spec["columns"])])
    return planned, f' JOIN "{table}" ON "{table}".{ROW} = rid'


def column_of(path, meta):
    return meta.columns.get(path) or meta.column(path)
