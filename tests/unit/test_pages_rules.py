"""The pages' plain parts: Vietnamese words and dates, errors mapped to form fields, the CSRF
token, the cookie's flags, the actions a case page offers, and every template rendered in both
languages with data shaped like the services' answers (no server, no browser)."""
import datetime as dt
import json
import re

import pytest

from services.escalations.case_life import HOLDER, RAISER, STATES, allowed_actions
from services.gateway.pages import attach_form, i18n, render, session
from services.gateway.pages.officer import action_arguments, chart_rows
from shared import contracts, words
from shared.errors import Conflict, InvalidInput, RuleViolated, load_payload
from shared.reasons import reason
from shared.words import say
from tests.english import english_in

SECRET = "a-test-secret-of-at-least-32-characters"


def test_dates_read_the_vietnamese_way():
    friday = dt.date(2026, 11, 27)
    assert i18n.long_date(friday, "vi") == "Thứ Sáu, 27/11/2026"
    assert i18n.long_date("2026-11-29", "vi") == "Chủ Nhật, 29/11/2026"
    assert i18n.long_date(friday, "en") == "Friday, 27/11/2026"
    assert i18n.short_date("2026-01-05", "vi") == "05/01/2026"
    # a moment is shown in Vietnam's time: 20:30 UTC is 03:30 the next day there
    assert i18n.date_time("2026-11-27T20:30:00+00:00", "vi") == "28/11/2026 03:30"
    assert i18n.long_date("2026-11-27T20:30:00+00:00", "vi") == "Thứ Bảy, 28/11/2026"


def test_texts_and_labels_come_from_the_catalogue_vietnamese_unless_english_is_asked():
    assert i18n.text("sign_in", "vi") == "Đăng nhập"
    assert i18n.text("sign_in", "fr") == "Đăng nhập"  # Vietnamese unless English is asked
    assert i18n.text("sign_in", "en") == "Sign in"
    assert i18n.label("status", "awaiting_information", "vi") == "Chờ bổ sung thông tin"
    assert i18n.label("status", "a-state-from-the-future", "vi") == "a-state-from-the-future"
    every_state = set(STATES) | {"raised"}
    assert all(words.knows(f"status.{state}") for state in every_state)
    with pytest.raises(KeyError):
        i18n.text("a-key-nobody-wrote", "vi")


def test_a_refusal_maps_to_the_form_fields_from_its_reasons_not_its_english():
    error = InvalidInput("invalid visit", {
        "attendance": {"present": [reason("exceeds_expected", "cannot exceed expected")]},
        "concerns": {"1": {"summary": [reason("required", "Missing data for required field.")]}},
        "meeting_date": [reason("future_day", "cannot be in the future")],
        "unit_id": [reason("not_assigned", "not assigned to vinh-phuc.x on 2026-11-27",
                           day=dt.date(2026, 11, 27))]})
    assert i18n.flat_fields(error.reasons, "vi") == {
        "attendance.present": "Không được lớn hơn tổng số phải dự.",
        "concerns.1.summary": "Bắt buộc nhập.",
        "meeting_date": "Không được là ngày trong tương lai.",
        "unit_id": "Bạn không được phân công phụ trách đơn vị này vào ngày 27/11/2026.",
    }
    # a message without a code, however English, is never shown: the general words are
    assert i18n.flat_fields(InvalidInput("x", {"x": ["Something new."]}).reasons, "vi") == {
        "x": "Giá trị không hợp lệ."}
    assert i18n.refusal(error, "vi") == (
        "Thông tin chưa hợp lệ: vui lòng sửa các ô được đánh dấu.")


