"""The meeting pages' plain logic and templates (issue 28): the committee's plan read as rows
(who may attend a meeting: its committee's members assigned to the branch that day, its
working groups attending it), the planning and schedule forms read as the API's bodies with
their refusals beside the field, the pages in both languages with every control labelled, and
the reminder mail's link to the meeting."""
import datetime as dt
import re

import pytest

from services.gateway.pages import i18n, meeting_forms, render
from services.notifications.meeting_mail import meeting_link, meeting_reminder
from services.notifications.messages import Recipient
from shared.reasons import reasons_of
from tests.english import english_in

NP, NT = "vp.bx.th.np", "vp.bx.th.nt"
ASSIGNMENTS = [
    {"cadre_id": "binh", "unit_id": NP, "starts_on": "2026-01-01", "ends_on": None},
    {"cadre_id": "dung", "unit_id": NP, "starts_on": "2026-12-06", "ends_on": None},
    {"cadre_id": "hoa", "unit_id": NP, "starts_on": "2026-01-01", "ends_on": "2026-11-30"},
    {"cadre_id": "cuong", "unit_id": NP, "starts_on": "2026-01-01", "ends_on": None},
]
GROUPS = [
    {"working_group_id": "to-1", "name": "Tổ công tác số 1", "formed_by_unit_id": "vp.bx",
     "unit_ids": [NP, NT], "member_cadre_ids": ["binh", "dung"], "starts_on": "2026-01-01",
     "ends_on": None},
    {"working_group_id": "to-2", "name": "Tổ công tác số 2", "formed_by_unit_id": "vp.bx",
     "unit_ids": [NT], "member_cadre_ids": ["dung"], "starts_on": "2026-01-01", "ends_on": None},
    {"working_group_id": "to-3", "name": "Tổ tỉnh", "formed_by_unit_id": "vp",
     "unit_ids": [NP], "member_cadre_ids": ["cuong"], "starts_on": "2026-01-01", "ends_on": None},
]
MEMBERS = {"binh", "dung", "hoa"}  # Cường sits on the province's committee, not the district's
NAMES = {"binh": "Trần Thị Bình", "dung": "Đỗ Văn Dũng", "to-1": "Tổ công tác số 1"}
PLAN = {
    "committee_unit_id": "vp.bx", "period": "2026-12", "members": sorted(MEMBERS),
    "branches": [
        {"unit_id": NP, "name": "Chi bộ thôn Nội Phật", "refused": None, "meetings": [
            {"day": "2026-12-05", "kind": "regular", "topic": None, "scheduled_for": None},
            {"day": "2026-12-21", "kind": "thematic", "topic": "Học tập Nghị quyết",
             "scheduled_for": None}]},
        {"unit_id": NT, "name": "Chi bộ thôn Nam Tiến", "meetings": [], "refused": {
            "day_of_month": [{"code": "meeting_day_missing", "month": "12/2026", "day": 32}]}},
    ],
    "plan": [{"plan_id": f"{NP}@2026-12-05", "committee_unit_id": "vp.bx", "unit_id": NP,
              "meeting_on": "2026-12-05", "cadre_id": "binh", "working_group_id": None,
              "attendee_cadre_ids": ["binh"], "planned_by": "u-binh", "reminded": False}],
    "comparison": {"planned": 1, "attended_as_planned": 0,
                   "planned_not_attended": [{"unit_id": NP, "meeting_on": "2026-12-05",
                                             "cadre_id": "binh", "working_group_id": None}],
                   "attended_without_plan": [{"unit_id": NT, "meeting_on": "2026-12-10",
                                              "cadre_id": "dung", "visit_id": "v1"}],
                   "per_cadre": {"binh": {"planned": 1, "attended_as_planned": 0,
                                          "planned_not_attended": 1, "attended_without_plan": 0},
                                 "dung": {"planned": 0, "attended_as_planned": 0,
                                          "planned_not_attended": 0,
                                          "attended_without_plan": 1}}}}
USER = {"user_id": "u-binh", "role": "cadre", "cadre_id": "binh"}


