"""Hypothesis strategies read off marshmallow schemas: payloads a schema accepts, and payloads
broken in exactly one place, with the path of the field that was broken.

Every field type the project's schemas use has a strategy here (String with Length, OneOf,
Regexp/FullMatch; Email; Integer and Float with Range; Boolean; Date; DateTime and
AwareDateTime; List; Nested; Dict). A field of any other type raises :class:`Unsupported`, so a
schema that starts using one fails the property tests loudly instead of being skipped. Values
are the JSON a client sends (dates as ISO text); with ``query=True`` every value is the text
of a query parameter. Example::

    @given(valid(LogVisit()))
    def test_round_trip(payload): ...

    @given(refused(LogVisit()))
    def test_refusal(case):
        with pytest.raises(ValidationError) as error:
            LogVisit().load(case.payload)
        assert names(error.value.normalized_messages(), case.path)

What "valid" means is the schema's own judgement: each drawn value passes its field's
validators and the whole payload passes ``schema.validate`` (schema-level rules such as
"present cannot exceed expected" filter the draws). Dates are drawn up to today (a schema may
refuse a future meeting date).
"""
import datetime as dt
import functools
from typing import NamedTuple

from hypothesis import strategies as st
from marshmallow import RAISE, ValidationError, fields, validate

from shared.contracts import no_control_characters

UTC = dt.timezone.utc
ZONES = [UTC, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=-5))]
EARLIEST = dt.date(2000, 1, 1)
UNKNOWN_FIELD = "not_a_field_of_this_schema"
MISSING = object()
# no Cc (C0, DEL, C1) and no surrogates: what free text may hold, besides "\n" and "\t"
TEXT = st.characters(blacklist_categories=("Cs", "Cc"))
LAYOUT = st.sampled_from("\n\t")
SIMPLE_EMAILS = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}@[a-z0-9]{1,12}\.(vn|com|org)",
                              fullmatch=True)


class Unsupported(TypeError):
    """A field type this builder does not know: teach it here, do not skip the field."""


class Broken(NamedTuple):
    payload: dict
    path: tuple     # keys (and list indexes) down to the field that was broken
    how: str        # what was done to it, for the failure message


# --- what a field accepts ----------------------------------------------------------------------

def accepts(field, value, hooks=()):
    """Whether ``field`` loads ``value``, and the schema's ``@validates`` ``hooks`` of it too."""
    try:
        loaded = field.deserialize(value)
        for hook in hooks:
            hook(loaded, data_key=field.data_key or field.name)
    except ValidationError:
        return False
    return True


def field_hooks(schema, key):
    """The schema's ``@validates`` methods of the field ``key`` (bound)."""
    found = []
    for attr in dir(type(schema)):
        hook = getattr(getattr(type(schema), attr, None), "__marshmallow_hook__", None) or {}
        for _, options in hook.get("validates", []):
            if key in options.get("field_names", ()):
                found.append(getattr(schema, attr))
    return found


def _validators(field, kind):
    return [v for v in field.validators if isinstance(v, kind)]


def _length_bounds(field):
    low, high = 0, None
    for length in _validators(field, validate.Length):
        if length.equal is not None:
            return length.equal, length.equal
        low = max(low, length.min or 0)
        if length.max is not None:
            high = length.max if high is None else min(high, length.max)
    return low, high


def _range_bounds(field):
    low = high = None
    for bounds in _validators(field, validate.Range):
        if bounds.min is not None:
            low = bounds.min if bounds.min_inclusive else bounds.min + 1
        if bounds.max is not None:
            high = bounds.max if bounds.max_inclusive else bounds.max - 1
    return low, high


def _string(field, query):
    choices = [c for v in _validators(field, validate.OneOf) for c in v.choices]
    if choices:
        return st.sampled_from(choices)
    low, high = _length_bounds(field)
    patterns = _validators(field, validate.Regexp)
    if patterns:
        strategy = st.from_regex(patterns[0].regex, fullmatch=True)
        return strategy.filter(lambda v: low <= len(v) <= (high if high is not None else len(v)))
    alphabet = TEXT if query else st.one_of(TEXT, LAYOUT)
    text = st.text(alphabet, min_size=low, max_size=high if high is not None else 200)
    # a schema's own hook may hold a free string to a list (AddRoutingRule.topic): the words
    # the project's schemas use find it where random text would not
    return st.one_of(text, st.sampled_from(vocabulary()))


@functools.cache
def vocabulary():
    """Every choice of every ``OneOf`` in the events and requests, and the wildcard ``*``."""
    from services.escalations.schemas import ACTION_ARGUMENTS
    from services.gateway.routes import ROUTES
    from shared.contracts import EVENT_TYPES

    words = {"*"}

    def collect(schema):
        for field in schema.fields.values():
            while isinstance(field, fields.List):
                field = field.inner
            if isinstance(field, fields.Nested):
                collect(field.schema)
            for one_of in _validators(field, validate.OneOf):
                words.update(c for c in one_of.choices if isinstance(c, str))

    schemas = [t.schema for t in EVENT_TYPES.values()] + [
        part() for route in ROUTES.values() for part in (route.body, route.query, route.path)
        if part is not None] + [schema() for schema in ACTION_ARGUMENTS.values()]
    for schema in schemas:
        collect(schema)
    return sorted(words)


