"""The registry in the store: the only module of the assignments service that reads or writes a
collection (units, reorganisations, cadres, assignments, working groups).

Each write that tells the other services something carries its event in the same update
(``shared.outbox``); a write made conditional on what was read answers Conflict when someone
changed the document meanwhile, and a write that finds its work done already answers what is
stored, so every command may be sent again. Example::

    unit = find_unit(db, "vp.bx")                      # the document, or None
    page = units_existing_on(db, "2025-06-30", query)  # {"items": [...], "next_cursor": ...}
"""
import datetime as dt

from shared import contracts
from shared.data_subjects import ANSWERS
from shared.errors import Conflict, NotFound
from shared.outbox import insert_once, insert_or_change_contact, push_events
from shared.pages import read_page
from shared.personal_data import COLLECTION as READS
from shared.personal_data import record_read
from shared.storage import DuplicateKeyError, writes_together

# personal_data_reads: who was shown which cadres' contacts (shared.personal_data)
OUTBOX_COLLECTIONS = ["units", "cadres", "assignments", "reorganisations", "working_groups",
                      READS, ANSWERS]
INDEXES = {
    # one assignment per cadre and unit
    "assignments": [([("cadre_id", 1), ("unit_id", 1)], {"unique": True}),
                    ([("unit_id", 1)], {})],
    "units": [([("parent_id", 1)], {}), ([("level", 1)], {}),
              # everything ever under a unit (a reorganisation's reach)
              ([("history.path", 1)], {}),
              # matched by the Party-member database's organisation code (members' imports)
              ([("organisation_code", 1)], {}),
              # search by folded name words (shared.folding)
              ([("search.prefixes", 1)], {})],
    "cadres": [([("search.prefixes", 1)], {}),
               # who sits on a committee (carried when it merges)
               ([("home_unit_id", 1)], {})],
    # the groups a cadre is a member of (a request from the person)
    "working_groups": [([("member_cadre_ids", 1)], {})],
}
# what a read leaves out: the events waiting to be relayed
OUT = {"outbox": 0, "outbox_pending": 0}
NO_OUTBOX = {"outbox": 0}


# --- units -----------------------------------------------------------------------------------

def find_unit(db, unit_id):
    """The unit document, or None."""
    return db.units.find_one({"_id": unit_id}, NO_OUTBOX)


def unit_coded(db, code):
    """The id of the unit with organisation code ``code``, or None."""
    found = db.units.find_one({"organisation_code": code}, {"_id": 1})
    return found and found["_id"]


def units_coded(db, codes):
    """``{organisation_code: unit_id}`` of the units with one of ``codes``."""
    return {unit["organisation_code"]: unit["_id"] for unit in db.units.find(
        {"organisation_code": {"$in": list(codes)}}, {"organisation_code": 1})}


def unit_exists(db, unit_id):
    return db.units.find_one({"_id": unit_id}, {"history": 1}) is not None


def unit_history(db, unit_id):
    unit = db.units.find_one({"_id": unit_id}, {"history": 1})
    if unit is None:
        raise NotFound("unit not found", {"unit_id": [str(unit_id)]})
    return unit


def units_named(db, unit_ids, hidden=NO_OUTBOX):
    return list(db.units.find({"_id": {"$in": unit_ids}}, hidden))


def units_ever_under(db, unit_ids):
    """Every unit that ever sat under one of ``unit_ids`` (or is one of them)."""
    return list(db.units.find({"history.path": {"$in": unit_ids}}, NO_OUTBOX))


def units_existing_on(db, day, query, found=None):
    """A page of the units existing on ``day`` (ISO) that ``found`` (``shared.folding``
    criteria, or None: all) finds, in id order; with ``parent_id`` or ``level``, those under
    it or of it."""
    criteria = {"exists_from": {"$lte": day}, "exists_to": {"$gte": day}}
    for key in ("parent_id", "level"):
        if query.get(key):
            criteria[key] = query[key]
    if found is not None:
        criteria = {"$and": [found, criteria]}
    return read_page(db.units, criteria, [("_id", 1)], query, OUT)


def units_found(db, criteria, day, limit):
    """Units existing on ``day`` that ``criteria`` (``shared.folding``) finds, in id order."""
    return list(db.units.find({"$and": [criteria, {"exists_from": {"$lte": day}},
                                        {"exists_to": {"$gte": day}}]}, OUT)
                .sort("_id", 1).limit(limit))


def insert_unit(db, document, event):
    """Insert a registered unit with its event; the unit stored already when its id is taken."""
    try:
        db.units.insert_one({**document, "outbox": [event], "outbox_pending": True})
        return document
    except DuplicateKeyError:
        return find_unit(db, document["_id"])


