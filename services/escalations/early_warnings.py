"""Warnings before a breach, measured in office time: the holder (or the assignee) at half the
time allowed, the authority's head at three quarters (as ServiceNow warns at 50 % and 75 %),
and a daily digest of what falls due within two working days. Example::

    for warning in warnings_due(received_at, deadline_moment, calendar):
        warning.at, warning.to      # when, and "holder" or "head"
    falls_due_soon(calendar, today, answer_by)   # in the digest and the at-risk view
"""
import datetime as dt
from dataclasses import dataclass

from shared.clock import VIETNAM

HOLDER, HEAD = "holder", "head"
# (share of the time allowed, who is warned)
WARNINGS = ((0.5, HOLDER), (0.75, HEAD))
DIGEST_WITHIN_WORKING_DAYS = 2


@dataclass(frozen=True)
class EarlyWarning:
    at: dt.datetime
    to: str
    share: float


def end_of_office_day(calendar, day):
    """The moment office hours end on ``day`` (a working day): when a date deadline passes in
    office time."""
    sessions = calendar.sessions_on(day)
    if not sessions:
        raise ValueError(f"{day} is not a working day")
    return dt.datetime.combine(day, sessions[-1][1], VIETNAM)


def warnings_due(started_at, due_at, calendar, table=WARNINGS):
    """When each warning falls: the given share of the office time between start and deadline."""
    allowed = calendar.working_hours_between(started_at, due_at)
    if allowed <= 0:
        return ()
    return tuple(EarlyWarning(calendar.add_working_hours(started_at, allowed * share), to, share)
                 for share, to in table)


def falls_due_soon(calendar, today, due_on, within=DIGEST_WITHIN_WORKING_DAYS):
    """Due today or within ``within`` working days after today (and not yet past)."""
    return today <= due_on and calendar.working_days_between(today, due_on) <= within
