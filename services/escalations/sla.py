"""Deadlines in Vietnamese working days: weekends, public holidays and Tết do not count.

The calendar is ``shared.working_calendar`` (public holidays from the ``holidays`` package,
Tết by the lunar calendar, plus entries for what the government announces each year); the policy
file's ``extra_days_off`` and ``extra_working_days`` become its entries. Example::

    calendar = calendar_from_table()
    calendar.add_working_days(dt.date(2027, 2, 3), 3)   # -> 2027-02-15, after Tết

A deadline is a date: the case must be acted on by the end of that day in Vietnam. How many
working days an authority has depends on the concern's topic and urgency (:class:`DeadlineRule`,
configured as data in ``deploy/case_policy.yml``); the most specific rule wins.
"""
import datetime as dt
from dataclasses import dataclass

from shared.clock import vietnam_date, vietnam_midnight
from shared.working_calendar import DAY_OFF, WORKING_DAY, CalendarEntry, WorkingCalendar

ANY = "*"

ACKNOWLEDGE_WITHIN_WORKING_DAYS = 3


def calendar_from_table(extra_days_off=(), extra_working_days=(), source="deploy/case_policy.yml",
                        entered_at=None, entries=()):
    """The national working calendar with the policy file's entries (``{day, kind, reason}``,
    the notice each rests on) and extra days as entries: one calendar
    (shared.working_calendar) for every deadline, each entry saying where it came from."""
    entered_at = entered_at or dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    entries = [CalendarEntry(row["day"], row["kind"], row["reason"], source, entered_at)
               for row in entries]
    entries += [CalendarEntry(day, DAY_OFF, source, source, entered_at)
                for day in extra_days_off]
    entries += [CalendarEntry(day, WORKING_DAY, source, source, entered_at)
                for day in extra_working_days]
    return WorkingCalendar(entries=tuple(entries))


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
