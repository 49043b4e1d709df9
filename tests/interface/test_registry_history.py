"""The assignments service in a nameko container on the real RabbitMQ with a real embedded store:
reorganisations with history read as of a day, assignments carried, ended and replaced, working
groups and search, each called twice the way a retried request or a re-run import calls it."""
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from shared.errors import Conflict, InvalidInput, NotFound, RuleViolated
from tests.interface.helpers import drain, wait_for

TREE = [
    {"unit_id": "vp", "name": "Đảng bộ tỉnh Vĩnh Phúc", "level": "province"},
    {"unit_id": "pt", "name": "Đảng bộ tỉnh Phú Thọ", "level": "province"},
    {"unit_id": "bx", "name": "Huyện ủy Bình Xuyên", "level": "district", "parent_id": "vp"},
    {"unit_id": "th", "name": "Đảng bộ xã Tam Hợp", "level": "grassroots", "parent_id": "bx"},
    {"unit_id": "hc", "name": "Đảng bộ thị trấn Hương Canh", "level": "grassroots",
     "parent_id": "bx"},
    {"unit_id": "np", "name": "Chi bộ thôn Nội Phật, xã Tam Hợp", "level": "branch",
     "kind": "village", "parent_id": "th", "locality": "thôn Nội Phật",
     "meeting_schedule": {"frequency": "monthly", "day_of_month": 5}},
    {"unit_id": "tdp1", "name": "Chi bộ tổ dân phố 1", "level": "branch",
     "kind": "residential_area", "parent_id": "hc"},
]
CADRES = [
    {"cadre_id": "an", "full_name": "Nguyễn Văn An", "home_unit_id": "vp",
     "positions": ["province_committee_member"]},
    {"cadre_id": "binh", "full_name": "Trần Thị Bình", "home_unit_id": "bx",
     "positions": ["district_committee_member"]},
    {"cadre_id": "dung", "full_name": "Đỗ Văn Dũng", "home_unit_id": "bx",
     "positions": ["district_committee_member"], "phone": "0912 345 678",
     "memberships": [{"unit_id": "bx", "role": "standing_member"}]},
]
BEFORE, JULY_1 = "2025-06-30", "2025-07-01"
MERGE = {"operation_id": "bx-removed", "kind": "merge", "effective_on": JULY_1,
         "unit_ids": ["th", "hc"], "into": {"unit_id": "xbx", "name": "Đảng bộ xã Bình Xuyên",
                                            "level": "grassroots", "parent_id": "bx"},
         "assignments": "carry", "reason": "two-level local government"}


@pytest.fixture
def registry(container_factory, config):
    container_factory(AssignmentsService, config).start()
    with ServiceRpcProxy("assignments", config, timeout=15) as proxy:
        for unit in TREE:
            proxy.register_unit(unit)
        for cadre in CADRES:
            proxy.register_cadre(cadre)
        yield proxy