def test_who_may_attend_is_the_committees_members_assigned_that_day_and_its_groups():
    found = meeting_forms.candidates(ASSIGNMENTS, MEMBERS, GROUPS, "vp.bx", NP, "2026-12-05")
    # Dũng from the 6th only, Hoa's assignment ended, Cường not on this committee; group 2 does
    # not attend Nội Phật and group 3 is the province's
    assert found == [("cadre:binh", "cadre", "binh"), ("group:to-1", "group", "to-1")]
    later = meeting_forms.candidates(ASSIGNMENTS, MEMBERS, GROUPS, "vp.bx", NP, "2026-12-21")
    assert [choice for choice, _, _ in later] == ["cadre:binh", "cadre:dung", "group:to-1"]


def test_the_plan_reads_as_rows_planned_meetings_named_others_with_their_choices():
    choices = {(NP, "2026-12-21"): meeting_forms.candidates(
        ASSIGNMENTS, MEMBERS, GROUPS, "vp.bx", NP, "2026-12-21")}
    [np, nt] = meeting_forms.plan_rows(PLAN, choices, NAMES)
    first, thematic = np["meetings"]
    assert (first["who"], first["choices"]) == ("Trần Thị Bình", [])
    assert thematic["entry"] is None and thematic["choices"] == [
        ("cadre:binh", "Trần Thị Bình"), ("cadre:dung", "Đỗ Văn Dũng"),
        ("group:to-1", "Tổ công tác số 1")]
    assert nt["meetings"] == [] and nt["refused"]["day_of_month"][0]["code"] == \
        "meeting_day_missing"
    assert meeting_forms.comparison_rows(PLAN["comparison"], NAMES)[1] == (
        "Đỗ Văn Dũng", PLAN["comparison"]["per_cadre"]["dung"])


@pytest.mark.parametrize("attendee, cadre_id, group_id", [
    ("cadre:binh", "binh", None), ("group:to-1", None, "to-1")])
def test_the_planning_form_reads_as_the_apis_plan_entry(attendee, cadre_id, group_id):
    body, errors = meeting_forms.plan_entry_of(
        {"unit_id": NP, "meeting_on": "2026-12-21", "attendee": attendee}, "vp.bx")
    assert errors == {} and body == {"committee_unit_id": "vp.bx", "unit_id": NP,
                                     "meeting_on": "2026-12-21", "cadre_id": cadre_id,
                                     "working_group_id": group_id}


@pytest.mark.parametrize("attendee", ["", "binh", "cadre:", "visitor:binh"])
def test_a_planning_form_without_a_choice_is_refused_beside_its_field(attendee):
    body, errors = meeting_forms.plan_entry_of({"unit_id": NP, "meeting_on": "2026-12-21",
                                                "attendee": attendee}, "vp.bx")
    assert body is None and errors["attendee"][0].code == "required"


def test_the_schedule_form_reads_as_the_apis_schedule_and_back():
    schedule = {"frequency": "quarterly", "day_of_month": 18, "note": "Hội trường thôn",
                "on_day_off": "previous", "month_of_quarter": 2, "starts_at": "19:30",
                "thematic": [{"on": "2026-12-21", "topic": "Học tập Nghị quyết"},
                             {"on": "2027-01-11", "topic": "Tổng kết năm"}]}
    values = meeting_forms.schedule_values(schedule)
    assert values["meeting_schedule.thematic"] == ("2026-12-21 Học tập Nghị quyết\n"
                                                   "2027-01-11 Tổng kết năm")
    assert meeting_forms.schedule_of(values) == (schedule, {})
    # left empty: the defaults are the registry's (next working day, first month)
    assert meeting_forms.schedule_of({"meeting_schedule.frequency": "monthly",
                                      "meeting_schedule.day_of_month": "5"}) == (
        {"frequency": "monthly", "day_of_month": 5, "note": None}, {})
    # a day that is no number goes as typed, for the registry to refuse beside its field
    assert meeting_forms.schedule_of({"meeting_schedule.day_of_month": "năm"})[0][
        "day_of_month"] == "năm"


