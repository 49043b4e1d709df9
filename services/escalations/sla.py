"""Deadlines in Vietnamese working days: weekends, public holidays and Tết do not count.

Public holidays come from the ``holidays`` package's Vietnam calendar (lunar Tết included, and
the compensating working Saturdays it knows of). The government announces more each year; a
small table adds them: ``extra_days_off`` and ``extra_working_days`` (a Saturday worked to
make up for a bridge day off). Example::

    calendar = WorkingCalendar()
    calendar.add_working_days(dt.date(2027, 2, 3), 3)   # -> 2027-02-15, after Tết

A deadline is a date: the case must be acted on by the end of that day in Vietnam. How many
working days an authority has depends on the concern's topic and urgency (:class:`DeadlineRule`,
configured as data in ``deploy/case_policy.yml``); the most specific rule wins.
"""
import datetime as dt
from dataclasses import dataclass

import holidays

from shared.clock import vietnam_date, vietnam_midnight

ANY = "*"

ACKNOWLEDGE_WITHIN_WORKING_DAYS = 3


class WorkingCalendar:
    def __init__(self, extra_days_off=(), extra_working_days=()):
        self._public_holidays = holidays.country_holidays("VN")
        self._extra_days_off = frozenset(extra_days_off)
        self._extra_working_days = frozenset(extra_working_days)
        both = self._extra_days_off & self._extra_working_days
        if both:
            raise ValueError(f"days both off and worked: {sorted(map(str, both))}")

    def is_working_day(self, day):
        if day in self._extra_working_days:
            return True
        if day in self._extra_days_off or day in self._public_holidays:
            return False  # (the membership test also loads that year into the library)
        if day.weekday() >= 5:
            return day in self._public_holidays.weekend_workdays
        return True

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

    def working_days_left(self, today, due_on):
        """How many working days remain to act, today included (0 once ``due_on`` is past):
        what people say beside a deadline ("còn 3 ngày làm việc")."""
        return self.working_days_between(today - dt.timedelta(days=1), due_on)

    def working_days_between(self, start, end):
        """How many working days fall after ``start`` and on or before ``end``."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def acknowledge_by(routed_at, calendar):
    return calendar.add_working_days(vietnam_date(routed_at), ACKNOWLEDGE_WITHIN_WORKING_DAYS)


def deadline_at(due_on):
    """The moment a deadline date has passed: midnight after it, Vietnam time."""
    return vietnam_midnight(due_on + dt.timedelta(days=1))


def reminder_at(due_on, before):
    """When to remind the holder of a deadline: ``before`` (a timedelta) ahead of it."""
    return deadline_at(due_on) - before


@dataclass(frozen=True)
class DeadlineRule:
    topic: str          # a concern topic, or "*"
    urgency: str        # "normal", "urgent" or "*"
    acknowledge: int    # working days to acknowledge
    answer: int         # working days to answer, counted from the same day


def deadline_rule(rules, topic, urgency):
    """The most specific rule for a topic and urgency: its topic first, then its urgency."""
    applicable = [rule for rule in rules
                  if rule.topic in (topic, ANY) and rule.urgency in (urgency, ANY)]
    if not applicable:
        raise LookupError(f"no deadline rule for topic {topic!r}, urgency {urgency!r}")
    return max(applicable, key=lambda rule: (rule.topic == topic, rule.urgency == urgency))


def deadlines(rules, calendar, topic, urgency, received_at):
    """``(acknowledge_by, answer_by)`` dates for a case an authority received at that moment."""
    rule = deadline_rule(rules, topic, urgency)
    day = vietnam_date(received_at)
    return (calendar.add_working_days(day, rule.acknowledge),
            calendar.add_working_days(day, rule.answer))


def extend_for_pause(answer_by, paused_at, resumed_at, calendar):
    """The answer deadline moved on by the working days a case spent waiting for information."""
    waited = calendar.working_days_between(vietnam_date(paused_at), vietnam_date(resumed_at))
    return calendar.add_working_days(answer_by, waited)
