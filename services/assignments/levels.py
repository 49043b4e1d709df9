"""The levels of the organisation tree, as data: which level may sit under which.

The seed article (2022) describes province → district-level committee → grassroots
organisation → branch. Since 1 July 2025 local government has two levels: districts are
removed and communes' grassroots organisations sit directly under the province committee. Both
trees are rows of the table below, so a reorganisation that removes a level moves units, it does
not change code: a grassroots organisation may sit under a district-level committee or under a
province committee. ``LEVEL_SCHEMES`` names the two trees for readers and for ``GET /levels``.
"""
from dataclasses import dataclass

from shared.errors import RuleViolated


@dataclass(frozen=True)
class Level:
    level_id: str
    name: str
    # the levels a unit of this level may sit under; empty: a root (top of the tree)
    parent_levels: frozenset
    description: str = ""


LEVELS = (
    Level("province", "Đảng bộ tỉnh / Tỉnh ủy", frozenset(),
          "province committee: the top of the tree in this system"),
    Level("district", "Huyện ủy, thành ủy, đảng ủy trực thuộc", frozenset({"province"}),
          "district-level committee, directly above the grassroots (removed with districts "
          "on 1 July 2025, except committees of agencies directly under the province)"),
    Level("grassroots", "Tổ chức cơ sở đảng (Đảng bộ cơ sở, chi bộ cơ sở)",
          frozenset({"district", "province"}),
          "grassroots organisation, e.g. a commune's; under the province since 1 July 2025"),
    Level("branch", "Chi bộ trực thuộc", frozenset({"grassroots"}),
          "branch of a village, residential area, agency or enterprise"),
)

LEVEL_SCHEMES = {
    # the seed article's tree (2022)
    "four_levels_2022": ("province", "district", "grassroots", "branch"),
    # two-level local government, in force since 2025-07-01: districts removed
    "two_level_government_2025": ("province", "grassroots", "branch"),
}

BY_ID = {level.level_id: level for level in LEVELS}


def check_level(level_id, parent_level_id, field="level"):
    """Refuse a unit of ``level_id`` under a parent of ``parent_level_id`` (None: a root)
    unless the table allows it, naming ``field``."""
    level = BY_ID.get(level_id)
    if level is None:
        raise RuleViolated("unknown level", {field: [f"must be one of: {', '.join(BY_ID)}"]})
    if parent_level_id is None:
        if level.parent_levels:
            raise RuleViolated("this level needs a parent unit", {"parent_id": [
                f"a {level_id} unit sits under a {' or '.join(sorted(level.parent_levels))}"]})
        return
    if parent_level_id not in level.parent_levels:
        allowed = " or ".join(sorted(level.parent_levels)) or "nothing (it is a root)"
        raise RuleViolated("a unit of this level cannot sit there", {"parent_id": [
            f"a {level_id} unit sits under {allowed}, not under a {parent_level_id}"]})
