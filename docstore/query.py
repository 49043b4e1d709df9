"""Filters and sorts as SQL, written so SQLite answers them from the declared indexes.

A field whose path never held an array (the collection remembers which paths did) is compared
with ``json_extract(doc, '$.path')``, the very expression its index was built on, and each
range is bracketed to the operand's type, as MongoDB compares only within a type. A dotted path
with a multikey index (``concerns.concern_id``) is looked up in that index's side table. Any other
path that runs through an array is matched by MongoDB's rules in Python (``ds_match``), row by
row: correct, but unindexed, so the services do not query such paths. Example::

    sql, params = where(parse_filter({"authority_id": "a", "status": "routed"}), meta)
    # json_extract(doc,'$.authority_id') = ? AND json_extract(doc,'$.status') = ?
"""
import functools
import threading
from logging import getLogger

from docstore.encoding import (
    C_BOOL,
    C_DATE,
    C_NUMBER,
    C_OID,
    C_STRING,
    T_DATE,
    T_END,
    T_FALSE,
    T_OID,
    json_path,
    type_class,
)
from docstore.errors import UnsupportedOperation
from docstore.keyed import quoted
from docstore.match import Field, Logical

# the type brackets of ranges: values of a class lie in [low, high)
_LOW = {C_STRING: "", C_OID: T_OID, C_BOOL: T_FALSE, C_DATE: T_DATE}
_HIGH = {C_NUMBER: "", C_STRING: T_OID, C_OID: T_FALSE, C_BOOL: T_DATE, C_DATE: T_END}
_SQL_OP = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}

_log = getLogger(__name__)

# nodes matched in Python, keyed by the text bound into the statement
_NODES = {}
_NODES_LOCK = threading.Lock()
_WARNED = set()


class Meta:
    """What a collection's SQL depends on: paths that held arrays, and multikey side tables."""

    # a find joined to a side table (docstore.multikey.join_plan): its columns by path, and
    # the one array field its equality stands for
    columns = {}
    array_path = None
    # (side table, its row column, [(column, path, value)] of the join's key prefix, the
    # array's last)
    array_side = None

    def __init__(self, arrays=(), multikey=None):
        self.arrays = set(arrays)
        self.subdocuments = set()  # paths that held a subdocument
        # path -> (side table, key column, row column) of a side table it leads
        self.multikey = dict(multikey or {})
        self.indexes = {}  # name -> spec
        # top-level field -> the column holding its value apart (docstore.keyed): its indexes
        # are read from there, so a write leaving the field alone leaves them alone
        self.keyed = {}
        self._through = {}  # (path, include_self) -> bool, until arrays change
        self._sql = {}  # path -> its SQL expression

    def column(self, path):
        """The SQL of ``path``'s value: from its field's key column when it has one."""
        found = self._sql.get(path)
        if found is None:
            found = self._sql[path] = column(path, self.keyed.get(path.split(".", 1)[0]))
        return found

    def through_array(self, path, include_self=True):
        key = (path, include_self)
        found = self._through.get(key)
        if found is None:
            segments = path.split(".")
            last = len(segments) + (1 if include_self else 0)
            found = any(s.isdigit() for s in segments) or any(
                ".".join(segments[:i]) in self.arrays for i in range(1, last))
            self._through[key] = found
        return found

    def add_arrays(self, paths):
        self.arrays.update(paths)
        self._through.clear()


@functools.lru_cache(maxsize=4096)
def column(path, keyed=None):
    """``json_extract`` of ``path`` from the document, or from ``keyed``, the key column of
    its top-level field, which holds that field's JSON alone (the same values either way)."""
    if path == "_id":
        return "id"
    if keyed is None:
        return "json_extract(doc,'" + json_path(path).replace("'", "''") + "')"
    first = json_path(path.split(".", 1)[0])
    rest = "$" + json_path(path)[len(first):]
    return f"json_extract({quoted(keyed)},'" + rest.replace("'", "''") + "')"


def id_operand(value):
    from docstore.encoding import dumps
    return dumps(value) if isinstance(value, (dict, list)) else value


class _Params(list):
    """A statement's parameters, and the fields matched row by row in Python on the way."""
    row_by_row = ()


