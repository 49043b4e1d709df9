"""The registry's rules, directly: levels as data, history read as of a day, reorganisation
plans (rename, move, merge, split), assignment ends, working groups, and folded search."""
import datetime as dt
import unicodedata

import pytest

from services.assignments import domain, history, levels, reorganisation
from shared import folding
from shared.errors import InvalidInput, NotFound, RuleViolated

JULY_1 = dt.date(2025, 7, 1)


def unit(unit_id, level, parent=None, name=None, kind=None, path=None, versions=None):
    path = path or ([*parent.split("/")] if parent else []) + [unit_id]
    return {"_id": unit_id, "history": versions or [history.first_version(
        {"name": name or unit_id, "level": level, "kind": kind,
         "parent_id": parent.split("/")[-1] if parent else None, "path": path})]}


def tree_2022():
    """Vĩnh Phúc as the seed article has it: province, district, two communes, branches."""
    return {u["_id"]: u for u in [
        unit("vp", "province", name="Đảng bộ tỉnh Vĩnh Phúc"),
        unit("bx", "district", "vp", name="Huyện ủy Bình Xuyên"),
        unit("th", "grassroots", "vp/bx", name="Đảng bộ xã Tam Hợp"),
        unit("hc", "grassroots", "vp/bx", name="Đảng bộ thị trấn Hương Canh"),
        unit("np", "branch", "vp/bx/th", name="Chi bộ thôn Nội Phật", kind="village"),
        unit("yl", "branch", "vp/bx/th", name="Chi bộ thôn Yên Lan", kind="village"),
        unit("tdp1", "branch", "vp/bx/hc", name="Chi bộ tổ dân phố 1"),
        unit("pt", "province", name="Đảng bộ tỉnh Phú Thọ"),
    ]}


def apply(units, result):
    """The units after a plan, as the store would hold them."""
    units = dict(units)
    for unit_id, versions in result.versions.items():
        units[unit_id] = {**units[unit_id], "history": versions}
    for unit_id, state in result.created.items():
        units[unit_id] = {"_id": unit_id, "history": [
            history.first_version(state, JULY_1)]}
    return units


def op(kind, **fields):
    return {"operation_id": f"op-{kind}", "kind": kind, "effective_on": JULY_1,
            "assignments": "carry", **fields}


def path_on(units, unit_id, day):
    version = history.version_on(units[unit_id]["history"], day)
    return version and version["path"]


# --- levels ------------------------------------------------------------------------------------

def test_both_trees_of_the_seed_and_of_2025_fit_the_levels_table():
    for scheme in levels.LEVEL_SCHEMES.values():
        for parent, child in zip(scheme, scheme[1:]):
            levels.check_level(child, parent)
        levels.check_level(scheme[0], None)


def test_a_branch_directly_under_a_province_is_refused_naming_the_parent():
    with pytest.raises(RuleViolated) as refused:
        levels.check_level("branch", "province")
    assert "grassroots" in refused.value.fields["parent_id"][0]
    with pytest.raises(RuleViolated) as unknown:
        levels.check_level("ward-cell", "grassroots")
    assert "level" in unknown.value.fields


# --- history -----------------------------------------------------------------------------------

def test_a_change_closes_the_version_in_force_the_day_before():
    versions = tree_2022()["th"]["history"]
    changed = history.change(versions, JULY_1, {"parent_id": "vp"})
    assert history.version_on(changed, dt.date(2025, 6, 30))["parent_id"] == "bx"
    assert history.version_on(changed, JULY_1)["parent_id"] == "vp"
    assert changed[0]["to"] == "2025-06-30" and changed[1]["from"] == "2025-07-01"


