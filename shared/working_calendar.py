"""The working calendar as data: which days and hours count when a deadline is measured in
working days or working hours, nationally and for one authority.

One calendar serves every service (case deadlines now, meeting dates later), so it lives here
and holds no store: its owner feeds it :class:`CalendarEntry` rows, each saying who entered it
and when, and :class:`OfficeHours` per authority. A day is worked when it has office hours:

- the week's pattern (Monday to Friday by default; an authority may add Saturday mornings);
- public holidays from the ``holidays`` package (Tết by the lunar calendar, the swaps it knows);
- national entries (the government's yearly swaps and compensating days it does not know yet);
- the authority's own entries (a local day off, a Saturday worked), which win over national ones.

Example::

    calendar = WorkingCalendar(entries=[CalendarEntry(dt.date(2026, 1, 2), DAY_OFF, ...)])
    hanoi = calendar.for_authority("ubnd-ha-noi")
    hanoi.add_working_hours(received_at, 8)     # acceptance within 8 working hours
    hanoi.add_working_days(received_day, 3)     # answer within 3 working days
"""
import datetime as dt
from dataclasses import dataclass, field, replace

import holidays

from shared.clock import VIETNAM

DAY_OFF = "day_off"                 # no office hours at all that day
WORKING_DAY = "working_day"         # the usual sessions, even on a weekend or holiday
MORNING_ONLY = "morning_only"       # only the morning session (a Saturday morning reception)
ENTRY_KINDS = (DAY_OFF, WORKING_DAY, MORNING_ONLY)

# A day with no office hours for this long means a broken table, not a long holiday.
LONGEST_BREAK_DAYS = 60


