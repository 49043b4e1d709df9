"""Reorganising the tree on an effective day: rename, move, merge, split — as a plan of changes.

:func:`plan` takes one operation and the units it touches (their documents, with history) and
answers what every unit becomes from the effective day, without writing anything:

- **rename** ``{unit_id, name}``: the unit's name changes; nothing moves.
- **move** ``{unit_id, parent_id}``: the unit and everything under it move below the new parent.
- **merge** ``{unit_ids, into: {unit_id, name?, level?, kind?, parent_id?}, assignments}``: the
  merged units end the day before; what sat under them sits under the successor (``into``: an
  existing unit, possibly one of the merged, or a new one when it brings name and level). A
  district merged into its province is how a level is removed (2025): its grassroots
  organisations move up. ``assignments``: ``carry`` (to the successor) or ``end``.
- **split** ``{unit_id, parts: [{unit_id, name, children, ...}], assignments_to}``: the unit's
  children are shared out among the parts (each child in exactly one part); the unit ends unless
  one part keeps its id; assignments to it go to the part ``assignments_to`` names, or end.

Paths are recomputed below every unit that moved, the levels table (``levels``) is checked
for every new parent, and a cycle or a unit that no longer exists is refused naming the field.
What was attached to a unit before the day (visits, concerns, cases, assignments' past) stays
attached: history only gains versions. Example::

    result = plan({"kind": "merge", "operation_id": "op-1", "effective_on": dt.date(2025, 7, 1),
                   "unit_ids": ["bx"], "into": {"unit_id": "vp"}, "assignments": "carry"},
                  units_by_id)
    result.versions["bx"][-1]["to"]        # "2025-06-30"
    result.successor_of                    # {"bx": "vp"}
"""
from dataclasses import dataclass, field

from services.assignments import history, levels
from shared.errors import InvalidInput, NotFound, RuleViolated

KINDS = ("rename", "move", "merge", "split")


@dataclass
class Plan:
    # existing units' new history, by unit_id (changed or ended)
    versions: dict = field(default_factory=dict)
    # new units' first state: {unit_id: {name, level, kind, parent_id, path}}
    created: dict = field(default_factory=dict)
    ended: list = field(default_factory=list)
    # where assignments to an ended unit go (None: they end)
    successor_of: dict = field(default_factory=dict)
    # every unit that changes, as it stands from the day (what the event carries)
    units: list = field(default_factory=list)


def _alive(units, unit_id, day, what="unit_id"):
    unit = units.get(unit_id)
    if unit is None:
        raise NotFound("unit not found", {what: [unit_id]})
    version = history.version_on(unit["history"], day)
    last = unit["history"][-1]
    if version is last:
        return version
    if last["to"] is not None and last["to"] < history.iso(day):
        raise RuleViolated("the unit no longer exists", {what: [
            f"{unit_id} ended on {last['to']}"]})
    if version is None:
        raise RuleViolated("the unit did not exist on that day", {what: [
            f"{unit_id} did not exist on {history.iso(day)}"]})
    raise RuleViolated("reorganisations of a unit apply in date order", {"effective_on": [
        f"{unit_id} already changed on {last['from']}; use that day or a later one"]})
    return version


def plan(operation, units):
    """The :class:`Plan` of ``operation`` (loaded through ``schemas.Reorganise``) on ``units``
    (documents by id: every unit the operation names, their parents and everything under
    them)."""
    day = operation["effective_on"]
    states = {}
    for unit_id, unit in units.items():
        version = history.version_on(unit["history"], day)
        if version is not None:
            states[unit_id] = {key: version[key] for key in history.FIELDS}
    new = {unit_id: dict(state) for unit_id, state in states.items()}
    result = Plan()
    kind = operation["kind"]
    if kind == "rename":
        _alive(units, operation["unit_id"], day)
        new[operation["unit_id"]]["name"] = operation["name"]
    elif kind == "move":
        _move(operation, units, states, new, day)
    elif kind == "merge":
        _merge(operation, units, states, new, day, result)
    elif kind == "split":
        _split(operation, units, states, new, day, result)
    else:
        raise InvalidInput("unknown operation", {"kind": [f"must be one of: {', '.join(KINDS)}"]})
    _recompute_paths(new, states, result.ended)
    _finish(operation, units, states, new, result)
    if not result.units:
        raise RuleViolated("the operation changes nothing", {"kind": [
            f"the {kind} leaves every unit as it stands on {history.iso(day)}"]})
    return result


