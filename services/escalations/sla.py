"""Deadlines in Vietnamese working days: weekends, public holidays and Tết do not count.

Public holidays come from the ``holidays`` package's Vietnam calendar (lunar Tết included);
days the government adds by decree can be passed as ``extra_days_off``. Example::

    calendar = WorkingCalendar()
    calendar.add_working_days(dt.date(2027, 2, 3), 3)   # -> 2027-02-15, after Tết
"""
import datetime as dt

import holidays

VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7))

ACKNOWLEDGE_WITHIN_WORKING_DAYS = 3


class WorkingCalendar:
    def __init__(self, extra_days_off=()):
        self._public_holidays = holidays.country_holidays("VN")
        self._extra_days_off = frozenset(extra_days_off)

    def is_working_day(self, day):
        return (day.weekday() < 5 and day not in self._public_holidays
                and day not in self._extra_days_off)

    def add_working_days(self, start, days):
        """The date ``days`` working days after ``start`` (``start`` itself never counts)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        while days:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day


def local_date(moment):
    """The calendar date in Vietnam of an aware datetime."""
    return moment.astimezone(VIETNAM_TIME).date()


def acknowledge_by(routed_at, calendar):
    return calendar.add_working_days(local_date(routed_at), ACKNOWLEDGE_WITHIN_WORKING_DAYS)
