"""Issue 25's tables, by example: tiers and their change, interim replies, outcomes and their
tally, early warnings and the duty roster, each refusal by name."""
import datetime as dt

import pytest

from services.escalations import answer_outcomes, duty_roster, early_warnings, tiers
from services.escalations.interim_reply import InterimRefused, interim_reply
from shared.clock import VIETNAM
from shared.working_calendar import DAY_OFF, CalendarEntry, WorkingCalendar

CALENDAR = WorkingCalendar()


def vn(*args):
    return dt.datetime(*args, tzinfo=VIETNAM)


# --- tiers -----------------------------------------------------------------------------------

def test_an_urgent_concern_is_accepted_within_4_working_hours_and_answered_within_3_days():
    target = tiers.tier_for(tiers.DEFAULT_TIERS, "commune", "environment", urgency="urgent")
    accept_by, answer_by = tiers.targets(target, CALENDAR, vn(2026, 10, 9, 16, 0))  # Friday
    assert accept_by == vn(2026, 10, 12, 10, 30)     # 1 h Friday, 3 h Monday morning
    assert answer_by == dt.date(2026, 10, 14)


def test_the_most_specific_row_wins():
    rows = (*tiers.DEFAULT_TIERS, tiers.TierTarget(tiers.NORMAL, "commune", "land", 4, 20))
    assert tiers.tier_for(rows, "commune", "land").answer_within_days == 20
    assert tiers.tier_for(rows, "province", "land").answer_within_days == 30
    assert tiers.tier_for(rows, "province", "other").answer_within_days == 10


def test_changing_the_tier_recomputes_from_arrival_and_goes_on_the_timeline():
    change = tiers.change_tier(tiers.DEFAULT_TIERS, CALENDAR, "commune", "other", "normal",
                               "complex", "cần khảo sát thực địa", vn(2026, 10, 5, 9, 0), "u1")
    assert change.answer_by == dt.date(2026, 11, 16)    # 30 working days from Mon 5 October
    assert change.timeline["kind"] == "tier_changed" and change.timeline["reason"]


@pytest.mark.parametrize("make, code", [
    (lambda: tiers.TierTarget("critical", "*", "*", 4, 3), "tier_unknown"),
    (lambda: tiers.TierTarget("urgent", "*", "*", 0, 3), "tier_deadline_before_arrival"),
    (lambda: tiers.TierTarget("urgent", "*", "*", 4, 0), "tier_deadline_before_arrival"),
    (lambda: tiers.TierTarget("urgent", "*", "*", 40, 3), "tier_accept_after_answer"),
    (lambda: tiers.check_table(tiers.DEFAULT_TIERS[1:]), "tier_default_missing"),
    (lambda: tiers.check_table(tiers.DEFAULT_TIERS + tiers.DEFAULT_TIERS[:1]),
     "tier_row_repeated"),
    (lambda: tiers.change_tier(tiers.DEFAULT_TIERS, CALENDAR, "commune", "other", "normal",
                               "complex", "  ", vn(2026, 10, 5, 9), "u1"), "tier_reason_missing"),
    (lambda: tiers.change_tier(tiers.DEFAULT_TIERS, CALENDAR, "commune", "other", "normal",
                               "normal", "vì", vn(2026, 10, 5, 9), "u1"), "tier_unchanged"),
])
def test_a_bad_tier_is_refused_by_name(make, code):
    with pytest.raises(ValueError) as refused:
        make()
    assert refused.value.code == code


# --- interim reply ---------------------------------------------------------------------------

NOTE = "đã khảo sát hiện trường, chờ kinh phí sửa chữa"


def test_an_interim_reply_moves_the_answer_deadline_to_the_committed_date():
    reply = interim_reply(dt.date(2026, 10, 14), False, dt.date(2026, 10, 12),
                          dt.date(2026, 10, 28), NOTE, CALENDAR, by="u1")
    assert reply.answer_by == dt.date(2026, 10, 28)
    assert reply.timeline["original_answer_by"] == "2026-10-14"


@pytest.mark.parametrize("given, today, committed, note, code", [
    (True, dt.date(2026, 10, 12), dt.date(2026, 10, 28), NOTE, "interim_already_given"),
    (False, dt.date(2026, 10, 15), dt.date(2026, 10, 28), NOTE, "interim_after_deadline"),
    (False, dt.date(2026, 10, 12), dt.date(2026, 10, 13), NOTE, "interim_date_before_deadline"),
    (False, dt.date(2026, 10, 12), dt.date(2026, 10, 17), NOTE, "interim_date_not_working_day"),
    (False, dt.date(2026, 10, 12), dt.date(2027, 1, 28), NOTE, "interim_date_too_far"),
    (False, dt.date(2026, 10, 12), dt.date(2026, 10, 28), "sắp", "interim_note_length"),
])
def test_a_bad_interim_reply_is_refused_by_name(given, today, committed, note, code):
    with pytest.raises(InterimRefused) as refused:
        interim_reply(dt.date(2026, 10, 14), given, today, committed, note, CALENDAR)
    assert refused.value.code == code