def _move(operation, units, states, new, day):
    unit_id, parent_id = operation["unit_id"], operation["parent_id"]
    _alive(units, unit_id, day)
    _alive(units, parent_id, day, "parent_id")
    if unit_id in states[parent_id]["path"]:
        raise RuleViolated("a unit cannot sit under itself", {"parent_id": [
            f"{parent_id} lies under {unit_id}"]})
    new[unit_id]["parent_id"] = parent_id


def _successor(spec, units, states, new, day, result, what):
    """An existing unit alive on the day, or a new one ``spec`` describes."""
    unit_id = spec["unit_id"]
    if unit_id in units:
        _alive(units, unit_id, day, what)
        for key in ("name", "kind"):
            if spec.get(key):
                new[unit_id][key] = spec[key]
        return
    missing = [key for key in ("name", "level") if not spec.get(key)]
    if missing:
        raise InvalidInput("a new unit needs a name and a level",
                           {f"{what}.{key}": ["required for a unit not yet registered"]
                            for key in missing})
    if spec.get("parent_id") is not None:
        _alive(units, spec["parent_id"], day, f"{what}.parent_id")
    new[unit_id] = {"name": spec["name"], "level": spec["level"], "kind": spec.get("kind"),
                    "parent_id": spec.get("parent_id"), "path": None}
    result.created[unit_id] = new[unit_id]


def _merge(operation, units, states, new, day, result):
    target = operation["into"]["unit_id"]
    sources = list(dict.fromkeys(operation["unit_ids"]))
    for unit_id in sources:
        _alive(units, unit_id, day, "unit_ids")
    if sources == [target]:
        raise InvalidInput("nothing to merge", {"unit_ids": ["name a unit other than `into`"]})
    _successor(operation["into"], units, states, new, day, result, "into")
    target_parent = new[target]["parent_id"]
    target_path = states[target]["path"] if target in states else (
        [*states[target_parent]["path"], target] if target_parent else [target])
    for unit_id in sources:
        if unit_id != target and unit_id in target_path:
            raise RuleViolated("the successor cannot lie under a unit merged into it",
                               {"into.unit_id": [f"{target} lies under {unit_id}"]})
    for unit_id in sources:
        if unit_id == target:
            continue
        result.ended.append(unit_id)
        result.successor_of[unit_id] = target if operation["assignments"] == "carry" else None
        for child_id, state in states.items():
            if state["parent_id"] == unit_id and child_id not in sources:
                new[child_id]["parent_id"] = target


def _split(operation, units, states, new, day, result):
    source = operation["unit_id"]
    _alive(units, source, day)
    parts = operation["parts"]
    part_ids = [part["unit_id"] for part in parts]
    if len(set(part_ids)) != len(part_ids):
        raise InvalidInput("parts must differ", {"parts": ["each part needs its own unit_id"]})
    children = {child_id for child_id, state in states.items()
                if state["parent_id"] == source and child_id not in part_ids}
    shared_out = {}
    for index, part in enumerate(parts):
        spec = {**part, "parent_id": part.get("parent_id") or states[source]["parent_id"],
                "level": part.get("level") or states[source]["level"],
                "kind": part.get("kind") or states[source]["kind"]}
        if part["unit_id"] == source:
            if part.get("name"):
                new[source]["name"] = part["name"]
        else:
            _successor(spec, units, states, new, day, result, f"parts.{index}")
        for child_id in part.get("children", []):
            if child_id not in children:
                raise RuleViolated("a part may only take the split unit's children", {
                    f"parts.{index}.children": [f"{child_id} is not under {source} on that day"]})
            if child_id in shared_out:
                raise RuleViolated("a child goes to one part only", {
                    f"parts.{index}.children": [f"{child_id} already goes to "
                                               f"{shared_out[child_id]}"]})
            shared_out[child_id] = part["unit_id"]
            new[child_id]["parent_id"] = part["unit_id"]
    kept = source in part_ids
    left = sorted(children - set(shared_out))
    if left and not kept:
        raise RuleViolated("every child of the split unit needs a part",
                           {"parts": [f"no part takes: {', '.join(left)}"]})
    target = operation.get("assignments_to")
    if target is not None and target not in part_ids:
        raise InvalidInput("assignments go to one of the parts",
                           {"assignments_to": [f"must be one of: {', '.join(part_ids)}"]})
    if not kept:
        result.ended.append(source)
        result.successor_of[source] = target


