"""Event contracts: envelopes built by EventType.new load back through parse_event."""
import datetime as dt
import json

import pytest

from shared import contracts
from shared.contracts import (
    ASSIGNMENT_MADE,
    AUTHORITY_REGISTERED,
    CADRE_REGISTERED,
    CASE_ROUTED,
    CONCERN_RAISED,
    EVENT_TYPES,
    NOTIFICATION_SENT,
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    UNIT_REGISTERED,
    USER_CREATED,
    USER_DISABLED,
    USER_ROLE_CHANGED,
    USER_SIGNED_OUT,
    VISIT_LOGGED,
    parse_event,
)
from shared.errors import InvalidEvent

UTC = dt.timezone.utc


def unit_registered(**overrides):
    return {"unit_id": "vp.bx", "name": "Đảng bộ Bình Xuyên", "level": "district",
            "parent_id": "vp", "path": ["vp", "vp.bx"], **overrides}


def cadre_registered(**overrides):
    return {"cadre_id": "nguyen-van-a", "full_name": "Nguyễn Văn A", "home_unit_id": "vp.bx",
            "positions": ["district_committee_member"], **overrides}


def assignment_made(**overrides):
    return {"assignment_id": "a1", "cadre_id": "nguyen-van-a", "unit_id": "vp.bx.tam-hop",
            "rule": "district_member_to_branch", "starts_on": dt.date(2026, 11, 2), **overrides}


def visit_logged(**overrides):
    return {"visit_id": "9f1c0b2a", "unit_id": "vp.bx.tam-hop.noi-phat",
            "cadre_id": "nguyen-van-a", "meeting_date": dt.date(2026, 11, 20),
            "meeting_kind": "regular", "concern_ids": ["c1", "c2"], "working_group_id": None,
            "attended_cadre_ids": ["nguyen-van-a"], "unscheduled": False, **overrides}


def concern_raised(**overrides):
    return {"concern_id": "c1", "visit_id": "9f1c0b2a", "unit_id": "vp.bx.tam-hop.noi-phat",
            "unit_path": ["vp", "vp.bx", "vp.bx.tam-hop", "vp.bx.tam-hop.noi-phat"],
            "topic": "land", "summary": "Ranh giới đất chưa rõ", "raised_by": "resident",
            "raised_on": dt.date(2026, 11, 20), "urgency": "normal", "locality_unit_id": None,
            **overrides}


def case_routed(**overrides):
    return {"case_id": "k1", "concern_id": "c1", "authority_id": "bx-land-office",
            "rule_id": "r-land-bx", "acknowledge_by": dt.date(2026, 11, 25), **overrides}


def user_created(**overrides):
    return {"user_id": "u1", "username": "binh", "display_name": "Trần Thị Bình",
            "role": "cadre", "cadre_id": "tran-thi-binh", "authority_id": None, **overrides}


def user_role_changed(**overrides):
    return {"user_id": "u1", "role": "authority_officer", "cadre_id": None,
            "authority_id": "ubnd-xa-tam-hop", **overrides}


def user_ref(**overrides):
    return {"user_id": "u1", **overrides}


def case_event(**fields):
    def payload(**overrides):
        return {"case_id": "k1", "concern_id": "c1", "authority_id": "ubnd-xa-tam-hop",
                **fields, **overrides}
    return payload
def authority_registered(**overrides):
    return {"authority_id": "ubnd-xa-tam-hop", "name": "UBND xã Tam Hợp",
            "kind": "peoples_committee", "level": "grassroots", "unit_id": "vp.bx.tam-hop",
            "parent_authority_id": "ubnd-huyen-binh-xuyen", "email": "ubnd@tamhop.example.vn",
            **overrides}


def notification_sent(**overrides):
    return {"notification_id": "n1", "cause_event_id": "e1", "case_id": "k1",
            "recipient_kind": "authority", "recipient_id": "ubnd-xa-tam-hop",
            "email": "ubnd@tamhop.example.vn", "subject": "[Sâu Sát] Ý kiến mới",
            "message_id": "<n1@sausat.localhost>",
            "sent_at": dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC), **overrides}


