"""Sample payloads and envelopes of every event type, for the contract tests and the tests that
need a valid event (tests/unit/test_contracts.py says what each must satisfy)."""
import datetime as dt

import pytest

from shared import contracts
from shared.contracts import (
    ASSIGNMENT_MADE,
    AUTHORITY_REGISTERED,
    CADRE_REGISTERED,
    CASE_ROUTED,
    CONCERN_RAISED,
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
            "attended_cadre_ids": ["nguyen-van-a"], "unscheduled": False,
            "attendance": {"present": 18, "expected": 20},
            "assessment": {"leadership": 4, "education": 3, "combativeness": 5}, **overrides}


def concern_raised(**overrides):
    return {"concern_id": "c1", "visit_id": "9f1c0b2a", "unit_id": "vp.bx.tam-hop.noi-phat",
            "unit_path": ["vp", "vp.bx", "vp.bx.tam-hop", "vp.bx.tam-hop.noi-phat"],
            "topic": "land", "summary": "Ranh giới đất chưa rõ", "raised_by": "resident",
            "raised_on": dt.date(2026, 11, 20), "urgency": "normal", "locality_unit_id": None,
            "raiser_withheld": True, "confidential": False, "receipt_code": "7KQM4-TX9RB",
            "joins_case_id": None, "cadre_id": "tran-thi-binh", "contact_kind": None,
            **overrides}


def case_routed(**overrides):
    return {"case_id": "k1", "concern_id": "c1", "authority_id": "bx-land-office",
            "rule_id": "r-land-bx", "acknowledge_by": dt.date(2026, 11, 25), "tier": "urgent",
            "acknowledge_before": dt.datetime(2026, 11, 25, 4, 0, tzinfo=UTC), **overrides}


def user_created(**overrides):
    return {"user_id": "u1", "username": "binh", "display_name": "Trần Thị Bình",
            "role": "cadre", "cadre_id": "tran-thi-binh", "authority_id": None,
            "authority_head": False, "email": None, **overrides}


def user_role_changed(**overrides):
    return {"user_id": "u1", "role": "authority_officer", "cadre_id": None,
            "authority_id": "ubnd-xa-tam-hop", "authority_head": True, **overrides}


def user_ref(**overrides):
    return {"user_id": "u1", **overrides}


