"""Coverage counts planned attendance (issue 28), against a hand-computed fixture.

On 27 November 2026 (quarter 1 October – 31 December), the district Bình Xuyên has three
branches: Nội Phật (visited 5 November), Yên Lan (last visited 5 June) and Tổ dân phố 1 (never
visited). The plan entries (one per meeting, as ``attendance_planned`` told them):

| entry | branch | day | sends | counts as |
|---|---|---|---|---|
| np@2026-11-05 | Nội Phật | 5 Nov | Bình | this quarter, past (visited too) |
| np@2026-12-03 | Nội Phật | 3 Dec | Bình | this quarter, Bình's next at Nội Phật |
| yl@2026-11-10 | Yên Lan | 10 Nov | Bình | this quarter, past |
| yl@2026-12-10 | Yên Lan | 10 Dec | group: Bình, Cường | this quarter, Yên Lan's next |
| tdp@2026-09-15 | TDP 1 | 15 Sep | Cường | last quarter: not counted, not next |
| tdp@2027-01-12 | TDP 1 | 12 Jan | Cường | next quarter: TDP 1's next only |

By hand: planned this quarter = {np, yl} = 2 of 3 (0.667); visited = {np} = 1 (0.333); planned
and visited = {np} = 1. Stale at 90 days: TDP 1 (never; next planned 12 Jan 2027), Yên Lan
(175 days; next planned 10 Dec). In the quarter Bình is sent to 4 meetings, Cường to 1.
"""
from services.imports import coverage
from tests.unit.test_coverage_rules import ASSIGNMENTS, BRANCHES, UNITS

DAY = "2026-11-27"
FIRST, LAST = "2026-10-01", "2026-12-31"


def entry(unit_id, day, *cadre_ids):
    return {"plan_id": f"{unit_id}@{day}", "unit_id": unit_id, "meeting_on": day,
            "attendee_cadre_ids": list(cadre_ids)}


PLANNED = [entry("tdp", "2026-09-15", "cuong"), entry("np", "2026-11-05", "binh"),
           entry("yl", "2026-11-10", "binh"), entry("np", "2026-12-03", "binh"),
           entry("yl", "2026-12-10", "binh", "cuong"), entry("tdp", "2027-01-12", "cuong")]
IN_QUARTER = [p for p in PLANNED if FIRST <= p["meeting_on"] <= LAST]


def test_per_committee_counts_branches_planned_this_quarter_beside_those_visited():
    planned = {p["unit_id"] for p in IN_QUARTER}
    found = coverage.per_committee([UNITS["bx"], UNITS["vy"]], BRANCHES, {"np"}, planned)
    assert [(c["unit_id"], c["branches"], c["visited"], c["share_visited"], c["planned"],
             c["share_planned"], c["planned_visited"]) for c in found] == [
        ("bx", 3, 1, 0.333, 2, 0.667, 1), ("vy", 0, 0, None, 0, None, 0)]


def test_a_stale_branch_shows_its_next_planned_attendance():
    found = coverage.stale_branches(BRANCHES, DAY, days=90, planned=PLANNED)
    assert [(b["unit_id"], b["days_since_visit"], b["next_planned_on"]) for b in found] == [
        ("tdp", None, "2027-01-12"), ("yl", 175, "2026-12-10")]
    # the same branches with no plan: nothing planned, as forgotten as before
    assert [b["next_planned_on"] for b in coverage.stale_branches(BRANCHES, DAY, 90)] == [
        None, None]


def test_a_plan_entry_on_the_report_day_is_next_and_one_the_day_before_is_not():
    planned = [entry("yl", "2026-11-26", "binh"), entry("yl", DAY, "binh")]
    assert coverage.next_planned(planned, DAY) == {"yl": DAY}
    assert coverage.next_planned(planned[:1], DAY) == {}


def test_each_cadre_with_their_next_planned_meeting_per_unit_and_the_quarters_count():
    report = coverage.per_cadre(ASSIGNMENTS, UNITS, {}, DAY, PLANNED)
    # Bình's assignment to Yên Lan ended in October, so only Nội Phật is listed
    assert [(u["unit_id"], u["own_next_planned_on"]) for u in report["binh"]] == [
        ("np", "2026-12-03")]
    assert coverage.planned_per_cadre(IN_QUARTER) == {"binh": 4, "cuong": 1}
    assert coverage.planned_per_cadre([]) == {}
