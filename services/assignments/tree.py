"""The organisation tree written: registering units, their details, and carrying out
reorganisations (the rules: ``levels``, ``history``, ``reorganisation``; the documents:
``store``).

A unit document holds its history (``history``), its current fields (those of its last version),
its lifetime as indexed days (``exists_from``/``exists_to``), the folded words of every name it
ever had (``search``), and what it was registered with (``registered``: a re-run registration
is compared with that alone, so a later reorganisation does not make it a conflict).

A reorganisation touches several documents and the store has no multi-document transactions,
so it is carried out as a recorded plan: the plan is stored first (``reorganisations``, status
``applying``), then each unit and assignment is written by a step that is a no-op when already
done (``last_operation_id``, deterministic assignment ids), and last the operation is marked
``applied`` together with its one ``unit_reorganised`` event. Calling it again with the same
``operation_id`` — after a crash, or a retried request — finishes it or answers it as done.
"""
import datetime as dt
from logging import getLogger

from services.assignments import domain, history, levels, reorganisation, store
from shared import clock, contracts
from shared.errors import Conflict, NotFound, RuleViolated

_log = getLogger(__name__)

REGISTERED_FIELDS = ("name", "level", "kind", "parent_id", "established_on", "locality",
                     "meeting_schedule", "contacts", "organisation_code")


def register(db, unit, actor, registered):
    """Insert a unit once; the same registration again answers the stored unit (also after a
    reorganisation moved or ended it)."""
    existing = store.find_unit(db, unit["unit_id"])
    if existing is not None and _same_registration(existing, registered):
        return existing
    _code_free(db, unit["organisation_code"], unit["unit_id"])
    parent = None
    if unit["parent_id"] is not None:
        parent = store.find_unit(db, unit["parent_id"])
        if parent is None:
            raise NotFound("parent unit not found", {"parent_id": [unit["parent_id"]]})
    levels.check_level(unit["level"], parent and parent["level"])
    versions = history.first_versions(unit, parent)
    if not versions:
        raise RuleViolated("the parent unit did not exist from that day", {
            "established_on": [f"{unit['parent_id']} began later"]})
    document = {"_id": unit["unit_id"], **history.current_fields(versions), "history": versions,
                "locality": unit["locality"], "organisation_code": unit["organisation_code"],
                # as dumped: a thematic meeting's day stored as text
                "meeting_schedule": registered["meeting_schedule"],
                "contacts": unit["contacts"], "registered": registered, "revision": 0,
                "last_operation_id": None, "actor": actor}
    event = contracts.UNIT_REGISTERED.new(
        {"unit_id": unit["unit_id"], "name": unit["name"], "level": unit["level"],
         "parent_id": unit["parent_id"], "path": document["path"]}, actor=actor)
    stored = store.insert_unit(db, document, event)
    if _same_registration(stored, registered):
        return stored
    raise Conflict("already registered with other data", {"unit_id": [unit["unit_id"]]})


def unit_on(db, unit_id, day):
    """The unit as it stood on ``day``; NotFound for a missing unit or one not existing then."""
    unit = store.find_unit(db, unit_id)
    if unit is None:
        raise NotFound("unit not found", {"unit_id": [str(unit_id)]})
    state = history.state_on(unit, day)
    if state is None:
        since = "" if unit["exists_from"] == history.EARLIEST else f" from {unit['exists_from']}"
        until = "" if unit["exists_to"] == history.LATEST else f" until {unit['exists_to']}"
        raise NotFound("the unit did not exist on that day", {
            "as_of": [f"{unit_id} existed{since}{until}"]})
    return state


def change_details(db, unit_id, details, actor=None):
    """Locality, meeting schedule, contacts: details, not history, told as one
    ``unit_details_changed`` naming what changed (the same details again: nothing). The unit
    as it stands today (in Vietnam)."""
    unit = store.find_unit(db, unit_id)
    if unit is None:
        raise NotFound("unit not found", {"unit_id": [str(unit_id)]})
    changed = [name for name, value in details.items() if unit.get(name) != value]
    if "organisation_code" in changed:
        _code_free(db, details["organisation_code"], unit_id)
    if changed:
        event = contracts.UNIT_DETAILS_CHANGED.new({"unit_id": unit_id, "changed": changed},
                                                   actor=actor)
        store.change_unit_details(db, unit, {name: details[name] for name in changed}, event)
    return unit_on(db, unit_id, clock.today())


def _same_registration(stored, registered):
    """Whether ``registered`` is the registration ``stored`` came from; one from before units
    had an organisation code (issue 29) read as without one."""
    before = stored.get("registered")
    if isinstance(before, dict) and "organisation_code" not in before:
        before = {**before, "organisation_code": None}
    return before == registered


def _code_free(db, code, unit_id):
    """One unit per organisation code: members are matched to their branch by it."""
    holder = code and store.unit_coded(db, code)
    if holder and holder != unit_id:
        raise Conflict("another unit has this organisation code", {
            "organisation_code": [f"{code} is {holder}'s"]})


# --- reorganisations ---------------------------------------------------------------------------

