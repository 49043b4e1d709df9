"""Plan against what was logged (services/assignments/attendance.py) on a hand-computed month:
three branches, a committee of three members and a working group.

Planned: np on the 5th (Bình), tdp1 on the 10th (working group: Bình and Dũng), ls on the 15th
(An), np's thematic meeting on the 20th (Dũng). Logged: np on the 5th by Bình; tdp1 on the 10th
by Dũng alone; ls on the 15th by Chi, who is no member; np on the 20th by nobody; tdp1 on the
25th by An (no plan). By hand: 4 planned, 2 attended as planned (the 5th, the 10th), 2 planned
and not attended (the 15th, the 20th), 1 attended without a plan (An on the 25th; Chi is not
counted, not being a member). Per cadre: Bình planned 2 (the 5th, the 10th), came to 1; Dũng
planned 2 (the 10th, the 20th), came to 1; An planned 1, came to none, 1 without a plan."""
from services.assignments.attendance import compare, holds_seat, visit_seen

PLANS = [
    {"unit_id": "np", "meeting_on": "2026-03-05", "cadre_id": "binh",
     "attendee_cadre_ids": ["binh"]},
    {"unit_id": "tdp1", "meeting_on": "2026-03-10", "working_group_id": "to-1",
     "attendee_cadre_ids": ["binh", "dung"]},
    {"unit_id": "ls", "meeting_on": "2026-03-16", "cadre_id": "an", "attendee_cadre_ids": ["an"]},
    {"unit_id": "np", "meeting_on": "2026-03-20", "cadre_id": "dung",
     "attendee_cadre_ids": ["dung"]},
]


def visit(visit_id, unit_id, day, cadre_id, attended=()):
    return visit_seen({"visit_id": visit_id, "unit_id": unit_id, "meeting_date": day,
                       "cadre_id": cadre_id, "attended_cadre_ids": list(attended)})


VISITS = [
    visit("v1", "np", "2026-03-05", "binh"),
    visit("v2", "tdp1", "2026-03-10", "dung"),
    visit("v3", "ls", "2026-03-16", "chi"),
    visit("v4", "tdp1", "2026-03-25", "an"),
]


def test_plan_against_actual_counts_as_computed_by_hand():
    figures = compare(PLANS, VISITS, members={"an", "binh", "dung"})
    assert (figures["planned"], figures["attended_as_planned"]) == (4, 2)
    assert [(e["unit_id"], e["meeting_on"]) for e in figures["planned_not_attended"]] == [
        ("ls", "2026-03-16"), ("np", "2026-03-20")]
    assert figures["attended_without_plan"] == [
        {"unit_id": "tdp1", "meeting_on": "2026-03-25", "cadre_id": "an", "visit_id": "v4"}]
    assert figures["per_cadre"] == {
        "an": {"planned": 1, "attended_as_planned": 0, "planned_not_attended": 1,
               "attended_without_plan": 1},
        "binh": {"planned": 2, "attended_as_planned": 1, "planned_not_attended": 1,
                 "attended_without_plan": 0},
        "dung": {"planned": 2, "attended_as_planned": 1, "planned_not_attended": 1,
                 "attended_without_plan": 0}}


def test_a_working_group_visit_counts_for_the_members_who_came():
    seen = visit("v5", "np", "2026-03-20", "binh", attended=["dung"])
    assert seen["cadre_ids"] == ["binh", "dung"]
    figures = compare(PLANS, [*VISITS, seen], members={"an", "binh", "dung"})
    assert figures["attended_as_planned"] == 3
    # Bình came to the 20th, planned for Dũng: attended without a plan of his own
    assert figures["per_cadre"]["binh"]["attended_without_plan"] == 1


def test_a_seat_holds_only_for_its_unit_role_and_period():
    cadre = {"memberships": [{"unit_id": "np", "role": "secretary", "starts_on": "2026-01-01",
                              "ends_on": "2026-06-30"},
                             {"unit_id": "bx", "role": "member", "starts_on": None,
                              "ends_on": None}]}
    assert holds_seat(cadre, "np", {"secretary"}, "2026-03-01")
    assert not holds_seat(cadre, "np", {"secretary"}, "2026-07-01")
    assert not holds_seat(cadre, "bx", {"secretary", "standing_member"}, "2026-03-01")
    assert not holds_seat(None, "np", {"secretary"}, "2026-03-01")


def test_a_reminder_is_due_from_the_lead_time_until_the_meeting_day_ends():
    import datetime as dt

    from services.assignments.meetings import reminder_due
    from shared.clock import VIETNAM
    day, lead = dt.date(2026, 12, 18), dt.timedelta(hours=48)
    at = lambda *args: dt.datetime(*args, tzinfo=VIETNAM)  # noqa: E731
    assert not reminder_due(day, at(2026, 12, 15, 23, 59), lead)
    assert reminder_due(day, at(2026, 12, 16, 0, 0), lead)
    assert reminder_due(day, at(2026, 12, 18, 23, 59), lead)
    assert not reminder_due(day, at(2026, 12, 19, 0, 0), lead)   # passed: no reminder