def tokens_revoked(**overrides):
    return {"user_id": "u1", "token_version": 3,
            "revoked_at": dt.datetime(2026, 12, 6, 23, tzinfo=UTC), **overrides}


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
    contracts.USER_CONTACT_CHANGED: lambda **overrides: user_ref(email="can-bo@tamhop.example.vn",
                                                                 **overrides),
    contracts.TOKENS_REVOKED: tokens_revoked,
    contracts.USER_RESTATED: lambda **overrides: {
        "user_id": "u1", "display_name": "Nguyễn Văn Hùng", "role": "authority_officer",
        "authority_id": "ubnd-xa-tam-hop", "authority_head": False, "enabled": True,
        **overrides},
    contracts.RECEIPT_CODES_GIVEN: lambda **overrides: {
        "visit_id": "v1", "unit_id": "vp.bx.tam-hop.noi-phat",
        "codes": [{"concern_id": "c1", "receipt_code": "7KQM4-TX9RB"}], **overrides},
    contracts.ATTACHMENTS_ATTACHED: lambda **overrides: {
        "visit_id": "v1", "unit_id": "vp.bx.tam-hop.noi-phat", "cadre_id": "tran-thi-binh",
        "attachments": [{"attachment_id": "a1", "sha256": "0" * 64, "size": 1200,
                         "kind": "photo", "concern_id": "c1"}], **overrides},
    contracts.CASE_ACKNOWLEDGED: case_event(answer_by=dt.date(2026, 12, 16), started=False),
    contracts.CASE_INFORMATION_REQUESTED: case_event(question="Đoạn đường nào?"),
    contracts.CASE_INFORMATION_PROVIDED: case_event(information="Đoạn 300 m",
                                                    answer_by=dt.date(2026, 12, 18),
                                                    assignee_user_id="officer-1"),
    contracts.CASE_REDIRECTED: case_event(from_authority_id="ubnd-xa-tam-hop",
                                          authority_id="ubnd-huyen-binh-xuyen",
                                          reason="thuộc thẩm quyền huyện"),
    contracts.CASE_ANSWERED: case_event(answer="Đã sửa xong",
                                        answered_at=dt.datetime(2026, 12, 1, 3, tzinfo=UTC),
                                        original_case_id=None, outcome="not_competent",
                                        right_body="Tòa án nhân dân huyện", law=None,
                                        answering_unit="Văn phòng UBND xã",
                                        letter={"number": "125/UBND", "date": "2026-11-30"},
                                        no_letter_reason=None,
                                        answer_by=dt.date(2026, 12, 4)),
    contracts.CASE_CLOSED: case_event(outcome="resolved", note=""),
    contracts.CASE_MARKED_DUPLICATE: case_event(original_case_id="k0"),
    contracts.CASE_REOPENED: case_event(reason="Chưa sửa", answer_by=dt.date(2026, 12, 30),
                                        assignee_user_id=None),
    contracts.CASE_ASSIGNED: case_event(assignee_user_id="officer-1", assigned_by=None,
                                          rung="deputy"),
    contracts.CASE_TIER_CHANGED: case_event(
        from_tier="normal", tier="complex", reason="cần khảo sát thực địa",
        acknowledge_by=dt.datetime(2026, 12, 8, 8, 30, tzinfo=UTC),
        answer_by=dt.date(2027, 1, 20)),
    contracts.CASE_ESCALATED: case_event(from_authority_id="ubnd-xa-tam-hop",
                                         authority_id="ubnd-huyen-binh-xuyen",
                                         standing_committee_flagged=False,
                                         reason="acknowledge deadline 2026-11-30 passed"),
    contracts.CASE_DEADLINE_NEAR: case_event(deadline="answer", due_on=dt.date(2026, 12, 16),
                                             assignee_user_id="officer-1", share=0.75,
                                             head_user_id="head-1"),
    contracts.DIGEST_COMPILED: lambda: {
        "user_id": "officer-1", "authority_id": "ubnd-xa-tam-hop", "day": dt.date(2026, 12, 7),
        "cases": [{"case_id": "a" * 32, "concern_id": "c1", "deadline": "answer",
                   "due_on": dt.date(2026, 12, 9)}]},
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
        "withdrawn_concern_ids": ["c1"], "attended_cadre_ids": ["nguyen-van-a"],
        "meeting_kind": "regular", "attendance": {"present": 17, "expected": 20},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 4}},
    contracts.CONCERN_WITHDRAWN: lambda: {
        "concern_id": "c1", "visit_id": "9f1c0b2a", "unit_id": "vp.bx.tam-hop.noi-phat",
        "reason": "Đã được giải quyết tại chỗ",
        "withdrawn_at": dt.datetime(2026, 11, 21, 2, tzinfo=UTC)},
    contracts.ANSWER_REVIEWED: lambda: {
        "case_id": "k1", "concern_id": "c1", "visit_id": "9f1c0b3c",
        "unit_id": "vp.bx.tam-hop.noi-phat", "satisfied": False,
        "comment": "Đường vẫn chưa sửa", "reviewed_on": dt.date(2026, 12, 18)},
    contracts.CASE_WITHDRAWN: case_event(reason="Đã được giải quyết tại chỗ"),
    contracts.CASE_INTERIM_REPLIED: case_event(committed_on=dt.date(2026, 12, 30),
                                               original_answer_by=dt.date(2026, 12, 16),
                                               note="Đã khảo sát, chờ kinh phí"),
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
    contracts.WORKING_CALENDAR_CHANGED: lambda: {"day": dt.date(2026, 12, 18),
                                                 "kind": "day_off", "authority_id": None},
    contracts.ATTENDANCE_REMINDER_ISSUED: lambda: {
        "plan_id": "vp.bx.th.np@2026-12-18", "committee_unit_id": "vp.bx",
        "unit_id": "vp.bx.th.np", "unit_name": "Chi bộ thôn Nội Phật",
        "meeting_on": dt.date(2026, 12, 18), "cadre_ids": ["tran-thi-binh"]},
    contracts.ATTENDANCE_PLANNED: lambda: {
        "plan_id": "vp.bx.th.np@2026-12-18", "committee_unit_id": "vp.bx",
        "unit_id": "vp.bx.th.np", "meeting_on": dt.date(2026, 12, 18),
        "cadre_id": "tran-thi-binh", "working_group_id": None,
        "attendee_cadre_ids": ["tran-thi-binh"], "restated": False},
    contracts.UNIT_DETAILS_CHANGED: lambda: {"unit_id": "vp.bx.th",
                                             "changed": ["locality", "meeting_schedule"]},
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
PAYLOADS[contracts.MEMBERS_PERSONAL_DATA_READ] = lambda **overrides: personal_data_read(
    purpose="members.list_members", records=[{"kind": "branch_members", "id": "vp.bx.th.np"}],
    **overrides)


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