def _integer(field):
    low, high = _range_bounds(field)
    return st.integers(low, high)


def _float(field):
    low, high = _range_bounds(field)
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def _boolean(field):
    # JSON's true and false, as far as the field takes them (1 == True in its sets)
    return st.sampled_from([flag for flag, known in ((True, field.truthy), (False, field.falsy))
                            if not known or flag in known])


def _dates():
    return st.dates(EARLIEST, dt.date.today()).map(dt.date.isoformat)


def _datetimes(aware):
    if aware:
        moments = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2035, 1, 1),
                               timezones=st.sampled_from(ZONES))
    else:
        moments = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2035, 1, 1))
    return moments.map(dt.datetime.isoformat)


def value(field, query=False, hooks=()):
    """The values ``field`` accepts (None among them when it allows None), and ``hooks``."""
    if isinstance(field, fields.Nested):
        inner = valid(field.schema, query)
        strategy = st.lists(inner, max_size=3) if field.many else inner
    elif isinstance(field, fields.List):
        low, high = _length_bounds(field)
        strategy = st.lists(value(field.inner, query), min_size=low,
                            max_size=high if high is not None else max(low, 4))
    elif isinstance(field, fields.Dict):
        keys = st.text(TEXT, min_size=1, max_size=10)
        strategy = st.dictionaries(keys, st.one_of(st.none(), st.integers(-1000, 1000),
                                                   st.text(TEXT, max_size=20)), max_size=4)
    elif isinstance(field, fields.Email):
        strategy = st.one_of(SIMPLE_EMAILS, st.emails())
    elif isinstance(field, fields.String):
        strategy = _string(field, query)
    elif isinstance(field, fields.Boolean):
        strategy = _boolean(field)
    elif isinstance(field, fields.Integer):
        strategy = _integer(field)
    elif isinstance(field, fields.Float):
        strategy = _float(field)
    elif isinstance(field, fields.AwareDateTime):
        strategy = _datetimes(aware=True)
    elif isinstance(field, fields.NaiveDateTime):
        strategy = _datetimes(aware=False)
    elif isinstance(field, fields.DateTime):
        strategy = st.one_of(_datetimes(aware=True), _datetimes(aware=False))
    elif isinstance(field, fields.Date):
        strategy = _dates()
    else:
        raise Unsupported(f"no strategy for {type(field).__name__} ({field.name})")
    strategy = strategy.filter(lambda v: accepts(field, v, hooks))
    if query:
        strategy = strategy.map(as_query_text)
    if field.allow_none and not query:
        strategy = st.one_of(st.none(), strategy)
    return strategy


def as_query_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def loadable(schema):
    """``{data key: field}`` of what a client may send."""
    return {(f.data_key or name): f for name, f in schema.fields.items() if not f.dump_only}


def valid(schema, query=False):
    """Payloads ``schema`` loads without an error. Optional fields come and go."""
    if isinstance(schema, type):
        schema = schema()
    required, optional = {}, {}
    for key, field in loadable(schema).items():
        if query and isinstance(field, (fields.List, fields.Nested, fields.Dict)):
            raise Unsupported(f"{type(schema).__name__}.{key}: no query form for "
                              f"{type(field).__name__}")
        strategy = value(field, query, field_hooks(schema, field.name))
        (required if field.required else optional)[key] = strategy
    return st.fixed_dictionaries(required, optional=optional).filter(
        lambda payload: not schema.validate(payload))


# --- breaking one field ----------------------------------------------------------------------

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
    for one_of in _validators(field, validate.OneOf):
        bad.append("".join(sorted(map(str, one_of.choices)))[:50] + "?")
    for pattern in _validators(field, validate.Regexp):
        bad += ["UPPER CASE", " leading-space", "ends-with-newline\n"]
    for length in _validators(field, validate.Length):
        if isinstance(field, fields.String):
            if length.max is not None:
                bad.append("a" * (length.max + 1))
            if (length.min or 0) > 0:
                bad.append("")
    for bounds in _validators(field, validate.Range):
        if isinstance(field, fields.Number):
            if bounds.max is not None:
                bad.append(bounds.max + 1)
            if bounds.min is not None:
                bad.append(bounds.min - 1)
    for _ in _validators(field, validate.Email):
        bad += ["no-at-sign.example.vn", "two@@example.vn"]
    if isinstance(field, fields.Email):
        bad += ["no-at-sign.example.vn", "someone@"]
    for equal in _validators(field, validate.Equal):
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

