"""The working calendar as data (shared.working_calendar): office hours, national and
per-authority entries, under generated tables. What must always hold: a deadline never falls
on a day off or outside office hours, adding a day off never brings a deadline earlier, and an
authority's own entries change only that authority's calendar."""
import datetime as dt

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shared.clock import VIETNAM
from shared.working_calendar import (
    DAY_OFF,
    MORNING_ONLY,
    WORKING_DAY,
    CalendarEntry,
    OfficeHours,
    WorkingCalendar,
)
from tests.properties.profiles import examples

SETTINGS = settings(max_examples=examples(50))
FIRST, LAST = dt.date(2025, 1, 1), dt.date(2028, 12, 1)
AUTHORITY = "ubnd-xa-tam-dao"
ENTERED_AT = dt.datetime(2025, 12, 26, 9, 0, tzinfo=VIETNAM)

days = st.dates(FIRST, LAST)
moments = st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2028, 11, 1),
                       timezones=st.just(VIETNAM))
hours = st.floats(0, 80, allow_nan=False)


def entry(day, kind, authority_id=None):
    return CalendarEntry(day, kind, "thông báo nghỉ bù", "admin-tinh", ENTERED_AT, authority_id)


@st.composite
def calendars(draw):
    """A calendar with generated national and local entries, and maybe Saturday mornings."""
    entries = {}
    for authority_id in (None, AUTHORITY):
        for day in draw(st.sets(days, max_size=12)):
            entries[(day, authority_id)] = entry(
                day, draw(st.sampled_from((DAY_OFF, WORKING_DAY, MORNING_ONLY))), authority_id)
    local_hours = OfficeHours(saturday_morning=draw(st.booleans()))
    calendar = WorkingCalendar(entries=tuple(entries.values()),
                               authority_hours={AUTHORITY: local_hours})
    return calendar.for_authority(AUTHORITY) if draw(st.booleans()) else calendar


def in_office_hours(calendar, moment):
    local = moment.astimezone(VIETNAM)
    return any(start <= local.time() <= end for start, end in calendar.sessions_on(local.date()))


@SETTINGS
@given(calendars(), moments, st.floats(0.01, 80))
def test_a_deadline_in_working_hours_falls_inside_office_hours_on_a_working_day(
        calendar, received_at, within):
    due = calendar.add_working_hours(received_at, within)
    assert due > received_at
    assert calendar.is_working_day(due.astimezone(VIETNAM).date())
    assert in_office_hours(calendar, due)
    # and exactly that much office time has passed
    assert abs(calendar.working_hours_between(received_at, due) - within) < 1e-6


@SETTINGS
@given(calendars(), moments, hours, hours)
def test_more_hours_or_a_later_start_never_gives_an_earlier_deadline(calendar, received_at,
                                                                     fewer, more):
    few, many = sorted((fewer, more))
    assert calendar.add_working_hours(received_at, few) <= calendar.add_working_hours(
        received_at, many)
    later = received_at + dt.timedelta(hours=few)
    assert calendar.add_working_hours(received_at, 8) <= calendar.add_working_hours(later, 8)


@SETTINGS
@given(calendars(), days, moments, st.integers(1, 20), hours, st.data())
def test_adding_a_day_off_never_brings_a_deadline_earlier(calendar, start, received_at, count,
                                                          within, data):
    day_off = data.draw(st.dates(start, start + dt.timedelta(days=40)))
    assume(calendar.entry_on(day_off) is None)
    scope = calendar.authority_id if data.draw(st.booleans()) else None
    assume(calendar.entry_on(day_off) is None or scope is not None)
    try:
        closed = calendar.with_entry(entry(day_off, DAY_OFF, scope))
    except ValueError:
        return  # the same day already has another kind in that scope: refused, nothing changed
    due = calendar.add_working_days(start, count)
    assert closed.add_working_days(start, count) >= due
    assert closed.is_working_day(closed.add_working_days(start, count))
    assert closed.add_working_hours(received_at, within) >= calendar.add_working_hours(
        received_at, within)


@SETTINGS
@given(calendars(), days, st.integers(1, 30))
def test_a_deadline_in_working_days_never_lands_on_a_day_off(calendar, start, count):
    due = calendar.add_working_days(start, count)
    assert calendar.is_working_day(due) and due > start
    assert calendar.working_days_between(start, due) == count


@SETTINGS
@given(days)
def test_an_authority_s_own_day_off_changes_only_its_own_calendar(day):
    national = WorkingCalendar()
    assume(national.is_working_day(day))
    local = national.with_entry(entry(day, DAY_OFF, AUTHORITY))
    assert not local.for_authority(AUTHORITY).is_working_day(day)
    assert local.is_working_day(day)
    assert local.for_authority("ubnd-xa-khac").is_working_day(day)
