"""Working-day deadlines in Vietnam: weekends, public holidays, Tết and decreed days off."""
import datetime as dt

import pytest

from services.escalations.sla import (
    ACKNOWLEDGE_WITHIN_WORKING_DAYS,
    WorkingCalendar,
    acknowledge_by,
    local_date,
)

UTC = dt.timezone.utc


def calendar(**overrides):
    return WorkingCalendar(**overrides)


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
def test_local_date_is_the_date_in_vietnam(moment, expected):
    assert local_date(moment) == expected


def test_acknowledge_by_counts_working_days_from_the_vietnam_date():
    # 18:30 UTC Wed 25 Nov is Thu 26 Nov in Vietnam: Fri 27, Mon 30, Tue 1 Dec
    # (counting from the UTC date would give Mon 30 Nov)
    assert ACKNOWLEDGE_WITHIN_WORKING_DAYS == 3
    assert acknowledge_by(utc(2026, 11, 25, 18, 30), calendar()) == dt.date(2026, 12, 1)


def test_acknowledge_by_uses_the_calendar_it_is_given():
    cal = calendar(extra_days_off=[dt.date(2026, 11, 30)])
    assert acknowledge_by(utc(2026, 11, 25, 18, 30), cal) == dt.date(2026, 12, 2)
