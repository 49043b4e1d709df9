"""Severity tiers wired into a case's life (services/escalations/case_tiers.py, policy.py):
routing picks the tier and counts acceptance in the authority's office hours, the holder changes
the tier with a reason, an edited calendar moves the open cases' deadlines, and a case stored
before tiers keeps working as a normal one."""
import datetime as dt
from types import SimpleNamespace

import pytest

from services.escalations import case_clock, case_tiers, cases, statistics
from services.escalations.policy import CasePolicy
from shared import contracts
from shared.authorisation import Principal
from shared.errors import Conflict, Forbidden, RuleViolated
from shared.working_calendar import DAY_OFF, CalendarEntry, OfficeHours, WorkingCalendar
from tests.unit.test_case_life import OFFICER_PRINCIPAL, POLICY, VN, act, case_in
from tests.unit.test_case_policy import GOOD

TIERED = CasePolicy.from_dict({**GOOD, "reminder_before_hours": 24, "tiers": [
    {"tier": "urgent", "accept_within_hours": 4, "answer_within_days": 3},
    {"tier": "normal", "accept_within_hours": 8, "answer_within_days": 10},
    {"tier": "complex", "accept_within_hours": 16, "answer_within_days": 30},
    {"tier": "normal", "level": "province", "accept_within_hours": 16,
     "answer_within_days": 15}]}).bound(
    WorkingCalendar(authority_hours={"tiep-dan": OfficeHours(saturday_morning=True)}),
    {"ubnd-tinh": "province", "ubnd-xa-tam-hop": "grassroots"}.get)
# Friday 9 October 2026, 15:00 in Vietnam
FRIDAY = dt.datetime(2026, 10, 9, 15, 0, tzinfo=VN)
RULE = SimpleNamespace(rule_id="infra-tam-hop", authority_id="ubnd-xa-tam-hop")


def routed(urgency="normal", policy=TIERED, at=FRIDAY, rule=RULE):
    concern = {"concern_id": "c1", "unit_id": "np", "unit_path": ["th", "np"],
               "topic": "infrastructure", "summary": "Mương vỡ", "raised_by": "resident",
               "raised_on": at.date(), "urgency": urgency}
    return cases.new_case(concern, "e1", rule, None, policy, at)


def test_routing_picks_the_tier_and_counts_acceptance_in_office_hours():
    case, event = routed("urgent")
    # 2 h on Friday afternoon, 2 h on Monday morning; the answer 3 working days on
    assert case["tier"] == "urgent"
    assert case["acknowledge_by"] == dt.datetime(2026, 10, 12, 9, 30, tzinfo=VN).isoformat()
    assert case["answer_by"] == "2026-10-14"
    assert case["due_at"] == dt.datetime(2026, 10, 12, 9, 30, tzinfo=VN)
    # warned at half the office time allowed (Friday 17:00), not reminded 24 hours before a
    # 4-hour target (that is before it arrived), nor half way in clock time (a Sunday)
    assert case["next_deadline_kind"] == "acknowledge_warning"
    assert case["next_deadline_at"] == dt.datetime(2026, 10, 9, 17, 0, tzinfo=VN)
    payload = event["payload"]
    assert payload["tier"] == "urgent"
    assert payload["acknowledge_by"] == "2026-10-12"
    assert dt.datetime.fromisoformat(payload["acknowledge_before"]) == case["due_at"]


def test_the_authority_s_level_picks_its_row_and_its_office_hours_count():
    province = SimpleNamespace(rule_id="r", authority_id="ubnd-tinh")
    case, _ = routed(rule=province)
    assert (case["tier"], case["answer_by"]) == ("normal", "2026-10-30")
    assert case["acknowledge_by"] == dt.datetime(2026, 10, 13, 15, 0, tzinfo=VN).isoformat()
    saturday = SimpleNamespace(rule_id="r", authority_id="tiep-dan")
    case, _ = routed(rule=saturday)  # receives on Saturday mornings: 4 h of its 8 there
    assert case["acknowledge_by"] == dt.datetime(2026, 10, 12, 9, 30, tzinfo=VN).isoformat()


def test_without_a_tier_table_a_case_is_counted_in_days_as_before():
    case, event = routed(policy=POLICY)
    assert case["tier"] is None and case["acknowledge_by"] == "2026-10-14"
    assert case_tiers.tier_shown(case) == "normal"
    assert event["payload"]["acknowledge_before"] is None


def test_an_old_case_is_shown_as_normal_and_its_day_deadline_still_runs():
    old = case_in("routed")          # no tier, acknowledge_by a day
    assert cases.shown(old, FRIDAY, {})["tier"] == "normal"
    assert case_clock.schedule(old, TIERED)["due_at"] == dt.datetime(2026, 12, 1, tzinfo=VN)


def test_an_escalated_tiered_case_gets_fresh_hours_at_the_new_holder():
    case, _ = routed("urgent")
    case = {**case, "status": "routed", "version": 1}
    outcome = act(case, "escalate", at=dt.datetime(2026, 10, 12, 10, 0, tzinfo=VN),
                  parent_authority_id="ubnd-tinh")
    # act() uses the untiered POLICY: the case's own tier still counts in hours
    assert outcome.changes["tier"] == "urgent"
    assert "T" in outcome.changes["acknowledge_by"]


