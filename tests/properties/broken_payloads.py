"""Payloads broken in exactly one place, as hypothesis strategies: a valid payload
(valid_payloads.py) with one field given a wrong type, a value its validators refuse, or taken
away, or an unknown field added; each comes as :class:`Broken` with the path of what was broken.
tests/properties/strategies.py says how to use them."""
from typing import NamedTuple

from hypothesis import strategies as st
from marshmallow import RAISE, fields, validate

from shared.contracts import no_control_characters
from tests.properties.valid_payloads import (
    Unsupported,
    accepts,
    as_query_text,
    field_hooks,
    field_validators,
    loadable,
    valid,
    value,
)

UNKNOWN_FIELD = "not_a_field_of_this_schema"
MISSING = object()


class Broken(NamedTuple):
    payload: dict
    path: tuple     # keys (and list indexes) down to the field that was broken
    how: str        # what was done to it, for the failure message


def _wrong_types(field):
    """JSON values of a type ``field`` never takes."""
    if isinstance(field, (fields.Nested, fields.Dict)):
        return [17, "not an object", [1, 2]] if not getattr(field, "many", False) else \
            [17, "not a list"]
    if isinstance(field, fields.List):
        return [17, "not a list", {"a": 1}]
    if isinstance(field, fields.String):
        return [17, ["text"], {"text": 1}, True]
    if isinstance(field, fields.Boolean):
        return ["maybe", [True], {"b": 1}, 2]
    if isinstance(field, fields.Number):
        return ["many", [1], {"n": 1}, True, 1.5]
    if isinstance(field, (fields.Date, fields.DateTime)):
        return [20261120, "20 November 2026", "2026-13-45", [2026, 11, 20]]
    raise Unsupported(f"no wrong type for {type(field).__name__}")


def _wrong_query_texts(field):
    if isinstance(field, fields.Boolean):
        return ["maybe"]
    if isinstance(field, fields.Number):
        return ["many", "1.5e", "0x10"]
    if isinstance(field, (fields.Date, fields.DateTime)):
        return ["20 November 2026", "2026-13-45"]
    return []


def _validator_breakers(field, query):
    """Values of the right type that one of ``field``'s validators refuses."""
    bad = []
    for one_of in field_validators(field, validate.OneOf):
        bad.append("".join(sorted(map(str, one_of.choices)))[:50] + "?")
    for pattern in field_validators(field, validate.Regexp):
        bad += ["UPPER CASE", " leading-space", "ends-with-newline\n"]
    for length in field_validators(field, validate.Length):
        if isinstance(field, fields.String):
            if length.max is not None:
                bad.append("a" * (length.max + 1))
            if (length.min or 0) > 0:
                bad.append("")
    for bounds in field_validators(field, validate.Range):
        if isinstance(field, fields.Number):
            if bounds.max is not None:
                bad.append(bounds.max + 1)
            if bounds.min is not None:
                bad.append(bounds.min - 1)
    for _ in field_validators(field, validate.Email):
        bad += ["no-at-sign.example.vn", "two@@example.vn"]
    if isinstance(field, fields.Email):
        bad += ["no-at-sign.example.vn", "someone@"]
    for equal in field_validators(field, validate.Equal):
        if isinstance(equal.comparable, bool):
            bad.append(not equal.comparable)
    if no_control_characters in field.validators and not query:
        bad.append("a bell \x07 rings")
    if isinstance(field, fields.AwareDateTime) and not query:
        bad.append("2026-11-20T08:00:00")  # naive: refused, not guessed
    if query:
        bad = [as_query_text(v) for v in bad] + _wrong_query_texts(field)
    return [v for v in bad if not accepts(field, v)]