def working_group(**overrides):
    return {"working_group_id": "wg-bx-1", "name": "Tổ công tác số 1", "formed_by_unit_id": "vp.bx",
            "member_cadre_ids": ["nguyen-van-a", "tran-thi-binh"],
            "unit_ids": ["vp.bx.tam-hop.noi-phat"], "starts_on": dt.date(2026, 11, 1),
            "ends_on": None, **overrides}


def assignment_ended(**overrides):
    return {"assignment_id": "a1", "cadre_id": "nguyen-van-a", "unit_id": "vp.bx.tam-hop",
            "ends_on": dt.date(2026, 12, 31), "reason": "moved to another post", **overrides}


PAYLOADS = {
    contracts.WORKING_GROUP_FORMED: working_group, contracts.WORKING_GROUP_CHANGED: working_group,
    contracts.ASSIGNMENT_ENDED: assignment_ended,
    UNIT_REGISTERED: unit_registered, CADRE_REGISTERED: cadre_registered,
    ASSIGNMENT_MADE: assignment_made, VISIT_LOGGED: visit_logged,
    CONCERN_RAISED: concern_raised, CASE_ROUTED: case_routed,
    USER_CREATED: user_created, USER_ROLE_CHANGED: user_role_changed,
    USER_DISABLED: user_ref, PASSWORD_CHANGED: user_ref, PASSWORD_RESET: user_ref,
    USER_SIGNED_OUT: user_ref,
    contracts.CASE_ACKNOWLEDGED: case_event(answer_by=dt.date(2026, 12, 16), started=False),
    contracts.CASE_INFORMATION_REQUESTED: case_event(question="Đoạn đường nào?"),
    contracts.CASE_INFORMATION_PROVIDED: case_event(information="Đoạn 300 m",
                                                    answer_by=dt.date(2026, 12, 18)),
    contracts.CASE_REDIRECTED: case_event(from_authority_id="ubnd-xa-tam-hop",
                                          authority_id="ubnd-huyen-binh-xuyen",
                                          reason="thuộc thẩm quyền huyện"),
    contracts.CASE_ANSWERED: case_event(answer="Đã sửa xong",
                                        answered_at=dt.datetime(2026, 12, 1, 3, tzinfo=UTC),
                                        original_case_id=None),
    contracts.CASE_CLOSED: case_event(outcome="resolved", note=""),
    contracts.CASE_MARKED_DUPLICATE: case_event(original_case_id="k0"),
    contracts.CASE_REOPENED: case_event(reason="Chưa sửa", answer_by=dt.date(2026, 12, 30)),
    contracts.CASE_ESCALATED: case_event(from_authority_id="ubnd-xa-tam-hop",
                                         authority_id="ubnd-huyen-binh-xuyen",
                                         standing_committee_flagged=False,
                                         reason="acknowledge deadline 2026-11-30 passed"),
    contracts.CASE_DEADLINE_NEAR: case_event(deadline="answer", due_on=dt.date(2026, 12, 16)),
    contracts.CASE_UNROUTED: case_event(unit_id="vp.bx.tam-hop.noi-phat", topic="other",
                                        authority_id=None),
    AUTHORITY_REGISTERED: authority_registered, NOTIFICATION_SENT: notification_sent,
    contracts.AUTHORITY_CONTACT_CHANGED: lambda: {"authority_id": "ubnd-xa-tam-hop",
                                                  "email": "vanthu@tamhop.example.vn"},
    contracts.CADRE_CONTACT_CHANGED: lambda: {"cadre_id": "nguyen-van-a", "email": None},
    contracts.ALERT_RAISED: lambda: {
        "alert_id": "no_consumer:escalations.concern_raised", "kind": "no_consumer",
        "subject": "escalations.concern_raised", "detail": "no consumer",
        "raised_at": dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC)},
    contracts.ALERT_CLEARED: lambda: {
        "alert_id": "no_consumer:escalations.concern_raised", "kind": "no_consumer",
        "subject": "escalations.concern_raised",
        "raised_at": dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
        "cleared_at": dt.datetime(2026, 11, 25, 8, 5, tzinfo=UTC)},
}

