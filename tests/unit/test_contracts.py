"""Event contracts: envelopes built by EventType.new load back through parse_event."""
import datetime as dt
import json

import pytest

from shared import contracts
from shared.contracts import (
    AUTHORITY_REGISTERED,
    CADRE_REGISTERED,
    CASE_ROUTED,
    CONCERN_RAISED,
    EVENT_TYPES,
    USER_DISABLED,
    parse_event,
)
from shared.errors import InvalidEvent
from tests.unit.event_payloads import (  # noqa: F401 (other tests import them from here)
    PAYLOADS,
    UTC,
    assignment_ended,
    assignment_made,
    authority_registered,
    cadre_registered,
    case_event,
    case_routed,
    concern_raised,
    envelope,
    invalid,
    notification_sent,
    personal_data_read,
    unit_registered,
    unit_reorganised,
    user_created,
    user_ref,
    user_role_changed,
    visit_logged,
    working_group,
)

# --- the registry ----------------------------------------------------------------------------

def test_every_event_type_has_a_sample_payload_here():
    assert set(PAYLOADS) == set(EVENT_TYPES.values())


# past participles that do not end in "ed"; add one here only for a genuinely irregular verb
IRREGULAR_PAST = {"made", "sent", "reset", "withdrawn", "read", "given"}
# facts about time rather than about an act: the deadline has come near
STATE_FACTS = {"case_deadline_near"}


@pytest.mark.parametrize("event_type", EVENT_TYPES.values(), ids=str)
def test_event_names_are_past_tense(event_type):
    # the verb follows the subject: case_marked_duplicate, case_information_requested
    words = event_type.name.split("_")[1:]
    assert (any(word.endswith("ed") or word in IRREGULAR_PAST for word in words)
            or event_type.name in STATE_FACTS), event_type.name


@pytest.mark.parametrize("key, event_type", EVENT_TYPES.items())
def test_routing_key_is_source_dot_name_and_indexes_the_registry(key, event_type):
    assert event_type.routing_key == f"{event_type.source}.{event_type.name}" == key


# --- building envelopes ----------------------------------------------------------------------

@pytest.mark.parametrize("event_type", EVENT_TYPES.values(), ids=str)
def test_every_event_type_round_trips_through_json(event_type):
    payload = PAYLOADS[event_type]()
    body = json.loads(json.dumps(event_type.new(payload)))
    event = parse_event(body)
    assert event.event_type is event_type
    assert event.event_id == body["event_id"]
    assert event.payload == payload


def test_dates_in_the_payload_come_back_as_dates():
    body = json.loads(json.dumps(CASE_ROUTED.new(case_routed())))
    assert body["payload"]["acknowledge_by"] == "2026-11-25"
    acknowledge_by = parse_event(body).payload["acknowledge_by"]
    assert type(acknowledge_by) is dt.date and acknowledge_by == dt.date(2026, 11, 25)


def test_new_envelope_names_its_type_and_source():
    body = CASE_ROUTED.new(case_routed())
    assert (body["event_type"], body["source"]) == ("case_routed", "escalations")


def test_new_uses_the_event_id_and_time_it_is_given():
    occurred_at = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    event = parse_event(CASE_ROUTED.new(case_routed(), event_id="fixed-id",
                                        occurred_at=occurred_at))
    assert event.event_id == "fixed-id"
    assert event.occurred_at == dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_new_stamps_a_fresh_id_and_the_current_aware_time():
    before = dt.datetime.now(UTC)
    first = parse_event(CASE_ROUTED.new(case_routed()))
    second = parse_event(CASE_ROUTED.new(case_routed()))
    assert first.event_id != second.event_id
    assert first.occurred_at.tzinfo is not None
    assert before <= first.occurred_at <= dt.datetime.now(UTC)


@pytest.mark.parametrize("payload", [
    {k: v for k, v in case_routed().items() if k != "authority_id"},
    case_routed(authority_id="Not An Id"),
    case_routed(acknowledge_by=None),
], ids=["missing-field", "bad-id", "null-date"])
def test_new_refuses_a_payload_that_breaks_the_schema(payload):
    with pytest.raises(ValueError):
        CASE_ROUTED.new(payload)


def test_new_refuses_a_topic_outside_the_list():
    with pytest.raises(ValueError, match="topic"):
        CONCERN_RAISED.new(concern_raised(topic="weather"))


def test_new_drops_fields_the_contract_does_not_name():
    body = CASE_ROUTED.new(case_routed(internal_note="not for other services"))
    assert "internal_note" not in body["payload"]


# --- parsing envelopes -----------------------------------------------------------------------

