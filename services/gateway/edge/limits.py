"""What the HTTP edge accepts from a client, as plain rules: no web server, no broker.

Everything a client sends passes here before any service sees it, and anything the system
could not hold is refused with a :class:`shared.errors.SausatError` naming the field: a body
that is not ``application/json`` (415), over :data:`MAX_BODY_BYTES` (413), not UTF-8, nested
deeper than :data:`MAX_DEPTH`, with an integer outside the signed 64-bit range MongoDB stores,
a number that is not finite, or a control character in a string (400). ``\\n`` and ``\\t`` are
allowed (free text); ids are held to their own pattern by the schemas. Example::

    check_content_type(request.headers.get("Content-Type"))
    body = parse_json_object(raw_bytes)        # -> dict, or InvalidInput naming the field
    query = parse_query(environ["QUERY_STRING"])
"""
import json
import math
import re
from urllib.parse import unquote_plus

from werkzeug.http import parse_options_header

from shared.contracts import CONTROL_CHARACTERS
from shared.errors import InvalidInput, SausatError

MAX_BODY_BYTES = 1_000_000
MAX_DEPTH = 32
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1

# a JSON string, unrolled (no alternation per character): megabytes per second, not kilobytes
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class PayloadTooLarge(SausatError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class RequestTimeout(SausatError):
    status = 408
    code = "REQUEST_TIMEOUT"


def too_slow(seconds):
    return RequestTimeout("the request did not arrive in time; the connection is closed",
                          {"_request": [f"send the whole request within {seconds:g} seconds"]})


class UnsupportedMediaType(SausatError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


def check_content_type(header):
    """Refuse a body that does not say it is JSON in UTF-8 (the only encoding JSON has)."""
    mimetype, options = parse_options_header(header or "")
    if mimetype.lower() != "application/json":
        raise UnsupportedMediaType("the request body must be application/json",
                                   {"Content-Type": [f"got {header or 'none'!r}"]})
    charset = options.get("charset")
    if charset is not None and charset.lower().replace("-", "") != "utf8":
        raise UnsupportedMediaType("the request body must be encoded in UTF-8",
                                   {"Content-Type": [f"charset {charset!r} is not utf-8"]})


def check_form_content_type(header):
    """Refuse a form body that is not URL-encoded (the only encoding the pages' forms use)."""
    mimetype, options = parse_options_header(header or "")
    if mimetype.lower() != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("the form must be application/x-www-form-urlencoded",
                                   {"Content-Type": [f"got {header or 'none'!r}"]})


def parse_form(raw):
    """An HTML form's fields (URL-encoded, UTF-8): one value per name, free text may hold
    line breaks and tabs, no other control character; or InvalidInput naming the field."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise InvalidInput("the form is not URL-encoded",
                           {"_body": ["bytes outside ASCII; percent-encode them"]}) from None
    pairs, problems = [], {}
    for pair in text.split("&") if text else ():
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition("=")
        try:
            pairs.append((unquote_plus(raw_name, errors="strict"),
                          unquote_plus(raw_value, errors="strict")))
        except UnicodeDecodeError:
            problems.setdefault(raw_name[:80], []).append("not valid UTF-8 once decoded")
    return parse_pairs(pairs, problems)


def parse_pairs(pairs, problems=None):
    """A form's ``(name, value)`` pairs as its fields: one value per name, no control
    character but free text's line breaks and tabs; or InvalidInput naming the field."""
    form, problems = {}, problems or {}
    for name, value in pairs:
        value = value.replace("\r\n", "\n")
        problem = text_problem(name, allow_layout=False) or text_problem(value)
        if problem:
            problems.setdefault(_printable(name), []).append(problem)
        elif name in form:
            problems.setdefault(name, []).append("given more than once")
        else:
            form[name] = value
    if problems:
        raise InvalidInput("invalid form fields", problems)
    return form


def check_size(declared_length, limit=MAX_BODY_BYTES):
    if declared_length is not None and declared_length > limit:
        raise body_too_large(limit)


def body_too_large(limit=MAX_BODY_BYTES):
    return PayloadTooLarge("the request body is too large",
                           {"_body": [f"at most {limit} bytes"]})


def parse_json_object(raw):
    """The JSON object in ``raw`` (bytes), or :class:`InvalidInput` saying what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput("the request body is not valid UTF-8",
                           {"_body": [f"invalid byte at offset {error.start}"]}) from None
    check_depth(text)
    try:
        body = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as error:
        raise InvalidInput("request body is not valid JSON", {"_body": [str(error)]}) from None
    if not isinstance(body, dict):
        raise InvalidInput("request body must be a JSON object",
                           {"_body": [f"got a JSON {type(body).__name__}"]})
    problems = {}
    _check_values(body, (), problems)
    if problems:
        raise InvalidInput("the request body holds values the system cannot keep", problems)
    return body


def check_depth(text):
    """Count brackets outside strings, so a deep body is refused before the parser recurses."""
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > MAX_DEPTH:
            raise InvalidInput("the request body is nested too deeply",
                               {"_body": [f"at most {MAX_DEPTH} levels of arrays and objects"]})


def parse_query(query_string):
    """Decode a raw query string strictly: one value per name, UTF-8, no control characters."""
    query, problems = {}, {}
    for pair in query_string.split("&") if query_string else ():
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition("=")
        try:
            name = unquote_plus(raw_name, errors="strict")
            value = unquote_plus(raw_value, errors="strict")
        except UnicodeDecodeError:
            problems.setdefault(raw_name[:80], []).append("not valid UTF-8 once decoded")
            continue
        problem = text_problem(name) or text_problem(value, allow_layout=False)
        if problem:
            problems.setdefault(_printable(name), []).append(problem)
        elif name in query:
            problems.setdefault(name, []).append("given more than once")
        else:
            query[name] = value
    if problems:
        raise InvalidInput("invalid query parameters", problems)
    return query


def text_problem(value, allow_layout=True):
    """What is wrong with a string from a client, or None."""
    for char in CONTROL_CHARACTERS.findall(value):
        if allow_layout and char in "\n\t":
            continue
        if "\ud800" <= char <= "\udfff":
            return "contains an unpaired surrogate (not a Unicode character)"
        return f"contains the control character U+{ord(char):04X}"
    return None


def _check_values(value, path, problems):
    if isinstance(value, dict):
        for key, item in value.items():
            problem = text_problem(key, allow_layout=False)
            if problem:
                _report(problems, path + (_printable(key),), f"field name {problem}")
            else:
                _check_values(item, path + (key,), problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_values(item, path + (index,), problems)
    elif isinstance(value, str):
        problem = text_problem(value)
        if problem:
            _report(problems, path, problem)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            _report(problems, path, "integer outside the signed 64-bit range")
    elif isinstance(value, float) and not math.isfinite(value):
        _report(problems, path, "number too large")


def _report(problems, path, message):
    """Nest the message under its path the way marshmallow names fields."""
    node = problems
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node.setdefault(path[-1], []).append(message)


def _printable(text):
    return text.encode("unicode_escape").decode("ascii")[:80]


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")
