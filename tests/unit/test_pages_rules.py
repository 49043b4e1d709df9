"""The pages' plain parts: Vietnamese words and dates, errors mapped to form fields, the CSRF
token, the cookie's flags, the actions a case page offers, and every template rendered in both
languages with data shaped like the services' answers (no server, no browser)."""
import datetime as dt
import json
import re

import pytest

from services.escalations.case_life import HOLDER, RAISER, STATES, allowed_actions
from services.gateway.pages import i18n, render, session
from services.gateway.pages.officer import action_arguments, chart_rows
from shared import words
from shared.errors import Conflict, InvalidInput, RuleViolated, load_payload
from shared.reasons import reason
from shared.words import say
from tests.english import english_in
from tests.unit.page_samples import CASE, PAGES, USERS, VISIT

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