def change_unit_details(db, unit, details, event):
    """``details`` written with their ``unit_details_changed`` if the fields they name still
    hold what ``unit`` read."""
    done = db.units.update_one(
        {"_id": unit["_id"], **{key: unit.get(key) for key in details}},
        push_events({"$set": details}, [event]))
    if done.modified_count != 1:
        raise Conflict("changed by someone else meanwhile; retry", {"unit_id": [unit["_id"]]})


def write_versions(db, unit_id, versions, revision, operation_id, fields):
    """A reorganisation's new history of a unit, read at ``revision``; a no-op when the
    operation wrote it already."""
    update = {"$set": {**fields, "history": versions, "last_operation_id": operation_id},
              "$inc": {"revision": 1}}
    done = db.units.update_one({"_id": unit_id, "revision": revision}, update)
    if done.matched_count == 0 and db.units.find_one(
            {"_id": unit_id, "last_operation_id": operation_id}) is None:
        raise Conflict("the unit changed while the reorganisation was carried out; "
                       "send it again with a new operation_id", {"unit_id": [unit_id]})


def insert_created_unit(db, document):
    """A unit a reorganisation creates; a no-op when that operation created it already."""
    try:
        db.units.insert_one(document)
    except DuplicateKeyError:
        if db.units.find_one({"_id": document["_id"],
                              "last_operation_id": document["last_operation_id"]}) is None:
            raise Conflict("a unit with this id appeared meanwhile",
                           {"unit_id": [document["_id"]]}) from None


# --- reorganisations -------------------------------------------------------------------------

def find_reorganisation(db, operation_id):
    """The recorded reorganisation, or None."""
    return db.reorganisations.find_one({"_id": operation_id}, OUT)


def record_reorganisation(db, document):
    """Record a planned reorganisation (status ``applying``); the one recorded already when the
    same request came at the same moment."""
    try:
        db.reorganisations.insert_one(document)
        return document
    except DuplicateKeyError:
        return find_reorganisation(db, document["_id"])


def mark_applied(db, operation_id, ended, made, event):
    """The reorganisation done, with its one ``unit_reorganised``; as stored now."""
    db.reorganisations.update_one(
        {"_id": operation_id, "status": "applying"},
        push_events({"$set": {"status": "applied", "assignments_ended": ended,
                              "assignments_made": made}}, [event]))
    return find_reorganisation(db, operation_id)


def reorganisations_page(db, query):
    return read_page(db.reorganisations, {}, [("_id", 1)], query, OUT)


# --- cadres ----------------------------------------------------------------------------------

def cadre_or_none(db, cadre_id):
    return db.cadres.find_one({"_id": cadre_id}, OUT)


def find_cadre(db, cadre_id):
    cadre = cadre_or_none(db, cadre_id)
    if cadre is None:
        raise NotFound("cadre not found", {"cadre_id": [str(cadre_id)]})
    return cadre


def cadres_found(db, criteria, limit):
    return list(db.cadres.find(criteria, OUT).sort("_id", 1).limit(limit))


def cadres_page(db, query, found=None):
    return read_page(db.cadres, found or {}, [("_id", 1)], query, OUT)


def cadres_named(db, cadre_ids):
    """The ids and names of the cadres ``cadre_ids`` (one indexed read; no contact)."""
    return list(db.cadres.find({"_id": {"$in": cadre_ids}}, {"full_name": 1}))


def homes_of(db, cadre_ids):
    """{cadre_id: {"home_unit_id": ...}} of the cadres found."""
    return {doc["_id"]: doc for doc in db.cadres.find({"_id": {"$in": cadre_ids}},
                                                      {"home_unit_id": 1})}


def cadres_seated_on(db, unit_ids):
    """The cadres who ever held a seat on one of ``unit_ids``' committees, by id."""
    return list(db.cadres.find({"memberships.unit_id": {"$in": list(unit_ids)}},
                               {"full_name": 1, "memberships": 1}).sort("_id", 1))


def cadres_at_home(db, unit_id):
    """The ids of the cadres sitting on ``unit_id``'s committee."""
    return [cadre["_id"] for cadre in db.cadres.find({"home_unit_id": unit_id}, {"_id": 1})]


def register_cadre(db, document, event, contact_changed):
    """Insert a cadre once; the same again with another email only changes the contact."""
    return insert_or_change_contact(db.cadres, document, [event], "email", [contact_changed])


def change_cadre(db, cadre, changes, sets, events):
    """``sets`` written if the fields ``changes`` names still hold what ``cadre`` read."""
    done = db.cadres.update_one(
        {"_id": cadre["_id"], **{key: cadre.get(key) for key in changes}},
        push_events({"$set": sets}, events))
    if done.modified_count != 1:
        raise Conflict("changed by someone else meanwhile; retry", {"cadre_id": [cadre["_id"]]})