# --- outcomes --------------------------------------------------------------------------------

def test_not_competent_and_the_complaint_procedure_must_name_the_body_and_the_law():
    assert answer_outcomes.check_outcome("not_competent", {"right_body": " Tòa án huyện "}) == {
        "right_body": "Tòa án huyện"}
    for outcome, code in (("not_competent", "outcome_needs_right_body"),
                          ("complaint_procedure", "outcome_needs_law"),
                          ("fixed", "outcome_unknown")):
        with pytest.raises(answer_outcomes.OutcomeRefused) as refused:
            answer_outcomes.check_outcome(outcome, {})
        assert refused.value.code == code


def test_refusals_never_inflate_the_on_time_rate():
    # hand-computed: 3 settled (2 on time), 3 refused or duplicate (all "on time")
    ended = [("solved", True), ("solved", False), ("explained", True),
             ("not_competent", True), ("complaint_procedure", True), ("duplicate", True)]
    tally = answer_outcomes.tally(ended)
    assert tally.per_outcome == {"solved": 2, "explained": 1, "not_competent": 1,
                                 "complaint_procedure": 1, "duplicate": 1}
    assert (tally.settled, tally.settled_on_time) == (3, 2)
    assert tally.on_time_rate == pytest.approx(2 / 3)
    assert answer_outcomes.tally([("duplicate", True)]).on_time_rate is None


# --- early warnings --------------------------------------------------------------------------

def test_the_holder_is_warned_at_half_and_the_head_at_three_quarters_of_office_time():
    # Mon 5 Oct 07:30 to Thu 8 Oct 17:00: 32 office hours; half is 16 h, three quarters 24 h
    holder, head = early_warnings.warnings_due(
        vn(2026, 10, 5, 7, 30), early_warnings.end_of_office_day(CALENDAR, dt.date(2026, 10, 8)),
        CALENDAR)
    assert holder.at == vn(2026, 10, 6, 17, 0) and holder.to == "holder"
    assert head.at == vn(2026, 10, 7, 17, 0) and head.to == "head"


def test_the_digest_takes_what_falls_due_within_two_working_days():
    friday = dt.date(2026, 10, 9)
    assert early_warnings.falls_due_soon(CALENDAR, friday, dt.date(2026, 10, 13))
    assert not early_warnings.falls_due_soon(CALENDAR, friday, dt.date(2026, 10, 14))
    assert not early_warnings.falls_due_soon(CALENDAR, friday, dt.date(2026, 10, 8))


# --- duty roster -----------------------------------------------------------------------------

ROSTER = duty_roster.Roster(("an", "binh", "chi"), "dung", "giang", dt.date(2026, 10, 5),
                            (duty_roster.Leave("binh", dt.date(2026, 10, 6),
                                               dt.date(2026, 10, 6)),))


def test_officers_take_turns_by_working_day_and_leave_passes_the_turn_on():
    turns = [duty_roster.on_duty(ROSTER, CALENDAR, dt.date(2026, 10, day))
             for day in (5, 6, 7, 8, 9, 12)]
    assert turns == ["an", "chi", "chi", "an", "binh", "chi"]


def test_a_case_nobody_accepts_climbs_to_the_deputy_then_the_head_then_one_level_up():
    day = dt.date(2026, 10, 5)
    chain = [duty_roster.next_step(ROSTER, CALENDAR, day, step)[1:] for step in range(4)]
    assert chain == [("receiving", "an"), ("deputy", "dung"), ("head", "giang"),
                     ("one_level_up", None)]


def test_a_roster_with_nobody_on_duty_is_refused():
    everyone_away = duty_roster.Roster(("an",), "dung", "giang", dt.date(2026, 10, 5),
                                       (duty_roster.Leave("an", dt.date(2026, 10, 7),
                                                          dt.date(2026, 10, 9)),))
    with pytest.raises(duty_roster.RosterRefused) as refused:
        duty_roster.check_covered(everyone_away, CALENDAR, dt.date(2026, 10, 5),
                                  dt.date(2026, 10, 16))
    assert refused.value.code == "roster_nobody_on_duty"
    for make, code in ((lambda: duty_roster.Roster((), "d", "g", dt.date(2026, 1, 5)),
                        "roster_nobody_on_duty"),
                       (lambda: duty_roster.Roster(("a",), "d", "d", dt.date(2026, 1, 5)),
                        "roster_chain_incomplete"),
                       (lambda: duty_roster.Leave("a", dt.date(2026, 1, 5), dt.date(2026, 1, 4)),
                        "leave_ends_before_it_starts")):
        with pytest.raises(duty_roster.RosterRefused) as refused:
            make()
        assert refused.value.code == code


def test_a_local_day_off_holds_the_rotation():
    calendar = WorkingCalendar(entries=(CalendarEntry(
        dt.date(2026, 10, 6), DAY_OFF, "ngày nghỉ địa phương", "admin", vn(2026, 10, 1, 8)),))
    assert duty_roster.on_duty(ROSTER, calendar, dt.date(2026, 10, 7)) == "binh"
