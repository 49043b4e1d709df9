"""Filters parsed once into a small tree, and MongoDB's matching rules for it in Python.

The tree is what ``query`` turns into SQL; the Python rules here are the reference it falls back
to for paths that run through arrays (and what ``$pull`` conditions use). Both work on *encoded*
values (see ``encoding``). Example::

    node = parse_filter({"status": "routed", "routed_at": {"$gte": since}})
    matches(encoded_doc, node)
"""
from docstore.encoding import (
    C_ARRAY,
    C_NULL,
    C_OBJECT,
    encode_value,
    type_class,
    values_at,
)
from docstore.errors import UnsupportedOperation

FIELD_OPS = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$size",
             "$all", "$elemMatch"}
RANGE_OPS = {"$gt", "$gte", "$lt", "$lte"}
_MISSING = object()


class Field:
    __slots__ = ("path", "op", "operand")

    def __init__(self, path, op, operand):
        self.path, self.op, self.operand = path, op, operand


class Logical:
    __slots__ = ("op", "children")

    def __init__(self, op, children):
        self.op, self.children = op, children


def parse_filter(spec, where="filter"):
    if spec is None:
        return Logical("$and", [])
    if not isinstance(spec, dict):
        raise TypeError(f"{where} must be a dict, not {type(spec).__name__}")
    children = []
    for key, value in spec.items():
        if key in ("$and", "$or", "$nor"):
            if not isinstance(value, (list, tuple)) or not value:
                raise ValueError(f"{where}: {key} needs a non-empty list of filters")
            children.append(Logical(key, [parse_filter(sub, where) for sub in value]))
        elif key.startswith("$"):
            raise UnsupportedOperation(key, f"{where}: query operator {key} is not supported")
        elif isinstance(value, dict) and value and all(k.startswith("$") for k in value):
            for op, operand in value.items():
                children.append(_field(key, op, operand, where))
        else:
            children.append(Field(key, "$eq", encode_value(value, key)))
    return children[0] if len(children) == 1 else Logical("$and", children)


def _field(path, op, operand, where):
    if op not in FIELD_OPS:
        raise UnsupportedOperation(op, f"{where}: operator {op} (on {path!r}) is not supported")
    if op in ("$in", "$nin", "$all"):
        if not isinstance(operand, (list, tuple)):
            raise ValueError(f"{where}: {op} on {path!r} needs a list")
        return Field(path, op, [encode_value(v, path) for v in operand])
    if op == "$exists":
        return Field(path, op, bool(operand))
    if op == "$size":
        if isinstance(operand, bool) or not isinstance(operand, int):
            raise ValueError(f"{where}: $size on {path!r} needs an integer")
        return Field(path, op, operand)
    if op == "$elemMatch":
        if not isinstance(operand, dict) or not operand:
            raise ValueError(f"{where}: $elemMatch on {path!r} needs a filter")
        if all(k.startswith("$") and k not in ("$and", "$or", "$nor") for k in operand):
            # operators on the elements themselves: {"$elemMatch": {"$gt": 5}}
            return Field(path, op, Logical("$and", [_field("", k, v, where)
                                                     for k, v in operand.items()]))
        return Field(path, op, parse_filter(operand, where))
    encoded = encode_value(operand, path)
    if op in RANGE_OPS and isinstance(encoded, (dict, list)):
        raise UnsupportedOperation(op, f"{where}: {op} on {path!r} with an object or array")
    return Field(path, op, encoded)


def matches(doc, node):
    if isinstance(node, Logical):
        if node.op == "$and":
            return all(matches(doc, child) for child in node.children)
        if node.op == "$or":
            return any(matches(doc, child) for child in node.children)
        return not any(matches(doc, child) for child in node.children)
    return field_matches(doc, node.path, node.op, node.operand)


def field_matches(doc, path, op, operand):
    if op == "$ne":
        return not field_matches(doc, path, "$eq", operand)
    if op == "$nin":
        return not field_matches(doc, path, "$in", operand)
    if op == "$exists":
        return bool(values_at(doc, path)) == operand
    if op == "$in":
        return any(field_matches(doc, path, "$eq", v) for v in operand)
    if op == "$all":
        if operand and all(v.__class__ is str for v in operand):
            # strings are equal only as the same text: the path is walked once, not per value
            found = {v for v in values_at(doc, path) if v.__class__ is str}
            return all(v in found for v in operand)
        return bool(operand) and all(field_matches(doc, path, "$eq", v) for v in operand)
    if op == "$size":
        return any(isinstance(v, list) and len(v) == operand for v in _direct(doc, path))
    if op == "$elemMatch":
        return any(isinstance(v, list) and any(_elem_matches(item, operand) for item in v)
                   for v in _direct(doc, path))
    values = values_at(doc, path, missing=_MISSING)
    if operand is None:
        if op in ("$eq", "$gte", "$lte"):
            return any(v is None or v is _MISSING for v in values)
        return False
    values = [v for v in values if v is not _MISSING]
    if op == "$eq":
        return any(equal(v, operand) for v in values)
    cls = type_class(operand)
    for value in values:
        if isinstance(value, (dict, list)) or value is None or type_class(value) != cls:
            continue
        if ((op == "$gt" and value > operand) or (op == "$gte" and value >= operand)
                or (op == "$lt" and value < operand) or (op == "$lte" and value <= operand)):
            return True
    return False


def _direct(doc, path):
    """The arrays at ``path`` themselves (what ``$size`` and ``$elemMatch`` look at): not the
    arrays nested inside them, which ``values_at`` adds as elements."""
    reached = values_at(doc, path)
    nested = [id(item) for v in reached if isinstance(v, list) for item in v]
    return [v for v in reached if isinstance(v, list) and id(v) not in nested]


def _elem_matches(item, node):
    if isinstance(node, Logical) and node.children and all(
            isinstance(c, Field) and c.path == "" for c in node.children):
        # operators on the element itself: an element that is an array is one value, not
        # its elements (MongoDB does not descend into arrays inside the array)
        if isinstance(item, list):
            return all(_whole(item, child) for child in node.children)
        return matches({"": item}, node)
    return isinstance(item, dict) and matches(item, node)


def _whole(array, node):
    """A value-form condition on an array taken as one value."""
    op, operand = node.op, node.operand
    if op in ("$eq", "$ne"):
        return equal(array, operand) == (op == "$eq")
    if op in ("$in", "$nin"):
        return any(equal(array, v) for v in operand) == (op == "$in")
    if op == "$exists":
        return operand
    if op == "$size":
        return len(array) == operand
    if op == "$elemMatch":
        return any(_elem_matches(item, operand) for item in array)
    return False  # a range never compares an array with a scalar


def equal(a, b):
    ca, cb = type_class(a), type_class(b)
    if ca != cb:
        return False
    if ca in (C_OBJECT, C_ARRAY):
        if ca == C_OBJECT:
            return list(a) == list(b) and all(equal(a[k], b[k]) for k in a)
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    return ca == C_NULL or a == b


def equality_seed(node, out=None):
    """The fields an upsert copies from its filter: top-level equalities (also inside $and)."""
    out = {} if out is None else out
    if isinstance(node, Logical):
        if node.op == "$and":
            for child in node.children:
                equality_seed(child, out)
    elif node.op == "$eq" or (node.op in ("$in", "$all") and len(node.operand) == 1):
        value = node.operand if node.op == "$eq" else node.operand[0]
        out[node.path] = value
    return out
