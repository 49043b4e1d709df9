"""Pages of a list, read from an index: ``limit`` items after an opaque ``cursor``.

The promise: a page costs one index range however deep the reader goes. A list is sorted by
indexed keys that end in a unique one (``_id``), and the next page asks for the keys past the
last item's (``> last key``), never for ``skip(n)``; the cursor a page hands out is that last
key, base64-encoded, so an item inserted meanwhile neither repeats nor hides another. A cursor
that this module did not make is refused as :class:`InvalidInput` naming ``cursor``. Example::

    query = load_payload(PageQuery(), {"limit": 2}, "query")
    page = read_page(db.units, {}, [("_id", 1)], query)
    page["items"], page["next_cursor"]      # next_cursor is None on the last page
"""
import base64
import binascii
import datetime as dt
import json

from marshmallow import Schema, fields, validate

from shared.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_CURSOR_LENGTH = 400


class PageQuery(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT),
                           metadata={"description": f"items per page, at most {MAX_LIMIT}"})
    cursor = fields.String(load_default=None, validate=validate.Length(1, MAX_CURSOR_LENGTH),
                           metadata={"description": "next_cursor of the previous page"})


def _tag(value):
    if isinstance(value, dt.datetime):
        return ["d", value.isoformat()]
    if value is None:
        return ["n", None]
    return ["s", value]


def encode_cursor(values):
    tagged = [_tag(v) for v in values]
    return base64.urlsafe_b64encode(json.dumps(tagged).encode()).decode().rstrip("=")


def decode_cursor(cursor, count):
    """The ``count`` key values in ``cursor``, or :class:`InvalidInput`."""
    try:
        tagged = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(tagged, list) or len(tagged) != count:
            raise ValueError
        values = []
        for tag, value in tagged:
            if tag == "d":
                value = dt.datetime.fromisoformat(value)
                if value.tzinfo is None:
                    raise ValueError
            elif tag == "n":
                if value is not None:
                    raise ValueError
            elif tag != "s" or not isinstance(value, str):
                raise ValueError
            values.append(value)
        return values
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("invalid cursor", {"cursor": [
            "not a cursor this list handed out; use next_cursor of the previous page"]}) from None


def after(sort, values):
    """The criteria for items past ``values`` in the order ``sort`` ([(key, 1 | -1), ...]).

    Null sorts first (as MongoDB sorts): past a null in an ascending key is any non-null value;
    a descending key holds no nulls (nothing would be found past them)."""
    branches = []
    for i, (key, direction) in enumerate(sort):
        branch = {k: v for (k, _), v in zip(sort[:i], values[:i])}
        if values[i] is None:
            if direction == -1:
                continue  # nothing sorts below null
            branch[key] = {"$ne": None}
        else:
            branch[key] = {"$gt" if direction == 1 else "$lt": values[i]}
        branches.append(branch)
    if not branches:
        return {"_id": {"$exists": False}}  # nothing is past the very last key
    return branches[0] if len(branches) == 1 else {"$or": branches}


def read_page(collection, criteria, sort, query, projection=None):
    """One page of ``collection`` matching ``criteria`` in ``sort`` order (keys of an index)."""
    if query.get("cursor"):
        values = decode_cursor(query["cursor"], len(sort))
        parts = [criteria, after(sort, values)]
        (first, direction), start = sort[0], values[0]
        if start is not None:
            # the same bound alone too, so the store walks one index range in order (an OR
            # alone may be answered branch by branch and sorted afterwards)
            parts.insert(1, {first: {"$gte" if direction == 1 else "$lte": start}})
        criteria = {"$and": parts}
    found = list(collection.find(criteria, projection).sort(sort).limit(query["limit"] + 1))
    items, more = found[:query["limit"]], len(found) > query["limit"]
    next_cursor = None
    if more:
        next_cursor = encode_cursor([items[-1][key] for key, _ in sort])
    return {"items": items, "next_cursor": next_cursor}