def test_marshmallows_own_refusals_carry_their_codes_across_rpc():
    """The codes survive the trip a refusal makes (its args, as nameko serialises them), and a
    schema's refusal is worded with the schema's own limits."""
    from shared.contracts.rpc.visits import LogVisit
    with pytest.raises(InvalidInput) as refused:
        load_payload(LogVisit(), {"unit_id": "Not An Id", "meeting_date": "2026-13-01",
                                  "attendance": {"present": "many", "expected": 0}}, "visit")
    crossed = InvalidInput(*json.loads(json.dumps(refused.value.args)))
    worded = i18n.flat_fields(crossed.reasons, "vi")
    assert worded["meeting_date"] == "Ngày không hợp lệ (ngày/tháng/năm)."
    assert worded["attendance.present"] == "Phải là một số nguyên."
    assert worded["attendance.expected"].startswith("Phải từ 1 đến ")
    assert worded["unit_id"].startswith("Không đúng định dạng")
    with pytest.raises(InvalidInput) as unknown:
        load_payload(LogVisit(), {"unit_id": "x", "cadre_id": "someone-else"}, "visit")
    assert i18n.flat_fields(unknown.value.reasons, "vi")["cadre_id"] == (
        "Thông tin này không được gửi kèm.")
    too_long = {"summary": [reason("too_long", "Longer", max=2000)]}
    assert i18n.flat_fields(InvalidInput("x", too_long).reasons, "vi") == {
        "summary": "Dài quá 2000 ký tự."}


def test_the_csrf_token_belongs_to_one_session():
    token = session.csrf_token(SECRET, "token-a")
    session.check_csrf(SECRET, "token-a", token)
    altered = token[:-1] + ("1" if token.endswith("0") else "0")
    for session_value, submitted in (("token-b", token), ("token-a", ""), ("", token),
                                     ("token-a", altered)):
        with pytest.raises(session.CsrfRefused):
            session.check_csrf(SECRET, session_value, submitted)
    assert session.csrf_token("another-secret-of-at-least-32-chars!!", "token-a") != token


def test_the_cookie_is_secure_over_https_and_never_readable_by_scripts():
    assert session.is_secure("auto", {"wsgi.url_scheme": "https"})
    assert session.is_secure("auto", {"wsgi.url_scheme": "http",
                                      "HTTP_X_FORWARDED_PROTO": "https"})
    assert not session.is_secure("auto", {"wsgi.url_scheme": "http"})
    assert session.is_secure("always", {"wsgi.url_scheme": "http"})
    assert not session.is_secure("never", {"wsgi.url_scheme": "https"})
    options = session.cookie_options(True, 60)
    assert options["httponly"] and options["samesite"] == "Lax" and options["secure"]


def test_after_sign_in_only_a_page_of_this_site():
    assert session.safe_next("/app/cases/abc") == "/app/cases/abc"
    for target in ("https://evil.example/", "//evil.example/app/", "/app\\..", "", None, "/x"):
        assert session.safe_next(target) == "/app"


def test_a_case_page_offers_only_what_the_state_and_side_allow():
    assert allowed_actions("routed", HOLDER) == ["acknowledge", "start", "redirect",
                                                 "mark_duplicate", "escalate"]
    assert allowed_actions("acknowledged", HOLDER) == [
        "start", "request_information", "redirect", "answer", "mark_duplicate", "escalate"]
    assert allowed_actions("awaiting_information", HOLDER) == []
    assert allowed_actions("awaiting_information", RAISER) == ["provide_information"]
    assert allowed_actions("answered", RAISER) == ["close"]
    assert allowed_actions("closed_resolved", HOLDER) == []


def test_an_action_takes_only_its_own_fields_from_the_form():
    form = {"csrf": "x", "answer": "Đã xử lý", "reason": "stray", "note": ""}
    assert action_arguments("answer", form) == {"answer": "Đã xử lý"}
    assert action_arguments("acknowledge", form) == {}
    assert action_arguments("close", {"outcome": "resolved", "note": ""}) == {
        "outcome": "resolved"}


def test_chart_bars_are_scaled_to_the_largest_figure():
    rows = chart_rows([{"received": 4, "answered": 1}, {"received": 2, "answered": 2}])
    assert [(r["received_pct"], r["answered_pct"]) for r in rows] == [(100, 25), (50, 50)]
    assert chart_rows([]) == []


CASE = {"case_id": "c1", "concern_id": "k1", "status": "acknowledged", "authority_id": "a1",
        "authority_name": "UBND xã Tam Hợp", "topic": "infrastructure", "urgency": "normal",
        "summary": "Đường thôn xuống cấp", "raised_on": "2026-11-20", "overdue": True,
        "acknowledge_by": "2026-11-24", "answer_by": "2026-12-04", "answer": None,
        "answered_at": None, "due_at": "2026-12-04T10:00:00+00:00", "due_kind": "answer",
        "due_on": "2026-12-04", "working_days_left": 0, "unit_id": "u1", "assignee_user_id": "o2",
        "unit_path": ["a", "b", "c", "u1"], "raised_by": "resident",
        "standing_committee_flagged": False,
        "timeline": [{"at": "2026-11-20T01:00:00+00:00", "action": "route", "to_state": "routed",
                      "why": None},
                     {"at": "2026-11-21T01:00:00+00:00", "action": "acknowledge",
                      "to_state": "acknowledged", "why": None}]}
