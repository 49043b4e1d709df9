"""A branch's meeting dates, from its ``meeting_schedule`` and the shared working calendar.

A schedule says how often the branch meets (monthly, or quarterly in one month of each quarter),
on which day of the month, what happens when that day is a day off (``on_day_off``: the previous
or the next working day, decided by ``shared.working_calendar``) and which thematic meetings
(chuyên đề) it adds on given days. A rule that yields no date in a period (a 31st in April, a
day moved out of its month) is refused with the reason, never silently moved elsewhere::

    dates = meeting_dates(schedule, Period.parse("2026-02"), calendar)
    # [Meeting(day=date(2026, 2, 13), kind="regular", ...)] for the 16th, Tết, "previous"
"""
import calendar as months
import datetime as dt
import re
from dataclasses import dataclass

from shared.clock import VIETNAM
from shared.errors import RuleViolated
from shared.reasons import reason

PREVIOUS, NEXT = "previous", "next"
ON_DAY_OFF = (PREVIOUS, NEXT)
REGULAR, THEMATIC = "regular", "thematic"
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")
# the years a period may name (a year 0000 is a typing error, not a plan)
FIRST_YEAR, LAST_YEAR = 1990, 2100
# a schedule is checked over this many months ahead when it is set
MONTHS_CHECKED = 12


@dataclass(frozen=True)
class Period:
    """A month (``2026-02``) or a quarter (``2026-Q1``) meetings are planned for."""
    year: int
    first_month: int
    months: int   # 1 or 3

    @classmethod
    def parse(cls, text):
        found = _PERIOD.match(text or "")
        if not found or not FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR:
            raise RuleViolated("not a month or a quarter", {"period": [reason(
                "period_invalid", "must be a month (2026-02) or a quarter (2026-Q1)")]})
        year, month, quarter = found.groups()
        if month:
            return cls(int(year), int(month), 1)
        return cls(int(year), 3 * int(quarter) - 2, 3)

    def __str__(self):
        if self.months == 1:
            return f"{self.year}-{self.first_month:02d}"
        return f"{self.year}-Q{(self.first_month + 2) // 3}"

    def month_starts(self):
        return [dt.date(self.year, self.first_month + i, 1) for i in range(self.months)]

    @property
    def first_day(self):
        return dt.date(self.year, self.first_month, 1)

    @property
    def last_day(self):
        last = self.first_month + self.months - 1
        return dt.date(self.year, last, months.monthrange(self.year, last)[1])


@dataclass(frozen=True)
class Meeting:
    day: dt.date
    kind: str                 # regular or thematic
    topic: str = None         # a thematic meeting's subject
    scheduled_for: dt.date = None   # the day the rule named, when moved off a day off


def _refused(field, code, message, **params):
    raise RuleViolated("the meeting rule yields no date", {field: [reason(code, message,
                                                                          **params)]})


def _meets_in(schedule, month_start):
    if schedule["frequency"] == "monthly":
        return True
    return (month_start.month - 1) % 3 + 1 == schedule.get("month_of_quarter", 1)


def regular_meeting(schedule, month_start, calendar):
    """The month's regular meeting, moved off a day off as the schedule says; refused when the
    day does not exist that month or moving it leaves the month."""
    wanted = schedule["day_of_month"]
    length = months.monthrange(month_start.year, month_start.month)[1]
    if wanted > length:
        _refused("day_of_month", "meeting_day_missing",
                 f"{month_start:%Y-%m} has no day {wanted}",
                 month=f"{month_start:%m/%Y}", day=wanted)
    named = month_start.replace(day=wanted)
    day, step = named, dt.timedelta(days=-1 if schedule.get("on_day_off", NEXT) == PREVIOUS
                                    else 1)
    while not calendar.is_working_day(day):
        day += step
        if day.month != named.month:
            _refused("on_day_off", "meeting_day_leaves_month",
                     f"{named} is a day off and no working day follows it in its month "
                     f"({schedule.get('on_day_off', NEXT)})",
                     month=f"{month_start:%m/%Y}", day=wanted)
    return Meeting(day, REGULAR, None, named if day != named else None)


def meeting_dates(schedule, period, calendar):
    """Every meeting of ``period`` in date order: the regular ones and the thematic ones."""
    if not schedule:
        _refused("meeting_schedule", "meeting_schedule_missing",
                 "the branch has no meeting schedule")
    found = [regular_meeting(schedule, start, calendar) for start in period.month_starts()
             if _meets_in(schedule, start)]
    for extra in schedule.get("thematic") or ():
        day = _day(extra["on"])
        if period.first_day <= day <= period.last_day:
            found.append(Meeting(day, THEMATIC, extra.get("topic")))
    return sorted(found, key=lambda meeting: (meeting.day, meeting.kind))


def check_schedule(schedule, today, calendar):
    """Refuse a schedule whose rule yields no date in one of the coming months, or a thematic
    meeting on a day off (it would have nobody to receive it)."""
    if not schedule:
        return
    start = today.replace(day=1)
    for _ in range(MONTHS_CHECKED):
        if _meets_in(schedule, start):
            regular_meeting(schedule, start, calendar)
        start = (start + dt.timedelta(days=32)).replace(day=1)
    for extra in schedule.get("thematic") or ():
        if not calendar.is_working_day(_day(extra["on"])):
            _refused("thematic", "meeting_on_day_off", f"{extra['on']} is a day off",
                     day=str(extra["on"]))


def _day(value):
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def reminder_due(meeting_on, now, remind_before):
    """Whether a meeting on ``meeting_on`` is to be reminded at ``now``: its day begins (00:00
    in Vietnam) within ``remind_before``. A meeting whose day has passed is not reminded."""
    starts = dt.datetime.combine(meeting_on, dt.time(0), VIETNAM)
    return starts - remind_before <= now < starts + dt.timedelta(days=1)