def test_a_merge_answers_as_of_before_and_after_and_carries_assignments(registry):
    an = registry.assign_cadre({"cadre_id": "an", "unit_id": "th", "starts_on": "2025-01-01"})
    done = registry.reorganise(MERGE)
    assert done["status"] == "applied" and done["successor_of"] == {"th": "xbx", "hc": "xbx"}
    assert registry.reorganise(MERGE) == done  # a retried request: nothing more happens

    assert registry.get_unit("np", BEFORE)["path"] == ["vp", "bx", "th", "np"]
    assert registry.get_unit("np", JULY_1)["path"] == ["vp", "bx", "xbx", "np"]
    assert registry.get_unit("np", JULY_1)["locality"] == "thôn Nội Phật"
    with pytest.raises(NotFound) as gone:
        registry.get_unit("th", JULY_1)
    assert "as_of" in gone.value.fields
    listed = {u["unit_id"] for u in registry.list_units({"as_of": BEFORE, "limit": 100})["units"]}
    assert {"th", "hc"} <= listed and "xbx" not in listed
    listed = {u["unit_id"] for u in registry.list_units({"as_of": JULY_1, "limit": 100})["units"]}
    assert "xbx" in listed and not {"th", "hc"} & listed
    versions = registry.unit_history("np")["versions"]
    assert [v["in_force_to"] for v in versions] == [BEFORE, None]

    carried = registry.list_assignments("an", JULY_1)
    assert [(a["unit_id"], a["starts_on"], a["carried_from"]) for a in carried] == [
        ("xbx", JULY_1, an["assignment_id"])]
    assert [a["unit_id"] for a in registry.list_assignments("an", BEFORE)] == ["th"]
    # the import run again after the merger changes nothing
    for unit in TREE:
        registry.register_unit(unit)
    assert registry.assign_cadre({"cadre_id": "an", "unit_id": "th",
                                  "starts_on": "2025-01-01"}) == registry.list_assignments(
        "an", BEFORE)[0]
    # the same id with other data is refused, naming it
    with pytest.raises(Conflict) as reused:
        registry.reorganise({**MERGE, "reason": "other"})
    assert reused.value.fields == {"operation_id": ["bx-removed"]}


def test_removing_the_district_level_moves_the_communes_up_to_the_province(registry, config):
    registry.reorganise({"operation_id": "pt-merge", "kind": "merge", "effective_on": JULY_1,
                         "unit_ids": ["vp"], "into": {"unit_id": "pt"}})
    # who sat on Vĩnh Phúc's committee sits on Phú Thọ's, and may be assigned on either tree
    assert registry.get_cadre("an")["home_unit_id"] == "pt"
    assert registry.register_cadre(CADRES[0])["home_unit_id"] == "pt"  # a re-run import
    registry.assign_cadre({"cadre_id": "an", "unit_id": "th", "starts_on": "2025-01-01"})
    registry.assign_cadre({"cadre_id": "an", "unit_id": "hc", "starts_on": "2026-01-01"})
    registry.reorganise({"operation_id": "bx-gone", "kind": "merge", "effective_on": JULY_1,
                         "unit_ids": ["bx"], "into": {"unit_id": "pt"}, "assignments": "end"})
    assert registry.get_unit("np", JULY_1)["path"] == ["pt", "th", "np"]
    assert registry.get_unit("np", BEFORE)["path"] == ["vp", "bx", "th", "np"]
    events = []
    wait_for(lambda: events.extend(
        body for body, _ in drain(config, "visits.unit_reorganised")) or len(events) >= 2,
        what="unit_reorganised events")
    last = events[-1]["payload"]
    assert last["operation_id"] == "bx-gone" and last["successor_of"] == {"bx": None}
    assert {u["unit_id"]: u["path"] for u in last["units"]}["np"] == ["pt", "th", "np"]


def test_a_reorganisation_breaking_the_levels_or_the_order_of_days_changes_nothing(registry):
    with pytest.raises(RuleViolated) as refused:
        registry.reorganise({"operation_id": "bad", "kind": "move", "effective_on": JULY_1,
                             "unit_id": "np", "parent_id": "vp"})
    assert "parent_id" in refused.value.fields
    with pytest.raises(InvalidInput) as incomplete:
        registry.reorganise({"operation_id": "bad", "kind": "merge", "effective_on": JULY_1})
    assert set(incomplete.value.fields) == {"unit_ids", "into"}
    registry.reorganise({"operation_id": "rename", "kind": "rename", "effective_on": JULY_1,
                         "unit_id": "np", "name": "Chi bộ thôn Nội Phật"})
    with pytest.raises(RuleViolated) as earlier:
        registry.reorganise({"operation_id": "earlier", "kind": "rename",
                             "effective_on": "2025-01-01", "unit_id": "np", "name": "X"})
    assert "effective_on" in earlier.value.fields
    assert registry.get_unit("np", JULY_1)["name"] == "Chi bộ thôn Nội Phật"
    assert registry.list_reorganisations()["reorganisations"][0]["operation_id"] == "rename"