CONCERN = {"concern_id": "k1", "topic": "infrastructure", "summary": "Đường thôn xuống cấp",
           "raised_by": "resident", "unit_name": "Chi bộ thôn Nội Phật, xã Tam Hợp",
           "withdrawn": False, "raised_on": "2026-11-20",
           "answer": {"answer": "Đã sửa", "answered_at": "2026-11-25T01:00:00+00:00"}}
LIMITS = dict(ATTACHMENT_MAX_BYTES=8_000_000, ATTACHMENTS_PER_ITEM=5, ATTACHMENTS_PER_VISIT=20)
VISIT = {"visit_id": "v1", "unit_id": "u1", "unit_name": "Chi bộ thôn Nội Phật, xã Tam Hợp",
         "cadre_id": "tran-thi-binh", "meeting_date": "2026-11-20", "meeting_kind": "regular",
         "attendance": {"present": 27, "expected": 31},
         "assessment": {"leadership": 4, "education": 4, "combativeness": 3, "note": "Tốt"},
         "logged_at": "2026-11-20T12:00:00+00:00", "amended_at": None,
         "concerns": [{**CONCERN, "answer": None}]}
BRIEF_CONCERN = {"concern_id": "k1", "visit_id": "v1", "topic": "land", "summary": "Đường hỏng",
                 "raised_on": "2026-11-20", "case_id": "c1", "status": "routed",
                 "holder_authority_id": "a1", "due_on": "2026-12-02", "overdue": False,
                 "answer": None, "answered_at": None}
UNIT = {"unit_id": "u1", "name": "Chi bộ thôn Nội Phật, xã Tam Hợp", "level": "branch",
        "path": ["a", "b", "c", "u1"]}
AUTHORITY = {"authority_id": "a2", "name": "UBND huyện Bình Xuyên", "level": "district",
             "kind": "peoples_committee", "unit_id": "u1", "retired_on": None,
             "parent_authority_id": None, "email": "x@example"}
TEMPLATE = {"template_id": "t1", "authority_id": "a1", "kind": "answer", "topic": "*",
            "title": "Đã giải quyết", "text": "Đơn vị đã giải quyết."}
STATISTICS = {"period_from": "2026-01-01", "period_to": "2026-11-28", "rows": [
    {"topic": "land", "received": 4, "answered": 2, "acknowledged_on_time": 3,
     "answered_on_time": 2, "median_days_to_answer": 3.5, "reopened": 0,
     "outcomes": {"solved": 1, "not_competent": 1}, "settled": 1, "settled_on_time": 1,
     "on_time_rate": 1.0}]}
ACCOUNT = {"user_id": "u1", "username": "binh", "display_name": "Trần Thị Bình", "role": "cadre",
           "cadre_id": "tran-thi-binh", "authority_id": None, "enabled": True}
SCOPES = {"cadre_choices": [("tran-thi-binh", "Trần Thị Bình")],
          "authority_choices": [("a2", "UBND huyện Bình Xuyên")],
          "scopes": {"tran-thi-binh": "Trần Thị Bình", "a2": "UBND huyện Bình Xuyên"}}
RULE = {"rule_id": "r1", "topic": "*", "unit_id": "u1", "authority_id": "a2", "urgency": None,
        "effective_from": "2026-01-01", "effective_to": None, "actor": "u9", "replaces": None,
        "ended_by": None}
REGISTRY = {"authorities": [AUTHORITY], "all_rules": [RULE], "unit_names": {"u1": "Chi bộ"},
            "authority_names": {"a2": "UBND huyện Bình Xuyên"},
            "unit_choices": [("u1", "Chi bộ")], "authority_choices": [("a2", "UBND")],
            "kind_choices": [("office", "Văn phòng")], "level_choices": [("district", "Huyện")],
            "topic_choices": [("*", "Mọi lĩnh vực")], "urgency_choices": [("urgent", "Khẩn")]}
