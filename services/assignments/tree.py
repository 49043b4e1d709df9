"""The organisation tree in the store: registering units and carrying out reorganisations.

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
import hashlib

from services.assignments import domain, history, levels, reorganisation
from shared import contracts, folding
from shared.errors import Conflict, NotFound, RuleViolated
from shared.outbox import push_events
from shared.storage import DuplicateKeyError

REGISTERED_FIELDS = ("name", "level", "kind", "parent_id", "established_on", "locality",
                     "meeting_schedule", "contacts")


def today():
    return dt.date.today()


def current_fields(versions):
    last = versions[-1]
    exists_from, exists_to = history.lifetime(versions)
    names = {version["name"] for version in versions}
    return {**{key: last[key] for key in history.FIELDS}, "exists_from": exists_from,
            "exists_to": exists_to, "search": folding.search_key(*sorted(names))}


def first_versions(unit, parent):
    """A new unit's history: it follows its parent's versions from ``established_on``."""
    start = history.iso(unit["established_on"])
    fields = {key: unit.get(key) for key in ("name", "level", "kind", "parent_id")}
    if parent is None:
        return [history.first_version({**fields, "path": [unit["unit_id"]]}, start)]
    if parent["history"][-1]["to"] is not None:
        raise RuleViolated("the parent unit no longer exists", {"parent_id": [
            f"{parent['_id']} ended on {parent['history'][-1]['to']}; register under its "
            f"successor"]})
    versions = []
    for version in parent["history"]:
        if version["to"] is not None and start is not None and version["to"] < start:
            continue
        begins = version["from"] if start is None or (
            version["from"] is not None and version["from"] > start) else start
        versions.append({**fields, "path": [*version["path"], unit["unit_id"]], "from": begins,
                         "to": version["to"], "operation_id": None})
    return versions


def register(db, unit, actor, registered):
    """Insert a unit once; the same registration again answers the stored unit (also after a
    reorganisation moved or ended it)."""
    existing = db.units.find_one({"_id": unit["unit_id"]}, {"outbox": 0})
    if existing is not None and existing.get("registered") == registered:
        return existing
    parent = None
    if unit["parent_id"] is not None:
        parent = db.units.find_one({"_id": unit["parent_id"]}, {"outbox": 0})
        if parent is None:
            raise NotFound("parent unit not found", {"parent_id": [unit["parent_id"]]})
    levels.check_level(unit["level"], parent and parent["level"])
    versions = first_versions(unit, parent)
    if not versions:
        raise RuleViolated("the parent unit did not exist from that day", {
            "established_on": [f"{unit['parent_id']} began later"]})
    document = {"_id": unit["unit_id"], **current_fields(versions), "history": versions,
                "locality": unit["locality"], "meeting_schedule": unit["meeting_schedule"],
                "contacts": unit["contacts"], "registered": registered, "revision": 0,
                "last_operation_id": None, "actor": actor}
    event = contracts.UNIT_REGISTERED.new(
        {"unit_id": unit["unit_id"], "name": unit["name"], "level": unit["level"],
         "parent_id": unit["parent_id"], "path": document["path"]}, actor=actor)
    try:
        db.units.insert_one({**document, "outbox": [event], "outbox_pending": True})
        return document
    except DuplicateKeyError:
        existing = db.units.find_one({"_id": unit["unit_id"]}, {"outbox": 0})
        if existing.get("registered") == registered:
            return existing
        raise Conflict("already registered with other data",
                       {"unit_id": [unit["unit_id"]]}) from None


def unit_on(db, unit_id, day):
    """The unit as it stood on ``day``; NotFound for a missing unit or one not existing then."""
    unit = db.units.find_one({"_id": unit_id}, {"outbox": 0})
    if unit is None:
        raise NotFound("unit not found", {"unit_id": [str(unit_id)]})
    state = history.state_on(unit, day)
    if state is None:
        since = "" if unit["exists_from"] == history.EARLIEST else f" from {unit['exists_from']}"
        until = "" if unit["exists_to"] == history.LATEST else f" until {unit['exists_to']}"
        raise NotFound("the unit did not exist on that day", {
            "as_of": [f"{unit_id} existed{since}{until}"]})
    return state


# --- reorganisations ---------------------------------------------------------------------------

def _involved(db, operation):
    """Every unit the plan needs: those named, their parents, targets, and all under them."""
    named = {operation.get("unit_id"), operation.get("parent_id"),
             *(operation.get("unit_ids") or ())}
    for spec in [operation.get("into") or {}, *(operation.get("parts") or ())]:
        named |= {spec.get("unit_id"), spec.get("parent_id")}
    named.discard(None)
    found = {doc["_id"]: doc for doc in db.units.find({"_id": {"$in": sorted(named)}},
                                                       {"outbox": 0})}
    parents = {doc["parent_id"] for doc in found.values() if doc["parent_id"]} - set(found)
    if parents:
        for doc in db.units.find({"_id": {"$in": sorted(parents)}}, {"outbox": 0}):
            found[doc["_id"]] = doc
    roots = sorted(named & set(found))
    if operation["kind"] != "rename" and roots:
        for doc in db.units.find({"history.path": {"$in": roots}}, {"outbox": 0}):
            found.setdefault(doc["_id"], doc)
    return found


def assignment_id_for(operation_id, assignment_id):
    """A carried assignment's id: the same on every attempt of the operation."""
    return hashlib.sha256(f"{operation_id}:{assignment_id}".encode()).hexdigest()[:32]


