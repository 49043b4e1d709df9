"""Branch meetings in the assignments service on the real RabbitMQ (issue 28): a branch's dates
for a month, changed by its secretary and recorded; a committee's attendance plan with its
refusals (a cadre not assigned to the branch on the day, a second entry for a meeting, a day
the branch does not meet, a planner without a seat), each changing nothing; and plan against
the visits logged, learnt from ``visit_logged`` events."""
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from shared import contracts
from shared.errors import Forbidden, NotFound, RuleViolated, TooManyRequests
from tests.interface.helpers import publish, wait_for

TREE = [
    {"unit_id": "vp", "name": "Đảng bộ tỉnh Vĩnh Phúc", "level": "province"},
    {"unit_id": "bx", "name": "Huyện ủy Bình Xuyên", "level": "district", "parent_id": "vp"},
    {"unit_id": "th", "name": "Đảng bộ xã Tam Hợp", "level": "grassroots", "parent_id": "bx"},
    {"unit_id": "np", "name": "Chi bộ thôn Nội Phật", "level": "branch", "kind": "village",
     "parent_id": "th", "meeting_schedule": {"frequency": "monthly", "day_of_month": 18}},
    {"unit_id": "nt", "name": "Chi bộ thôn Nam Tiến", "level": "branch", "kind": "village",
     "parent_id": "th", "meeting_schedule": {"frequency": "monthly", "day_of_month": 10}},
]
CADRES = [
    {"cadre_id": "binh", "full_name": "Trần Thị Bình", "home_unit_id": "bx",
     "positions": ["district_committee_member"],
     "memberships": [{"unit_id": "bx", "role": "standing_member"}]},
    {"cadre_id": "dung", "full_name": "Đỗ Văn Dũng", "home_unit_id": "bx",
     "positions": ["district_committee_member"]},
    {"cadre_id": "hoa", "full_name": "Lê Thị Hoa", "home_unit_id": "th",
     "positions": ["grassroots_committee_member"],
     "memberships": [{"unit_id": "np", "role": "secretary", "starts_on": "2025-01-01"}]},
]
ADMIN = {"user_id": "u-admin", "role": "administrator"}
BINH = {"user_id": "u-binh", "role": "cadre", "cadre_id": "binh"}
DUNG = {"user_id": "u-dung", "role": "cadre", "cadre_id": "dung"}
HOA = {"user_id": "u-hoa", "role": "cadre", "cadre_id": "hoa"}


@pytest.fixture
def registry(container_factory, config):
    container_factory(AssignmentsService, config).start()
    with ServiceRpcProxy("assignments", config, timeout=15) as proxy:
        for unit in TREE:
            proxy.register_unit(unit)
        for cadre in CADRES:
            proxy.register_cadre(cadre)
        proxy.assign_cadre({"cadre_id": "binh", "unit_id": "np", "starts_on": "2026-01-01"})
        proxy.assign_cadre({"cadre_id": "dung", "unit_id": "nt", "starts_on": "2026-03-01"})
        proxy.form_working_group({
            "working_group_id": "to-1", "name": "Tổ công tác số 1", "formed_by_unit_id": "bx",
            "member_cadre_ids": ["binh", "dung"], "unit_ids": ["np", "nt"],
            "starts_on": "2026-01-01"})
        yield proxy


def days(answer):
    return [meeting["day"] for meeting in answer["meetings"]]