def breakers(field, query=False, hooks=()):
    """Every way to break ``field`` alone: (label, bad value or MISSING)."""
    ways = []
    if hooks and isinstance(field, fields.String):
        ways.append(("refused by the schema's own check", "no such thing?"))
    if field.required:
        ways.append(("missing", MISSING))
    if not field.allow_none and not query:
        ways.append(("null", None))
    if not query:
        ways += [(f"wrong type {type(v).__name__}", v) for v in _wrong_types(field)]
    ways += [(f"refused by a validator: {v!r:.40}", v) for v in _validator_breakers(field, query)]
    return [(label, bad) for label, bad in ways
            if bad is MISSING or not accepts(field, bad, hooks)]


def breakable(schema):
    """The top-level keys :func:`refused` may break: each field, and an unknown one when the
    schema refuses unknown fields."""
    keys = sorted(loadable(schema))
    if schema.unknown == RAISE:
        keys.append(UNKNOWN_FIELD)
    return keys


@st.composite
def _break_inside(draw, payload, schema, query, key=None):
    """(payload with one field broken, path, how), perhaps deep inside a nested part."""
    if key is None:
        key = draw(st.sampled_from(breakable(schema)))
    if key == UNKNOWN_FIELD:
        return {**payload, key: "x"}, (key,), "an unknown field"
    field = loadable(schema)[key]
    if (payload.get(key) is None and isinstance(field, (fields.Nested, fields.List))
            and draw(st.booleans())):  # give it a part to break inside
        payload = {**payload, key: draw(value(field, query).filter(bool))}
    present = payload.get(key)
    inner_choices = []
    if isinstance(field, fields.Nested) and not field.many and isinstance(present, dict):
        inner_choices.append("nested")
    if isinstance(field, fields.Nested) and field.many and present:
        inner_choices.append("nested-item")
    if isinstance(field, fields.List) and present:
        inner_choices.append("item")
    ways = breakers(field, query, field_hooks(schema, field.name))
    if not ways and not inner_choices:
        raise Unsupported(f"{type(schema).__name__}.{key} cannot be broken")
    if inner_choices and (not ways or draw(st.booleans())):
        pick = draw(st.sampled_from(inner_choices))
    else:
        pick = draw(st.sampled_from(range(len(ways))))
    if pick == "nested":
        inner, path, how = draw(_break_inside(present, field.schema, query))
        return {**payload, key: inner}, (key, *path), how
    if pick in ("nested-item", "item"):
        index = draw(st.integers(0, len(present) - 1))
        if pick == "nested-item":
            inner, path, how = draw(_break_inside(present[index], field.schema, query))
        else:
            item_ways = [w for w in breakers(field.inner, query) if w[1] is not MISSING]
            label, inner = draw(st.sampled_from(item_ways))
            path, how = (), label
        items = [*present[:index], inner, *present[index + 1:]]
        return {**payload, key: items}, (key, index, *path), how
    label, bad = ways[pick]
    broken = {k: v for k, v in payload.items() if k != key}
    if bad is not MISSING:
        broken[key] = bad
    return broken, (key,), label


def refused(schema, base=None, query=False, key=None):
    """A payload ``schema`` refuses for exactly one reason, and the path of the field to blame.
    ``base``: a strategy of valid payloads to break (default: :func:`valid`); ``key``: the
    top-level field to break (default: any of :func:`breakable`)."""
    if isinstance(schema, type):
        schema = schema()
    base = valid(schema, query) if base is None else base
    return st.builds(lambda triple: Broken(*triple),
                     base.flatmap(lambda payload: _break_inside(payload, schema, query, key)))


def names(messages, path):
    """Whether marshmallow's ``normalized_messages()`` hold an error at exactly ``path``."""
    node = messages
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return bool(node)


def round_trip_keeps(sent, dumped):
    """Whether every value ``sent`` comes back in ``dumped`` unchanged (defaults may be added)."""
    if isinstance(sent, dict):
        return isinstance(dumped, dict) and all(
            key in dumped and round_trip_keeps(item, dumped[key]) for key, item in sent.items())
    if isinstance(sent, list):
        return isinstance(dumped, list) and len(sent) == len(dumped) and all(
            round_trip_keeps(a, b) for a, b in zip(sent, dumped))
    return sent == dumped and type(sent) is type(dumped)

