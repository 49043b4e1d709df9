"""Every request schema of the gateway's routes (``services.gateway.routes.ROUTES``: bodies,
query and path parameters, new routes included untouched) and every case action's arguments:
what a schema accepts comes back unchanged through load and dump; what it refuses is refused
naming the field, as :class:`~shared.errors.InvalidInput` with that field in ``fields`` (the
400 the gateway answers; tests/integration/test_hostile_input.py sends them over HTTP)."""
import pytest
from hypothesis import given, settings
from marshmallow import ValidationError

from services.gateway.routes import ROUTES
from shared.contracts.rpc.cases import ACTION_ARGUMENTS
from shared.errors import InvalidInput, load_payload
from tests.properties.profiles import examples
from tests.properties.strategies import (
    as_query_text,
    breakable,
    names,
    refused,
    round_trip_keeps,
    valid,
)


def request_schemas():
    """(name, schema class, query?) of every schema a request is loaded through, once each."""
    found = {}
    for (method, rule), route in ROUTES.items():
        for part, schema, query in (("body", route.body, False), ("query", route.query, True),
                                    ("path", route.path, True)):
            if schema is not None:
                found.setdefault((schema, query), f"{method} {rule} {part}")
    for action, schema in ACTION_ARGUMENTS.items():
        found.setdefault((schema, False), f"case action {action}")
    return sorted(((name, schema, query) for (schema, query), name in found.items()),
                  key=lambda row: row[0])


SCHEMAS = request_schemas()
FIELDS = [(name, schema, query, key) for name, schema, query in SCHEMAS
          for key in breakable(schema())]
PER_SCHEMA = settings(max_examples=examples(10))
PER_FIELD = settings(max_examples=examples(3))


def test_the_registry_is_read_whole():
    # bodies, parameters and action arguments: if this shrinks, a kind of schema went unread
    kinds = {name.rsplit(" ", 1)[-1] for name, _, _ in SCHEMAS if name.startswith(("GET", "P"))}
    assert kinds == {"body", "query", "path"}
    assert sum(name.startswith("case action") for name, _, _ in SCHEMAS) >= 1


@pytest.mark.parametrize("name, schema_class, query", SCHEMAS, ids=[row[0] for row in SCHEMAS])
def test_what_a_request_schema_accepts_loads_and_dumps_back_unchanged(name, schema_class, query):
    schema = schema_class()

    @PER_SCHEMA
    @given(valid(schema, query=query))
    def round_trip(sent):
        loaded = schema.load(sent)
        dumped = schema.dump(loaded)
        if query:  # parameters travel as text: compare them as text
            dumped = {key: as_query_text(item) for key, item in dumped.items()
                      if item is not None}
        assert round_trip_keeps(sent, dumped), (sent, dumped)
        assert schema.load(schema.dump(loaded)) == loaded

    round_trip()


@pytest.mark.parametrize("name, schema_class, query, key", FIELDS,
                         ids=[f"{row[0]}.{row[3]}" for row in FIELDS])
def test_a_request_broken_in_one_field_is_refused_naming_it(name, schema_class, query, key):
    schema = schema_class()

    @PER_FIELD
    @given(refused(schema, query=query, key=key))
    def refusal(broken):
        with pytest.raises(ValidationError) as error:
            schema.load(broken.payload)
        messages = error.value.normalized_messages()
        assert names(messages, broken.path), (broken, messages)
        assert set(messages) == {broken.path[0]}, (broken, messages)
        with pytest.raises(InvalidInput) as invalid:
            load_payload(schema, broken.payload, name)
        assert invalid.value.status == 400
        assert names(invalid.value.fields, broken.path), (broken, invalid.value.fields)

    refusal()
