"""Coverage rules over plain records: who is assigned on a day, what went unvisited."""
import datetime as dt

import pytest

from services.imports import coverage

UNITS = {
    "bx": {"unit_id": "bx", "name": "Huyện ủy Bình Xuyên", "level": "district",
           "path": ["vp", "bx"]},
    "vy": {"unit_id": "vy", "name": "Thành ủy Vĩnh Yên", "level": "district",
           "path": ["vp", "vy"]},
    "np": {"unit_id": "np", "name": "Chi bộ thôn Nội Phật", "level": "branch",
           "path": ["vp", "bx", "th", "np"], "last_visit_on": "2026-11-05"},
    "yl": {"unit_id": "yl", "name": "Chi bộ thôn Yên Lan", "level": "branch",
           "path": ["vp", "bx", "th", "yl"], "last_visit_on": "2026-06-05"},
    "tdp": {"unit_id": "tdp", "name": "Chi bộ tổ dân phố 1", "level": "branch",
            "path": ["vp", "bx", "hc", "tdp"]},
}
BRANCHES = [UNITS[u] for u in ("np", "yl", "tdp")]
ASSIGNMENTS = [
    {"cadre_id": "binh", "unit_id": "np", "starts_on": "2026-01-01", "ends_on": None},
    {"cadre_id": "binh", "unit_id": "yl", "starts_on": "2026-01-01", "ends_on": "2026-10-31"},
    {"cadre_id": "cuong", "unit_id": "tdp", "starts_on": "2026-12-01", "ends_on": None},
]


@pytest.mark.parametrize("day, quarter", [
    (dt.date(2026, 11, 27), ("2026-10-01", "2026-12-31")),
    (dt.date(2026, 1, 1), ("2026-01-01", "2026-03-31")),
    (dt.date(2026, 6, 30), ("2026-04-01", "2026-06-30")),
    (dt.date(2024, 8, 15), ("2024-07-01", "2024-09-30")),
])
def test_quarters(day, quarter):
    assert coverage.quarter_of(day) == quarter


def test_an_assignment_holds_from_its_first_to_its_last_day():
    ended = ASSIGNMENTS[1]
    assert coverage.in_force(ended, "2026-10-31") and not coverage.in_force(ended, "2026-11-01")
    assert not coverage.in_force(ended, "2025-12-31")


def test_units_with_nobody_assigned_on_the_day():
    found = coverage.unassigned(BRANCHES, ASSIGNMENTS, "2026-11-27")
    assert [u["unit_id"] for u in found] == ["yl", "tdp"]  # ended; not yet started
    assert [u["unit_id"] for u in coverage.unassigned(BRANCHES, ASSIGNMENTS, "2026-12-01")] \
        == ["yl"]


def test_stale_branches_never_visited_first_then_the_longest_unvisited():
    found = coverage.stale_branches(BRANCHES, "2026-11-27", days=90)
    assert [(b["unit_id"], b["days_since_visit"]) for b in found] == [("tdp", None),
                                                                     ("yl", 175)]
    assert coverage.stale_branches(BRANCHES, "2026-11-27", days=200)[0]["unit_id"] == "tdp"


def test_each_cadre_with_their_units_and_last_visits():
    report = coverage.per_cadre(ASSIGNMENTS, UNITS, {("binh", "np"): "2026-10-05"},
                                "2026-11-27")
    assert report == {"binh": [{"unit_id": "np", "name": "Chi bộ thôn Nội Phật",
                                "level": "branch", "since": "2026-01-01",
                                "last_visit_on": "2026-11-05",
                                "own_last_visit_on": "2026-10-05",
                                "own_next_planned_on": None}]}


def test_share_of_branches_visited_per_committee():
    committees = [UNITS["bx"], UNITS["vy"]]
    found = coverage.per_committee(committees, BRANCHES, {"np"})
    assert [(c["unit_id"], c["branches"], c["visited"], c["share_visited"]) for c in found] \
        == [("bx", 3, 1, 0.333), ("vy", 0, 0, None)]


# --- the registry's reorganisations and working groups ------------------------------------------

MERGED = {"unit_id": "yl", "name": "Chi bộ thôn Yên Lan", "level": "branch",
          "path": ["vp", "bx", "th", "yl"], "ended_on": "2026-07-01"}
SUCCESSOR = {"unit_id": "nyl", "name": "Chi bộ thôn Nội Phật - Yên Lan", "level": "branch",
             "path": ["vp", "bx", "th", "nyl"], "since": "2026-07-01"}


def test_a_unit_merged_away_no_longer_counts_and_its_successor_does_from_the_day():
    units = [UNITS["np"], MERGED, SUCCESSOR]
    before, after = "2026-06-30", "2026-07-01"
    assert [u["unit_id"] for u in coverage.unassigned(units, [], before)] == ["np", "yl"]
    assert [u["unit_id"] for u in coverage.unassigned(units, [], after)] == ["np", "nyl"]
    assert [b["unit_id"] for b in coverage.stale_branches(units, after, 30)] == ["nyl"]
    assert coverage.exists_on(MERGED, before) and not coverage.exists_on(MERGED, after)
    assert not coverage.exists_on(SUCCESSOR, before) and coverage.exists_on(SUCCESSOR, after)


def test_a_branch_a_working_group_attends_is_covered_for_the_groups_period():
    group = {"working_group_id": "tct-1", "unit_ids": ["yl", "tdp"],
             "starts_on": "2026-03-01", "ends_on": "2026-08-31"}
    branches = BRANCHES

    def uncovered(day):
        return [u["unit_id"] for u in coverage.unassigned(branches, [], day, [group])]

    assert uncovered("2026-02-28") == ["np", "yl", "tdp"]
    assert uncovered("2026-03-01") == uncovered("2026-08-31") == ["np"]
    assert uncovered("2026-09-01") == ["np", "yl", "tdp"]
    assert uncovered("2026-05-01") == [u["unit_id"] for u in coverage.unassigned(
        branches, [], "2026-05-01", [{**group, "ends_on": None}])]