# visits that close the loop (issue 8)
PAYLOADS.update({
    contracts.VISIT_AMENDED: lambda: {
        "visit_id": "9f1c0b2a", "unit_id": "vp.bx.tam-hop.noi-phat", "cadre_id": "nguyen-van-a",
        "version": 2, "meeting_date": dt.date(2026, 11, 20), "added_concern_ids": ["c3"],
        "withdrawn_concern_ids": ["c1"], "attended_cadre_ids": ["nguyen-van-a"]},
    contracts.CONCERN_WITHDRAWN: lambda: {
        "concern_id": "c1", "visit_id": "9f1c0b2a", "unit_id": "vp.bx.tam-hop.noi-phat",
        "reason": "Đã được giải quyết tại chỗ",
        "withdrawn_at": dt.datetime(2026, 11, 21, 2, tzinfo=UTC)},
    contracts.ANSWER_REVIEWED: lambda: {
        "case_id": "k1", "concern_id": "c1", "visit_id": "9f1c0b3c",
        "unit_id": "vp.bx.tam-hop.noi-phat", "satisfied": False,
        "comment": "Đường vẫn chưa sửa", "reviewed_on": dt.date(2026, 12, 18)},
    contracts.CASE_WITHDRAWN: case_event(reason="Đã được giải quyết tại chỗ"),
})


def unit_reorganised(**overrides):
    return {"operation_id": "merge-2025-07-01", "kind": "merge",
            "effective_on": dt.date(2025, 7, 1),
            "units": [{"unit_id": "vp.bx", "name": "Huyện ủy Bình Xuyên", "level": "district",
                       "kind": None, "parent_id": "vp", "path": ["vp", "vp.bx"],
                       "previous_path": ["vp", "vp.bx"], "ended": True},
                      {"unit_id": "vp.bx.th", "name": "Đảng bộ xã Tam Hợp", "level": "grassroots",
                       "kind": None, "parent_id": "vp", "path": ["vp", "vp.bx.th"],
                       "previous_path": ["vp", "vp.bx", "vp.bx.th"], "ended": False}],
            "successor_of": {"vp.bx": "vp"}, **overrides}


PAYLOADS.update({
    contracts.UNIT_REORGANISED: unit_reorganised,
    contracts.CADRE_CHANGED: lambda: {**cadre_registered(), "email": None, "phone": "0912345678",
                                      "memberships": [{"unit_id": "vp.bx", "role": "member"}]},
    contracts.AUTHORITY_CHANGED: lambda: {**authority_registered(), "email": None,
                                          "retired_on": dt.date(2025, 7, 1)},
})


def personal_data_read(**overrides):
    return {"read_at": dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC), "user_id": "u-binh",
            "role": "cadre", "purpose": "visits.get_concern",
            "records": [{"kind": "concern", "id": "c1"}], **overrides}


PAYLOADS.update({event_type: personal_data_read for event_type in (
    contracts.VISITS_PERSONAL_DATA_READ, contracts.ASSIGNMENTS_PERSONAL_DATA_READ,
    contracts.NOTIFICATIONS_PERSONAL_DATA_READ)})


def envelope(**overrides):
    """A valid concern_raised envelope as it would arrive off the wire."""
    body = CONCERN_RAISED.new(concern_raised(), event_id="e1",
                              occurred_at=dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    body.update(overrides)
    return body


def invalid(body):
    with pytest.raises(InvalidEvent) as caught:
        parse_event(body)
    return caught.value


# --- the registry ----------------------------------------------------------------------------

def test_every_event_type_has_a_sample_payload_here():
    assert set(PAYLOADS) == set(EVENT_TYPES.values())


# past participles that do not end in "ed"; add one here only for a genuinely irregular verb
IRREGULAR_PAST = {"made", "sent", "reset", "withdrawn", "read"}
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