def anonymise_cadre(db, cadre_id, sets, events):
    """A deletion request: the cadre's details replaced (``sets``), with their events."""
    db.cadres.update_one({"_id": cadre_id}, push_events({"$set": sets}, events))


def working_groups_with_member(db, cadre_id):
    return list(db.working_groups.find({"member_cadre_ids": cadre_id}, {"_id": 1}))


def move_home(db, move, actor):
    """One cadre's home committee carried to the successor (``cadre_changed``); a no-op when
    done already."""
    cadre = db.cadres.find_one({"_id": move["cadre_id"], "home_unit_id": move["from"]},
                               NO_OUTBOX)
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


# --- assignments -----------------------------------------------------------------------------

def find_assignment(db, assignment_id):
    found = db.assignments.find_one({"_id": assignment_id}, OUT)
    if found is None:
        raise NotFound("assignment not found", {"assignment_id": [str(assignment_id)]})
    return found


def assignment_of(db, cadre_id, unit_id):
    """The cadre's assignment to the unit (one at most), or None."""
    return db.assignments.find_one({"cadre_id": cadre_id, "unit_id": unit_id}, OUT)


def assignments_of_cadre(db, cadre_id):
    return list(db.assignments.find({"cadre_id": cadre_id}, OUT).sort("_id", 1))


def assignments_of_unit(db, unit_id):
    return list(db.assignments.find({"unit_id": unit_id}, OUT).sort("_id", 1))


def assignments_to(db, unit_id):
    """Every assignment ever made to the unit, as stored (a reorganisation's reach)."""
    return list(db.assignments.find({"unit_id": unit_id}, NO_OUTBOX))


def end_assignment(db, assignment, ends_on, reason, actor, already_ok=False):
    """End an assignment (one ``assignment_ended``); ending it again the same way is a no-op,
    and any end will do when ``already_ok``."""
    event = contracts.ASSIGNMENT_ENDED.new({
        "assignment_id": assignment["_id"], "cadre_id": assignment["cadre_id"],
        "unit_id": assignment["unit_id"], "ends_on": ends_on, "reason": reason}, actor=actor)
    done = db.assignments.update_one(
        {"_id": assignment["_id"], "ends_on": None},
        push_events({"$set": {"ends_on": ends_on.isoformat(), "end_reason": reason}}, [event]))
    if done.modified_count == 1:
        return {**assignment, "ends_on": ends_on.isoformat(), "end_reason": reason}
    stored = db.assignments.find_one({"_id": assignment["_id"]}, NO_OUTBOX)
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
            {"cadre_id": document["cadre_id"], "unit_id": document["unit_id"]}, NO_OUTBOX)
        if existing is None:
            raise
        if (unique_by_id and existing["_id"] == document["_id"]) or all(
                existing.get(key) == document.get(key)
                for key in ("rule", "starts_on", "replaces", "carried_from")):
            return existing
        raise Conflict("the cadre is already assigned to this unit",
                       {"cadre_id": [document["cadre_id"]], "unit_id": [document["unit_id"]],
                        "assignment_id": [existing["_id"]]}) from None


# --- working groups --------------------------------------------------------------------------

def find_working_group(db, working_group_id):
    group = db.working_groups.find_one({"_id": working_group_id}, OUT)
    if group is None:
        raise NotFound("working group not found", {"working_group_id": [str(working_group_id)]})
    return group


def insert_working_group(db, document, event):
    """Form a group once; the same again answers the stored one (``shared.outbox``)."""
    return insert_once(db.working_groups, document, [event])


def change_working_group(db, group, changes, event):
    """``changes`` written if the fields they name still hold what ``group`` read."""
    done = db.working_groups.update_one(
        {"_id": group["_id"], **{key: group.get(key) for key in changes}},
        push_events({"$set": changes}, [event]))
    if done.modified_count != 1:
        raise Conflict("changed by someone else meanwhile; retry",
                       {"working_group_id": [group["_id"]]})


def working_groups_page(db, day, query):
    """A page of the working groups (those in force on ``day`` when given), in id order."""
    criteria = {}
    if day is not None:
        day = day.isoformat()
        criteria = {"starts_on": {"$lte": day},
                    "$or": [{"ends_on": None}, {"ends_on": {"$gte": day}}]}
    return read_page(db.working_groups, criteria, [("_id", 1)], query, OUT)


# --- reads of personal data ------------------------------------------------------------------

def record_personal_data_read(db, entry):
    record_read(db[READS], entry)


def registering_together(db):
    """The writes of one bulk registration in one store transaction, where the store has them
    (``shared.storage.writes_together``)."""
    return writes_together(db)