def test_a_valid_envelope_parses():
    event = parse_event(envelope())
    assert event.event_type is CONCERN_RAISED
    assert event.occurred_at == dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert event.payload["unit_path"][-1] == "vp.bx.tam-hop.noi-phat"


@pytest.mark.parametrize("body", [None, [], "{}", b"{}", 42])
def test_a_body_that_is_not_an_object_is_invalid(body):
    invalid(body)


@pytest.mark.parametrize("missing", ["event_id", "event_type", "source", "occurred_at",
                                     "payload"])
def test_an_envelope_missing_a_field_is_invalid(missing):
    body = envelope()
    del body[missing]
    assert missing in invalid(body).fields


@pytest.mark.parametrize("overrides", [
    {"event_type": "concern_deleted"},
    {"source": "gateway"},
    {"source": "escalations"},  # a known name under the wrong source
], ids=["unknown-name", "unknown-source", "wrong-source"])
def test_an_unknown_event_type_is_invalid(overrides):
    error = invalid(envelope(**overrides))
    assert f"{envelope(**overrides)['source']}." in error.message


@pytest.mark.parametrize("field, value", [
    ("topic", "weather"),
    ("unit_path", []),
    ("raised_on", "25/11/2026"),
    ("concern_id", "UPPER CASE"),
])
def test_an_invalid_payload_names_the_bad_field(field, value):
    body = envelope()
    body["payload"] = {**body["payload"], field: value}
    assert set(invalid(body).fields) == {field}


def test_a_payload_missing_a_required_field_names_it():
    body = envelope()
    del body["payload"]["summary"]
    assert set(invalid(body).fields) == {"summary"}


def test_a_payload_that_is_not_an_object_is_invalid():
    assert "payload" in invalid(envelope(payload=["c1"])).fields


@pytest.mark.parametrize("occurred_at", ["yesterday", "2026-13-01T00:00:00+00:00", 1764057600])
def test_an_invalid_occurred_at_is_invalid(occurred_at):
    assert "occurred_at" in invalid(envelope(occurred_at=occurred_at)).fields


def test_a_naive_occurred_at_is_invalid():
    assert "occurred_at" in invalid(envelope(occurred_at="2026-11-25T08:00:00")).fields


def test_the_acting_user_travels_in_the_envelope_and_is_optional():
    body = USER_DISABLED.new(user_ref(), actor="admin-1")
    assert parse_event(json.loads(json.dumps(body))).actor == "admin-1"
    older = {k: v for k, v in USER_DISABLED.new(user_ref()).items() if k != "actor"}
    assert parse_event(older).actor is None
    assert "actor" in invalid({**body, "actor": "Not An Id!"}).fields


def test_a_concern_raised_before_urgency_existed_loads_as_normal():
    body = envelope()
    body["payload"].pop("urgency", None)
    assert parse_event(body).payload["urgency"] == "normal"


def test_escalation_past_the_top_names_no_authority():
    body = contracts.CASE_ESCALATED.new(PAYLOADS[contracts.CASE_ESCALATED](
        authority_id=None, standing_committee_flagged=True))
    assert parse_event(body).payload["authority_id"] is None
def test_an_address_that_is_not_an_e_mail_is_refused_by_the_contract():
    error = invalid(AUTHORITY_REGISTERED.new(authority_registered(), event_id="e2") | {
        "payload": authority_registered(email="ubnd at tamhop")})
    assert "email" in str(error.fields)
    # an authority or a cadre without an address is allowed: they are simply not mailed
    assert parse_event(CADRE_REGISTERED.new(cadre_registered(email=None))).payload["email"] is None


def test_a_personal_data_read_names_records_by_kind_and_id_never_the_data():
    event_type = contracts.VISITS_PERSONAL_DATA_READ
    with pytest.raises(ValueError):  # a read that showed nothing is not recorded
        event_type.new(personal_data_read(records=[]))
    # ids only: a name handed in by mistake never reaches the wire
    body = event_type.new(personal_data_read(records=[{"kind": "concern", "id": "c1",
                                                        "raised_by_name": "Nguyễn Văn Hai"}]))
    assert body["payload"]["records"] == [{"kind": "concern", "id": "c1"}]
    with pytest.raises(InvalidEvent):  # nor is one sent by someone else read
        parse_event({**body, "payload": {**body["payload"], "records": [
            {"kind": "concern", "id": "c1", "raised_by_name": "Nguyễn Văn Hai"}]}})
    with pytest.raises(ValueError):
        event_type.new(personal_data_read(records=[{"kind": "password", "id": "c1"}]))