def test_a_thematic_line_that_is_not_a_day_and_a_topic_is_refused_naming_the_line():
    schedule, errors = meeting_forms.schedule_of({
        "meeting_schedule.frequency": "monthly", "meeting_schedule.day_of_month": "5",
        "meeting_schedule.thematic": "2026-12-21 Học tập\n21/12 Tổng kết"})
    assert schedule is None
    [why] = errors["meeting_schedule.thematic"]
    assert i18n.reason_words(reasons_of(why), "vi") == (
        "Dòng “21/12 Tổng kết” không đúng dạng: mỗi dòng là ngày (YYYY-MM-DD) rồi chủ đề.")


def test_a_recorded_change_says_only_what_changed():
    change = {"before": {"frequency": "monthly", "day_of_month": 5, "note": None},
              "after": {"frequency": "monthly", "day_of_month": 18, "note": None,
                        "on_day_off": "previous",
                        "thematic": [{"on": "2026-12-21", "topic": "Nghị quyết"}]}}
    assert meeting_forms.change_lines(change) == [
        ("day_of_month", "5", "18"), ("on_day_off", "", "previous"),
        ("thematic", "", "2026-12-21 Nghị quyết")]


def test_periods_and_the_meetings_still_ahead():
    assert meeting_forms.neighbours("2026-01") == ("2025-12", "2026-02")
    assert meeting_forms.neighbours("2026-Q4") == ("2026-Q3", "2027-Q1")
    assert [meeting_forms.switched(p) for p in ("2026-11", "2026-Q4", "2026-01")] == [
        "2026-Q4", "2026-10", "2026-Q1"]
    assert meeting_forms.months_ahead(dt.date(2026, 11, 30)) == ["2026-11", "2026-12", "2027-01"]
    assert meeting_forms.period_asked("", dt.date(2026, 12, 7)) == "2026-12"
    meetings = [{"unit_id": NT, "meeting_on": "2026-12-10"}, {"unit_id": NP,
                                                              "meeting_on": "2026-12-05"},
                {"unit_id": NP, "meeting_on": "2026-12-07"}, {"unit_id": NP,
                                                              "meeting_on": "2026-12-07"}]
    assert [m["meeting_on"] for m in meeting_forms.upcoming(meetings, dt.date(2026, 12, 7))] == [
        "2026-12-07", "2026-12-10"]


PAGES = {
    "meeting_plan.html": {
        "plan": PLAN, "committee": {"unit_id": "vp.bx", "name": "Huyện ủy Bình Xuyên"},
        "rows": meeting_forms.plan_rows(PLAN, {(NP, "2026-12-21"): meeting_forms.candidates(
            ASSIGNMENTS, MEMBERS, GROUPS, "vp.bx", NP, "2026-12-21")}, NAMES),
        "per_cadre": meeting_forms.comparison_rows(PLAN["comparison"], NAMES), "names": NAMES,
        "unit_names": {NP: "Chi bộ thôn Nội Phật", NT: "Chi bộ thôn Nam Tiến"},
        "before": "2026-11", "after": "2027-01", "switched": "2026-Q4", "done": "planned",
        "errors": {(NP, "2026-12-21"): "Đồng chí này không được phân công phụ trách."}},
    "meetings_mine.html": {
        "upcoming": [{**PLAN["plan"][0], "unit_name": "Chi bộ thôn Nội Phật"}],
        "to_log": [{**PLAN["plan"][0], "unit_name": "Chi bộ thôn Nội Phật"}],
        "named": {**PLAN["plan"][0], "unit_name": "Chi bộ thôn Nội Phật"},
        "seats": {"plans_for": [{"unit_id": "vp.bx", "name": "Huyện ủy Bình Xuyên"}],
                  "secretary_of": [{"unit_id": NP, "name": "Chi bộ thôn Nội Phật"}]},
        "feed_address": "http://localhost:8000/meeting-feeds/abc", "done": "feed_revoked"},
    "meeting_schedule.html": {
        "unit": {"unit_id": NP, "name": "Chi bộ thôn Nội Phật"},
        "values": meeting_forms.schedule_values({"frequency": "monthly", "day_of_month": 5}),
        "errors": {"_form": "Bị từ chối", "meeting_schedule.day_of_month": "Không có ngày 31"},
        "coming": [("2026-12", [PLAN["branches"][0]["meetings"][0]], None),
                   ("2027-01", [], "Tháng 01/2027 không có ngày 32")],
        "done": "saved", "names": {"hoa": "Lê Thị Hoa"},
        "changes": [({"cadre_id": "hoa", "changed_at": "2026-12-01T02:00:00+00:00"},
                     [("day_of_month", "5", "18")]),
                    ({"cadre_id": None, "changed_at": "2026-11-01T02:00:00+00:00"},
                     [("on_day_off", "", "previous")])],
        "frequencies": [("monthly", "Hằng tháng")], "day_off_rules": [("previous", "Trước")],
        "quarter_months": [("1", "Tháng đầu quý")]},
}


