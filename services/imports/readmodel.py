"""The imports service's own view of the registry and of visits, kept from events, for the
coverage reports and the export of cadres and assignments (no RPC lists those).

The promise: each event has one effect however often it arrives (upserts keyed by the
registry's ids, ``$max`` for last visits, an insert keyed by visit id), and events may arrive
in any order (an ``assignment_ended`` before its ``assignment_made``, a visit before its
unit). Example::

    record(db, parse_event(body))   # unit_registered, unit_reorganised, working_group_formed,
                                    # assignment_made, visit_logged, ...
    units_of_level(db, "branch")
"""
import datetime as dt

from shared import contracts
from shared.storage import DuplicateKeyError

INDEXES = {
    "units": [([("level", 1), ("_id", 1)], {}), ([("level", 1), ("last_visit_on", 1)], {})],
    "assignments": [([("starts_on", 1)], {}), ([("cadre_id", 1), ("unit_id", 1)], {})],
    "visits": [([("meeting_date", 1)], {})],
    "cadres": [],
    "cadre_visits": [],
    "working_groups": [([("starts_on", 1)], {})],
}
UNIT_FIELDS = ("name", "level", "kind", "parent_id", "path")


def _day(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def record(db, event):
    payload, name = event.payload, event.event_type.name
    if name == contracts.UNIT_REGISTERED.name:
        # a reorganisation seen first says how the unit stands now: the registration adds nothing
        _set_or_insert(db.units, payload["unit_id"], {"reorganised_on": {"$exists": False}}, {
            "name": payload["name"], "level": payload["level"],
            "parent_id": payload["parent_id"], "path": payload["path"]})
    elif name == contracts.UNIT_REORGANISED.name:
        _reorganised(db, payload)
    elif name == contracts.WORKING_GROUP_FORMED.name:
        try:  # a change seen first holds the group as it stands later
            db.working_groups.insert_one(_group(payload))
        except DuplicateKeyError:
            pass
    elif name == contracts.WORKING_GROUP_CHANGED.name:
        group = _group(payload)
        db.working_groups.update_one({"_id": group.pop("_id")}, {"$set": group}, upsert=True)
    elif name == contracts.CADRE_REGISTERED.name:
        db.cadres.update_one({"_id": payload["cadre_id"]}, {"$set": {
            "full_name": payload["full_name"], "home_unit_id": payload["home_unit_id"],
            "positions": payload["positions"], "email": payload.get("email")}}, upsert=True)
    elif name == contracts.CADRE_CONTACT_CHANGED.name:
        db.cadres.update_one({"_id": payload["cadre_id"]},
                             {"$set": {"email": payload["email"]}}, upsert=True)
    elif name == contracts.ASSIGNMENT_MADE.name:
        db.assignments.update_one({"_id": payload["assignment_id"]}, {"$set": {
            "cadre_id": payload["cadre_id"], "unit_id": payload["unit_id"],
            "starts_on": _day(payload["starts_on"])}}, upsert=True)
    elif name == contracts.ASSIGNMENT_ENDED.name:
        db.assignments.update_one({"_id": payload["assignment_id"]}, {"$set": {
            "cadre_id": payload["cadre_id"], "unit_id": payload["unit_id"],
            "ends_on": _day(payload["ends_on"]), "end_reason": payload.get("reason")}},
            upsert=True)
    elif name == contracts.VISIT_LOGGED.name:
        day = _day(payload["meeting_date"])
        try:
            db.visits.insert_one({"_id": payload["visit_id"], "unit_id": payload["unit_id"],
                                  "cadre_id": payload["cadre_id"], "meeting_date": day})
        except DuplicateKeyError:
            pass  # seen before; the $max below are idempotent anyway
        db.units.update_one({"_id": payload["unit_id"]}, {"$max": {"last_visit_on": day}},
                            upsert=True)
        db.cadre_visits.update_one(
            {"_id": f"{payload['cadre_id']}:{payload['unit_id']}"},
            {"$set": {"cadre_id": payload["cadre_id"], "unit_id": payload["unit_id"]},
             "$max": {"last_visit_on": day}}, upsert=True)


def _set_or_insert(collection, _id, condition, fields):
    """``$set`` ``fields`` where ``condition`` holds; insert them if there is no document."""
    if collection.update_one({"_id": _id, **condition}, {"$set": fields}).matched_count == 0:
        try:
            collection.insert_one({"_id": _id, **fields})
        except DuplicateKeyError:
            pass  # the document exists and the condition says to leave it


def _reorganised(db, payload):
    """Each unit as it stands from the effective day: ``since`` for a unit the operation
    created, ``ended_on`` (its first day gone) for one merged away or split up. An older
    operation arriving after a newer one changes nothing."""
    day = _day(payload["effective_on"])
    for unit in payload["units"]:
        fields = {key: unit[key] for key in UNIT_FIELDS}
        fields["reorganised_on"] = day
        if unit["ended"]:
            fields["ended_on"] = day
        if unit["previous_path"] is None:
            fields["since"] = day
        _set_or_insert(db.units, unit["unit_id"], {"$or": [
            {"reorganised_on": {"$exists": False}}, {"reorganised_on": {"$lte": day}}]}, fields)


def _group(payload):
    return {"_id": payload["working_group_id"], "name": payload["name"],
            "formed_by_unit_id": payload["formed_by_unit_id"],
            "member_cadre_ids": list(payload["member_cadre_ids"]),
            "unit_ids": list(payload["unit_ids"]), "starts_on": _day(payload["starts_on"]),
            "ends_on": _day(payload["ends_on"])}


def unit_view(doc):
    return {"unit_id": doc["_id"], "name": doc.get("name"), "level": doc.get("level"),
            "parent_id": doc.get("parent_id"), "path": doc.get("path") or [doc["_id"]],
            "last_visit_on": doc.get("last_visit_on"), "since": doc.get("since"),
            "ended_on": doc.get("ended_on")}


def working_groups_started_by(db, day):
    return [{"working_group_id": doc["_id"], "unit_ids": doc["unit_ids"],
             "starts_on": doc["starts_on"], "ends_on": doc.get("ends_on")}
            for doc in db.working_groups.find({"starts_on": {"$lte": day}})]


def units_of_level(db, level):
    query = {"level": level} if level else {"level": {"$ne": None}}
    return [unit_view(doc) for doc in db.units.find(query).sort("_id", 1)]


def units_by_id(db, unit_ids):
    return {doc["_id"]: unit_view(doc) for doc in db.units.find({"_id": {"$in": list(unit_ids)}})}


def assignments_started_by(db, day):
    return [{"assignment_id": doc["_id"], "cadre_id": doc["cadre_id"],
             "unit_id": doc["unit_id"], "starts_on": doc["starts_on"],
             "ends_on": doc.get("ends_on"), "end_reason": doc.get("end_reason")}
            for doc in db.assignments.find({"starts_on": {"$lte": day}})]


def visited_units(db, first_day, last_day):
    return {doc["unit_id"] for doc in db.visits.find(
        {"meeting_date": {"$gte": first_day, "$lte": last_day}}, {"unit_id": 1})}


def own_visits(db, pairs):
    ids = [f"{cadre_id}:{unit_id}" for cadre_id, unit_id in pairs]
    return {(doc["cadre_id"], doc["unit_id"]): doc["last_visit_on"]
            for doc in db.cadre_visits.find({"_id": {"$in": ids}})}


def cadres_by_id(db, cadre_ids=None):
    query = {} if cadre_ids is None else {"_id": {"$in": list(cadre_ids)}}
    return {doc["_id"]: {"cadre_id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}
            for doc in db.cadres.find(query).sort("_id", 1)}
