"""Who may keep close to which unit: the assignment rules, from the seed article ("cấp ủy viên
... nắm tới ...").

The registry (services.assignments) enforces them when an assignment is made; the importer
(services.imports) checks each row against them before anything is applied, so a file's row report
names an ineligible assignment. Levels are data: a unit's ``level`` is a name, and the rules say
which position may be assigned to a unit of which level, so a reorganised tree (2025: districts
removed) changes the table, not the code.
"""
from dataclasses import dataclass

from shared.errors import RuleViolated
from shared.reasons import reason


@dataclass(frozen=True)
class AssignmentRule:
    name: str
    positions: frozenset      # any one of these positions qualifies
    unit_level: str           # ... to be assigned to a unit of this level
    unit_kinds: frozenset = None  # ... of one of these kinds (None: any kind)


ASSIGNMENT_RULES = (
    # a provincial committee member keeps close to grassroots organisations
    AssignmentRule("province_member_to_grassroots",
                   frozenset({"province_committee_member"}), "grassroots"),
    # a member of the committee directly above the grassroots keeps close to branches
    AssignmentRule("district_member_to_branch",
                   frozenset({"district_committee_member"}), "branch"),
    # provincial standing/committee members and Party-building board leaders attend
    # meetings of residential-area branches
    AssignmentRule("province_leader_to_residential_branch",
                   frozenset({"province_standing_committee_member", "province_committee_member",
                              "party_building_board_leader"}),
                   "branch", frozenset({"residential", "village", "residential_area"})),
)


def eligible_rule(positions, unit_level, unit_kind, unit_path, home_unit_id):
    """The name of the rule that allows this assignment, or :class:`RuleViolated` saying why not.

    ``unit_path`` is the unit's ancestor ids, root first, ending with the unit itself;
    ``home_unit_id`` is the committee the cadre sits on.
    """
    if home_unit_id not in unit_path[:-1]:
        raise RuleViolated("cadre can only be assigned below the committee they sit on",
                           {"unit_id": [reason("not_under_committee", f"not under {home_unit_id}",
                                               committee=home_unit_id)]})
    for rule in ASSIGNMENT_RULES:
        if (rule.unit_level == unit_level and rule.positions & set(positions)
                and (rule.unit_kinds is None or unit_kind in rule.unit_kinds)):
            return rule.name
    raise RuleViolated(
        "no assignment rule lets these positions keep close to this unit",
        {"unit_id": [reason("no_assignment_rule", f"positions {sorted(positions)} cannot be "
                            f"assigned to a {unit_kind or ''} {unit_level} unit".replace("  ",
                                                                                       " "))]})