def reorganise(db, operation, request, actor):
    """Carry out one operation (``request``: as sent, to tell a resent one from another under
    the same ``operation_id``); the stored reorganisation, applied."""
    operation_id = operation["operation_id"]
    stored = store.find_reorganisation(db, operation_id)
    if stored is None:
        plan = plan_operation(db, operation)
        stored = store.record_reorganisation(db, {
            "_id": operation_id, "request": request, "status": "applying", "plan": plan,
            "kind": operation["kind"], "effective_on": request["effective_on"],
            "reason": operation["reason"], "actor": actor, "recorded_at": contracts.utcnow()})
    if stored["request"] != request:
        raise Conflict("operation_id already names another reorganisation",
                       {"operation_id": [operation_id]})
    if stored["status"] != "applied":
        stored = finish(db, stored, operation, actor)
    return stored


def finish(db, stored, operation, actor):
    """Write a recorded plan's every step, then mark it applied with its event."""
    plan = stored["plan"]
    ended, made = apply_plan(db, stored["_id"], plan, operation["effective_on"], actor,
                             operation["reason"])
    event = contracts.UNIT_REORGANISED.new({
        "operation_id": stored["_id"], "kind": operation["kind"],
        "effective_on": operation["effective_on"], "units": plan["units"],
        "successor_of": {s["unit_id"]: s["successor_id"] for s in plan["successor_of"]}},
        actor=actor)
    applied = store.mark_applied(db, stored["_id"], ended, made, event)
    _log.info("reorganisation %s (%s on %s): %d units, %d assignments ended, %d carried",
              stored["_id"], operation["kind"], stored["effective_on"],
              len(plan["units"]), len(ended), len(made))
    return applied


def _involved(db, operation):
    """Every unit the plan needs: those named, their parents, targets, and all under them."""
    named = {operation.get("unit_id"), operation.get("parent_id"),
             *(operation.get("unit_ids") or ())}
    for spec in [operation.get("into") or {}, *(operation.get("parts") or ())]:
        named |= {spec.get("unit_id"), spec.get("parent_id")}
    named.discard(None)
    found = {doc["_id"]: doc for doc in store.units_named(db, sorted(named))}
    parents = {doc["parent_id"] for doc in found.values() if doc["parent_id"]} - set(found)
    if parents:
        for doc in store.units_named(db, sorted(parents)):
            found[doc["_id"]] = doc
    roots = sorted(named & set(found))
    if operation["kind"] != "rename" and roots:
        for doc in store.units_ever_under(db, roots):
            found.setdefault(doc["_id"], doc)
    return found


def _assignment_moves(db, result, day):
    """For each assignment holding on ``day`` to an ended unit: end it, and carry it to the
    successor unless the cadre is already assigned there."""
    moves = []
    for unit_id in result.ended:
        successor = result.successor_of.get(unit_id)
        for assignment in store.assignments_to(db, unit_id):
            if assignment.get("ends_on") is not None and assignment["ends_on"] < \
                    history.iso(day):
                continue
            carry = None
            if successor is not None and store.assignment_of(
                    db, assignment["cadre_id"], successor) is None:
                carry = successor
            moves.append({"assignment": assignment, "carry_to": carry})
    return moves


def _home_moves(db, result):
    """Cadres sitting on the committee of a unit merged into a successor sit on the
    successor's from then on (the one they sat on is kept as a former home)."""
    moves = []
    for unit_id, successor in result.successor_of.items():
        if successor is None:
            continue
        for cadre_id in store.cadres_at_home(db, unit_id):
            moves.append({"cadre_id": cadre_id, "from": unit_id, "to": successor})
    return moves


def plan_operation(db, operation):
    """The stored form of an operation's plan, computed from the store as it is now."""
    units = _involved(db, operation)
    result = reorganisation.plan(operation, units)
    moves = _assignment_moves(db, result, operation["effective_on"])
    return reorganisation.stored_plan(result, units, moves, _home_moves(db, result))


def apply_plan(db, operation_id, plan, day, actor, reason):
    """Write every step of a stored plan; each step is a no-op when already written."""
    for step in plan["versions"]:
        store.write_versions(db, step["unit_id"], step["versions"], step["revision"],
                             operation_id, history.current_fields(step["versions"]))
    for state in plan["created"]:
        versions = [history.first_version(state, day, operation_id)]
        store.insert_created_unit(db, {
            "_id": state["unit_id"], **history.current_fields(versions), "history": versions,
            "locality": None, "meeting_schedule": None, "contacts": [], "registered": None,
            "revision": 0, "last_operation_id": operation_id, "actor": actor})
    for move in plan.get("homes", []):
        store.move_home(db, move, actor)
    ended, made = [], []
    last_day = history.day_before(day)
    why = reason or f"reorganisation {operation_id}"
    for move in plan["moves"]:
        assignment = store.find_assignment(db, move["assignment_id"])
        ends_on = max(last_day, history.day_before(assignment["starts_on"]))
        ends_on = dt.date.fromisoformat(ends_on)
        domain.check_end(assignment, ends_on)
        store.end_assignment(db, assignment, ends_on, why, actor, already_ok=True)
        ended.append(assignment["_id"])
        if move["carry_to"] is not None:
            carried = {"_id": domain.assignment_id_for(operation_id, assignment["_id"]),
                       "cadre_id": assignment["cadre_id"], "unit_id": move["carry_to"],
                       "rule": assignment["rule"],
                       "starts_on": max(history.iso(day), assignment["starts_on"]),
                       "ends_on": None, "carried_from": assignment["_id"], "actor": actor}
            store.insert_assignment(db, carried, actor, unique_by_id=True)
            made.append(carried["_id"])
    return ended, made
