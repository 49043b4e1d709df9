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

What a schema accepts is built in valid_payloads.py, the breaking in broken_payloads.py; every
name is importable from here.
"""
from tests.properties.broken_payloads import (
    MISSING,
    UNKNOWN_FIELD,
    Broken,
    breakable,
    breakers,
    names,
    refused,
    round_trip_keeps,
)
from tests.properties.valid_payloads import (
    EARLIEST,
    LAYOUT,
    SIMPLE_EMAILS,
    TEXT,
    UTC,
    ZONES,
    Unsupported,
    accepts,
    as_query_text,
    field_hooks,
    field_validators,
    loadable,
    valid,
    value,
    vocabulary,
)

__all__ = ["EARLIEST", "LAYOUT", "MISSING", "SIMPLE_EMAILS", "TEXT", "UNKNOWN_FIELD", "UTC",
           "ZONES", "Broken", "Unsupported", "accepts", "as_query_text", "breakable", "breakers",
           "field_hooks", "field_validators", "loadable", "names", "refused", "round_trip_keeps",
           "valid", "value", "vocabulary"]
