"""Who may keep close to which unit: the rules table, the home-committee tree, unit paths."""
import pytest

from services.assignments.domain import eligible_rule, unit_path
from shared.errors import RuleViolated

PROVINCE = "vp"
DISTRICT = "vp.bx"
GRASSROOTS = "vp.bx.tam-hop"
BRANCH = "vp.bx.tam-hop.noi-phat"
BRANCH_PATH = [PROVINCE, DISTRICT, GRASSROOTS, BRANCH]
GRASSROOTS_PATH = [PROVINCE, DISTRICT, GRASSROOTS]


def check(**overrides):
    """eligible_rule with a district committee member and a residential branch of their district."""
    arguments = {"positions": ["district_committee_member"], "unit_level": "branch",
                 "unit_kind": "residential", "unit_path": BRANCH_PATH, "home_unit_id": DISTRICT}
    arguments.update(overrides)
    return eligible_rule(**arguments)


def refusal(**overrides):
    with pytest.raises(RuleViolated) as caught:
        check(**overrides)
    assert "unit_id" in caught.value.fields
    return caught.value


# --- the rules table -------------------------------------------------------------------------

def test_province_committee_member_may_keep_close_to_a_grassroots_organisation():
    assert check(positions=["province_committee_member"], unit_level="grassroots",
                 unit_kind=None, unit_path=GRASSROOTS_PATH,
                 home_unit_id=PROVINCE) == "province_member_to_grassroots"


@pytest.mark.parametrize("kind", ["residential", "enterprise", None])
def test_district_committee_member_may_keep_close_to_a_branch_of_any_kind(kind):
    assert check(unit_kind=kind) == "district_member_to_branch"


def test_district_committee_member_may_not_keep_close_to_a_grassroots_organisation():
    refusal(unit_level="grassroots", unit_kind=None, unit_path=GRASSROOTS_PATH)


@pytest.mark.parametrize("position", ["province_standing_committee_member",
                                      "province_committee_member",
                                      "party_building_board_leader"])
def test_provincial_leaders_may_attend_a_residential_branch(position):
    assert check(positions=[position], home_unit_id=PROVINCE) == \
        "province_leader_to_residential_branch"


@pytest.mark.parametrize("position", ["province_standing_committee_member",
                                      "province_committee_member",
                                      "party_building_board_leader"])
@pytest.mark.parametrize("kind", ["enterprise", None])
def test_provincial_leaders_may_not_attend_a_branch_that_is_not_residential(position, kind):
    refusal(positions=[position], unit_kind=kind, home_unit_id=PROVINCE)


@pytest.mark.parametrize("position", ["province_standing_committee_member",
                                      "party_building_board_leader"])
def test_only_province_committee_members_are_assigned_to_grassroots(position):
    refusal(positions=[position], unit_level="grassroots", unit_kind=None,
            unit_path=GRASSROOTS_PATH, home_unit_id=PROVINCE)


def test_any_one_qualifying_position_is_enough():
    assert check(positions=["party_building_board_leader", "district_committee_member"],
                 unit_kind="enterprise") == "district_member_to_branch"


@pytest.mark.parametrize("positions", [[], ["secretary_of_nothing"]])
def test_positions_no_rule_names_are_refused(positions):
    refusal(positions=positions)


def test_unknown_unit_level_is_refused():
    refusal(unit_level="district", unit_path=[PROVINCE, DISTRICT], home_unit_id=PROVINCE)


def test_refusal_message_names_the_positions_and_the_unit():
    error = refusal(positions=["party_building_board_leader"], unit_kind="enterprise",
                    home_unit_id=PROVINCE)
    (reason,) = error.fields["unit_id"]
    assert "party_building_board_leader" in reason and "enterprise branch" in reason


# --- the home committee's tree ---------------------------------------------------------------

def test_unit_under_another_committee_is_refused_even_when_the_positions_qualify():
    other_district_branch = [PROVINCE, "vp.dh", "vp.dh.x", "vp.dh.x.y"]
    error = refusal(unit_path=other_district_branch, home_unit_id=DISTRICT)
    assert any(DISTRICT in reason for reason in error.fields["unit_id"])


def test_unit_above_the_home_committee_is_refused():
    refusal(positions=["province_committee_member"], unit_level="grassroots",
            unit_kind=None, unit_path=GRASSROOTS_PATH, home_unit_id=BRANCH)


def test_cadre_is_not_assigned_to_the_committee_they_sit_on_itself():
    refusal(unit_path=[PROVINCE, DISTRICT, GRASSROOTS, BRANCH], home_unit_id=BRANCH)


def test_home_committee_any_number_of_levels_above_the_unit_qualifies():
    # the district committee sits two levels above the branch, the province committee three
    assert check(home_unit_id=DISTRICT) == "district_member_to_branch"
    assert check(positions=["province_committee_member"], home_unit_id=PROVINCE) == \
        "province_leader_to_residential_branch"


# --- unit paths ------------------------------------------------------------------------------

def test_unit_path_appends_the_unit_to_its_parents_path():
    parent = [PROVINCE, DISTRICT]
    assert unit_path(parent, GRASSROOTS) == [PROVINCE, DISTRICT, GRASSROOTS]
    assert parent == [PROVINCE, DISTRICT]  # the parent's path is left alone


def test_root_unit_path_is_the_unit_alone():
    assert unit_path([], PROVINCE) == [PROVINCE]


@pytest.mark.parametrize("unit_id", [PROVINCE, DISTRICT, GRASSROOTS])
def test_unit_path_refuses_a_unit_already_on_its_parents_path(unit_id):
    with pytest.raises(RuleViolated) as caught:
        unit_path([PROVINCE, DISTRICT, GRASSROOTS], unit_id)
    assert "parent_id" in caught.value.fields