def test_two_changes_the_same_day_make_one_version_and_an_earlier_one_is_refused():
    versions = history.change(tree_2022()["th"]["history"], JULY_1, {"name": "A"})
    versions = history.change(versions, JULY_1, {"parent_id": "pt"})
    assert len(versions) == 2 and versions[1]["name"] == "A" and versions[1]["parent_id"] == "pt"
    with pytest.raises(RuleViolated) as refused:
        history.change(versions, dt.date(2025, 1, 1), {"name": "B"})
    assert "effective_on" in refused.value.fields


def test_an_ended_unit_did_not_exist_after_its_end_and_cannot_change():
    ended = history.end(tree_2022()["bx"]["history"], JULY_1)
    assert history.version_on(ended, dt.date(2025, 6, 30)) is not None
    assert history.version_on(ended, JULY_1) is None
    assert history.lifetime(ended) == (history.EARLIEST, "2025-06-30")
    with pytest.raises(RuleViolated):
        history.change(ended, dt.date(2026, 1, 1), {"name": "X"})


# --- reorganisations ---------------------------------------------------------------------------

def test_a_rename_changes_the_name_from_the_day_and_nothing_else():
    units = tree_2022()
    result = reorganisation.plan(op("rename", unit_id="th", name="Đảng bộ xã Tam Hợp mới"),
                                 units)
    assert list(result.versions) == ["th"] and not result.ended
    after = apply(units, result)
    assert history.version_on(after["th"]["history"], JULY_1)["name"] == "Đảng bộ xã Tam Hợp mới"
    assert history.version_on(after["th"]["history"], dt.date(2025, 6, 30))["name"] == \
        "Đảng bộ xã Tam Hợp"


def test_a_move_carries_everything_under_the_unit_and_keeps_the_old_paths():
    units = tree_2022()
    after = apply(units, reorganisation.plan(op("move", unit_id="th", parent_id="vp"), units))
    assert path_on(after, "np", JULY_1) == ["vp", "th", "np"]
    assert path_on(after, "np", dt.date(2025, 6, 30)) == ["vp", "bx", "th", "np"]


def test_an_operation_that_changes_nothing_is_refused():
    with pytest.raises(RuleViolated) as refused:
        reorganisation.plan(op("move", unit_id="th", parent_id="bx"), tree_2022())
    assert "kind" in refused.value.fields


def test_a_move_under_ones_own_branch_is_a_cycle():
    with pytest.raises(RuleViolated) as refused:
        reorganisation.plan(op("move", unit_id="th", parent_id="np"), tree_2022())
    assert "parent_id" in refused.value.fields


def test_merging_a_district_into_its_province_removes_the_level():
    """2025: districts removed, communes' organisations sit directly under the province."""
    units = tree_2022()
    result = reorganisation.plan(op("merge", unit_ids=["bx"], into={"unit_id": "vp"}), units)
    after = apply(units, result)
    assert result.ended == ["bx"] and result.successor_of == {"bx": "vp"}
    assert path_on(after, "th", JULY_1) == ["vp", "th"]
    assert path_on(after, "np", JULY_1) == ["vp", "th", "np"]
    assert path_on(after, "bx", JULY_1) is None
    assert path_on(after, "np", dt.date(2025, 6, 30)) == ["vp", "bx", "th", "np"]
    assert {u["unit_id"] for u in result.units} == {"bx", "th", "hc", "np", "yl", "tdp1"}


def test_merging_communes_into_a_new_one_moves_their_branches_under_it():
    units = tree_2022()
    result = reorganisation.plan(op("merge", unit_ids=["th", "hc"], into={
        "unit_id": "xbx", "name": "Đảng bộ xã Bình Xuyên", "level": "grassroots",
        "parent_id": "bx"}, assignments="end"), units)
    after = apply(units, result)
    assert sorted(result.ended) == ["hc", "th"] and result.successor_of == {"th": None,
                                                                            "hc": None}
    assert result.created["xbx"]["path"] == ["vp", "bx", "xbx"]
    assert path_on(after, "tdp1", JULY_1) == ["vp", "bx", "xbx", "tdp1"]
    assert path_on(after, "np", JULY_1) == ["vp", "bx", "xbx", "np"]


