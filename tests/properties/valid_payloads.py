"""Payloads a marshmallow schema accepts, as hypothesis strategies: a value for every field
type the project's schemas use (an unknown type raises :class:`Unsupported`), each passing its
field's validators, and whole payloads that pass ``schema.validate``. tests/properties/strategies.py
says how to use them."""
import datetime as dt
import functools

from hypothesis import strategies as st
from marshmallow import ValidationError, fields, validate

UTC = dt.timezone.utc
ZONES = [UTC, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=-5))]
EARLIEST = dt.date(2000, 1, 1)
# no Cc (C0, DEL, C1) and no surrogates: what free text may hold, besides "\n" and "\t"
TEXT = st.characters(blacklist_categories=("Cs", "Cc"))
LAYOUT = st.sampled_from("\n\t")
SIMPLE_EMAILS = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}@[a-z0-9]{1,12}\.(vn|com|org)",
                              fullmatch=True)


class Unsupported(TypeError):
    """A field type this builder does not know: teach it here, do not skip the field."""


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


def field_validators(field, kind):
    """``field``'s validators of ``kind``, those a page's filter wraps (blank or one) too."""
    unwrapped = [getattr(v, "validator", v) for v in field.validators]
    return [v for v in unwrapped if isinstance(v, kind)]


def _length_bounds(field):
    low, high = 0, None
    for length in field_validators(field, validate.Length):
        if length.equal is not None:
            return length.equal, length.equal
        low = max(low, length.min or 0)
        if length.max is not None:
            high = length.max if high is None else min(high, length.max)
    return low, high


def _range_bounds(field):
    low = high = None
    for bounds in field_validators(field, validate.Range):
        if bounds.min is not None:
            low = bounds.min if bounds.min_inclusive else bounds.min + 1
        if bounds.max is not None:
            high = bounds.max if bounds.max_inclusive else bounds.max - 1
    return low, high


def _string(field, query):
    choices = [c for v in field_validators(field, validate.OneOf) for c in v.choices]
    if choices:
        return st.sampled_from(choices)
    low, high = _length_bounds(field)
    patterns = field_validators(field, validate.Regexp)
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
    from services.gateway.routes import ROUTES
    from shared.contracts import EVENT_TYPES
    from shared.contracts.rpc.cases import ACTION_ARGUMENTS

    words = {"*"}

    def collect(schema):
        for field in schema.fields.values():
            while isinstance(field, fields.List):
                field = field.inner
            if isinstance(field, fields.Nested):
                collect(field.schema)
            for one_of in field_validators(field, validate.OneOf):
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


def _kept_or_new(schema, query):
    """An amendment's concern: one already raised, by its id alone, or a new one in full (its
    schema refuses anything between, which a filter alone would draw far too often)."""
    loaded = loadable(schema)
    kept = st.fixed_dictionaries({"concern_id": value(loaded["concern_id"], query)})
    new = {key: value(field, query, field_hooks(schema, field.name))
           for key, field in loaded.items() if key != "concern_id"}
    needed = ("topic", "summary", "raised_by")
    new_in_full = st.fixed_dictionaries(
        {key: new[key] for key in needed},
        optional={key: strategy for key, strategy in new.items() if key not in needed})
    return st.one_of(kept, new_in_full).filter(lambda payload: not schema.validate(payload))


# schemas whose rule across fields needs drawing by its shape
SHAPED = {"AmendConcern": _kept_or_new}


def valid(schema, query=False):
    """Payloads ``schema`` loads without an error. Optional fields come and go."""
    if isinstance(schema, type):
        schema = schema()
    if type(schema).__name__ in SHAPED:
        return SHAPED[type(schema).__name__](schema, query)
    required, optional = {}, {}
    for key, field in loadable(schema).items():
        if query and isinstance(field, (fields.List, fields.Nested, fields.Dict)):
            raise Unsupported(f"{type(schema).__name__}.{key}: no query form for "
                              f"{type(field).__name__}")
        strategy = value(field, query, field_hooks(schema, field.name))
        (required if field.required else optional)[key] = strategy
    return st.fixed_dictionaries(required, optional=optional).filter(
        lambda payload: not schema.validate(payload))