def _recompute_paths(new, states, ended):
    """Paths from the parents' new paths; a unit whose parent the plan did not load stands
    where it stood (nothing above it moved)."""
    gone = set(ended)
    done = {}

    def path_of(unit_id, seen=()):
        if unit_id in done:
            return done[unit_id]
        if unit_id in seen:
            raise RuleViolated("a unit cannot sit under itself",
                               {"parent_id": [f"{unit_id} would sit under itself"]})
        parent_id = new[unit_id]["parent_id"]
        if parent_id is None:
            path = [unit_id]
        elif parent_id in new and parent_id not in gone:
            path = [*path_of(parent_id, (*seen, unit_id)), unit_id]
        elif parent_id not in gone and unit_id in states:
            path = states[unit_id]["path"]
        else:
            raise RuleViolated("a unit would sit under one that no longer exists",
                               {"parent_id": [f"{unit_id} under {parent_id}"]})
        done[unit_id] = path
        return path

    for unit_id in new:
        if unit_id not in gone:
            new[unit_id]["path"] = path_of(unit_id)


def _finish(operation, units, states, new, result):
    day, operation_id = operation["effective_on"], operation["operation_id"]
    for unit_id, state in new.items():
        if unit_id in result.ended:
            continue
        before = states.get(unit_id)
        if before is None or before["parent_id"] != state["parent_id"]:
            parent = new.get(state["parent_id"]) if state["parent_id"] else None
            levels.check_level(state["level"], parent and parent["level"],
                               "level" if before is None else "parent_id")
        if before is None:
            result.units.append({"unit_id": unit_id, **state, "previous_path": None,
                                 "ended": False})
            continue
        changes = {key: state[key] for key in history.FIELDS if state[key] != before[key]}
        if changes:
            result.versions[unit_id] = history.change(units[unit_id]["history"], day, changes,
                                                      unit_id, operation_id)
            result.units.append({"unit_id": unit_id, **state, "previous_path": before["path"],
                                 "ended": False})
    for unit_id in result.ended:
        result.versions[unit_id] = history.end(units[unit_id]["history"], day, unit_id)
        result.units.append({"unit_id": unit_id, **states[unit_id],
                             "previous_path": states[unit_id]["path"], "ended": True})


def stored_plan(result, units, moves, homes):
    """The form a :class:`Plan` is stored in (``reorganisations.plan``), with the assignments
    it ends or carries (``moves``) and the cadres whose committee it carries (``homes``)."""
    # unit ids hold dots, unfit for field names: the plan keeps lists
    return {
        "versions": [{"unit_id": unit_id, "versions": versions,
                      "revision": units[unit_id].get("revision", 0)}
                     for unit_id, versions in result.versions.items()],
        "created": [{"unit_id": unit_id, **state} for unit_id, state in result.created.items()],
        "ended": result.ended,
        "successor_of": [{"unit_id": unit_id, "successor_id": successor}
                         for unit_id, successor in result.successor_of.items()],
        "units": result.units,
        "moves": [{"assignment_id": m["assignment"]["_id"], "carry_to": m["carry_to"]}
                  for m in moves],
        "homes": homes,
    }


def shown(stored):
    """A stored reorganisation as it is answered: its units and where each ended one went."""
    plan = stored["plan"]
    return {**stored, "units": plan["units"],
            "successor_of": {s["unit_id"]: s["successor_id"] for s in plan["successor_of"]}}