def test_the_secretary_moves_the_branchs_dates_and_the_change_is_recorded(registry):
    # the 18th of February 2026 is in Tết: the next working day, Monday 23rd
    assert days(registry.meeting_dates("np", "2026-02", principal=BINH)) == ["2026-02-23"]
    schedule = {"frequency": "monthly", "day_of_month": 18, "on_day_off": "previous",
                "thematic": [{"on": "2026-02-26", "topic": "Học tập Nghị quyết"}]}
    changed = registry.change_meeting_schedule("np", {"meeting_schedule": schedule},
                                               principal=HOA)
    assert changed["meeting_schedule"]["on_day_off"] == "previous"
    assert days(registry.meeting_dates("np", "2026-02", principal=BINH)) == [
        "2026-02-13", "2026-02-26"]
    [change] = registry.meeting_schedule_changes("np", principal=ADMIN)
    assert (change["changed_by"], change["cadre_id"], change["before"]["day_of_month"],
            change["after"]["on_day_off"]) == ("u-hoa", "hoa", 18, "previous")
    # not the secretary of that branch, or of none: refused, nothing changed
    for who, unit_id in ((DUNG, "np"), (HOA, "nt")):
        with pytest.raises(Forbidden):
            registry.change_meeting_schedule(unit_id, {"meeting_schedule": schedule},
                                             principal=who)
    # a rule that yields no date (no 31st in many months): refused with the reason
    with pytest.raises(RuleViolated) as no_date:
        registry.change_meeting_schedule("np", {"meeting_schedule": {
            "frequency": "monthly", "day_of_month": 31, "on_day_off": "previous"}},
            principal=HOA)
    assert no_date.value.reasons["day_of_month"][0]["code"] == "meeting_day_missing"
    assert registry.get_unit("np")["meeting_schedule"] == {**schedule, "note": None}
    assert len(registry.meeting_schedule_changes("np", principal=ADMIN)) == 1


def test_a_committee_plans_within_assignments_once_per_meeting(registry):
    entry = {"committee_unit_id": "bx", "unit_id": "np", "meeting_on": "2026-02-23",
             "cadre_id": "binh"}
    planned = registry.plan_attendance(entry, principal=BINH)
    assert (planned["attendee_cadre_ids"], planned["planned_by"]) == (["binh"], "u-binh")
    assert registry.plan_attendance(entry, principal=BINH) == planned  # a resent request
    refusals = [
        # a second entry for the same meeting
        ({**entry, "cadre_id": None, "working_group_id": "to-1"}, "meeting_already_planned"),
        # Dũng is assigned to Nam Tiến from 1 March only
        ({**entry, "unit_id": "nt", "meeting_on": "2026-02-10", "cadre_id": "dung"},
         "not_assigned_on"),
        # Nội Phật does not meet on the 18th (Tết)
        ({**entry, "meeting_on": "2026-02-18"}, "not_a_meeting_day"),
    ]
    for refused, code in refusals:
        with pytest.raises(RuleViolated) as why:
            registry.plan_attendance(refused, principal=ADMIN)
        assert [r["code"] for rs in why.value.reasons.values() for r in rs] == [code]
    with pytest.raises(Forbidden):   # Dũng holds no seat on the committee
        registry.plan_attendance({**entry, "meeting_on": "2026-03-18"}, principal=DUNG)
    group = registry.plan_attendance({**entry, "unit_id": "nt", "meeting_on": "2026-03-10",
                                      "cadre_id": None, "working_group_id": "to-1"},
                                     principal=ADMIN)
    assert group["attendee_cadre_ids"] == ["binh", "dung"]
    plan = registry.committee_plan("bx", "2026-Q1", principal=BINH)
    assert [(e["unit_id"], e["meeting_on"]) for e in plan["plan"]] == [
        ("np", "2026-02-23"), ("nt", "2026-03-10")]
    assert {b["unit_id"]: days(b) for b in plan["branches"]} == {
        "np": ["2026-01-19", "2026-02-23", "2026-03-18"],
        "nt": ["2026-01-10", "2026-02-10", "2026-03-10"]}  # 10 January: a worked Saturday