class CalendarRefused(ValueError):
    """An entry or set of hours that cannot be part of a calendar; ``code`` names why."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CalendarEntry:
    day: dt.date
    kind: str
    reason: str                     # e.g. the notice: "Công văn 12729/VPCP-KGVX ngày 25/12/2025"
    entered_by: str
    entered_at: dt.datetime
    authority_id: str = None        # None: national

    def __post_init__(self):
        if self.kind not in ENTRY_KINDS:
            raise CalendarRefused("calendar_kind_unknown",
                                  f"unknown kind {self.kind!r}; one of {', '.join(ENTRY_KINDS)}")
        if not self.reason.strip():
            raise CalendarRefused("calendar_reason_missing", f"{self.day}: a reason is needed")


@dataclass(frozen=True)
class OfficeHours:
    """Sessions of a working day as (start, end) times, Vietnam time; ``saturday_morning``: the
    morning session is also worked every Saturday (many reception offices do)."""
    sessions: tuple = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 0), dt.time(17, 0)))
    saturday_morning: bool = False

    def __post_init__(self):
        if not self.sessions:
            raise CalendarRefused("office_hours_empty", "a working day needs a session")
        previous_end = dt.time(0)
        for start, end in self.sessions:
            if not previous_end <= start < end:
                raise CalendarRefused("office_hours_disordered",
                                      f"sessions must be in order and not overlap: {start}–{end}")
            previous_end = end

    def hours_per_day(self):
        return sum(_hours(start, end) for start, end in self.sessions)


def _hours(start, end):
    return (dt.datetime.combine(dt.date.min, end)
            - dt.datetime.combine(dt.date.min, start)).total_seconds() / 3600


@dataclass(frozen=True)
class WorkingCalendar:
    entries: tuple = ()
    hours: OfficeHours = OfficeHours()
    authority_hours: dict = field(default_factory=dict, compare=False)
    authority_id: str = None
    _holidays: object = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "entries", tuple(self.entries))
        if self._holidays is None:
            object.__setattr__(self, "_holidays", holidays.country_holidays("VN"))
        seen = {}
        for entry in self.entries:
            key = (entry.day, entry.authority_id)
            if key in seen and seen[key].kind != entry.kind:
                raise CalendarRefused(
                    "calendar_entries_conflict",
                    f"{entry.day} is both {seen[key].kind} and {entry.kind}"
                    + (f" for {entry.authority_id}" if entry.authority_id else ""))
            seen[key] = entry
        object.__setattr__(self, "_by_day", seen)

    def for_authority(self, authority_id):
        """The calendar one authority works to: the national one with its own entries and hours."""
        return replace(self, authority_id=authority_id)

    def with_entry(self, entry):
        """This calendar with one more entry (refused if it contradicts one already there)."""
        return replace(self, entries=(*self.entries, entry))

    def office_hours(self):
        return self.authority_hours.get(self.authority_id, self.hours)

    def entry_on(self, day):
        """The entry deciding ``day``: the authority's own, else the national one, else None."""
        if self.authority_id is not None:
            own = self._by_day.get((day, self.authority_id))
            if own is not None:
                return own
        return self._by_day.get((day, None))

    def sessions_on(self, day):
        """The office sessions of ``day`` as (start, end) times; () on a day off."""
        hours = self.office_hours()
        entry = self.entry_on(day)
        if entry is not None:
            return {DAY_OFF: (), WORKING_DAY: hours.sessions,
                    MORNING_ONLY: hours.sessions[:1]}[entry.kind]
        if day in self._holidays:
            return ()       # (the membership test also loads that year into the library)
        if day.weekday() < 5 or day in self._holidays.weekend_workdays:
            return hours.sessions
        if day.weekday() == 5 and hours.saturday_morning:
            return hours.sessions[:1]
        return ()

    def is_working_day(self, day):
        return bool(self.sessions_on(day))

    def next_working_day(self, day):
        """The first working day after ``day``."""
        for _ in range(LONGEST_BREAK_DAYS):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise CalendarRefused("calendar_without_working_days",
                              f"no working day in the {LONGEST_BREAK_DAYS} days after {day}")

    def check_break_around(self, day):
        """Refused (``calendar_without_working_days``) when ``day`` falls in a run of
        ``LONGEST_BREAK_DAYS`` days or more without office hours: a table that leaves no
        working day to count a deadline to."""
        start = day
        for _ in range(LONGEST_BREAK_DAYS):
            if self.is_working_day(start - dt.timedelta(days=1)):
                break
            start -= dt.timedelta(days=1)
        self.next_working_day(start - dt.timedelta(days=1))

    def add_working_days(self, start, days):
        """The date ``days`` working days after ``start`` (``start`` itself never counts)."""
        if days < 0:
            raise ValueError("days must not be negative")
        for _ in range(days):
            start = self.next_working_day(start)
        return start

    def working_days_between(self, start, end):
        """How many working days fall after ``start`` and on or before ``end``."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def working_days_left(self, today, due_on):
        """Working days that remain to act, today included (0 once ``due_on`` is past)."""
        return self.working_days_between(today - dt.timedelta(days=1), due_on)

    def add_working_hours(self, moment, hours):
        """The moment ``hours`` of office time after ``moment`` (aware): the clock runs only
        inside sessions, so a case received on Friday evening starts counting on Monday."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        left = dt.timedelta(hours=hours)
        local = moment.astimezone(VIETNAM)
        day = local.date()
        for _ in range(LONGEST_BREAK_DAYS + int(hours) + 1):
            for start, end in self.sessions_on(day):
                begin = max(local, dt.datetime.combine(day, start, VIETNAM))
                finish = dt.datetime.combine(day, end, VIETNAM)
                if begin >= finish:
                    continue
                if begin + left <= finish:
                    return begin + left
                left -= finish - begin
            day += dt.timedelta(days=1)
        raise CalendarRefused("calendar_without_working_days",
                              f"{hours} working hours after {moment} never end")

    def working_hours_between(self, start, end):
        """Office hours elapsed from ``start`` to ``end`` (aware moments), as a float."""
        if end <= start:
            return 0.0
        total = dt.timedelta(0)
        local_start, local_end = start.astimezone(VIETNAM), end.astimezone(VIETNAM)
        day = local_start.date()
        while day <= local_end.date():
            for session_start, session_end in self.sessions_on(day):
                begin = max(local_start, dt.datetime.combine(day, session_start, VIETNAM))
                finish = min(local_end, dt.datetime.combine(day, session_end, VIETNAM))
                if finish > begin:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return total.total_seconds() / 3600


def calendar_from_days(days_by_kind, source, entered_at):
    """A national calendar from a policy table's days, each kind (``DAY_OFF``,
    ``WORKING_DAY``...) naming its days as dates or ISO text; ``source`` is the file named as
    every entry's reason and author."""
    return WorkingCalendar(entries=tuple(
        CalendarEntry(day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)),
                      kind, source, source, entered_at)
        for kind, days in days_by_kind.items() for day in days))