def test_an_assignment_is_ended_and_replaced_with_its_history_kept(registry, config):
    old = registry.assign_cadre({"cadre_id": "binh", "unit_id": "np",
                                 "starts_on": "2026-01-01"})
    replace = {"cadre_id": "dung", "starts_on": "2026-07-01", "reason": "luân chuyển cán bộ"}
    new = registry.replace_assignment(old["assignment_id"], replace)
    assert registry.replace_assignment(old["assignment_id"], replace) == new  # retried
    assert new["replaces"] == old["assignment_id"] and new["starts_on"] == "2026-07-01"
    assert [a["cadre_id"] for a in registry.list_unit_assignments("np", "2026-06-30")] == ["binh"]
    assert [a["cadre_id"] for a in registry.list_unit_assignments("np", "2026-07-01")] == ["dung"]
    assert len(registry.list_unit_assignments("np")) == 2
    with pytest.raises(Conflict):
        registry.end_assignment(old["assignment_id"], {"ends_on": "2026-12-31", "reason": "x"})
    ended = registry.end_assignment(new["assignment_id"],
                                    {"ends_on": "2026-12-31", "reason": "nghỉ hưu"})
    assert registry.end_assignment(new["assignment_id"],
                                   {"ends_on": "2026-12-31", "reason": "nghỉ hưu"}) == ended
    with pytest.raises(Conflict):  # an ended assignment is not replaced again
        registry.replace_assignment(new["assignment_id"], {**replace, "cadre_id": "an"})
    with pytest.raises(RuleViolated):  # a grassroots unit is no district member's to keep
        registry.assign_cadre({"cadre_id": "dung", "unit_id": "th", "starts_on": "2026-01-01"})
    ends = []
    wait_for(lambda: ends.extend(body["payload"] for body, _ in drain(config, "monitor.audit")
                                 if body["event_type"] == "assignment_ended")
             or len(ends) >= 2, what="assignment_ended events")
    assert sorted(e["ends_on"] for e in ends) == ["2026-06-30", "2026-12-31"]


def test_a_working_group_is_formed_by_the_committee_directly_above_the_communes(registry):
    group = {"working_group_id": "wg-1", "name": "Tổ công tác số 1", "formed_by_unit_id": "bx",
             "member_cadre_ids": ["binh", "dung"], "unit_ids": ["np", "tdp1"],
             "starts_on": "2026-01-01"}
    formed = registry.form_working_group(group)
    assert registry.form_working_group(group) == formed
    changed = registry.change_working_group("wg-1", {"unit_ids": ["np"], "ends_on": "2026-12-31"})
    assert changed["unit_ids"] == ["np"] and changed["member_cadre_ids"] == ["binh", "dung"]
    with pytest.raises(RuleViolated) as refused:
        registry.form_working_group({**group, "working_group_id": "wg-2",
                                     "formed_by_unit_id": "vp", "member_cadre_ids": ["an"]})
    assert "unit_ids" in refused.value.fields
    as_of = registry.list_working_groups({"as_of": "2027-01-01"})["working_groups"]
    assert as_of == []


def test_search_finds_units_and_cadres_with_or_without_diacritics(registry):
    assert [u["unit_id"] for u in registry.search({"q": "noi phat"})["units"]] == ["np"]
    assert [c["cadre_id"] for c in registry.search({"q": "DO VAN D"})["cadres"]] == ["dung"]
    assert [c["cadre_id"] for c in registry.search({"q": "Trần thị"})["cadres"]] == ["binh"]
    registry.reorganise(MERGE)
    found = registry.search({"q": "tam hop", "as_of": BEFORE})["units"]
    assert {u["unit_id"] for u in found} == {"th", "np"}
    assert {u["unit_id"] for u in registry.search({"q": "binh xuyen",
                                                   "as_of": dt.date.today().isoformat()})[
        "units"]} == {"bx", "xbx"}
    with pytest.raises(InvalidInput) as empty:
        registry.search({"q": "!!"})
    assert "q" in empty.value.fields