def test_plan_against_the_visits_logged(registry, config):
    registry.plan_attendance({"committee_unit_id": "bx", "unit_id": "np",
                              "meeting_on": "2026-02-23", "cadre_id": "binh"}, principal=ADMIN)
    registry.plan_attendance({"committee_unit_id": "bx", "unit_id": "nt",
                              "meeting_on": "2026-03-10", "working_group_id": "to-1"},
                             principal=ADMIN)
    for visit_id, unit_id, day, cadre_id in (("v1", "np", "2026-02-23", "binh"),
                                             ("v2", "np", "2026-03-18", "dung")):
        publish(config, contracts.VISIT_LOGGED.new({
            "visit_id": visit_id, "unit_id": unit_id, "cadre_id": cadre_id,
            "meeting_date": dt.date.fromisoformat(day), "meeting_kind": "regular",
            "concern_ids": []}))
    compared = wait_for(lambda: (lambda c: c if c["attended_without_plan"] else None)(
        registry.committee_plan("bx", "2026-Q1", principal=ADMIN)["comparison"]),
        what="the visits learnt")
    assert (compared["planned"], compared["attended_as_planned"]) == (2, 1)
    assert [e["unit_id"] for e in compared["planned_not_attended"]] == ["nt"]
    assert [(e["cadre_id"], e["meeting_on"]) for e in compared["attended_without_plan"]] == [
        ("dung", "2026-03-18")]
    mine = registry.cadre_plan("binh", "2026-Q1", principal=BINH)
    assert [(m["unit_name"], m["meeting_on"]) for m in mine["meetings"]] == [
        ("Chi bộ thôn Nội Phật", "2026-02-23"), ("Chi bộ thôn Nam Tiến", "2026-03-10")]
    assert mine["comparison"]["per_cadre"]["binh"]["attended_as_planned"] == 1
    with pytest.raises(NotFound):    # another cadre's plan
        registry.cadre_plan("binh", "2026-Q1", principal=DUNG)


def test_the_cadres_calendar_feed_shows_the_plan_in_vietnam_time_until_revoked(registry):
    import icalendar  # the standard library the feed is written with parses it back

    registry.change_meeting_schedule("np", {"meeting_schedule": {
        "frequency": "monthly", "day_of_month": 18, "starts_at": "19:30"}}, principal=ADMIN)
    registry.plan_attendance({"committee_unit_id": "bx", "unit_id": "np",
                              "meeting_on": "2026-12-18", "cadre_id": "binh"}, principal=ADMIN)
    token = registry.issue_meeting_feed(principal=BINH)["token"]
    read = {"token": token, "client_address": "203.0.113.7"}
    calendar = icalendar.Calendar.from_ical(registry.meeting_feed(read)["calendar"])
    [meeting] = calendar.walk("VEVENT")
    starts = meeting.decoded("dtstart")
    assert str(meeting["summary"]) == "Chi bộ thôn Nội Phật"
    assert (starts.date(), starts.hour, starts.minute) == (dt.date(2026, 12, 18), 19, 30)
    assert starts.utcoffset() == dt.timedelta(hours=7)
    assert str(starts.tzinfo) == "Asia/Ho_Chi_Minh"
    # branch names and times only: nothing of who attends or what was raised
    assert "binh" not in registry.meeting_feed(read)["calendar"].lower()
    registry.revoke_meeting_feed(principal=BINH)
    with pytest.raises(NotFound):
        registry.meeting_feed(read)
    again = registry.issue_meeting_feed(principal=BINH)["token"]
    assert again != token
    with pytest.raises(NotFound):   # the old address stays dead
        registry.meeting_feed(read)
    assert registry.meeting_feed({**read, "token": again})["calendar"]
    with pytest.raises(Forbidden):  # an administrator has no feed of their own
        registry.issue_meeting_feed(principal=ADMIN)


def test_reads_of_feeds_from_one_address_are_limited(registry):
    token = registry.issue_meeting_feed(principal=BINH)["token"]
    for _ in range(30):
        registry.meeting_feed({"token": token, "client_address": "198.51.100.9"})
    with pytest.raises(TooManyRequests) as limited:
        registry.meeting_feed({"token": token, "client_address": "198.51.100.9"})
    assert limited.value.retry_after >= 1
    # another address is not held back by it
    assert registry.meeting_feed({"token": token, "client_address": "198.51.100.10"})


def test_a_cadre_reads_the_committees_they_plan_for_and_the_branches_whose_dates_they_keep(
        registry):
    district = [{"unit_id": "bx", "name": "Huyện ủy Bình Xuyên"}]
    branch = [{"unit_id": "np", "name": "Chi bộ thôn Nội Phật"}]
    assert registry.meeting_seats(principal=BINH) == {"plans_for": district, "secretary_of": []}
    assert registry.meeting_seats(principal=HOA) == {"plans_for": [], "secretary_of": branch}
    assert registry.meeting_seats(principal=DUNG) == {"plans_for": [], "secretary_of": []}
