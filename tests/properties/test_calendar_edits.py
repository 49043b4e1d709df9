"""Editing the working calendar under open cases (services/escalations/case_tiers.py
``moved_deadlines``), over generated calendars, cases and edits: a recomputed deadline never
falls before its case arrived, never on a day off or outside office hours, and adding a day
off never brings a deadline earlier."""
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from services.escalations import case_tiers
from shared.clock import VIETNAM, vietnam_date
from shared.working_calendar import DAY_OFF, CalendarRefused
from tests.properties.profiles import examples
from tests.properties.test_working_calendar import AUTHORITY, calendars, entry, in_office_hours

SETTINGS = settings(max_examples=examples(50), deadline=None)
received = st.datetimes(dt.datetime(2025, 1, 2), dt.datetime(2028, 10, 1),
                        timezones=st.just(VIETNAM))


@st.composite
def open_cases(draw, calendar):
    """An open case of the authority as routing left it: acceptance a number of office hours
    after it arrived (or, stored before tiers, a day), the answer working days after."""
    received_at = draw(received)
    holder = calendar.for_authority(AUTHORITY)
    arrived = vietnam_date(received_at)
    answer_by = holder.add_working_days(arrived, draw(st.integers(1, 30)))
    if draw(st.booleans()):
        acknowledge_by = holder.add_working_hours(received_at, draw(st.floats(0.5, 40)))
    else:
        acknowledge_by = holder.add_working_days(arrived, draw(st.integers(1, 3)))
    return {"_id": "k1", "status": draw(st.sampled_from(("routed", "acknowledged",
                                                          "in_progress", "reopened"))),
            "authority_id": AUTHORITY, "received_at": received_at,
            "acknowledge_by": acknowledge_by.isoformat(), "answer_by": answer_by.isoformat()}


def deadlines(case):
    acknowledge = case["acknowledge_by"]
    return (dt.datetime.fromisoformat(acknowledge) if "T" in acknowledge
            else dt.date.fromisoformat(acknowledge), dt.date.fromisoformat(case["answer_by"]))


@SETTINGS
@given(st.data())
def test_an_edit_never_puts_a_deadline_before_arrival_nor_off_working_time(data):
    before = data.draw(calendars()).for_authority(AUTHORITY)
    after = data.draw(calendars()).for_authority(AUTHORITY)   # any edit at all
    case = data.draw(open_cases(before))
    try:
        moved = {**case, **case_tiers.moved_deadlines(case, before, after)}
    except CalendarRefused:
        return  # refused by name: nothing changes
    acknowledge_by, answer_by = deadlines(moved)
    arrived = vietnam_date(case["received_at"])
    assert answer_by > arrived and after.is_working_day(answer_by)
    if isinstance(acknowledge_by, dt.datetime):
        assert acknowledge_by > case["received_at"] and in_office_hours(after, acknowledge_by)
    else:
        assert acknowledge_by > arrived and after.is_working_day(acknowledge_by)


@SETTINGS
@given(st.data())
def test_adding_a_day_off_never_brings_an_open_case_s_deadline_earlier(data):
    before = data.draw(calendars()).for_authority(AUTHORITY)
    case = data.draw(open_cases(before))
    arrived = vietnam_date(case["received_at"])
    day = data.draw(st.dates(arrived, arrived + dt.timedelta(days=60)))
    scope = data.draw(st.sampled_from((None, AUTHORITY)))
    kept = [e for e in before.entries if (e.day, e.authority_id) != (day, scope)]
    if before.entry_on(day) is not None and before.entry_on(day).authority_id != scope:
        return  # the other scope's entry decides the day: not an added day off here
    after = type(before)(entries=(*kept, entry(day, DAY_OFF, scope)),
                         authority_hours=before.authority_hours).for_authority(AUTHORITY)
    try:
        moved = {**case, **case_tiers.moved_deadlines(case, before, after)}
    except CalendarRefused:
        return
    old_acknowledge, old_answer = deadlines(case)
    new_acknowledge, new_answer = deadlines(moved)
    assert new_answer >= old_answer
    assert new_acknowledge >= old_acknowledge
