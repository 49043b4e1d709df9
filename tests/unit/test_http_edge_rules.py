"""The edge's rules on what a client sends, tested directly (no server)."""
import datetime as dt
import json
import logging

import pytest
from marshmallow import Schema, ValidationError
from nameko.exceptions import RemoteError

from services.gateway.edge import headers, limits
from services.gateway.edge.http import JsonHttp
from services.gateway.schemas import StatisticsQuery
from shared.contracts import Id, Text
from shared.errors import InvalidInput


def refused(raw):
    with pytest.raises(InvalidInput) as caught:
        limits.parse_json_object(raw)
    return caught.value


def test_a_plain_object_passes_unchanged():
    body = {"summary": "Đường làng\nngập\tnước", "count": 2 ** 63 - 1, "low": -(2 ** 63),
            "ratio": 0.5, "items": [True, None, {"deep": [1]}]}
    assert limits.parse_json_object(json.dumps(body).encode()) == body


TOO_DEEP = {"_body": ["at most 32 levels of arrays and objects"]}


@pytest.mark.parametrize("raw, fields", [
    (b"[" * 100_000 + b"]" * 100_000, TOO_DEEP),
    (b'{"a": ' + b"[" * 32 + b"]" * 32 + b"}", TOO_DEEP),
    (b'{"a": {"b": [1, 100000000000000000000]}}',
     {"a": {"b": {1: ["integer outside the signed 64-bit range"]}}}),
    (b'{"a": -9223372036854775809}', {"a": ["integer outside the signed 64-bit range"]}),
    (b'{"a": 1e999}', {"a": ["number too large"]}),
    (b'{"s": "a\\u0000b"}', {"s": ["contains the control character U+0000"]}),
    (b'{"s": "a\\rb"}', {"s": ["contains the control character U+000D"]}),
    (b'{"s": "a\xc2\x85b"}', {"s": ["contains the control character U+0085"]}),
    (b'{"s": "\\udc00"}', {"s": ["contains an unpaired surrogate (not a Unicode character)"]}),
    (b'{"k\\u0001": 1}', {"k\\x01": ["field name contains the control character U+0001"]}),
    (b'{"s": "\xff"}', {"_body": ["invalid byte at offset 7"]}),
    (b"[1]", {"_body": ["got a JSON list"]}),
])
def test_what_the_store_cannot_hold_is_refused_naming_the_field(raw, fields):
    assert refused(raw).fields == fields


def test_brackets_inside_strings_do_not_count_as_depth():
    deep_text = "[" * 1000
    assert limits.parse_json_object(json.dumps({"s": deep_text}).encode()) == {"s": deep_text}


def test_nan_and_infinity_are_not_json():
    assert "NaN is not a JSON number" in refused(b'{"a": NaN}').fields["_body"][0]


@pytest.mark.parametrize("header", ["application/json", "application/json; charset=utf-8",
                                    "APPLICATION/JSON;charset=UTF8"])
def test_json_in_utf8_is_accepted(header):
    limits.check_content_type(header)


@pytest.mark.parametrize("header", [None, "", "text/plain", "application/x-www-form-urlencoded",
                                    "application/json; charset=latin-1", "application/jsonx"])
def test_anything_else_is_refused_with_415(header):
    with pytest.raises(limits.UnsupportedMediaType) as caught:
        limits.check_content_type(header)
    assert caught.value.status == 415 and "Content-Type" in caught.value.fields


def test_a_declared_length_over_the_limit_is_refused_before_reading():
    limits.check_size(limits.MAX_BODY_BYTES)
    with pytest.raises(limits.PayloadTooLarge):
        limits.check_size(limits.MAX_BODY_BYTES + 1)


@pytest.mark.parametrize("query, fields", [
    ("limit=1&limit=2", {"limit": ["given more than once"]}),
    ("cursor=%ff", {"cursor": ["not valid UTF-8 once decoded"]}),
    ("cursor=a%00", {"cursor": ["contains the control character U+0000"]}),
    ("cursor=a%0Ab", {"cursor": ["contains the control character U+000A"]}),
    ("%01=x", {"\\x01": ["contains the control character U+0001"]}),
])
def test_query_parameters_are_decoded_strictly(query, fields):
    with pytest.raises(InvalidInput) as caught:
        limits.parse_query(query)
    assert caught.value.fields == fields


def test_a_query_decodes_plus_and_percent_escapes():
    assert limits.parse_query("status=routed&cursor=a%2Bb+c&&empty=") == {
        "status": "routed", "cursor": "a+b c", "empty": ""}


class Payload(Schema):
    unit_id = Id(required=True)
    summary = Text(100, required=True)


@pytest.mark.parametrize("payload, field", [
    ({"unit_id": "noi-phat\n", "summary": "x"}, "unit_id"),
    ({"unit_id": "noi-phat", "summary": "a\x00b"}, "summary"),
    ({"unit_id": "noi-phat", "summary": "a\x1bb"}, "summary"),
])
def test_rpc_callers_are_held_to_the_same_text_rules(payload, field):
    with pytest.raises(ValidationError) as caught:
        Payload().load(payload)
    assert field in caught.value.messages


def test_free_text_keeps_line_feeds_and_tabs():
    loaded = Payload().load({"unit_id": "noi-phat", "summary": "một\nhai\tba"})
    assert loaded["summary"] == "một\nhai\tba"


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_a_day_out_of_range_is_refused_on_its_field(day):
    query = {"period_from": day, "period_to": "2026-12-01"}
    with pytest.raises(ValidationError) as caught:
        StatisticsQuery().load(query)
    assert "period_from" in caught.value.messages
    assert StatisticsQuery().load({**query, "period_from": "2026-01-01"})["period_from"] == \
        dt.date(2026, 1, 1)


def test_a_5xx_tells_an_error_id_found_in_the_log_and_nothing_of_its_cause(caplog):
    handler = JsonHttp("GET", "/anything")
    for error in (RemoteError("OverflowError", "date value out of range"),
                  KeyError("secret_internal_field")):
        with caplog.at_level(logging.ERROR):
            response = handler.response_from_exception(error)
        body = json.loads(response.get_data())
        assert response.status_code == 500 and body["error_id"] in caplog.text
        text = response.get_data(as_text=True)
        assert "OverflowError" not in text and "secret_internal_field" not in text
        assert body["error_id"] in body["message"]


@pytest.mark.parametrize("environ, mode, hsts", [
    ({"wsgi.url_scheme": "https"}, "auto", True),
    ({"wsgi.url_scheme": "http", "HTTP_X_FORWARDED_PROTO": "https"}, "auto", True),
    ({"wsgi.url_scheme": "http"}, "auto", False),
    ({"wsgi.url_scheme": "https"}, "never", False),
])
def test_security_headers_on_any_answer_and_hsts_over_https_only(environ, mode, hsts):
    sent = dict(headers.with_security_headers(
        [("Content-Type", "application/json"), ("Cache-Control", "public, max-age=60")],
        environ, mode))
    assert sent["X-Content-Type-Options"] == "nosniff" and sent["X-Frame-Options"] == "DENY"
    assert sent["Cache-Control"] == "public, max-age=60"  # what the answer set, it keeps
    assert ("Strict-Transport-Security" in sent) == hsts
