"""Values as stored: JSON whose text and SQL order follow MongoDB's order of types.

JSON has no dates, booleans distinct from 0/1 in SQLite's ``json_extract``, or ObjectIds, so those
become *tagged strings* that start with U+10FFFF, the highest code point: every tagged value sorts
after every plain string, and among themselves by tag, as MongoDB orders its types (ObjectId <
Boolean < Date). Dates are UTC ``YYYY-MM-DDTHH:MM:SS.mmm`` (millisecond precision, as BSON), so
text order is time order. Numbers and strings stay JSON numbers and strings. Example::

    encode_value(dt.datetime(2026, 1, 2, tzinfo=UTC))  # TAG + "3" + "2026-01-02T00:00:00.000"
"""
import datetime as dt
import json
import math
import re

from bson import ObjectId
from bson.errors import InvalidDocument

TAG = "\U0010ffff"
T_STRING = TAG + "0"   # a plain string that happened to start with TAG
T_OID = TAG + "1"
T_FALSE = TAG + "20"
T_TRUE = TAG + "21"
T_DATE = TAG + "3"
T_END = TAG + "4"      # above every tagged value

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
UTC = dt.timezone.utc

# MongoDB's comparison order of types (missing and null compare as null)
C_NULL, C_NUMBER, C_STRING, C_OBJECT, C_ARRAY, C_OID, C_BOOL, C_DATE = range(1, 9)


def encode_value(value, field="value"):
    if value is None or isinstance(value, str) and not value.startswith(TAG):
        return value
    if isinstance(value, bool):
        return T_TRUE if value else T_FALSE
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise OverflowError(
                f"{field}: {value} does not fit in 64 bits; MongoDB cannot store it either")
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise InvalidDocument(f"{field}: {value} (NaN and infinity are not stored)")
        return value
    if isinstance(value, str):
        return T_STRING + value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return T_DATE + value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, ObjectId):
        return T_OID + str(value)
    if isinstance(value, dict):
        return encode_document(value, field)
    if isinstance(value, (list, tuple)):
        return [encode_value(item, f"{field}.{i}") for i, item in enumerate(value)]
    raise InvalidDocument(f"{field}: cannot store {type(value).__name__} {value!r}")


def encode_document(document, where="document"):
    encoded = {}
    for key, value in document.items():
        if not isinstance(key, str):
            raise InvalidDocument(f"{where}: field names must be strings, not {key!r}")
        if key.startswith("$"):
            raise InvalidDocument(f"{where}: field name {key!r} may not start with '$'")
        encoded[key] = encode_value(value, key if where == "document" else f"{where}.{key}")
    return encoded


def decode_value(value):
    if isinstance(value, str):
        if not value.startswith(TAG):
            return value
        tag = value[:2]
        if tag == T_DATE:
            moment = dt.datetime.strptime(value[2:] + "000", "%Y-%m-%dT%H:%M:%S.%f")
            return moment.replace(tzinfo=UTC)
        if value == T_TRUE:
            return True
        if value == T_FALSE:
            return False
        if tag == T_OID:
            return ObjectId(value[2:])
        return value[2:]  # T_STRING
    if isinstance(value, dict):
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def dumps(encoded):
    return json.dumps(encoded, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def loads(text):
    """Decode a stored document; the walk runs only when something is tagged."""
    doc = json.loads(text)
    return decode_value(doc) if TAG in text else doc


# --- paths -------------------------------------------------------------------------------------

_PLAIN_SEGMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def json_path(path):
    """The SQLite JSON path of a dotted field path, e.g. ``a.b`` -> ``$.a.b``."""
    segments = path.split(".")
    for segment in segments:
        if not segment or '"' in segment or "\\" in segment:
            raise ValueError(f"field path {path!r} is not supported")
    return "$" + "".join(f".{s}" if _PLAIN_SEGMENT.match(s) else f'."{s}"' for s in segments)


def values_at(doc, path, missing=None):
    """Every value a dotted path reaches, MongoDB style: through arrays of subdocuments, and
    an array at the end gives itself and each element. ``missing`` (if not None) is appended
    once when some branch has no value (so ``{"a.b": None}`` can match)."""
    out = []
    _walk(doc, path.split("."), out, missing)
    return out


def _walk(value, segments, out, missing):
    if not segments:
        out.append(value)
        if isinstance(value, list):
            out.extend(value)
        return
    head, rest = segments[0], segments[1:]
    if isinstance(value, dict):
        if head in value:
            _walk(value[head], rest, out, missing)
        elif missing is not None:
            out.append(missing)
    elif isinstance(value, list):
        if head.isdigit():
            index = int(head)
            if index < len(value):
                _walk(value[index], rest, out, missing)
        for item in value:
            if isinstance(item, dict):
                _walk(item, segments, out, missing)
    elif missing is not None:
        out.append(missing)


def type_class(value):
    """MongoDB's type class of an *encoded* value."""
    if value is None:
        return C_NULL
    if isinstance(value, bool):
        raise TypeError("booleans are encoded before comparison")
    if isinstance(value, (int, float)):
        return C_NUMBER
    if isinstance(value, str):
        if not value.startswith(TAG) or value.startswith(T_STRING):
            return C_STRING
        return {T_OID: C_OID, T_DATE: C_DATE}.get(value[:2], C_BOOL)
    if isinstance(value, dict):
        return C_OBJECT
    return C_ARRAY


def sort_key(value):
    """An orderable key for an encoded value (arrays and objects by their JSON text)."""
    cls = type_class(value)
    if cls in (C_OBJECT, C_ARRAY):
        return (cls, dumps(value))
    if cls == C_NULL:
        return (cls, 0)
    return (cls, value)