GROUP = {"working_group_id": "g1", "name": "Tổ công tác số 1", "formed_by_unit_id": "u0",
         "member_cadre_ids": ["c1"], "unit_ids": ["u1"], "starts_on": "2026-01-01",
         "ends_on": None}
GROUP_CHOICES = {"unit_names": {"u0": "Huyện ủy", "u1": "Chi bộ"},
                 "cadre_choices": [("c1", "Trần Thị Bình")], "cadre_names": {"c1": "Bình"},
                 "committee_choices": [("u0", "Huyện ủy")], "branch_choices": [("u1", "Chi bộ")]}
REQUEST = {"request_id": "r1", "kind": "deletion", "name": "Hoàng Thị Xuân", "contact": None,
           "user_id": "u-xuan", "cadre_id": "hoang-thi-xuan", "received_on": "2026-12-07",
           "due_on": "2026-12-17", "note": "", "state": "open", "outcome": None,
           "answers": {"accounts": {"found": [{"kind": "user", "id": "u-xuan"}],
                                    "removed": True,
                                    "answered_at": "2026-12-07T09:00:00+00:00"}}}
PAGES = {
    "sign_in.html": {"errors": {"password": "Sai"}, "username": "binh", "next_page": "/app",
                     "sign_in_csrf": "x"},
    "error.html": {"message": "Lỗi", "fields": {"a": "b"}},
    "cadre_units.html": {"rows": [{"unit": UNIT, "starts_on": "2026-01-01",
                                   "last_visit": VISIT, "open_concerns": 1, "sees_members": True}]},
    "visit_form.html": {"units": [UNIT], "chosen": "u1", "today": "2026-11-27",
                        "topics": ["land"], "meeting_kinds": ["regular"],
                        "raised_by": ["resident"], "urgencies": ["normal"],
                        "error_words": {"sending": "…"},
                        **attach_form.form_context(attach_form.form_limits(LIMITS), "vi"),
                        "logged": [{"unit_id": "u1", "meeting_date": "2026-11-20",
                                    "visit_id": "v1", "unit_name": "Chi bộ thôn Nội Phật"}],
                        "to_review": [{"case_id": "c1", "unit_id": "u1", "summary": "Đèn hỏng",
                                       "answer": "Đã thay bóng"}]},
    "cadre_brief.html": {"brief": {
        "unit_id": "u1", "unit_name": "Chi bộ thôn Nội Phật, xã Tam Hợp", "today": "2026-11-27",
        "open_concerns": [BRIEF_CONCERN], "next_cursor": "n",
        "answers_to_read_out": [{**BRIEF_CONCERN, "status": "answered", "answer": "Đã sửa"}],
        "overdue": [{**BRIEF_CONCERN, "overdue": True}],
        "last_visits": [{**VISIT, "cadre_id": "tran-thi-binh", "concern_count": 1}]},
        "authorities": {"a1": "UBND xã Tam Hợp"}, "as_of": "2026-11-27T01:00:00+00:00"},
    "cadre_visits.html": {"visits": [VISIT], "next_cursor": "abc"},
    "cadre_visit.html": {"visit": {**VISIT, "amended_at": "2026-11-21T01:00:00+00:00"},
                         "done": "amended"},
    "amend_visit.html": {"visit": {**VISIT, "concerns": [
        {**CONCERN, "concern_id": "k1"},
        {**CONCERN, "concern_id": "k2", "withdrawn": True, "withdrawn_reason": "Trùng"}]},
        "values": {"submission_id": "s1", "meeting_kind": "regular",
                   "attendance.present": 27, "attendance.expected": 31,
                   "assessment.leadership": 4, "assessment.education": "4",
                   "assessment.combativeness": 3, "assessment.note": ""},
        "errors": {"_form": "Đã quá hạn sửa", "new.topic": "Bắt buộc nhập.",
                   "withdraw.k1": "Dài quá", "new.attachments": "Tệp hỏng"},
        "topics": ["land"], "meeting_kinds": ["regular"], "raised_by": ["resident"],
        "urgencies": ["normal"], "attachment_limits": {"per_item": 5}},
    "concern.html": {"concern": CONCERN, "case": {**CASE, "status": "answered"},
                     "actions": ["close"], "failed": "close", "errors": {"note": "x"},
                     "values": {"note": "y"}, "done": "close"},
    "case.html": {"case": CASE, "actions": allowed_actions("acknowledged", HOLDER),
                  "templates": [TEMPLATE],
                  "officers": [{"user_id": "o2", "display_name": "Nguyễn Văn Hùng"}],
                  "units": {"u1": "Chi bộ thôn Nội Phật", "c": "Đảng bộ xã Tam Hợp"},
                  "authorities": [AUTHORITY], "failed": "answer",
                  "errors": {"answer": "Bắt buộc nhập.", "_action": "Bị từ chối"},
                  "values": {"answer": ""}, "done": None},
    "inbox.html": {"inbox": {"authority": AUTHORITY, "view": "holding",
                             "counts": {"routed": 2, "acknowledged": 1000},
                             "overdue": 1, "cases": [CASE], "next_cursor": "n"},
                   "state": "routed", "filters": {"topic": "land", "unit_id": "u1"},
                   "topics": ["land"], "states": ["routed"],
                   "units": {"u1": "Chi bộ thôn Nội Phật"},
                   "branch_choices": [("u1", "Chi bộ thôn Nội Phật"), ("c", "Xã Tam Hợp")]},
    "template.html": {"reply": {**TEMPLATE, "created_by": "o1",
                                   "created_at": "2026-11-27T01:00:00+00:00"},
                      "names": {"o1": "Lê An"}, "topics": ["*", "land"], "failed": "change",
                      "errors": {"title": "Bắt buộc nhập.", "_form": "Bị từ chối"},
                      "values": {"title": "", "topic": "land"}, "done": "changed",
                      "changes": [{"by": "o1", "by_name": "Lê An", "action": "change",
                                   "at": "2026-11-28T01:00:00+00:00",
                                   "fields": ["text", "title"]},
                                  {"by": "o1", "by_name": "Lê An", "action": "delete",
                                   "at": "2026-11-29T01:00:00+00:00", "fields": []}]},
    "templates.html": {"templates": [TEMPLATE, {**TEMPLATE, "topic": "land"}],
                       "kinds": ["answer", "request_information"], "topics": ["*", "land"],
                       "errors": {"title": "Bắt buộc nhập."}, "values": {"kind": "answer"}},
    "statistics.html": {"statistics": STATISTICS, "rows": chart_rows(STATISTICS["rows"]),
                        "picker": {"name": AUTHORITY["name"]}, "authority_id": "a2",
                        "period": {"period_from": "2026-01-01", "period_to": "2026-12-08"},
                        "answer_outcomes": contracts.ANSWER_OUTCOMES},
    "admin_users.html": {"found": [ACCOUNT, {**ACCOUNT, "user_id": "u2", "enabled": False}],
                         "q": "binh", **SCOPES, "role_choices": [("cadre", "Cấp ủy viên")],
                         "errors": {"_form": "Bị từ chối", "password": "Phải có ít nhất 12"},
                         "values": {"username": "binh", "role": "cadre"}},
    "admin_user.html": {"account": ACCOUNT, **SCOPES,
                        "role_choices": [("cadre", "Cấp ủy viên")], "failed": "role",
                        "errors": {"cadre_id": "Bắt buộc nhập.", "_form": "Bị từ chối"},
                        "values": {"role": "cadre"}, "done": "created",
                        "changes": [{"occurred_at": "2026-11-27T01:00:00+00:00",
                                     "event_type": "user_created", "actor": "u9",
                                     "actor_name": "admin"},
                                    {"occurred_at": "2026-11-27T02:00:00+00:00",
                                     "event_type": "user_role_changed", "actor": None,
                                     "actor_name": None}]},
    "admin_units.html": {"found": [{**UNIT, "place": ["Tỉnh", "Xã"]}], "q": "noi phat",
                         "errors": {"level": "Bắt buộc nhập."}, "values": {"name": "Chi bộ"},
                         "unit_choices": [("u1", "Chi bộ")],
                         "level_choices": [("branch", "Chi bộ")],
                         "kind_choices": [("school", "Trường học")]},
    "admin_cadres.html": {"found": [{"cadre_id": "c1", "full_name": "Trần Thị Bình",
                                     "home_unit_id": "u1",
                                     "positions": ["district_committee_member", "x_y"]}],
                          "q": "binh", "errors": {"positions": "Bắt buộc nhập."},
                          "values": {"position_district_committee_member": "yes"},
                          "unit_choices": [("u1", "Chi bộ")], "unit_names": {"u1": "Chi bộ"},
                          "position_choices": [("district_committee_member", "Huyện ủy viên")]},
    "admin_cadre.html": {"cadre": {"cadre_id": "c1", "full_name": "Trần Thị Bình",
                                   "home_unit_id": "u1", "email": "b@example.vn",
                                   "phone": None, "positions": ["district_committee_member"],
                                   "memberships": [
                                       {"unit_id": "u1", "role": "secretary",
                                        "starts_on": "2025-10-01", "ends_on": None},
                                       {"unit_id": "u1", "role": "member",
                                        "starts_on": None, "ends_on": "2025-09-30"}]},
                         "assignments": [{"unit_id": "u1", "unit_name": "Chi bộ",
                                          "starts_on": "2026-01-01", "ends_on": None}],
                         "unit_names": {"u1": "Chi bộ"}, "failed": "membership_ended",
                         "errors": {"memberships.0.ends_on": "Không được trước ngày bắt đầu."},
                         "values": {"membership": "0", "memberships.0.ends_on": "2020-01-01"},
                         "role_choices": [("secretary", "Bí thư")],
                         "other_positions": "", "done": "membership_added", "changes": [],
                         "unit_choices": [("u1", "Chi bộ")],
                         "position_choices": [("district_committee_member", "Huyện ủy viên")]},
    "admin_groups.html": {"found": [GROUP], "q": "", "errors": {"unit_ids": "Bắt buộc nhập."},
                          "values": {"branch.u1": "yes"}, "members": [], "branches": ["u1"],
                          **GROUP_CHOICES},
    "admin_group.html": {"group": GROUP, "errors": {}, "values": {}, "members": ["c1"],
                         "branches": ["u1"], "done": "formed", "changes": [], **GROUP_CHOICES},
    "admin_unit.html": {"unit": {**UNIT, "kind": "residential", "locality": "thôn Nội Phật",
                                 "contacts": [{"name": "Hoa", "role": "Bí thư",
                                               "phone": "0912345678", "email": None}],
                                 "meeting_schedule": {"frequency": "monthly",
                                                      "day_of_month": 5, "note": None}},
                        "place": ["Tỉnh", "Chi bộ"],
                        "history": [{"in_force_from": None, "in_force_to": "2025-06-30",
                                     "name": "Chi bộ cũ", "place": ["Tỉnh"]}],
                        "assignments": [{"assignment_id": "as1", "cadre_name": "Trần Thị Bình",
                                         "starts_on": "2026-01-01", "ends_on": None,
                                         "end_reason": None}],
                        "unit_names": {"u1": "Chi bộ"}, "cadre_choices": [("c1", "Bình")],
                        "move_choices": [("u0", "Tỉnh")], "sibling_choices": [("u2", "Chi bộ 2")],
                        "into_choices": [("u0", "Tỉnh"), ("u2", "Chi bộ 2")],
                        "child_choices": [],
                        "frequency_choices": [("monthly", "Hằng tháng")],
                        "operation_id": "op1", "failed": "ended:as1",
                        "errors": {"reason": "Bắt buộc nhập.", "_form": "Bị từ chối"},
                        "values": {"reason": ""}, "done": "renamed", "changes": []},
    "admin_authorities.html": {"found": [AUTHORITY, {**AUTHORITY, "retired_on": "2026-07-01",
                                                     "parent_authority_id": "a2"}],
                               "q": "binh", "errors": {"authority_id": "Bắt buộc nhập.",
                                                       "_form": "Bị từ chối"},
                               "values": {"name": "UBND"}, **REGISTRY},
    "admin_authority.html": {"authority": {**AUTHORITY, "retired_on": None},
                             "rules": [RULE], "failed": "retired",
                             "errors": {"confirm": "Hãy đánh dấu"}, "values": {},
                             "done": "changed", "changes": [], **REGISTRY},
    "admin_routing.html": {"found": [{**RULE, "unit_name": "Chi bộ", "authority_name": "UBND"}],
                           "q": "", "errors": {}, "values": {}, **REGISTRY},
    "admin_rule.html": {"rule": {**RULE, "effective_to": "2026-12-31", "ended_by": "u9",
                                 "replaces": "r0"},
                        "failed": "handed_over", "errors": {"changed_on": "Bắt buộc nhập."},
                        "values": {}, "done": "added", "users": {"u9": "admin"}, **REGISTRY},
    "admin_notifications.html": {"notifications": [
        {"created_at": "2026-11-27T01:00:00+00:00", "recipient_name": "UBND", "email": None,
         "subject": "Vụ việc mới", "state": "sent"}], "next_cursor": None},
    "operator_queues.html": {"queues": [{"queue": "monitor.audit", "ready": 0,
                                         "unacknowledged": 0, "consumers": 1,
                                         "dead_letters": False},
                                        {"queue": "visits.dead", "ready": 2,
                                         "unacknowledged": 0, "consumers": 0,
                                         "dead_letters": True}]},
    "operator_events.html": {"events": [{"occurred_at": "2026-11-27T01:00:00+00:00",
                                         "routing_key": "visits.visit_logged", "actor": None}],
                             "next_cursor": None},
    "operator_dead_letters.html": {
        "queues": [{"queue": "visits.dead", "failed_on": "visits.concern", "depth": 1,
                    "letters": [{"letter_id": "0123456789abcdef01234567",
                                 "event_type": "concern_raised", "event_id": "e1",
                                 "correlation_id": None, "failed_at": None, "attempts": 3,
                                 "error": "boom"}]}],
        "actions": [{"at": "2026-11-27T01:00:00+00:00", "action": "replayed",
                     "event_type": "concern_raised", "reason": None, "by": "u1"}],
        "errors": {"reason": "Bắt buộc nhập."}, "failed": "0123456789abcdef01234567",
        "done": None},
    "operator_alerts.html": {"alerts": [{"active": True, "kind": "queue_depth",
                                         "subject": "visits.dead", "detail": "2 waiting",
                                         "raised_at": "2026-11-27T01:00:00+00:00"}]},
    "operator_trace.html": {"subject_id": "k1", "trace": {"steps": [
        {"occurred_at": "2026-11-27T01:00:00+00:00", "event_type": "concern_raised",
         "source": "visits", "seconds_since_previous": None, "actor": "u1"},
        {"occurred_at": "2026-11-27T01:00:01+00:00", "event_type": "case_routed",
         "source": "escalations", "seconds_since_previous": 1.25, "actor": None}]}},
    "admin_imports.html": {"imports": [{"import_id": "i1", "filename": "don-vi.xlsx",
                                        "state": "applying",
                                        "progress": {"applied": 3, "to_apply": 10},
                                        "created_at": "2026-11-27T01:00:00+00:00"}],
                           "max_bytes": 700_000, "words": {"uploading": "…"}},
    "admin_import.html": {"job": {"filename": "don-vi.xlsx", "state": "applying",
                                  "refusal": None,
                                  "progress": {"total": 12, "to_apply": 10, "applied": 3,
                                               "unchanged": 1, "rejected": 1, "failed": 0},
                                  "rejections": [{"sheet": "units", "line": 4,
                                                  "column": "level", "header": "Cấp",
                                                  "reason": "Must be one of: province.",
                                                  "because": {"code": "one_of"}}],
                                  "failures": []}, "running": True, "refresh": 2},
    "admin_personal_data.html": {"reads": [
        {"read_id": "e1", "read_at": "2026-11-27T01:00:00+00:00", "user_id": "u-binh",
         "role": "cadre", "purpose": "visits.get_concern", "source": "visits",
         "records": [{"kind": "concern", "id": "c1"}, {"kind": "cadre", "id": "le-van-cuong"}]}],
        "next_cursor": None},
    "admin_coverage.html": {"report": {"quarter": {"from": "2026-10-01", "to": "2026-12-31"}},
                            "rows": [{"name": "Huyện ủy Bình Xuyên", "branches": 4, "visited": 1,
                                      "pct": 25, "planned": 2, "planned_visited": 1}]},
    # requests from the people concerned (issue 26)
    "admin_requests.html": {"requests": [REQUEST], "next_cursor": None, "errors": {},
                            "values": {}, "kind_choices": [("deletion", "Xóa dữ liệu")]},
    "admin_request.html": {"request": REQUEST, "done": "recorded", "errors": {}, "values": {},
                           "answers": [("accounts", REQUEST["answers"]["accounts"]),
                                       ("visits", None)]},
}
USERS = {"cadre": {"user_id": "u1", "role": "cadre", "cadre_id": "tran-thi-binh"},
         "officer": {"user_id": "o1", "role": "authority_officer",
                     "authority_id": "a1"}}


