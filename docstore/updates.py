"""MongoDB's update operators, applied to an encoded document in Python.

``collection`` runs them inside the write transaction that read the document, so a
read-modify-write such as ``$inc`` is atomic across processes. The update is checked whole
before any document is touched. Example::

    update = parse_update({"$inc": {"n": 1}, "$push": {"outbox": {"$each": events}}})
    new_doc = apply_update(stored_doc, update, inserting=False)
"""
import copy

from pymongo.errors import WriteError

from docstore.encoding import INT64_MAX, INT64_MIN, encode_value, sort_key
from docstore.errors import UnsupportedOperation
from docstore.match import Logical, _field, equal, matches, parse_filter

OPERATORS = {"$set", "$unset", "$inc", "$push", "$pull", "$addToSet", "$setOnInsert", "$min",
             "$max"}


def is_operator_update(update):
    return isinstance(update, dict) and bool(update) and all(k.startswith("$") for k in update)


def parse_update(update):
    """``[(operator, path, operand)]`` with operands encoded; refuses what it cannot apply."""
    if not is_operator_update(update):
        raise ValueError("update only works with $ operators (use replace_one to replace)")
    steps = []
    for op, fields in update.items():
        if op not in OPERATORS:
            raise UnsupportedOperation(op, f"update operator {op} is not supported")
        if not isinstance(fields, dict):
            raise ValueError(f"{op} needs a document of fields, not {fields!r}")
        for path, value in fields.items():
            _check_path(op, path)
            steps.append((op, path, _operand(op, path, value)))
    _refuse_conflicts(steps)
    return steps


def _refuse_conflicts(steps):
    """MongoDB refuses two operators on one path, or on a path and its parent (code 40,
    ConflictingUpdateOperators), rather than applying them in turn."""
    seen = []
    for _, path, _ in steps:
        segments = path.split(".")
        for other in seen:
            shared = min(len(other), len(segments))
            if other[:shared] == segments[:shared]:
                raise WriteError(f"Updating the path {path!r} would create a conflict at "
                                 f"{'.'.join(segments[:shared])!r}", 40)
        seen.append(segments)


def _check_path(op, path):
    if not isinstance(path, str) or not path or "$" in path or ".." in path:
        raise UnsupportedOperation(op, f"{op}: path {path!r} is not supported (no positional $)")


def _operand(op, path, value):
    if op == "$inc":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise WriteError(f"$inc on {path!r}: cannot increment by non-numeric {value!r}", 14)
        return encode_value(value, path)
    if op in ("$push", "$addToSet"):
        if isinstance(value, dict) and "$each" in value:
            extra = set(value) - {"$each"}
            if extra:
                raise UnsupportedOperation(sorted(extra)[0],
                                           f"{op} on {path!r}: {sorted(extra)} not supported")
            return ("each", [encode_value(v, path) for v in value["$each"]])
        return ("each", [encode_value(value, path)])
    if op == "$pull":
        if isinstance(value, dict) and value and all(k.startswith("$") for k in value):
            if any(k in ("$and", "$or", "$nor") for k in value):
                return ("filter", parse_filter(value, f"$pull on {path!r}"))
            return ("scalar", Logical("$and", [_field("", k, v, f"$pull on {path!r}")
                                               for k, v in value.items()]))
        if isinstance(value, dict):
            return ("filter", parse_filter(value, f"$pull on {path!r}"))
        return ("equal", encode_value(value, path))
    if op == "$unset":
        return None
    return encode_value(value, path)


# operators that change an array in place
_CHANGE_ARRAYS = ("$push", "$addToSet", "$pull")


def changed_fields(steps):
    """The top-level fields ``steps`` may change: nothing outside them changes."""
    return {path.split(".", 1)[0] for _, path, _ in steps}


