"""A duty roster inside an authority: receiving officers by rotation, one per working day, with
leave overrides; a case nobody accepts within the acceptance target climbs to the deputy, then
the head, inside the authority, before it escalates one level up (as PagerDuty climbs a chain
inside the team before paging anyone else). Example::

    roster = Roster(("an", "binh", "chi"), deputy_id="dung", head_id="giang",
                    starts_on=dt.date(2026, 12, 7), leave=(Leave("binh", d1, d2),))
    on_duty(roster, calendar, day)          # "an", "binh"/"chi" ...
    next_step(roster, calendar, day, 0)     # ("deputy", "dung"), then ("head", ...), then up
"""
import datetime as dt
from dataclasses import dataclass

RECEIVING, DEPUTY, HEAD, ONE_LEVEL_UP = "receiving", "deputy", "head", "one_level_up"
CHAIN = (RECEIVING, DEPUTY, HEAD, ONE_LEVEL_UP)


class RosterRefused(ValueError):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Leave:
    officer_id: str
    first_day: dt.date
    last_day: dt.date

    def __post_init__(self):
        if self.last_day < self.first_day:
            raise RosterRefused("leave_ends_before_it_starts",
                                f"{self.officer_id}: leave ends before it starts")

    def covers(self, officer_id, day):
        return officer_id == self.officer_id and self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class Roster:
    rotation: tuple             # receiving officers, in turn
    deputy_id: str
    head_id: str
    starts_on: dt.date          # the first working day of the rotation
    leave: tuple = ()

    def __post_init__(self):
        if not self.rotation:
            raise RosterRefused("roster_nobody_on_duty", "the rotation names nobody")
        if len(set(self.rotation)) != len(self.rotation):
            raise RosterRefused("roster_officer_repeated", "an officer appears twice in turn")
        if not self.deputy_id or not self.head_id or self.deputy_id == self.head_id:
            raise RosterRefused("roster_chain_incomplete",
                                "a deputy and a head, two different people, are needed")

    def on_leave(self, officer_id, day):
        return any(leave.covers(officer_id, day) for leave in self.leave)


def on_duty(roster, calendar, day):
    """The receiving officer of ``day``: the turn that day falls on, or, if that officer is on
    leave, the next in turn who is not. Refused when everyone in turn is away."""
    if day < roster.starts_on:
        raise RosterRefused("roster_not_started", f"the rotation starts on {roster.starts_on}")
    turn = calendar.working_days_between(roster.starts_on, day) - (
        0 if calendar.is_working_day(roster.starts_on) else 1)
    size = len(roster.rotation)
    for step in range(size):
        officer_id = roster.rotation[(max(turn, 0) + step) % size]
        if not roster.on_leave(officer_id, day):
            return officer_id
    raise RosterRefused("roster_nobody_on_duty", f"everyone in turn is on leave on {day}")


def next_step(roster, calendar, day, step):
    """Who holds a case at ``step`` of the chain (0: the receiving officer): ``(rung, officer)``;
    a rung whose person is on leave is passed over; past the head, one level up (no officer)."""
    for index in range(step, len(CHAIN)):
        rung = CHAIN[index]
        if rung == RECEIVING:
            try:
                return index, rung, on_duty(roster, calendar, day)
            except RosterRefused:
                continue
        if rung == ONE_LEVEL_UP:
            return index, rung, None
        officer_id = roster.deputy_id if rung == DEPUTY else roster.head_id
        if not roster.on_leave(officer_id, day):
            return index, rung, officer_id
    return len(CHAIN) - 1, ONE_LEVEL_UP, None


def check_covered(roster, calendar, first_day, last_day):
    """Refuses a roster (or a leave change) that leaves a working day with nobody receiving."""
    day = first_day
    while day <= last_day:
        if calendar.is_working_day(day):
            on_duty(roster, calendar, day)
        day += dt.timedelta(days=1)
