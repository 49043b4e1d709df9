"""Working-day deadlines in Vietnam: weekends, public holidays, Tết and decreed days off."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.escalations.sla import (
    ACKNOWLEDGE_WITHIN_WORKING_DAYS,
    DeadlineRule,
    acknowledge_by,
    calendar_from_table,
    deadline_at,
    deadline_rule,
    deadlines,
    extend_for_pause,
    reminder_at,
)
from shared.clock import vietnam_date

UTC = dt.timezone.utc


def calendar(**overrides):
    return calendar_from_table(**overrides)


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


# October 2026 has no Vietnamese public holiday: Mon 5 ... Fri 9, Sat 10, Sun 11, Mon 12.

def test_one_working_day_after_a_weekday_is_the_next_weekday():
    assert calendar().add_working_days(dt.date(2026, 10, 7), 1) == dt.date(2026, 10, 8)


def test_weekend_is_skipped():
    assert calendar().add_working_days(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 12)
    assert calendar().add_working_days(dt.date(2026, 10, 8), 3) == dt.date(2026, 10, 13)


def test_start_day_never_counts_even_on_a_weekend():
    assert calendar().add_working_days(dt.date(2026, 10, 10), 1) == dt.date(2026, 10, 12)
    assert calendar().add_working_days(dt.date(2026, 10, 11), 1) == dt.date(2026, 10, 12)


def test_zero_working_days_is_the_start_day():
    assert calendar().add_working_days(dt.date(2026, 10, 10), 0) == dt.date(2026, 10, 10)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        calendar().add_working_days(dt.date(2026, 10, 7), -1)


def test_tet_holidays_are_skipped():
    # Tết 2027: 4-10 February are public holidays; without them the answer would be 8 Feb
    assert calendar().add_working_days(dt.date(2027, 2, 3), 3) == dt.date(2027, 2, 15)


def test_fixed_public_holidays_are_skipped():
    # National Day 2026: Mon 31 Aug (substituted), Tue 1 and Wed 2 Sep are days off
    assert calendar().add_working_days(dt.date(2026, 8, 28), 1) == dt.date(2026, 9, 3)


def test_extra_days_off_by_decree_are_skipped():
    cal = calendar(extra_days_off=[dt.date(2026, 10, 6), dt.date(2026, 10, 7)])
    assert cal.add_working_days(dt.date(2026, 10, 5), 1) == dt.date(2026, 10, 8)


def test_extra_days_off_do_not_leak_into_another_calendar():
    calendar(extra_days_off=[dt.date(2026, 10, 6)])
    assert calendar().add_working_days(dt.date(2026, 10, 5), 1) == dt.date(2026, 10, 6)


def test_is_working_day_distinguishes_weekday_weekend_holiday_and_day_off():
    cal = calendar(extra_days_off={dt.date(2026, 10, 6)})
    assert cal.is_working_day(dt.date(2026, 10, 5))
    assert not cal.is_working_day(dt.date(2026, 10, 6))   # decreed day off
    assert not cal.is_working_day(dt.date(2026, 10, 10))  # Saturday
    assert not cal.is_working_day(dt.date(2026, 9, 2))    # National Day (Wednesday)


@pytest.mark.parametrize("moment, expected", [
    (utc(2026, 11, 25, 18, 30), dt.date(2026, 11, 26)),
    (utc(2026, 11, 25, 16, 59), dt.date(2026, 11, 25)),
    (utc(2026, 11, 25, 17, 0), dt.date(2026, 11, 26)),
    (dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
     dt.date(2026, 11, 26)),  # 04:00 UTC on the 26th -> 11:00 in Vietnam
])
def test_vietnam_date_is_the_date_in_vietnam(moment, expected):
    assert vietnam_date(moment) == expected


def test_acknowledge_by_counts_working_days_from_the_vietnam_date():
    # 18:30 UTC Wed 25 Nov is Thu 26 Nov in Vietnam: Fri 27, Mon 30, Tue 1 Dec
    # (counting from the UTC date would give Mon 30 Nov)
    assert ACKNOWLEDGE_WITHIN_WORKING_DAYS == 3
    assert acknowledge_by(utc(2026, 11, 25, 18, 30), calendar()) == dt.date(2026, 12, 1)


def test_acknowledge_by_uses_the_calendar_it_is_given():
    cal = calendar(extra_days_off=[dt.date(2026, 11, 30)])
    assert acknowledge_by(utc(2026, 11, 25, 18, 30), cal) == dt.date(2026, 12, 2)


# --- case life: compensating Saturdays, the deadline table, pauses, reminders ----------------

def test_a_compensating_working_saturday_the_library_knows_counts():
    # Sat 22 Aug 2026 is worked to make up for Mon 31 Aug (the holidays library knows it)
    assert calendar().is_working_day(dt.date(2026, 8, 22))
    assert calendar().add_working_days(dt.date(2026, 8, 21), 1) == dt.date(2026, 8, 22)


def test_a_compensating_saturday_from_the_table_counts_and_its_day_off_does_not():
    # Tết Dương lịch 2026: Fri 2 Jan off, made up on Sat 10 Jan (not in the library)
    cal = calendar(extra_days_off=[dt.date(2026, 1, 2)],
                   extra_working_days=[dt.date(2026, 1, 10)])
    assert calendar().add_working_days(dt.date(2025, 12, 31), 1) == dt.date(2026, 1, 2)
    assert cal.add_working_days(dt.date(2025, 12, 31), 1) == dt.date(2026, 1, 5)
    # Mon 5 ... Fri 9, then the worked Saturday
    assert cal.add_working_days(dt.date(2026, 1, 4), 6) == dt.date(2026, 1, 10)
    assert calendar().add_working_days(dt.date(2026, 1, 4), 6) == dt.date(2026, 1, 12)


def test_a_day_both_off_and_worked_is_refused():
    with pytest.raises(ValueError):
        calendar(extra_days_off=[dt.date(2026, 1, 2)], extra_working_days=[dt.date(2026, 1, 2)])


def test_a_tet_week_counts_no_working_day():
    # Tết 2026: Mon 16 to Fri 20 February are public holidays
    cal = calendar()
    assert not any(cal.is_working_day(dt.date(2026, 2, day)) for day in range(14, 23))
    assert cal.working_days_between(dt.date(2026, 2, 13), dt.date(2026, 2, 22)) == 0
    assert cal.add_working_days(dt.date(2026, 2, 12), 2) == dt.date(2026, 2, 23)


def test_working_days_between_counts_after_start_up_to_end():
    cal = calendar()
    assert cal.working_days_between(dt.date(2026, 10, 7), dt.date(2026, 10, 7)) == 0
    assert cal.working_days_between(dt.date(2026, 10, 9), dt.date(2026, 10, 12)) == 1
    assert cal.working_days_between(dt.date(2026, 10, 5), dt.date(2026, 10, 16)) == 9


RULES = (DeadlineRule("*", "*", 3, 15), DeadlineRule("*", "urgent", 1, 5),
         DeadlineRule("land", "*", 3, 30), DeadlineRule("public_order", "urgent", 1, 2))


@pytest.mark.parametrize("topic, urgency, expected", [
    ("infrastructure", "normal", (3, 15)), ("infrastructure", "urgent", (1, 5)),
    ("land", "normal", (3, 30)), ("land", "urgent", (3, 30)),  # the topic is more specific
    ("public_order", "urgent", (1, 2)), ("public_order", "normal", (3, 15)),
])
def test_the_most_specific_deadline_rule_wins(topic, urgency, expected):
    for rules in (RULES, tuple(reversed(RULES))):
        rule = deadline_rule(rules, topic, urgency)
        assert (rule.acknowledge, rule.answer) == expected


def test_deadlines_count_from_the_vietnam_date_it_arrived():
    # 18:30 UTC Wed 25 Nov is Thu 26 Nov in Vietnam; 30 working days skip New Year's Day
    assert deadlines(RULES, calendar(), "land", "normal", utc(2026, 11, 25, 18, 30)) == \
        (dt.date(2026, 12, 1), dt.date(2027, 1, 8))


def test_a_deadline_passes_at_midnight_after_it_in_vietnam_and_the_reminder_comes_before():
    vn = dt.timezone(dt.timedelta(hours=7))
    assert deadline_at(dt.date(2026, 12, 1)) == dt.datetime(2026, 12, 2, 0, 0, tzinfo=vn)
    assert reminder_at(dt.date(2026, 12, 1), dt.timedelta(hours=24)) == \
        utc(2026, 11, 30, 17, 0)


def test_a_pause_for_information_extends_the_answer_by_the_working_days_waited():
    # waited from Fri 9 Oct to Tue 13 Oct 2026: Mon 12, Tue 13 = 2 working days
    assert extend_for_pause(dt.date(2026, 10, 20), utc(2026, 10, 9, 3), utc(2026, 10, 13, 3),
                            calendar()) == dt.date(2026, 10, 22)
    # over Tết 2027 (4-10 Feb) nothing is counted while the country is off
    assert extend_for_pause(dt.date(2027, 2, 26), utc(2027, 2, 3, 3), utc(2027, 2, 11, 3),
                            calendar()) == dt.date(2027, 3, 1)


# --- properties ------------------------------------------------------------------------------

SHARED_CALENDAR = calendar_from_table(extra_days_off=[dt.date(2026, 1, 2)],
                                      extra_working_days=[dt.date(2026, 1, 10)])
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(days, st.integers(min_value=1, max_value=60))
def test_adding_working_days_never_lands_on_a_day_off(start, count):
    assert SHARED_CALENDAR.is_working_day(SHARED_CALENDAR.add_working_days(start, count))


@settings(max_examples=300, deadline=None)
@given(days, days, st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40))
def test_the_calendar_is_monotonic(first, second, fewer, more):
    early, late = sorted((first, second))
    few, many = sorted((fewer, more))
    add = SHARED_CALENDAR.add_working_days
    assert add(early, few) <= add(late, few)
    assert add(early, few) <= add(early, many)
    assert SHARED_CALENDAR.working_days_between(early, add(early, many)) == many