@pytest.mark.parametrize("language", i18n.LANGUAGES)
@pytest.mark.parametrize("template", sorted(PAGES))
def test_every_page_renders_in_both_languages(template, language):
    html = render.render(template, language, user=USERS["cadre"], csrf="t", menu=(),
                         here="/app", **PAGES[template])
    assert f'<html lang="{language}">' in html
    assert "{{" not in html and "{%" not in html
    if language == "vi":  # no English word reaches a Vietnamese page, the services' included
        assert not english_in(html.split("<main", 1)[1]), (template, english_in(html))
    # every form control has a label naming it (accessible forms)
    for control in re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html):
        assert f'for="{control}"' in html, (template, control)


def test_escaped_everywhere():
    html = render.render("cadre_visit.html", "vi", user=None, csrf="", menu=(), here="/",
                         visit={**VISIT, "unit_name": "<script>alert(1)</script>"}, done=None)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_static_files_are_served_from_the_repository():
    for name, media_type in render.STATIC_FILES.items():
        content, served = render.static_file(name)
        assert content and served == media_type
    with pytest.raises(KeyError):
        render.static_file("../service.py")


def test_the_dead_letter_actions_read_as_the_monitor_records_them():
    actions = [{"at": "2026-11-27T01:00:00+00:00", "action": action, "event_type": "x",
                "reason": None, "by": "u1"} for action in ("replayed", "discarded")]
    html = render.render("operator_dead_letters.html", "vi", user=USERS["cadre"], csrf="t",
                         menu=(), here="/app", queues=[], actions=actions, errors={},
                         failed=None, done=None)
    cells = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>", html)
    assert cells == ["Gửi lại", "Bỏ"]