def where(node, meta):
    """``(sql, params)`` of a parsed filter; ``("1", [])`` for an empty one."""
    params = _Params()
    sql = _node(node, meta, params)
    if not _pins_one_document(node):  # one row by its id: matched in Python, still indexed
        for path, op in params.row_by_row:
            if path not in _WARNED:  # said once per path: such a query reads every row
                _WARNED.add(path)
                _log.warning("query on %r (%s) goes through an array with no multikey "
                             "index: matched row by row, not from an index", path, op)
    return sql, list(params)


def _pins_one_document(node):
    children = node.children if isinstance(node, Logical) and node.op == "$and" else [node]
    return any(isinstance(child, Field) and child.path == "_id" and child.op == "$eq"
               for child in children)


def _node(node, meta, params):
    if isinstance(node, Logical):
        if not node.children:
            return "1"
        parts = [_node(child, meta, params) for child in node.children]
        if node.op == "$and":
            return " AND ".join(f"({p})" if " OR " in p else p for p in parts)
        joined = " OR ".join(f"({p})" for p in parts)
        # a comparison with a missing field is NULL in SQL, and NOT NULL is NULL again: $nor
        # must keep those documents, so NULL counts as "no match" before it is negated
        return f"({joined})" if node.op == "$or" else f"NOT ifnull({joined}, 0)"
    return _field(node, meta, params)


def _other_element(side, operand, params):
    """Another element of the joined array equal to ``operand``: a row of the same side
    table under the same key prefix (its index answers it), not the joined row's column."""
    table, row, keys = side
    conditions = []
    for name, path, value in keys[:-1]:
        conditions.append(f"{name} = ?")
        params.append(_operand(path, value))
    conditions.append(f"{keys[-1][0]} = ?")
    params.append(_operand(keys[-1][1], operand))
    return f'rid IN (SELECT {row} FROM "{table}" WHERE {" AND ".join(conditions)})'


def _field(node, meta, params):
    path, op, operand = node.path, node.op, node.operand
    joined = meta.columns.get(path)
    side = meta.array_side
    if side and path == meta.array_path and op == "$eq" and _side_table_can(op, operand) \
            and operand != side[2][-1][2]:
        return _other_element(side, operand, params)
    if joined and (op not in ("$exists", "$size") if path != meta.array_path
                   else op == "$eq" and _side_table_can(op, operand)):
        # the side table's own column: one element of the array field, the others' values
        return _compare(joined, path, op, operand, params)
    if path != "_id":
        if path in meta.multikey and _side_table_can(op, operand) and not (
                path in meta.subdocuments and _has_string(op, operand)):
            # (a side table holds a subdocument as its JSON text, which a string would match)
            return _side(meta.multikey[path], op, operand, params)
        # $exists and $size look at the field itself, the others also at its elements
        itself = op not in ("$exists", "$size")
        if (meta.through_array(path, include_self=itself) or op == "$elemMatch"
                or _compound(op, operand)):
            return _python(node, params)
    sql = _compare(meta.column(path), path, op, operand, params)
    if path in meta.subdocuments and _has_string(op, operand):
        # a subdocument's json_extract is its JSON text: no string may match it, as MongoDB
        # compares only within a type (and never sees a subdocument equal to a string)
        target = meta.column(path).replace("json_extract(", "json_type(", 1)
        if op in ("$ne", "$nin"):
            return f"({sql} OR {target} = 'object')"
        return f"({sql}) AND {target} IS NOT 'object'"
    return sql


def _has_string(op, operand):
    values = operand if op in ("$in", "$nin", "$all") else [operand]
    return any(isinstance(value, str) for value in values)


def _compare(col, path, op, operand, params):
    if op == "$eq":
        return _eq(col, operand, params, path)
    if op == "$ne":
        if operand is None:
            return f"{col} IS NOT NULL"
        params.append(_operand(path, operand))
        return f"({col} IS NULL OR {col} != ?)"
    if op in ("$in", "$nin"):
        return _in(col, path, operand, params, negate=op == "$nin")
    if op in _SQL_OP:
        return _range(col, path, op, operand, params)
    if op == "$exists":
        if path == "_id":
            return "1" if operand else "0"
        target = col.replace("json_extract(", "json_type(", 1)
        return f"{target} IS {'NOT ' if operand else ''}NULL"
    if op == "$size":
        target = col.replace("json_extract(", "json_type(", 1)
        params.append(operand)
        length = col.replace("json_extract(", "json_array_length(", 1)
        return f"({target} = 'array' AND {length} = ?)"
    if op == "$all":
        if not operand:
            return "0"
        return " AND ".join(_eq(col, v, params, path) for v in operand)
    raise UnsupportedOperation(op, f"operator {op} is not supported")