def test_the_holder_changes_the_tier_with_a_reason_and_deadlines_follow_from_arrival():
    case, _ = routed()
    case = {**case, "version": 1, "status": "acknowledged"}
    later = FRIDAY + dt.timedelta(days=3)
    outcome = case_tiers.change_tier(case, OFFICER_PRINCIPAL, "complex",
                                     " cần khảo sát thực địa ", later, TIERED)
    assert outcome.state == "acknowledged"
    assert outcome.changes["tier"] == "complex"
    assert outcome.changes["answer_by"] == "2026-11-20"    # 30 working days from 9 October
    assert outcome.changes["acknowledge_by"] == dt.datetime(
        2026, 10, 13, 15, 0, tzinfo=VN).isoformat()
    assert outcome.entry["action"] == "change_tier"
    assert outcome.entry["because"] == {"code": "tier_changed", "from_tier": "normal",
                                        "to_tier": "complex", "comment": "cần khảo sát thực địa"}
    event_type, payload = outcome.event
    assert event_type is contracts.CASE_TIER_CHANGED
    assert (payload["from_tier"], payload["tier"]) == ("normal", "complex")
    contracts.CASE_TIER_CHANGED.new(payload)   # the payload fits its contract


def test_a_tier_change_is_refused_by_name_and_changes_nothing():
    case, _ = routed()
    case = {**case, "version": 1}
    with pytest.raises(Conflict) as same:
        case_tiers.change_tier(case, OFFICER_PRINCIPAL, "normal", "lý do", FRIDAY, TIERED)
    assert same.value.reasons["tier"][0]["code"] == "tier_unchanged"
    with pytest.raises(Forbidden):
        case_tiers.change_tier(case, Principal("o9", "authority_officer", authority_id="x"),
                               "urgent", "lý do", FRIDAY, TIERED)
    with pytest.raises(Conflict):
        case_tiers.change_tier({**case, "status": "closed_resolved"}, OFFICER_PRINCIPAL,
                               "urgent", "lý do", FRIDAY, TIERED)
    with pytest.raises(RuleViolated) as no_reason:
        case_tiers.change_tier(case, OFFICER_PRINCIPAL, "urgent", "  ", FRIDAY, TIERED)
    assert no_reason.value.reasons["tier"][0]["code"] == "tier_reason_missing"


def day_off(day, authority_id=None):
    return CalendarEntry(day, DAY_OFF, "Quyết định nghỉ bù", "admin", FRIDAY, authority_id)


def test_a_new_day_off_moves_an_open_case_one_working_day_later():
    case, _ = routed()          # accepted by Mon 12 Oct 15:00, answered by Fri 23 Oct
    case = {**case, "status": "routed"}
    before = WorkingCalendar()
    after = before.with_entry(day_off(dt.date(2026, 10, 12)))
    moved = case_tiers.moved_deadlines(case, before, after)
    assert moved == {"acknowledge_by": dt.datetime(2026, 10, 13, 15, 0, tzinfo=VN).isoformat(),
                     "answer_by": "2026-10-26"}
    # a day after both deadlines, or a case answered already: nothing moves
    assert case_tiers.moved_deadlines(
        case, before, before.with_entry(day_off(dt.date(2026, 10, 28)))) == {}
    assert case_tiers.moved_deadlines({**case, "status": "answered"}, before, after) == {}


def test_a_case_held_before_tiers_moves_by_its_days():
    old = case_in("in_progress", received_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=VN))
    after = WorkingCalendar().with_entry(day_off(dt.date(2026, 12, 1)))
    # acknowledge by Mon 30 Nov stays (before the day off), the answer moves a day on
    assert case_tiers.moved_deadlines(old, WorkingCalendar(), after) == {
        "answer_by": "2026-12-17"}


def test_a_recomputed_case_gets_its_schedule_and_a_timeline_line():
    case, _ = routed()
    case = {**case, "status": "routed"}
    moved = {"acknowledge_by": dt.datetime(2026, 10, 14, 15, 0, tzinfo=VN).isoformat(),
             "answer_by": "2026-10-26"}
    because = {"code": "calendar_changed", "reason": "Quyết định nghỉ bù", "day": "2026-10-12"}
    admin = Principal("admin-1", "administrator")
    changes, entry = case_tiers.recomputed(case, moved, because, FRIDAY, admin, TIERED)
    assert changes["due_at"] == dt.datetime(2026, 10, 14, 15, 0, tzinfo=VN)
    assert entry["action"] == "recompute_deadlines" and entry["user_id"] == "admin-1"
    assert entry["because"]["reason"] == "Quyết định nghỉ bù"
    assert entry["because"]["answer_by"] == "2026-10-26"


def test_acceptance_by_a_moment_is_on_time_until_that_moment():
    case, _ = routed()
    summary = {**case, "status": "acknowledged",
               "acknowledged_at": case["due_at"] - dt.timedelta(minutes=1)}
    late = {**summary, "acknowledged_at": case["due_at"] + dt.timedelta(minutes=1)}
    [row] = statistics.case_statistics([summary, late])
    assert row["acknowledged_on_time"] == 1