def test_a_merge_into_a_unit_below_a_merged_one_is_refused():
    with pytest.raises(RuleViolated) as refused:
        reorganisation.plan(op("merge", unit_ids=["bx"], into={"unit_id": "th"}), tree_2022())
    assert "into.unit_id" in refused.value.fields


def test_a_new_successor_needs_a_name_and_a_level():
    with pytest.raises(InvalidInput) as refused:
        reorganisation.plan(op("merge", unit_ids=["th"], into={"unit_id": "new"}), tree_2022())
    assert set(refused.value.fields) == {"into.name", "into.level"}


def test_a_merge_of_a_unit_that_ended_already_is_refused():
    units = tree_2022()
    after = apply(units, reorganisation.plan(op("merge", unit_ids=["bx"], into={
        "unit_id": "vp"}), units))
    later = {**op("merge", unit_ids=["bx"], into={"unit_id": "pt"}),
             "effective_on": dt.date(2026, 1, 1)}
    with pytest.raises(RuleViolated) as refused:
        reorganisation.plan(later, after)
    assert "ended" in refused.value.fields["unit_ids"][0]


def test_a_split_shares_the_children_out_and_needs_a_part_for_each():
    units = tree_2022()
    split = op("split", unit_id="th", parts=[
        {"unit_id": "th-a", "name": "Tam Hợp A", "children": ["np"]},
        {"unit_id": "th-b", "name": "Tam Hợp B", "children": ["yl"]}], assignments_to="th-a")
    result = reorganisation.plan(split, units)
    after = apply(units, result)
    assert result.ended == ["th"] and result.successor_of == {"th": "th-a"}
    assert path_on(after, "np", JULY_1) == ["vp", "bx", "th-a", "np"]
    assert path_on(after, "yl", JULY_1) == ["vp", "bx", "th-b", "yl"]
    assert result.created["th-b"]["level"] == "grassroots"
    with pytest.raises(RuleViolated) as refused:
        reorganisation.plan({**split, "parts": split["parts"][:1]}, units)
    assert "yl" in refused.value.fields["parts"][0]


def test_a_split_that_keeps_the_unit_leaves_it_standing():
    units = tree_2022()
    result = reorganisation.plan(op("split", unit_id="th", parts=[
        {"unit_id": "th"}, {"unit_id": "th-b", "name": "Tam Hợp B", "children": ["yl"]}]),
        units)
    assert result.ended == [] and "th" not in result.versions
    assert path_on(apply(units, result), "yl", JULY_1) == ["vp", "bx", "th-b", "yl"]


def test_an_unknown_unit_is_not_found_naming_the_field():
    with pytest.raises(NotFound) as missing:
        reorganisation.plan(op("move", unit_id="th", parent_id="nowhere"), tree_2022())
    assert missing.value.fields == {"parent_id": ["nowhere"]}


# --- assignments and working groups ------------------------------------------------------------

def test_an_assignment_holds_from_its_first_to_its_last_day():
    assignment = {"starts_on": "2026-01-01", "ends_on": "2026-06-30"}
    assert domain.holds_on(assignment, dt.date(2026, 6, 30))
    assert not domain.holds_on(assignment, dt.date(2026, 7, 1))
    assert not domain.holds_on(assignment, dt.date(2025, 12, 31))
    domain.check_end(assignment, dt.date(2025, 12, 31))  # called off before it began
    with pytest.raises(RuleViolated):
        domain.check_end(assignment, dt.date(2025, 12, 30))


def test_a_village_branch_counts_as_residential_for_provincial_leaders():
    assert domain.eligible_rule(["province_standing_committee_member"], "branch", "village",
                                ["vp", "bx", "th", "np"], "vp") == \
        "province_leader_to_residential_branch"


