"""A branch's meeting dates (services/assignments/meetings.py) under generated schedules, with the
calendar the system runs on (deploy/case_policy.yml): Tết 2026 is 16–20 February, Saturday 10
January and Saturday 22 August 2026 are worked. What must always hold: a regular meeting falls
on a working day of its own month, as near the named day as the rule says, and a rule that
yields no date is refused with the reason, never moved elsewhere."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.assignments.meetings import Period, check_schedule, meeting_dates
from services.assignments.settings import working_calendar
from shared.errors import RuleViolated
from tests.properties.profiles import examples

SETTINGS = settings(max_examples=examples(60), deadline=None)
CALENDAR = working_calendar()
TET_2026 = [dt.date(2026, 2, day) for day in range(16, 21)]

schedules = st.fixed_dictionaries({
    "frequency": st.sampled_from(("monthly", "quarterly")),
    "day_of_month": st.integers(1, 31),
    "on_day_off": st.sampled_from(("previous", "next")),
    "month_of_quarter": st.integers(1, 3)})
months = st.builds(lambda year, month: Period(year, month, 1), st.just(2026), st.integers(1, 12))


def regular(schedule, period):
    return [m for m in meeting_dates(schedule, period, CALENDAR) if m.kind == "regular"]


@SETTINGS
@given(schedules, months)
def test_a_regular_meeting_is_a_working_day_of_its_month_nearest_the_named_day(schedule, month):
    try:
        found = regular(schedule, month)
    except RuleViolated as refusal:
        # refused only when the day is missing from the month or no working day is left in it
        code = refusal.reasons[next(iter(refusal.reasons))][0]["code"]
        assert code in ("meeting_day_missing", "meeting_day_leaves_month")
        return
    for meeting in found:
        named = meeting.scheduled_for or meeting.day
        assert CALENDAR.is_working_day(meeting.day) and meeting.day.month == month.first_month
        assert named.day == schedule["day_of_month"]
        between = [named + dt.timedelta(days=n) for n in range(
            *sorted((0, (meeting.day - named).days)))]
        # every day skipped on the way is a day off (the nearest working day in that direction)
        assert not any(CALENDAR.is_working_day(day) for day in between if day != meeting.day)
        if meeting.scheduled_for:
            assert (meeting.day < named) == (schedule["on_day_off"] == "previous")


@SETTINGS
@given(st.sampled_from(TET_2026), st.sampled_from(("previous", "next")))
def test_a_meeting_named_in_tet_moves_out_of_it(day, rule):
    schedule = {"frequency": "monthly", "day_of_month": day.day, "on_day_off": rule}
    [meeting] = regular(schedule, Period.parse("2026-02"))
    # Friday 13 February before Tết, Monday 23 February after it (21–22 are a weekend)
    assert meeting.day == (dt.date(2026, 2, 13) if rule == "previous" else dt.date(2026, 2, 23))
    assert meeting.scheduled_for == day


@pytest.mark.parametrize("period, day", [("2026-01", dt.date(2026, 1, 10)),
                                         ("2026-08", dt.date(2026, 8, 22))])
@pytest.mark.parametrize("rule", ["previous", "next"])
def test_a_compensating_saturday_is_a_meeting_day_as_named(period, day, rule):
    schedule = {"frequency": "monthly", "day_of_month": day.day, "on_day_off": rule}
    [meeting] = regular(schedule, Period.parse(period))
    assert meeting.day == day and meeting.scheduled_for is None


def test_a_rule_that_yields_no_date_is_refused_with_its_reason():
    with pytest.raises(RuleViolated) as missing:
        regular({"frequency": "monthly", "day_of_month": 30}, Period.parse("2026-02"))
    assert missing.value.reasons == {"day_of_month": [
        {"code": "meeting_day_missing", "month": "02/2026", "day": 30}]}
    # 1 January 2026 is a holiday and nothing before it is in January
    with pytest.raises(RuleViolated) as leaves:
        regular({"frequency": "monthly", "day_of_month": 1, "on_day_off": "previous"},
                Period.parse("2026-01"))
    assert leaves.value.reasons["on_day_off"][0]["code"] == "meeting_day_leaves_month"
    with pytest.raises(RuleViolated):
        check_schedule({"frequency": "monthly", "day_of_month": 31}, dt.date(2026, 3, 5),
                       CALENDAR)


def test_a_quarter_holds_its_quarterly_meeting_and_the_thematic_ones():
    schedule = {"frequency": "quarterly", "day_of_month": 18, "month_of_quarter": 2,
                "thematic": [{"on": "2026-03-03", "topic": "Nghị quyết Đại hội"},
                             {"on": "2026-04-02", "topic": "ngoài quý"}]}
    found = meeting_dates(schedule, Period.parse("2026-Q1"), CALENDAR)
    assert [(m.day, m.kind, m.topic) for m in found] == [
        (dt.date(2026, 2, 23), "regular", None),   # the 18th is Tết: the next working day
        (dt.date(2026, 3, 3), "thematic", "Nghị quyết Đại hội")]
    assert meeting_dates(schedule, Period.parse("2026-01"), CALENDAR) == []


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "0000-01", "26-01", "", None])
def test_a_period_that_is_no_month_or_quarter_is_refused(text):
    with pytest.raises(RuleViolated) as refused:
        Period.parse(text)
    assert refused.value.reasons == {"period": [{"code": "period_invalid"}]}
