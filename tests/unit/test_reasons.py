"""Every refusal marshmallow makes carries its code and the values its wording needs, while its
English message stays what an API client always read."""
import json

import pytest
from marshmallow import Schema, ValidationError, fields, validate

from shared.reasons import Reason, reason, reasons_of


class Inner(Schema):
    name = fields.String(required=True, validate=validate.Length(min=3))


class Sample(Schema):
    summary = fields.String(validate=validate.Length(1, 20))
    code = fields.String(validate=validate.Length(equal=2))
    present = fields.Integer(validate=validate.Range(1, 5))
    at_least = fields.Integer(validate=validate.Range(min=1))
    at_most = fields.Integer(validate=validate.Range(max=9))
    kind = fields.String(validate=validate.OneOf(["regular", "thematic"]))
    unit_id = fields.String(validate=validate.Regexp(r"^[a-z]+$"))
    day = fields.Date()
    needed = fields.String(required=True)
    inner = fields.List(fields.Nested(Inner))


def refused(payload):
    with pytest.raises(ValidationError) as error:
        Sample().load(payload)
    return error.value.normalized_messages()


@pytest.mark.parametrize("payload, field, expected", [
    ({"summary": ""}, "summary", {"code": "empty", "min": 1, "max": 20, "equal": None}),
    ({"summary": "x" * 21}, "summary", {"code": "too_long", "min": 1, "max": 20, "equal": None}),
    ({"code": "abc"}, "code", {"code": "length_equal", "min": None, "max": None, "equal": 2}),
    ({"present": 9}, "present", {"code": "between", "min": 1, "max": 5}),
    ({"at_least": 0}, "at_least", {"code": "at_least", "min": 1, "max": None}),
    ({"at_most": 10}, "at_most", {"code": "at_most", "min": None, "max": 9}),
    ({"present": "many"}, "present", {"code": "not_integer"}),
    ({"kind": "party"}, "kind", {"code": "one_of"}),
    ({"unit_id": "A B"}, "unit_id", {"code": "pattern"}),
    ({"day": "2026-13-01"}, "day", {"code": "not_date"}),
    ({}, "needed", {"code": "required"}),
    ({"stray": 1}, "stray", {"code": "unknown_field"}),
])
def test_each_refusal_carries_its_code_and_values(payload, field, expected):
    messages = refused({"needed": "x", **payload} if field != "needed" else payload)
    assert reasons_of(messages)[field] == [expected]
    assert isinstance(messages[field][0], str)  # the API's English is still there


def test_nested_refusals_keep_their_shape_and_cross_json():
    messages = refused({"needed": "x", "inner": [{"name": "ab"}, {}]})
    crossed = json.loads(json.dumps(reasons_of(messages)))
    assert crossed["inner"] == {"0": {"name": [{"code": "too_short", "min": 3, "max": None,
                                                "equal": None}]},
                                "1": {"name": [{"code": "required"}]}}


def test_a_rules_own_words_carry_its_code_and_a_plain_message_reads_as_not_valid():
    said = reason("future_day", "cannot be in the future")
    assert said == "cannot be in the future" and isinstance(said, Reason)
    assert reasons_of({"meeting_date": [said, "some other message"]}) == {
        "meeting_date": [{"code": "future_day"}, {"code": "invalid"}]}
