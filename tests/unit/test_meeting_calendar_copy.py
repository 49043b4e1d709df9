"""Branch meetings' copy of the working calendar (issue 28): the policy file's seed with the
national days administrators entered since, as escalations tells them
(``working_calendar_changed``); an authority's own day is not kept; the latest telling of a
day wins whatever order the events arrive in; a removed entry gives the day back to the law's
calendar."""
import datetime as dt

import pytest

from services.assignments import calendar_copy, meetings
from services.assignments.settings import working_calendar
from services.assignments.store import meetings as meeting_store
from services.escalations.calendars import changed
from shared.contracts import WORKING_CALENDAR_CHANGED, parse_event
from tests.stores import open_store

SEED = working_calendar()
DECEMBER = meetings.Period.parse("2026-12")
ON_THE_18TH = {"frequency": "monthly", "day_of_month": 18}
UTC = dt.timezone.utc


def told(day, kind, authority_id=None, minute=0):
    return calendar_copy.day_told({"day": dt.date.fromisoformat(day), "kind": kind,
                                   "authority_id": authority_id},
                                  dt.datetime(2026, 12, 1, 9, minute, tzinfo=UTC))


def days(calendar, schedule=ON_THE_18TH, period=DECEMBER):
    return [m.day.isoformat() for m in meetings.meeting_dates(schedule, period, calendar)]


def test_a_national_day_off_entered_moves_the_meeting_and_its_removal_gives_it_back():
    assert days(SEED) == ["2026-12-18"]
    off = calendar_copy.calendar_with(SEED, [told("2026-12-18", "day_off")])
    assert days(off) == ["2026-12-21"]   # Friday off: Monday
    assert days(off, {**ON_THE_18TH, "on_day_off": "previous"}) == ["2026-12-17"]
    assert days(calendar_copy.calendar_with(SEED, [told("2026-12-18", None)])) == ["2026-12-18"]


def test_a_seeded_worked_saturday_removed_is_a_weekend_again():
    january = meetings.Period.parse("2026-01")
    on_the_10th = {"frequency": "monthly", "day_of_month": 10}
    assert days(SEED, on_the_10th, january) == ["2026-01-10"]   # the seed's worked Saturday
    removed = calendar_copy.calendar_with(SEED, [told("2026-01-10", None)])
    assert days(removed, on_the_10th, january) == ["2026-01-12"]


def test_an_authoritys_own_day_is_not_the_branches():
    assert told("2026-12-18", "day_off", authority_id="ubnd-th") is None


def test_escalations_tells_each_edit_in_the_events_contract():
    event = changed(dt.date(2026, 12, 18), None, None)
    parsed = parse_event(event)
    assert parsed.event_type is WORKING_CALENDAR_CHANGED
    assert parsed.payload == {"day": dt.date(2026, 12, 18), "kind": None, "authority_id": None}


@pytest.fixture
def db():
    client, database = open_store("mongomock:", "assignments")
    yield database
    client.close()


def test_the_latest_telling_of_a_day_wins_whatever_order_they_arrive_in(db):
    later, earlier = told("2026-12-18", None, minute=5), told("2026-12-18", "day_off", minute=1)
    meeting_store.record_calendar_day(db, later)
    meeting_store.record_calendar_day(db, earlier)   # late: changes nothing
    meeting_store.record_calendar_day(db, later)     # again: the same
    assert [(d["_id"], d["kind"]) for d in meeting_store.calendar_days(db)] == [
        ("2026-12-18", None)]
    meeting_store.record_calendar_day(db, told("2026-12-18", "day_off", minute=9))
    assert days(calendar_copy.calendar_with(SEED, meeting_store.calendar_days(db))) == [
        "2026-12-21"]
