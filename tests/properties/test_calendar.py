"""The working-day calendar (services.escalations.sla) and the deadlines it gives, as configured
in deploy/case_policy.yml and under generated tables of extra days off and worked Saturdays.

Days off are judged here independently of ``WorkingCalendar.is_working_day``: a weekend, a
day the law gives off every year (1 January, 30 April, 1 May, 2 September), the first three
days of Tết (dates written out below), or a day of the extra table; a compensating Saturday of
the table is a working day."""
import datetime as dt

import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services.escalations import sla
from services.escalations.policy import DEFAULT_POLICY_FILE, load_policy_file
from shared.clock import VIETNAM, vietnam_date
from shared.contracts import CONCERN_TOPICS, URGENCIES
from tests.properties.profiles import examples

POLICY = load_policy_file()
CALENDAR = POLICY.calendar
# the policy's own table, read straight from the file
_TABLE = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))["calendar"]
# (its entries, each with the notice it rests on, or the older lists of days)
POLICY_OFF = {dt.date.fromisoformat(day) for day in _TABLE.get("extra_days_off", [])} | {
    dt.date.fromisoformat(row["day"]) for row in _TABLE.get("entries", [])
    if row["kind"] == "day_off"}
POLICY_WORKED = {dt.date.fromisoformat(day) for day in _TABLE.get("extra_working_days", [])} | {
    dt.date.fromisoformat(row["day"]) for row in _TABLE.get("entries", [])
    if row["kind"] == "working_day"}
assert POLICY_OFF and POLICY_WORKED  # the 2026 table is read
# mùng 1 Tết, from the Vietnamese lunar calendar
TET = {2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12), 2022: dt.date(2022, 2, 1),
       2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29),
       2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6), 2028: dt.date(2028, 1, 26),
       2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3)}
FIXED_DAYS_OFF = ((1, 1), (4, 30), (5, 1), (9, 2))
# Saturdays worked nationally to make up for a bridge day, written out: 2026-08-22 for Monday
# 31 August (the holidays package knows it)
WORKED_SATURDAYS = {dt.date(2026, 8, 22)}
FIRST, LAST = dt.date(2020, 1, 1), dt.date(2030, 10, 31)

days = st.dates(FIRST, LAST)
counts = st.integers(0, 30)
moments = st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 10, 1),
                       timezones=st.sampled_from([dt.timezone.utc, VIETNAM]))
SETTINGS = settings(max_examples=examples(50))


@st.composite
def calendars(draw):
    """The policy's calendar, or one with a generated table: some weekdays off by decree, and
    some weekend days worked to make up for them."""
    if draw(st.booleans()):
        return CALENDAR, POLICY_OFF, POLICY_WORKED
    off = draw(st.sets(days.filter(lambda d: d.weekday() < 5), max_size=15))
    worked = draw(st.sets(days.filter(lambda d: d.weekday() >= 5), max_size=8))
    return sla.calendar_from_table(off, worked), off, worked


def is_day_off(day, extra_off, extra_worked):
    if day in extra_worked or (day in WORKED_SATURDAYS and day not in extra_off):
        return False
    tet = TET.get(day.year)
    return (day.weekday() >= 5 or (day.month, day.day) in FIXED_DAYS_OFF or day in extra_off
            or (tet is not None and 0 <= (day - tet).days <= 2))


@SETTINGS
@given(calendars(), days, st.integers(1, 30))
def test_a_deadline_never_lands_on_a_day_off(calendar_table, start, count):
    calendar, off, worked = calendar_table
    due = calendar.add_working_days(start, count)
    assert not is_day_off(due, off, worked)


@SETTINGS
@given(calendars(), days, counts)
def test_exactly_n_working_days_pass_and_a_compensating_saturday_counts(calendar_table, start,
                                                                        count):
    calendar, off, worked = calendar_table
    due = calendar.add_working_days(start, count)
    between = [start + dt.timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(calendar.is_working_day(day) for day in between) == count
    assert calendar.working_days_between(start, due) == count
    for day in between:
        if day in worked:
            assert calendar.is_working_day(day)


@SETTINGS
@given(calendars(), days, days, counts, counts)
def test_a_later_start_or_more_days_never_gives_an_earlier_deadline(calendar_table, first,
                                                                    second, fewer, more):
    calendar = calendar_table[0]
    early, late = sorted((first, second))
    few, many = sorted((fewer, more))
    add = calendar.add_working_days
    assert add(early, few) <= add(late, few)
    assert add(early, few) <= add(early, many)
    if few < many:
        assert add(early, few) < add(early, many)


@SETTINGS
@given(calendars(), days, counts, counts)
def test_adding_n_then_m_is_adding_n_plus_m(calendar_table, start, n, m):
    add = calendar_table[0].add_working_days
    assert add(add(start, n), m) == add(start, n + m)


@SETTINGS
@given(moments, moments, st.sampled_from(CONCERN_TOPICS), st.sampled_from(URGENCIES))
def test_a_case_received_later_never_gets_earlier_deadlines(first, second, topic, urgency):
    early, late = sorted((first, second))
    ack_early, answer_early = POLICY.deadlines_for(topic, urgency, early)
    ack_late, answer_late = POLICY.deadlines_for(topic, urgency, late)
    assert ack_early <= ack_late and answer_early <= answer_late
    # with tiers, acceptance is a moment in office hours (after arrival), the answer a day
    assert ack_late > late and vietnam_date(ack_late) <= answer_late
    assert CALENDAR.is_working_day(vietnam_date(ack_late))
    assert CALENDAR.is_working_day(answer_late) and answer_late > vietnam_date(late)


@SETTINGS
@given(days, moments, st.integers(0, 60 * 24 * 3600), st.integers(0, 10 * 24 * 3600))
def test_a_pause_for_information_never_shortens_the_answer_deadline(answer_by, paused_at,
                                                                     waited, later):
    assume(CALENDAR.is_working_day(answer_by))
    resumed_at = paused_at + dt.timedelta(seconds=waited)
    extended = sla.extend_for_pause(answer_by, paused_at, resumed_at, CALENDAR)
    assert extended >= answer_by and CALENDAR.is_working_day(extended)
    # exactly the working days spent waiting are given back
    given_back = CALENDAR.working_days_between(answer_by, extended)
    assert given_back == CALENDAR.working_days_between(vietnam_date(paused_at),
                                                       vietnam_date(resumed_at))
    # waiting longer never gives less time
    longer = sla.extend_for_pause(answer_by, paused_at,
                                  resumed_at + dt.timedelta(seconds=later), CALENDAR)
    assert longer >= extended


@SETTINGS
@given(days, st.floats(0, 24 * 30))
def test_a_deadline_passes_at_the_next_midnight_in_vietnam_and_the_reminder_comes_first(
        due_on, hours_before):
    passes = sla.deadline_at(due_on)
    assert vietnam_date(passes) == due_on + dt.timedelta(days=1)
    assert vietnam_date(passes - dt.timedelta(microseconds=1)) == due_on
    assert sla.reminder_at(due_on, dt.timedelta(hours=hours_before)) <= passes


def test_the_tet_table_here_agrees_with_the_calendar_in_use():
    # the oracle is only as good as its dates: each first day of Tết is off in the calendar
    for tet in TET.values():
        assert not any(CALENDAR.is_working_day(tet + dt.timedelta(days=i)) for i in range(3))