def _compound(op, operand):
    values = operand if op in ("$in", "$nin", "$all") else [operand]
    return op not in ("$size",) and any(isinstance(v, (dict, list)) for v in values)


def _operand(path, value):
    return id_operand(value) if path == "_id" else value


def _eq(col, operand, params, path=None):
    if operand is None:
        return f"{col} IS NULL"
    params.append(id_operand(operand) if col == "id" or path == "_id" else operand)
    return f"{col} = ?"


def _in(col, path, operand, params, negate):
    values = [v for v in operand if v is not None]
    has_null = len(values) != len(operand)
    placeholders = ",".join("?" * len(values))
    params.extend(_operand(path, v) for v in values)
    if not negate:
        parts = ([f"{col} IN ({placeholders})"] if values else []) + (
            [f"{col} IS NULL"] if has_null else [])
        return "(" + " OR ".join(parts) + ")" if len(parts) > 1 else (parts[0] if parts else "0")
    if has_null:
        return f"({col} IS NOT NULL AND {col} NOT IN ({placeholders}))" if values else (
            f"{col} IS NOT NULL")
    return f"({col} IS NULL OR {col} NOT IN ({placeholders}))" if values else "1"


def _range(col, path, op, operand, params):
    if operand is None:
        return f"{col} IS NULL" if op in ("$gte", "$lte") else "0"
    cls = type_class(operand)
    params.append(_operand(path, operand))
    sql = f"{col} {_SQL_OP[op]} ?"
    if op in ("$gt", "$gte"):
        params.append(_HIGH[cls])
        return f"{sql} AND {col} < ?"
    if cls in _LOW:
        params.append(_LOW[cls])
        return f"{sql} AND {col} >= ?"
    return sql  # numbers: nothing sorts below them but null, which never compares


def _side_table_can(op, operand):
    if op == "$eq" or op in _SQL_OP:
        return operand is not None and not isinstance(operand, (dict, list))
    if op == "$in":
        return all(v is not None and not isinstance(v, (dict, list)) for v in operand)
    return False


def _side(side, op, operand, params):
    table, key, row = side
    if op == "$eq":
        cond = _eq(key, operand, params)
    elif op == "$in":
        cond = _in(key, "", operand, params, negate=False)
    else:
        cond = _range(key, "", op, operand, params)
    return f'rid IN (SELECT {row} FROM "{table}" WHERE {cond})'


def _python(node, params):
    if isinstance(params, _Params):
        params.row_by_row = (*params.row_by_row, (node.path, node.op))
    key = repr((node.path, node.op, _freeze(node.operand)))
    with _NODES_LOCK:
        _NODES.pop(key, None)
        _NODES[key] = node  # the newest last: trimming drops the oldest
        if len(_NODES) > 10000:
            for old in list(_NODES)[:1000]:
                del _NODES[old]
    params.append(key)
    return "ds_match(doc, ?)"


def _freeze(value):
    if isinstance(value, (Field, Logical)):
        if isinstance(value, Field):
            return ("F", value.path, value.op, _freeze(value.operand))
        return ("L", value.op, tuple(_freeze(c) for c in value.children))
    if isinstance(value, dict):
        return ("D",) + tuple((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, list):
        return ("A",) + tuple(_freeze(v) for v in value)
    return value


def node_for(key):
    """The node a ``ds_match`` call was bound to."""
    return _NODES[key]


def order_by(sort, meta):
    """``ORDER BY`` of ``[(path, 1 | -1)]``: null and missing first, as MongoDB sorts."""
    if not sort:
        return ""
    parts = []
    for path, direction in sort:
        if direction not in (1, -1):
            raise UnsupportedOperation("sort", f"sort direction of {path!r} must be 1 or -1")
        parts.append((meta.columns.get(path) or meta.column(path))
                     + (" DESC" if direction == -1 else ""))
    return " ORDER BY " + ", ".join(parts)

