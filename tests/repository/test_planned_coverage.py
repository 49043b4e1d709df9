"""Planned attendance reaches the coverage read model (issue 28): plan entries made before
``attendance_planned`` existed are told again by assignments' ``restate_meeting_plans``
migration, and imports keeps each entry once whatever order and however often it arrives."""
import datetime as dt

import pytest

from docstore import DocStoreClient
from services.assignments import planning, upkeep
from services.assignments.service import AssignmentsService
from services.assignments.store import meetings as meeting_store
from services.imports import queries, reactions
from shared import migrations
from shared.contracts import parse_event

# plan entries as assignments stored them before the event existed: no outbox
OLD_PLANS = [
    {"_id": "np@2026-11-18", "committee_unit_id": "bx", "unit_id": "np",
     "meeting_on": "2026-11-18", "cadre_id": "binh", "working_group_id": None,
     "attendee_cadre_ids": ["binh"], "planned_by": "u-binh", "reminded": True},
    {"_id": "yl@2026-12-10", "committee_unit_id": "bx", "unit_id": "yl",
     "meeting_on": "2026-12-10", "cadre_id": None, "working_group_id": "to-1",
     "attendee_cadre_ids": ["binh", "cuong"], "planned_by": "u-admin", "reminded": False},
]
BRANCHES = {"np": "Chi bộ thôn Nội Phật", "yl": "Chi bộ thôn Yên Lan"}
ON = {"on": dt.date(2026, 11, 27), "format": "json"}


@pytest.fixture
def stores(tmp_path):
    client = DocStoreClient(tmp_path)
    yield client["assignments"], client["imports"]
    client.close()


def told(db):
    return [parse_event(envelope) for plan in db[meeting_store.PLANS].find({})
            for envelope in plan.get("outbox", [])]


def with_branches(imports):
    reactions.unit_registered(imports, {"unit_id": "bx", "name": "Huyện ủy Bình Xuyên",
                                        "level": "district", "parent_id": "vp",
                                        "path": ["vp", "bx"]})
    for unit_id, name in BRANCHES.items():
        reactions.unit_registered(imports, {"unit_id": unit_id, "name": name, "level": "branch",
                                            "parent_id": "th", "path": ["vp", "bx", "th", unit_id]})


def test_a_plan_entry_is_told_in_its_own_write_and_a_resent_one_tells_nothing(stores):
    assignments, _ = stores
    entry = {k: v for k, v in OLD_PLANS[1].items() if k not in ("planned_by", "reminded")}
    for _ in range(2):  # the same request resent: the stored entry answers, no second fact
        stored = meeting_store.insert_plan(assignments, {**entry, "reminded": False},
                                           [planning.planned_fact(entry)])
        assert "outbox" not in stored
    [event] = told(assignments)
    assert (event.event_type.name, event.payload["plan_id"], event.payload["restated"],
            event.payload["meeting_on"].isoformat()) == (
        "attendance_planned", "yl@2026-12-10", False, "2026-12-10")


def test_plan_entries_from_before_the_event_are_told_again_once_per_run(stores):
    assignments, _ = stores
    for plan in OLD_PLANS:
        assignments[meeting_store.PLANS].insert_one(plan)
    assert "restate_meeting_plans" in migrations.migrate(
        assignments, "assignments", AssignmentsService.db.schema())
    events = told(assignments)
    assert [(e.event_type.name, e.payload["plan_id"], e.payload["restated"]) for e in events] \
        == [("attendance_planned", "np@2026-11-18", True), ("attendance_planned",
                                                              "yl@2026-12-10", True)]
    assert events[1].payload["attendee_cadre_ids"] == ["binh", "cuong"]
    assert events[1].payload["working_group_id"] == "to-1"
    # the migration is recorded: a second start tells nothing again
    assert migrations.migrate(assignments, "assignments", AssignmentsService.db.schema()) == []
    assert len(told(assignments)) == 2
    # the step itself run again (a crash before it was recorded) tells them again, harmlessly
    assert upkeep.restate_meeting_plans(assignments, batch=1) == 2


def test_imports_counts_each_entry_once_in_any_order_and_redelivered(stores):
    assignments, imports = stores
    for plan in OLD_PLANS:
        assignments[meeting_store.PLANS].insert_one(plan)
    upkeep.restate_meeting_plans(assignments)
    events = told(assignments)
    # a plan entry may arrive before its branch, twice, and after a later one
    for event in (events[1], events[0], events[1]):
        reactions.record(imports, event)
    with_branches(imports)
    reactions.record(imports, events[0])
    assert imports.planned_attendances.count_documents({}) == 2
    committees = queries.committee_coverage(imports, {**ON, "level": "branch",
                                                      "committee_level": "district"})
    [bx] = committees["committees"]
    assert (bx["branches"], bx["visited"], bx["planned"], bx["share_planned"],
            bx["planned_visited"]) == (2, 0, 2, 1.0, 0)
    stale = queries.stale_branches(imports, {**ON, "level": "branch", "days": 30})
    assert {b["unit_id"]: b["next_planned_on"] for b in stale["branches"]} == {
        "np": None, "yl": "2026-12-10"}  # Nội Phật's plan was for the 18th, before the day