def apply_update(doc, steps, inserting):
    """A new document: ``doc`` (not changed) with ``steps`` applied. Only the top-level fields
    a step changes *inside* (a dotted path, an array) are copied first; the others are shared
    with ``doc``, which is why neither may be changed afterwards (both are only read, then
    written as text)."""
    new = dict(doc)
    for key in {path.split(".", 1)[0] for op, path, _ in steps
                if op in _CHANGE_ARRAYS or "." in path}:
        if key in new:
            new[key] = copy.deepcopy(new[key])
    for op, path, operand in steps:
        if op == "$setOnInsert":
            if inserting:
                _set(new, path, operand)
        elif op == "$set":
            _set(new, path, copy.deepcopy(operand))
        elif op == "$unset":
            _unset(new, path)
        elif op == "$inc":
            _inc(new, path, operand)
        elif op in ("$min", "$max"):
            current = _get(new, path)
            if current is _ABSENT:
                _set(new, path, operand)
                continue
            wanted, have = sort_key(operand), sort_key(current)
            if (op == "$min" and wanted < have) or (op == "$max" and wanted > have):
                _set(new, path, operand)
        elif op in ("$push", "$addToSet"):
            target = _array(new, path, op)
            for item in operand[1]:
                if op == "$push" or not any(equal(item, have) for have in target):
                    target.append(copy.deepcopy(item))
        elif op == "$pull":
            current = _get(new, path)
            if current is _ABSENT:
                continue
            if not isinstance(current, list):
                raise WriteError(f"$pull on {path!r}: cannot apply to a non-array value", 2)
            current[:] = [item for item in current if not _pulled(item, operand)]
    if "_id" in doc and ("_id" not in new or new["_id"] != doc["_id"]):  # $unset too
        raise WriteError("the update would change the immutable field '_id'", 66)
    return new


def _pulled(item, operand):
    kind, value = operand
    if kind == "equal":
        return equal(item, value)
    if kind == "scalar":
        return matches({"": item}, value)
    return isinstance(item, dict) and matches(item, value)


_ABSENT = object()


def _get(doc, path):
    value = doc
    for segment in path.split("."):
        if isinstance(value, dict) and segment in value:
            value = value[segment]
        elif isinstance(value, list) and segment.isdigit() and int(segment) < len(value):
            value = value[int(segment)]
        else:
            return _ABSENT
    return value


def _parent(doc, path, op):
    """The container holding the last segment of ``path``, created as needed."""
    segments = path.split(".")
    value = doc
    for segment in segments[:-1]:
        if isinstance(value, dict):
            value = value.setdefault(segment, {})
        elif isinstance(value, list) and segment.isdigit():
            index = int(segment)
            value.extend([None] * (index + 1 - len(value)))
            if value[index] is None:
                value[index] = {}
            value = value[index]
        else:
            raise WriteError(f"{op}: cannot create field {segment!r} of {path!r} in a "
                             f"{type(value).__name__} value", 28)
    if isinstance(value, list) and not segments[-1].isdigit() or not isinstance(
            value, (dict, list)):
        raise WriteError(f"{op}: cannot create field {segments[-1]!r} of {path!r}", 28)
    return value, segments[-1]


def _set(doc, path, value):
    parent, key = _parent(doc, path, "$set")
    if isinstance(parent, list):
        index = int(key)
        parent.extend([None] * (index + 1 - len(parent)))
        parent[index] = value
    else:
        parent[key] = value


def _unset(doc, path):
    segments = path.split(".")
    parent = _get(doc, ".".join(segments[:-1])) if len(segments) > 1 else doc
    if isinstance(parent, dict):
        parent.pop(segments[-1], None)
    elif isinstance(parent, list) and segments[-1].isdigit() and int(segments[-1]) < len(parent):
        parent[int(segments[-1])] = None  # MongoDB leaves a null in the array


def _inc(doc, path, amount):
    current = _get(doc, path)
    if current is _ABSENT:
        _set(doc, path, amount)
        return
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise WriteError(f"$inc on {path!r}: the field holds a non-numeric value", 14)
    result = current + amount
    if isinstance(result, int) and not INT64_MIN <= result <= INT64_MAX:
        raise WriteError(f"$inc on {path!r}: the result overflows 64 bits", 2)
    _set(doc, path, result)


def _array(doc, path, op):
    current = _get(doc, path)
    if current is _ABSENT:
        _set(doc, path, [])
        return _get(doc, path)
    if not isinstance(current, list):
        raise WriteError(f"{op} on {path!r}: the field holds a non-array value", 2)
    return current


def upsert_seed(filter_node, steps):
    """The document an upsert starts from: the filter's equalities, then the update."""
    from docstore.match import equality_seed
    seed = {}
    for path, value in equality_seed(filter_node).items():
        _set(seed, path, copy.deepcopy(value))
    return apply_update(seed, steps, inserting=True) if steps is not None else seed
