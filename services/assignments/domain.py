"""Assignment eligibility, from the seed article ("cấp ủy viên ... nắm tới ...").

Levels are data: a unit's ``level`` is a name, and the rules below say which position may be
assigned to a unit of which level, so a reorganised tree (2025: districts removed) changes the
table, not the code. A cadre is only ever assigned inside the tree of the committee they sit on.
"""
import datetime as dt
import hashlib

from shared.eligibility import ASSIGNMENT_RULES, AssignmentRule, eligible_rule  # noqa: F401
from shared.errors import RuleViolated


def unit_path(parent_path, unit_id):
    """A new unit's path: its parent's path and itself; refuses cycles."""
    if unit_id in parent_path:
        raise RuleViolated("a unit cannot sit under itself", {"parent_id": ["would make a cycle"]})
    return [*parent_path, unit_id]


def holds_on(assignment, day):
    """Whether an assignment (``starts_on``/``ends_on`` ISO days, ``ends_on`` inclusive, None:
    open) holds on ``day``."""
    day = day.isoformat() if isinstance(day, dt.date) else day
    return assignment["starts_on"] <= day and (assignment.get("ends_on") is None
                                                or day <= assignment["ends_on"])


def holding(assignments, day):
    """The assignments holding on ``day`` (all of them when ``day`` is None)."""
    if day is None:
        return list(assignments)
    return [assignment for assignment in assignments if holds_on(assignment, day)]


def sat_on(cadre, unit):
    """The committee ``cadre`` sat on when ``unit`` stood as given: their home, or one merged
    into it since (a former home) that ``unit`` sits under."""
    homes = [cadre["home_unit_id"], *cadre.get("former_home_unit_ids", [])]
    return next((h for h in homes if h in unit["path"][:-1]), cadre["home_unit_id"])


def assignment_id_for(operation_id, assignment_id):
    """A carried (or replacing) assignment's id: the same on every attempt."""
    return hashlib.sha256(f"{operation_id}:{assignment_id}".encode()).hexdigest()[:32]


def check_end(assignment, ends_on):
    """An assignment ends on a day no earlier than the day before it began (that day: it never
    held, e.g. a planned assignment called off)."""
    first = dt.date.fromisoformat(assignment["starts_on"])
    if ends_on < first - dt.timedelta(days=1):
        raise RuleViolated("an assignment cannot end before it began", {"ends_on": [
            f"must be {first - dt.timedelta(days=1)} or later (it began {first})"]})


# a working group attends branches: the units it lists must be of this level
WORKING_GROUP_UNIT_LEVEL = "branch"


def check_working_group(formed_by_id, units, member_home_paths):
    """The seed's rule: a district-level standing committee forms working groups that attend
    branch meetings. The committee directly above the grassroots is the district-level one
    (since 2025, with districts removed, the province's), so the rule reads the tree, not a
    level's name: every listed unit is a branch whose grassroots organisation sits directly
    under ``formed_by_id``, and every member sits on that committee or below it.

    ``units``: {unit_id: state on the first day or None}; ``member_home_paths``: {cadre_id:
    path of their home unit on that day, or None}."""
    problems = {}
    for unit_id, unit in units.items():
        if unit is None:
            problems.setdefault("unit_ids", []).append(f"{unit_id} did not exist on starts_on")
        elif unit["level"] != WORKING_GROUP_UNIT_LEVEL:
            problems.setdefault("unit_ids", []).append(f"{unit_id} is not a branch")
        elif len(unit["path"]) < 3 or unit["path"][-3] != formed_by_id:
            problems.setdefault("unit_ids", []).append(
                f"{unit_id} is not a branch under a grassroots organisation directly under "
                f"{formed_by_id}")
    for cadre_id, path in member_home_paths.items():
        if path is None or formed_by_id not in path:
            problems.setdefault("member_cadre_ids", []).append(
                f"{cadre_id} does not sit on {formed_by_id}'s committee or below it")
    if problems:
        raise RuleViolated("a working group is formed by the committee directly above the "
                           "grassroots, of its own cadres, to attend its branches", problems)