# requests from the people concerned, and a concern's text anonymised (issue 26)
PAYLOADS.update({
    contracts.DATA_SUBJECT_REQUEST_RECORDED: lambda: {
        "request_id": "r1", "kind": "deletion", "name": "Nguyễn Văn Hai",
        "contact": "0912 000 111", "user_id": "u1", "cadre_id": "nguyen-van-hai"},
    contracts.VISITS_DATA_SUBJECT_REQUEST_ANSWERED: lambda: {
        "request_id": "r1", "found": [{"kind": "concern", "id": "c1"}], "removed": True},
    contracts.ACCOUNTS_DATA_SUBJECT_REQUEST_ANSWERED: lambda: {
        "request_id": "r1", "found": [{"kind": "user", "id": "u1"}], "removed": True},
    contracts.ASSIGNMENTS_DATA_SUBJECT_REQUEST_ANSWERED: lambda: {
        "request_id": "r1", "found": [{"kind": "cadre", "id": "le-thi-quynh"},
                                      {"kind": "assignment", "id": "a1"}], "removed": False},
    contracts.NOTIFICATIONS_DATA_SUBJECT_REQUEST_ANSWERED: lambda: {
        "request_id": "r1", "found": [{"kind": "notification", "id": "n1"}], "removed": True},
    contracts.ESCALATIONS_DATA_SUBJECT_REQUEST_ANSWERED: lambda: {
        "request_id": "r1", "found": [{"kind": "officer", "id": "u1"},
                                      {"kind": "case", "id": "k1"}], "removed": False},
    contracts.MONITOR_DATA_SUBJECT_REQUEST_ANSWERED: lambda: {
        "request_id": "r1", "found": [{"kind": "audit_entry", "id": "e1"}], "removed": True},
    contracts.MEMBERS_DATA_SUBJECT_REQUEST_ANSWERED: lambda: {
        "request_id": "r1", "found": [{"kind": "member", "id": "00123"},
                                      {"kind": "attendance", "id": "s1"}], "removed": False,
        "kept_because": "member_record_kept"},
    contracts.USER_ANONYMISED: lambda: {"user_id": "u1"},
    contracts.CADRE_ANONYMISED: lambda: {"cadre_id": "le-thi-quynh", "full_name": "[đã ẩn]"},
    contracts.CONCERN_REDACTED: lambda: {"concern_id": "c1", "summary": "Ông [đã ẩn] phản ánh"},
    contracts.CASE_SUMMARY_REDACTED: lambda: {"case_id": "k1", "concern_id": "c1",
                                              "summary": "Nhà [đã ẩn] bị ngập"},
})

# similar open cases (issue 25): another branch's concern attached to an open case
PAYLOADS.update({
    contracts.CASE_JOINED: case_event(concern_id="c2", unit_id="vp.bx.tam-hop.yen-lan",
                                      status="acknowledged", due_on=dt.date(2026, 12, 16),
                                      branch_count=2),
})
