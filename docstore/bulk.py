"""``bulk_write`` and the pipeline of ``aggregate``.

A bulk write runs as one transaction: all of it or, when one operation fails, none of it (a
``BulkWriteError`` naming the operation). MongoDB keeps the writes before the failing one of an
ordered bulk; callers here retry the whole batch, which is safe with either. Example::

    cases.bulk_write([UpdateOne({"_id": c}, {"$set": {"seen": True}}) for c in ids])
    cases.aggregate([{"$match": {"authority_id": a}},
                     {"$group": {"_id": "$status", "n": {"$sum": 1}}}])
"""
import json

from bson import ObjectId
from pymongo import DeleteMany, DeleteOne, InsertOne, ReplaceOne, UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError, OperationFailure, PyMongoError

from docstore.cursor import normalize_sort, project
from docstore.encoding import decode_value, encode_document, encode_value, sort_key
from docstore.errors import UnsupportedOperation
from docstore.match import matches, parse_filter
from docstore.ordering import needs_python, sort_documents
from docstore.query import order_by, where


def run_bulk(collection, requests):
    result = {"writeErrors": [], "writeConcernErrors": [], "nInserted": 0, "nUpserted": 0,
              "nMatched": 0, "nModified": 0, "nRemoved": 0, "upserted": []}
    prepared = [_prepare(collection, request) for request in requests]
    with collection.database.write() as txn:
        for index, (kind, args) in enumerate(prepared):
            try:
                _run(collection, txn, kind, args, index, result)
            except PyMongoError as error:
                raise BulkWriteError({**result, "nInserted": 0, "nUpserted": 0, "nMatched": 0,
                                      "nModified": 0, "nRemoved": 0, "upserted": [],
                                      "writeErrors": [{"index": index,
                                                       "code": getattr(error, "code", None),
                                                       "errmsg": str(error)}]}) from None
    return result


def _prepare(collection, request):
    if isinstance(request, InsertOne):
        return "insert", collection._prepare(request._doc)
    if isinstance(request, (UpdateOne, UpdateMany, ReplaceOne)):
        if getattr(request, "_array_filters", None) or request._hint or request._collation:
            raise UnsupportedOperation("bulk_write", "array_filters, hint and collation")
        node, change = collection._parse_change(request._filter, request._doc,
                                                replace=isinstance(request, ReplaceOne))
        sort = normalize_sort(request._sort) if getattr(request, "_sort", None) else None
        return "update", (node, change, isinstance(request, UpdateMany), bool(request._upsert),
                          sort)
    if isinstance(request, (DeleteOne, DeleteMany)):
        return "delete", (parse_filter(request._filter), isinstance(request, DeleteMany))
    raise UnsupportedOperation(type(request).__name__,
                               f"bulk_write of {type(request).__name__} is not supported")


def _run(collection, txn, kind, args, index, result):
    if kind == "insert":
        collection._insert(txn, args)
        result["nInserted"] += 1
    elif kind == "update":
        node, change, many, upsert, sort = args  # UpdateOne(sort=…): the first in that order
        matched, modified, upserted, _, _ = collection._apply(txn, node, change, many, upsert,
                                                              sort)
        result["nMatched"] += matched
        result["nModified"] += modified
        if upserted is not None:
            result["nUpserted"] += 1
            result["upserted"].append({"index": index, "_id": upserted})
    else:
        node, many = args
        result["nRemoved"] += collection._delete_in(txn, node, many)


# --- aggregate ---------------------------------------------------------------------------------

ACCUMULATORS = {"$sum", "$min", "$max", "$avg", "$count", "$first", "$last"}


def run_pipeline(collection, pipeline):
    """The leading ``$match`` / ``$sort`` / ``$skip`` / ``$limit`` run in SQL, the rest here."""
    for stage in pipeline:
        if not isinstance(stage, dict) or len(stage) != 1:
            raise ValueError(f"each pipeline stage is a dict with one operator, not {stage!r}")
        (name, _), = stage.items()
        if name not in STAGES:
            raise UnsupportedOperation(name, f"aggregation stage {name} is not supported")
    node, sort, skip, limit, rest = parse_filter({}), [], 0, 0, list(pipeline)
    if rest and "$match" in rest[0]:
        node = parse_filter(rest.pop(0)["$match"], "$match")
    if rest and "$sort" in rest[0]:
        sort = normalize_sort(rest.pop(0)["$sort"])
    if rest and "$skip" in rest[0]:
        skip = _count("$skip", rest.pop(0)["$skip"], least=0)
    if rest and "$limit" in rest[0]:
        limit = _count("$limit", rest.pop(0)["$limit"], least=1)
    for stage in rest:
        (name, spec), = stage.items()
        if name in ("$group", "$project"):  # where expressions are read
            _refuse_variables(spec)

    def statement(meta):
        sql, params = where(node, meta)
        if needs_python(sort, meta):  # sorted below, in MongoDB's order
            return f"SELECT doc FROM {collection.table} WHERE {sql}", params
        tail = order_by(sort, meta)
        if limit or skip:
            tail += f" LIMIT {limit or -1} OFFSET {skip}"
        return f"SELECT doc FROM {collection.table} WHERE {sql}{tail}", params

    rows = collection.database.read(collection.name, statement)
    docs = [json.loads(row[0]) for row in rows]  # encoded, so comparisons keep MongoDB's order
    if sort and needs_python(sort, collection.database.meta(collection.name)):
        docs = sort_documents(docs, sort)[skip:]
        docs = docs[:limit] if limit else docs
    for stage in rest:
        (name, spec), = stage.items()
        docs = STAGES[name](docs, spec)
    return [decode_value(doc) for doc in docs]