def _assignment_moves(db, result, day):
    """For each assignment holding on ``day`` to an ended unit: end it, and carry it to the
    successor unless the cadre is already assigned there."""
    moves = []
    for unit_id in result.ended:
        successor = result.successor_of.get(unit_id)
        for assignment in db.assignments.find({"unit_id": unit_id}, {"outbox": 0}):
            if assignment.get("ends_on") is not None and assignment["ends_on"] < \
                    history.iso(day):
                continue
            carry = None
            if successor is not None and db.assignments.find_one(
                    {"cadre_id": assignment["cadre_id"], "unit_id": successor}) is None:
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
        for cadre in db.cadres.find({"home_unit_id": unit_id}, {"_id": 1}):
            moves.append({"cadre_id": cadre["_id"], "from": unit_id, "to": successor})
    return moves


def plan_operation(db, operation):
    """The stored form of an operation's plan, computed from the store as it is now."""
    units = _involved(db, operation)
    result = reorganisation.plan(operation, units)
    day = operation["effective_on"]
    moves = _assignment_moves(db, result, day)
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
        "homes": _home_moves(db, result),
    }


def apply_plan(db, operation_id, plan, day, actor, reason):
    """Write every step of a stored plan; each step is a no-op when already written."""
    for step in plan["versions"]:
        unit_id, versions = step["unit_id"], step["versions"]
        update = {"$set": {**current_fields(versions), "history": versions,
                           "last_operation_id": operation_id},
                  "$inc": {"revision": 1}}
        done = db.units.update_one(
            {"_id": unit_id, "revision": step["revision"]}, update)
        if done.matched_count == 0 and db.units.find_one(
                {"_id": unit_id, "last_operation_id": operation_id}) is None:
            raise Conflict("the unit changed while the reorganisation was carried out; "
                           "send it again with a new operation_id", {"unit_id": [unit_id]})
    for state in plan["created"]:
        unit_id = state["unit_id"]
        versions = [history.first_version(state, day, operation_id)]
        document = {"_id": unit_id, **current_fields(versions), "history": versions,
                    "locality": None, "meeting_schedule": None, "contacts": [],
                    "registered": None, "revision": 0, "last_operation_id": operation_id,
                    "actor": actor}
        try:
            db.units.insert_one(document)
        except DuplicateKeyError:
            if db.units.find_one({"_id": unit_id, "last_operation_id": operation_id}) is None:
                raise Conflict("a unit with this id appeared meanwhile",
                               {"unit_id": [unit_id]}) from None
    for move in plan.get("homes", []):
        move_home(db, move, actor)
    ended, made = [], []
    last_day = history.day_before(day)
    why = reason or f"reorganisation {operation_id}"
    for move in plan["moves"]:
        assignment = db.assignments.find_one({"_id": move["assignment_id"]}, {"outbox": 0})
        ends_on = max(last_day, history.day_before(assignment["starts_on"]))
        end_assignment(db, assignment, dt.date.fromisoformat(ends_on), why, actor,
                       already_ok=True)
        ended.append(assignment["_id"])
        if move["carry_to"] is not None:
            carried = {"_id": assignment_id_for(operation_id, assignment["_id"]),
                       "cadre_id": assignment["cadre_id"], "unit_id": move["carry_to"],
                       "rule": assignment["rule"],
                       "starts_on": max(history.iso(day), assignment["starts_on"]),
                       "ends_on": None, "carried_from": assignment["_id"], "actor": actor}
            insert_assignment(db, carried, actor, unique_by_id=True)
            made.append(carried["_id"])
    return ended, made