def test_a_working_group_attends_branches_of_the_communes_directly_below_its_committee():
    branch = {"level": "branch", "path": ["vp", "bx", "th", "np"]}
    domain.check_working_group("bx", {"np": branch}, {"binh": ["vp", "bx"]})
    # 2025: the province is directly above the communes
    domain.check_working_group("vp", {"np": {**branch, "path": ["vp", "th", "np"]}},
                               {"an": ["vp"]})
    with pytest.raises(RuleViolated) as refused:
        domain.check_working_group("vp", {"np": branch, "th": {"level": "grassroots",
                                                               "path": ["vp", "bx", "th"]}},
                                   {"x": ["pt"]})
    assert len(refused.value.fields["unit_ids"]) == 2
    assert refused.value.fields["member_cadre_ids"] == [
        "x does not sit on vp's committee or below it"]


# --- folding -----------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "noi phat", "Nội Phật", "NỘI PHẬT", "noi ph", "phat noi", "thon noi",
    unicodedata.normalize("NFD", "Nội Phật"), unicodedata.normalize("NFKC", "nội  phật!"),
])
def test_a_name_is_found_with_or_without_diacritics_in_any_normalisation(query):
    assert folding.matches(query, "Chi bộ thôn Nội Phật, xã Tam Hợp")


def test_d_with_stroke_folds_to_d_and_a_word_must_begin_a_word():
    assert folding.fold("ĐẢNG ủy xã Đông Đa") == "dang uy xa dong da"
    assert folding.matches("dang uy", "Đảng ủy xã Tam Hợp")
    assert not folding.matches("hat", "Chi bộ thôn Nội Phật")
    assert not folding.matches("noi phat yen", "Chi bộ thôn Nội Phật")


def test_a_query_with_no_letters_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as refused:
        folding.search_criteria(" ,. ")
    assert "q" in refused.value.fields


def test_the_criteria_is_one_indexed_equality_per_word():
    assert folding.search_criteria("Nội Ph") == {"$and": [
        {"search.prefixes": "noi"}, {"search.prefixes": "ph"}]}
    assert folding.search_key("Nội Phật")["prefixes"] == ["n", "no", "noi", "p", "ph", "pha",
                                                          "phat"]


# --- routing across a reorganisation -----------------------------------------------------------

def test_a_moved_unit_remembers_what_it_no_longer_sits_under():
    from services.escalations.registry_view import former_ancestors
    moved = {"path": ["pt", "xbx", "np"], "previous_path": ["vp", "bx", "th", "np"]}
    assert former_ancestors(moved) == [{"unit_id": "vp", "distance": 3},
                                       {"unit_id": "bx", "distance": 2},
                                       {"unit_id": "th", "distance": 1}]
    assert former_ancestors({"path": ["pt", "x"], "previous_path": None}) == []


def test_rules_stay_attached_to_the_old_area_until_a_newer_rule_of_the_new_tree():
    from services.escalations.routing import RoutingRule, route_concern
    path = ["pt", "xbx", "np"]
    former = {"vp": 3, "bx": 2, "th": 1}
    rules = [RoutingRule("any-vp", "*", "vp", "ubnd-tinh"),
             RoutingRule("land-bx", "land", "bx", "ubnd-huyen"),
             RoutingRule("infra-th", "infrastructure", "th", "ubnd-xa-tam-hop")]
    assert route_concern("land", path, rules, former=former).authority_id == "ubnd-huyen"
    assert route_concern("infrastructure", path, rules,
                         former=former).authority_id == "ubnd-xa-tam-hop"
    assert route_concern("economy", path, rules, former=former).authority_id == "ubnd-tinh"
    assert route_concern("land", path, rules) is None  # without the memory: lost
    newer = RoutingRule("infra-xbx", "infrastructure", "xbx", "ubnd-xa-binh-xuyen",
                        effective_from=JULY_1)
    assert route_concern("infrastructure", path, [*rules, newer], on=JULY_1,
                         former=former).authority_id == "ubnd-xa-binh-xuyen"