def _match(docs, spec):
    node = parse_filter(spec, "$match")
    return [doc for doc in docs if matches(doc, node)]


def _sort(docs, spec):
    return sort_documents(docs, normalize_sort(spec))


def _count(stage, value, least):
    """MongoDB refuses ``$limit: 0`` (15958) and a negative ``$skip`` (15956)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise OperationFailure(f"{stage} must be an integer of at least {least}, not {value!r}",
                               15958 if stage == "$limit" else 15956)
    return value


def _refuse_variables(spec):
    """``$$ROOT``, ``$$CURRENT`` and other variables are not implemented: refused by name."""
    if isinstance(spec, str) and spec.startswith("$$"):
        raise UnsupportedOperation(spec.split(".")[0], f"aggregation variable {spec}")
    for value in spec.values() if isinstance(spec, dict) else (
            spec if isinstance(spec, list) else ()):
        _refuse_variables(value)


def _value(doc, expression):
    if isinstance(expression, str) and expression.startswith("$"):
        value = doc
        for segment in expression[1:].split("."):
            value = value.get(segment) if isinstance(value, dict) else None
        return value
    if isinstance(expression, dict):
        if len(expression) == 1 and next(iter(expression)).startswith("$"):
            raise UnsupportedOperation(next(iter(expression)),
                                       f"expression operator {next(iter(expression))}")
        return {key: _value(doc, sub) for key, sub in expression.items()}
    return encode_value(expression)


def _group(docs, spec):
    if "_id" not in spec:
        raise ValueError("$group needs an _id")
    fields = {k: v for k, v in spec.items() if k != "_id"}
    for field, accumulator in fields.items():
        if not isinstance(accumulator, dict) or len(accumulator) != 1 \
                or next(iter(accumulator)) not in ACCUMULATORS:
            raise UnsupportedOperation(str(accumulator), f"$group field {field!r}: accumulator "
                                       f"must be one of {sorted(ACCUMULATORS)}")
    groups = {}
    for doc in docs:
        key = _value(doc, spec["_id"])
        # grouped by MongoDB's equality: 1 and 1.0 are one group
        groups.setdefault(sort_key(key), (key, []))[1].append(doc)
    out = []
    for key, members in groups.values():
        row = {"_id": key}
        for field, accumulator in fields.items():
            (op, expression), = accumulator.items()
            values = [_value(doc, expression) for doc in members] if op != "$count" else []
            row[field] = _accumulate(op, values, len(members))
        out.append(row)
    return out


def _accumulate(op, values, count):
    numbers = [v for v in values if isinstance(v, (int, float))]
    present = [v for v in values if v is not None]
    if op == "$count":
        return count
    if op == "$sum":
        return sum(numbers)
    if op == "$avg":
        return sum(numbers) / len(numbers) if numbers else None
    if op in ("$min", "$max"):
        if not present:
            return None
        return (min if op == "$min" else max)(present, key=sort_key)
    return values[0] if op == "$first" else values[-1]


def _project(docs, spec):
    if any(isinstance(v, (str, dict)) for v in spec.values()):
        out = []
        for doc in docs:
            row = {"_id": doc.get("_id")} if spec.get("_id", 1) else {}
            for field, value in spec.items():
                if field == "_id" and not isinstance(value, (str, dict)):
                    continue
                row[field] = doc.get(field) if value in (1, True) else _value(doc, value)
            out.append(row)
        return out
    return [project(doc, spec) for doc in docs]


STAGES = {
    "$match": _match,
    "$sort": _sort,
    "$skip": lambda docs, n: docs[_count("$skip", n, least=0):],
    "$limit": lambda docs, n: docs[:_count("$limit", n, least=1)],
    "$group": _group,
    "$project": _project,
    "$count": lambda docs, name: [{name: len(docs)}] if docs else [],
}

__all__ = ["run_bulk", "run_pipeline", "ObjectId", "encode_document"]
