"""The shared working calendar: office hours, entries with who and why, refusals by name, and
2026 as the government announced it."""
import datetime as dt

import pytest

from services.escalations.policy import load_policy_file
from shared.clock import VIETNAM
from shared.working_calendar import (
    DAY_OFF,
    MORNING_ONLY,
    WORKING_DAY,
    CalendarEntry,
    CalendarRefused,
    OfficeHours,
    WorkingCalendar,
)

AT = dt.datetime(2026, 1, 5, 8, 0, tzinfo=VIETNAM)


def entry(day, kind, authority_id=None, reason="thông báo"):
    return CalendarEntry(day, kind, reason, "admin-tinh", AT, authority_id)


def vn(*args):
    return dt.datetime(*args, tzinfo=VIETNAM)


def test_eight_working_hours_from_friday_afternoon_end_on_monday_afternoon():
    # Fri 9 Oct 2026 15:00: 2 h that day, 4 h Monday morning, 2 h Monday afternoon
    assert WorkingCalendar().add_working_hours(vn(2026, 10, 9, 15, 0), 8) == vn(2026, 10, 12, 15, 0)


def test_a_case_received_at_lunch_or_at_night_starts_counting_at_the_next_session():
    calendar = WorkingCalendar()
    assert calendar.add_working_hours(vn(2026, 10, 7, 12, 10), 1) == vn(2026, 10, 7, 14, 0)
    assert calendar.add_working_hours(vn(2026, 10, 7, 21, 0), 4) == vn(2026, 10, 8, 11, 30)
    assert calendar.add_working_hours(vn(2026, 10, 7, 5, 0).astimezone(dt.timezone.utc),
                                      0.5) == vn(2026, 10, 7, 8, 0)


def test_an_authority_receiving_on_saturday_mornings_counts_them():
    calendar = WorkingCalendar(authority_hours={"tiep-dan": OfficeHours(saturday_morning=True)})
    friday_evening = vn(2026, 10, 9, 18, 0)
    assert calendar.for_authority("tiep-dan").add_working_hours(friday_evening, 4) == vn(
        2026, 10, 10, 11, 30)
    assert calendar.add_working_hours(friday_evening, 4) == vn(2026, 10, 12, 11, 30)


def test_a_morning_only_entry_gives_half_a_day():
    calendar = WorkingCalendar(entries=(entry(dt.date(2026, 10, 8), MORNING_ONLY),))
    assert calendar.add_working_hours(vn(2026, 10, 8, 11, 0), 1) == vn(2026, 10, 9, 8, 0)
    assert calendar.working_hours_between(vn(2026, 10, 8, 0, 0), vn(2026, 10, 9, 0, 0)) == 4


def test_an_authority_s_own_worked_day_wins_over_a_national_day_off():
    day = dt.date(2026, 10, 8)
    calendar = WorkingCalendar(entries=(entry(day, DAY_OFF), entry(day, WORKING_DAY, "xa-a")))
    assert not calendar.is_working_day(day)
    assert calendar.for_authority("xa-a").is_working_day(day)


def test_2026_as_the_government_announced_it():
    calendar = load_policy_file().calendar
    worked = calendar.is_working_day
    # New Year: Thu 1 to Sun 4 January off, Fri 2 made up on Sat 10 January
    # (Công văn 12729/VPCP-KGVX ngày 25/12/2025)
    assert not any(worked(dt.date(2026, 1, day)) for day in (1, 2, 3, 4))
    assert worked(dt.date(2026, 1, 10)) and worked(dt.date(2026, 1, 5))
    # Tết Bính Ngọ: Sat 14 to Sun 22 February off, Mon 23 back at work
    assert not any(worked(dt.date(2026, 2, day)) for day in range(14, 23))
    assert worked(dt.date(2026, 2, 13)) and worked(dt.date(2026, 2, 23))


@pytest.mark.parametrize("make, code", [
    (lambda: WorkingCalendar(entries=(entry(dt.date(2026, 3, 2), DAY_OFF),
                                      entry(dt.date(2026, 3, 2), WORKING_DAY))),
     "calendar_entries_conflict"),
    (lambda: entry(dt.date(2026, 3, 2), "holiday"), "calendar_kind_unknown"),
    (lambda: entry(dt.date(2026, 3, 2), DAY_OFF, reason="  "), "calendar_reason_missing"),
    (lambda: OfficeHours(sessions=()), "office_hours_empty"),
    (lambda: OfficeHours(sessions=((dt.time(13), dt.time(17)), (dt.time(8), dt.time(12)))),
     "office_hours_disordered"),
    (lambda: WorkingCalendar(entries=tuple(
        entry(dt.date(2026, 3, 1) + dt.timedelta(days=i), DAY_OFF) for i in range(80)))
     .add_working_days(dt.date(2026, 3, 1), 1), "calendar_without_working_days"),
])
def test_a_broken_entry_or_table_is_refused_by_name(make, code):
    with pytest.raises(CalendarRefused) as refused:
        make()
    assert refused.value.code == code


def test_an_entry_that_contradicts_one_already_there_leaves_the_calendar_as_it_was():
    day = dt.date(2026, 3, 2)
    calendar = WorkingCalendar(entries=(entry(day, DAY_OFF),))
    with pytest.raises(CalendarRefused):
        calendar.with_entry(entry(day, WORKING_DAY))
    assert not calendar.is_working_day(day) and len(calendar.entries) == 1


def test_a_day_that_closes_a_break_of_sixty_days_is_refused_by_name():
    start = dt.date(2027, 6, 1)
    entries = tuple(entry(start + dt.timedelta(days=n), DAY_OFF) for n in range(59))
    calendar = WorkingCalendar(entries=entries)
    calendar.check_break_around(start + dt.timedelta(days=20))   # Fri 30 Jul 2027 still worked
    closed = calendar.with_entry(entry(dt.date(2027, 7, 30), DAY_OFF))
    with pytest.raises(CalendarRefused) as refused:
        closed.check_break_around(dt.date(2027, 7, 30))
    assert refused.value.code == "calendar_without_working_days"