@pytest.mark.parametrize("target", ["/app/cases\nSet-Cookie: x=1", "/app/x\r", "/app/\x00",
                                    "/app/\x85", "/app/\t"])
def test_a_control_character_in_next_goes_home_instead(target):
    assert session.safe_next(target) == "/app"  # never a Location split in two (a 500 before)


def test_the_personal_data_log_names_reader_read_and_records_in_vietnamese_first():
    html = render.render("admin_personal_data.html", "vi", user=USERS["cadre"], csrf="t",
                         menu=(), here="/app", **PAGES["admin_personal_data.html"])
    assert "Ai đã xem dữ liệu cá nhân" in html and "u-binh" in html
    assert "Cấp ủy viên" in html  # the reader's role
    assert "Ý kiến c1" in html and "visits.get_concern" in html


def test_a_rules_refusal_says_which_rule_in_words_and_never_its_raw_fields():
    from services.escalations.case_life import apply_action
    from tests.unit.test_case_life import AT, OFFICER, POLICY, case_in
    with pytest.raises(RuleViolated) as late:
        apply_action(case_in("closed_resolved", closed_at=AT - dt.timedelta(days=90)),
                     "reopen", OFFICER, AT, POLICY, reason="Vẫn ngập")
    crossed = RuleViolated(*json.loads(json.dumps(late.value.args)))
    assert i18n.refusal(crossed, "vi") == ("Quy định không cho phép việc này. Chỉ mở lại được "
                                           "trong vòng 30 ngày sau khi đóng.")
    conflict = Conflict("not now", {"action": ["answer"], "state": ["closed_resolved"]})
    assert i18n.refusal(conflict, "vi") == say("refusal.CONFLICT")


def test_a_deadline_reads_as_people_say_it_not_as_the_midnight_after_it():
    case = {"due_on": "2026-12-09", "due_at": "2026-12-09T17:00:00+00:00",
            "working_days_left": 3, "overdue": False}
    assert i18n.deadline_words(case, "vi") == "hết ngày 09/12/2026 (còn 3 ngày làm việc)"
    assert i18n.deadline_words({**case, "overdue": True}, "vi") == \
        "hết ngày 09/12/2026 (đã quá hạn)"
    assert "10/12" not in render.render("inbox.html", "vi", **{
        **PAGES["inbox.html"], "inbox": {**PAGES["inbox.html"]["inbox"],
                                         "cases": [{**CASE, **case}]}},
        user={"user_id": "o1", "role": "authority_officer"}, csrf="x", menu=(), here="/app/inbox")
    assert i18n.deadline_words({"due_on": None}, "vi") == ""