def end_assignment(db, assignment, ends_on, reason, actor, already_ok=False):
    """End an assignment (one ``assignment_ended``); ending it again the same way is a no-op."""
    domain.check_end(assignment, ends_on)
    event = contracts.ASSIGNMENT_ENDED.new({
        "assignment_id": assignment["_id"], "cadre_id": assignment["cadre_id"],
        "unit_id": assignment["unit_id"], "ends_on": ends_on, "reason": reason}, actor=actor)
    done = db.assignments.update_one(
        {"_id": assignment["_id"], "ends_on": None},
        push_events({"$set": {"ends_on": ends_on.isoformat(), "end_reason": reason}}, [event]))
    if done.modified_count == 1:
        return {**assignment, "ends_on": ends_on.isoformat(), "end_reason": reason}
    stored = db.assignments.find_one({"_id": assignment["_id"]}, {"outbox": 0})
    if already_ok or (stored["ends_on"] == ends_on.isoformat()
                      and stored.get("end_reason") == reason):
        return stored
    raise Conflict("the assignment has already ended", {"ends_on": [
        f"ended on {stored['ends_on']}: {stored.get('end_reason')}"]})


def insert_assignment(db, document, actor, unique_by_id=False):
    """Insert an assignment with its ``assignment_made``; one per cadre and unit: the same again
    answers the stored one, another (or a cadre assigned there before) is a Conflict."""
    event = contracts.ASSIGNMENT_MADE.new({
        "assignment_id": document["_id"], "cadre_id": document["cadre_id"],
        "unit_id": document["unit_id"], "rule": document["rule"],
        "starts_on": dt.date.fromisoformat(document["starts_on"])}, actor=actor)
    try:
        db.assignments.insert_one({**document, "outbox": [event], "outbox_pending": True})
        return document
    except DuplicateKeyError:
        existing = db.assignments.find_one(
            {"cadre_id": document["cadre_id"], "unit_id": document["unit_id"]}, {"outbox": 0})
        if existing is None:
            raise
        if (unique_by_id and existing["_id"] == document["_id"]) or all(
                existing.get(key) == document.get(key)
                for key in ("rule", "starts_on", "replaces", "carried_from")):
            return existing
        raise Conflict("the cadre is already assigned to this unit",
                       {"cadre_id": [document["cadre_id"]], "unit_id": [document["unit_id"]],
                        "assignment_id": [existing["_id"]]}) from None


def move_home(db, move, actor):
    """One cadre's home committee carried to the successor (``cadre_changed``); a no-op when
    done already."""
    cadre = db.cadres.find_one({"_id": move["cadre_id"], "home_unit_id": move["from"]},
                               {"outbox": 0})
    if cadre is None:
        return
    former = [*cadre.get("former_home_unit_ids", []), move["from"]]
    event = contracts.CADRE_CHANGED.new({
        "cadre_id": cadre["_id"], "full_name": cadre["full_name"], "home_unit_id": move["to"],
        "positions": cadre["positions"], "email": cadre.get("email"),
        "phone": cadre.get("phone"), "memberships": cadre.get("memberships") or []},
        actor=actor)
    db.cadres.update_one({"_id": cadre["_id"], "home_unit_id": move["from"]}, push_events(
        {"$set": {"home_unit_id": move["to"], "former_home_unit_ids": former}}, [event]))
