"""Issue 25's rule tables under generated cases, all under the shared working calendar: tiers,
interim replies, early warnings and the duty roster."""
import datetime as dt

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services.escalations import duty_roster, early_warnings, interim_reply, tiers
from shared.clock import VIETNAM, vietnam_date
from shared.working_calendar import WorkingCalendar
from tests.properties.profiles import examples

SETTINGS = settings(max_examples=examples(50))
CALENDAR = WorkingCalendar()
days = st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 1))
moments = st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2028, 11, 1),
                       timezones=st.just(VIETNAM))
levels = st.sampled_from(("commune", "district", "province"))
topics = st.sampled_from(("land", "public_order", "environment", "other"))


@SETTINGS
@given(moments, levels, topics, st.sampled_from(tiers.TIERS))
def test_a_tier_s_deadlines_come_after_arrival_on_working_time(received_at, level, topic, tier):
    target = tiers.tier_for(tiers.DEFAULT_TIERS, level, topic, tier=tier)
    accept_by, answer_by = tiers.targets(target, CALENDAR, received_at)
    assert accept_by > received_at and answer_by > vietnam_date(received_at)
    assert CALENDAR.is_working_day(answer_by)
    assert CALENDAR.is_working_day(accept_by.astimezone(VIETNAM).date())


@SETTINGS
@given(moments, levels, topics)
def test_urgent_is_never_slower_than_normal(received_at, level, topic):
    def answer(tier):
        target = tiers.tier_for(tiers.DEFAULT_TIERS, level, topic, tier=tier)
        return tiers.targets(target, CALENDAR, received_at)
    assert answer(tiers.URGENT)[0] <= answer(tiers.NORMAL)[0]
    assert answer(tiers.URGENT)[1] <= answer(tiers.NORMAL)[1]


@SETTINGS
@given(days, days, st.integers(0, 40))
def test_a_committed_date_never_precedes_the_original_deadline(answer_by, today, later):
    assume(CALENDAR.is_working_day(answer_by))
    committed = answer_by + dt.timedelta(days=later)
    try:
        reply = interim_reply.interim_reply(answer_by, False, today, committed,
                                            "đã khảo sát hiện trường, chờ kinh phí", CALENDAR)
    except interim_reply.InterimRefused as refused:
        assert refused.code in {"interim_after_deadline", "interim_date_not_working_day",
                                "interim_date_too_far"}
        return
    assert reply.answer_by >= reply.original_answer_by == answer_by
    assert today <= answer_by


@SETTINGS
@given(moments, st.integers(1, 30))
def test_the_holder_is_warned_before_the_head_and_both_before_the_breach(received_at, days_):
    answer_by = CALENDAR.add_working_days(vietnam_date(received_at), days_)
    due_at = early_warnings.end_of_office_day(CALENDAR, answer_by)
    holder, head = early_warnings.warnings_due(received_at, due_at, CALENDAR)
    assert received_at < holder.at <= head.at < due_at
    assert (holder.to, head.to) == ("holder", "head")


@st.composite
def rosters(draw):
    names = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=5, unique=True))
    start = draw(days)
    leave = tuple(duty_roster.Leave(name, first, first + dt.timedelta(days=draw(st.integers(0, 9))))
                  for name in names if draw(st.booleans())
                  for first in [draw(st.dates(start, start + dt.timedelta(days=60)))])
    return duty_roster.Roster(tuple(names), "pho", "truong", start, leave)


@SETTINGS
@given(rosters(), st.integers(0, 90))
def test_nobody_on_leave_is_ever_on_duty(roster, offset):
    day = roster.starts_on + dt.timedelta(days=offset)
    try:
        officer = duty_roster.on_duty(roster, CALENDAR, day)
    except duty_roster.RosterRefused as refused:
        assert refused.code == "roster_nobody_on_duty"
        assert all(roster.on_leave(name, day) for name in roster.rotation)
        return
    assert officer in roster.rotation and not roster.on_leave(officer, day)


@SETTINGS
@given(rosters(), st.integers(0, 90))
def test_the_chain_only_climbs_and_ends_one_level_up(roster, offset):
    day = roster.starts_on + dt.timedelta(days=offset)
    step, rungs = 0, []
    while True:
        index, rung, _ = duty_roster.next_step(roster, CALENDAR, day, step)
        assert index >= step
        rungs.append(rung)
        if rung == duty_roster.ONE_LEVEL_UP:
            break
        step = index + 1
    assert [duty_roster.CHAIN.index(r) for r in rungs] == sorted(
        duty_roster.CHAIN.index(r) for r in rungs)
