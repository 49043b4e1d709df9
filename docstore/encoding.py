"""Values as stored: JSON whose text and SQL order follow MongoDB's order of types.

JSON has no dates, booleans distinct from 0/1 in SQLite's ``json_extract``, or ObjectIds, so those
become *tagged strings* that start with U+10FFFF, the highest code point: every tagged value sorts
after every plain string, and among themselves by tag, as MongoDB orders its types (ObjectId <
Boolean < Date). Dates are UTC ``YYYY-MM-DDTHH:MM:SS.mmm`` (millisecond precision, as BSON), so
text order is time order. Numbers and strings stay JSON numbers and strings. Example::

    encode_value(dt.datetime(2026, 1, 2, tzinfo=UTC))  # TAG + "3" + "2026-01-02T00:00:00.000"
"""
import datetime as dt
import functools
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
    cls = value.__class__
    if cls is str:
        if "\x00" in value or "\x01" in value:
            value = escape_nul(value)
        return value if not value.startswith(TAG) else T_STRING + value
    if cls is dict:
        return encode_document(value, field)
    if cls is int:
        if not INT64_MIN <= value <= INT64_MAX:
            raise OverflowError(
                f"{field}: {value} does not fit in 64 bits; MongoDB cannot store it either")
        return value
    if value is None:
        return None
    if cls is list or cls is tuple:
        return [encode_value(item, field) for item in value]
    if cls is bool:
        return T_TRUE if value else T_FALSE
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return T_DATE + value.isoformat(timespec="milliseconds")
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise InvalidDocument(f"{field}: {value} (NaN and infinity are not stored)")
        return value
    if isinstance(value, ObjectId):
        return T_OID + str(value)
    if isinstance(value, bool):
        return T_TRUE if value else T_FALSE
    if isinstance(value, int):
        return encode_value(int(value), field)
    if isinstance(value, str):
        return encode_value(str(value), field)
    if isinstance(value, dict):
        return encode_document(dict(value), field)
    if isinstance(value, (list, tuple)):
        return [encode_value(item, field) for item in value]
    raise InvalidDocument(f"{field}: cannot store {type(value).__name__} {value!r}")


def escape_nul(text):
    """SQLite's JSON functions cut a string at NUL, so NUL is stored as U+0001 U+0001 and
    U+0001 as U+0001 U+0002: no NUL left, the same order, and every U+0001 an escape."""
    return text.replace("\x01", "\x01\x02").replace("\x00", "\x01\x01")


def unescape_nul(text):
    return text.replace("\x01\x01", "\x00").replace("\x01\x02", "\x01")


def encode_document(document, where="document"):
    encoded = {}
    for key, value in document.items():
        if key.__class__ is not str:
            raise InvalidDocument(f"{where}: field names must be strings, not {key!r}")
        if key[:1] == "$" or "\x00" in key:
            raise InvalidDocument(f"{where}: field name {key!r} may not start with '$' "
                                  "or hold NUL")
        encoded[key] = encode_value(value, key if where == "document" else f"{where}.{key}")
    return encoded


def _decode_tagged(value):
    tag = value[:2]
    if tag == T_DATE:
        return dt.datetime.fromisoformat(value[2:] + "+00:00")
    if value == T_TRUE:
        return True
    if value == T_FALSE:
        return False
    if tag == T_OID:
        return ObjectId(value[2:])
    return unescape_nul(value[2:]) if "\x01" in value else value[2:]  # T_STRING


def decode_value(value):
    cls = value.__class__
    if cls is str:
        if value[:1] == TAG:
            return _decode_tagged(value)
        return unescape_nul(value) if "\x01" in value else value
    if cls is dict:
        return {k: decode_value(v) for k, v in value.items()}
    if cls is list:
        return [decode_value(v) for v in value]
    return value


def _decode_list(items):
    for i, value in enumerate(items):
        cls = value.__class__
        if cls is str:
            if value >= TAG:
                items[i] = _decode_tagged(value)
        elif cls is list:
            _decode_list(value)
    return items


def _hook(obj):
    """Called by the JSON parser on each object, innermost first. A string is tagged exactly
    when it compares >= TAG, the highest code point (a comparison allocates nothing)."""
    for key, value in obj.items():
        cls = value.__class__
        if cls is str:
            if value >= TAG:
                obj[key] = _decode_tagged(value)
        elif cls is list:
            _decode_list(value)
    return obj


def _unescape_list(items):
    for i, value in enumerate(items):
        cls = value.__class__
        if cls is str:
            if value >= TAG or "\x01" in value:
                items[i] = decode_value(value)
        elif cls is list:
            _unescape_list(value)
    return items


def _unescape_hook(obj):
    """``_hook`` for documents holding escaped NULs (rare, so kept off the common path)."""
    for key, value in obj.items():
        cls = value.__class__
        if cls is str:
            if value >= TAG or "\x01" in value:
                obj[key] = decode_value(value)
        elif cls is list:
            _unescape_list(value)
    return obj


def dumps(encoded):
    return json.dumps(encoded, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


MAX_BSON_BYTES = 16 * 1024 * 1024


def document_text(encoded, updating=False):
    """A document's stored text, refused as MongoDB refuses documents over 16 MB of BSON (the
    exact BSON size is measured only for texts long enough to come near it)."""
    text = dumps(encoded)
    if len(text) > MAX_BSON_BYTES // 6:
        import bson
        size = len(bson.encode(decode_value(encoded)))
        if size > MAX_BSON_BYTES:
            if updating:
                from pymongo.errors import WriteError
                raise WriteError(f"Resulting document after update is larger than "
                                 f"{MAX_BSON_BYTES} ({size} bytes)", 17419)
            from pymongo.errors import DocumentTooLarge
            raise DocumentTooLarge(f"document of {size} bytes is over MongoDB's limit of "
                                   f"{MAX_BSON_BYTES}")
    return text


_TAGGED = json.JSONDecoder(object_hook=_hook)
_PLAIN = json.JSONDecoder()
_ESCAPED = json.JSONDecoder(object_hook=_unescape_hook)


def loads(text):
    """Decode a stored document; tagged values are looked for only when there are some."""
    if "\\u0001" in text:
        return _ESCAPED.decode(text)
    return _TAGGED.decode(text) if TAG in text else _PLAIN.decode(text)


# --- paths -------------------------------------------------------------------------------------

_PLAIN_SEGMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


@functools.lru_cache(maxsize=4096)
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
    """An orderable key for an encoded value, in MongoDB's order: by type, then value; a
    subdocument field by field (each field's type, then name, then value), an array element
    by element."""
    cls = type_class(value)
    if cls == C_OBJECT:
        return (cls, tuple((type_class(v), k, sort_key(v)) for k, v in value.items()))
    if cls == C_ARRAY:
        return (cls, tuple(sort_key(v) for v in value))
    if cls == C_NULL:
        return (cls, 0)
    return (cls, value)