@pytest.mark.parametrize("language", i18n.LANGUAGES)
@pytest.mark.parametrize("template", sorted(PAGES))
def test_the_meeting_pages_render_in_both_languages_every_control_labelled(template, language):
    html = render.render(template, language, user=USER, csrf="t", menu=(), here="/app",
                         **PAGES[template])
    if language == "vi":
        assert not english_in(html.split("<main", 1)[1]), (template, english_in(html))
    for control in re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html):
        assert f'for="{control}"' in html, (template, control)


def test_the_plan_page_shows_the_refusal_beside_the_meetings_field_and_the_branchs_reason():
    html = render.render("meeting_plan.html", "vi", user=USER, csrf="t", menu=(), here="/",
                         **PAGES["meeting_plan.html"])
    field = f"meeting-{NP}-2026-12-21"
    assert (f'id="{field}-attendee" name="attendee" aria-invalid="true" '
            f'aria-describedby="{field}-error"') in html
    assert f'<p class="field-error" id="{field}-error">Đồng chí này' in html
    assert "Tháng 12/2026 không có ngày 32" in html  # Nam Tiến's rule yields no date
    assert "Phân công dự: Trần Thị Bình" in html  # the 5th, planned: no form
    assert html.count('name="attendee"') == 1
    assert 'id="period-report"' in html  # where the month's report will be linked
    # plan against actual names the branches, not their codes
    assert "Thứ Bảy, 05/12/2026 · Trần Thị Bình · Chi bộ thôn Nội Phật</li>" in html


def test_my_meetings_link_each_to_the_visit_form_prefilled():
    html = render.render("meetings_mine.html", "vi", user=USER, csrf="t", menu=(), here="/",
                         **PAGES["meetings_mine.html"])
    assert f'href="/app/visits/new?unit_id={NP}&amp;meeting_date=2026-12-05"' in html
    assert 'value="http://localhost:8000/meeting-feeds/abc"' in html


def test_the_visit_form_opens_on_the_meeting_day_it_was_given():
    from tests.unit.page_samples import PAGES as ALL
    context = {**ALL["visit_form.html"], "meeting_date": "2026-11-20"}
    html = render.render("visit_form.html", "vi", user=USER, csrf="t", menu=(), here="/",
                         **context)
    assert 'name="meeting_date" type="date" required value="2026-11-20"' in html


def test_the_reminder_mail_links_to_the_meeting_on_the_cadres_page():
    link = meeting_link("https://sausat.example.vn/", NP, dt.date(2026, 12, 5))
    assert link == ("https://sausat.example.vn/app/meetings?unit_id=vp.bx.th.np"
                    "&meeting_on=2026-12-05")
    mail = meeting_reminder(Recipient("cadre", "binh", "Trần Thị Bình", "b@example.vn"),
                            "Chi bộ thôn Nội Phật", dt.date(2026, 12, 5), link)
    assert f"Xem buổi sinh hoạt và ghi biên bản (đăng nhập nếu được hỏi): {link}" in mail.body
    assert meeting_link(None, NP, dt.date(2026, 12, 5)) is None


def test_a_meeting_rules_day_of_the_month_is_worded_as_a_number_not_a_date():
    found = {"code": "meeting_day_missing", "month": "04/2026", "day": 31}
    assert i18n.reason_words(found, "vi").startswith("Tháng 04/2026 không có ngày 31:")
    assert "05/12/2026" in i18n.reason_words({"code": "not_a_meeting_day",
                                              "day": "2026-12-05"}, "vi")
