"""Working groups in the store: formed once (``working_group_formed``), changed as a whole
(``working_group_changed``, the payload the whole group as it now stands), both idempotent.
The seed's rule is ``domain.check_working_group``."""
import datetime as dt

from services.assignments import domain, history
from shared import contracts
from shared.errors import Conflict, NotFound, RuleViolated
from shared.outbox import insert_once, push_events

OUT = {"outbox": 0, "outbox_pending": 0}
FIELDS = ("name", "formed_by_unit_id", "member_cadre_ids", "unit_ids", "starts_on", "ends_on")


def find(db, working_group_id):
    group = db.working_groups.find_one({"_id": working_group_id}, OUT)
    if group is None:
        raise NotFound("working group not found", {"working_group_id": [str(working_group_id)]})
    return group


def _check(db, group):
    """The group's rules on its first day, read from the store."""
    day = group["starts_on"]
    if group["ends_on"] is not None and group["ends_on"] < day:
        raise RuleViolated("a working group ends after it starts",
                           {"ends_on": [f"must be {day} or later"]})
    formed_by = db.units.find_one({"_id": group["formed_by_unit_id"]}, {"history": 1})
    if formed_by is None:
        raise NotFound("unit not found", {"formed_by_unit_id": [group["formed_by_unit_id"]]})
    units = {doc["_id"]: history.state_on(doc, day)
             for doc in db.units.find({"_id": {"$in": group["unit_ids"]}}, OUT)}
    missing = sorted(set(group["unit_ids"]) - set(units))
    if missing:
        raise NotFound("unit not found", {"unit_ids": missing})
    cadres = {doc["_id"]: doc for doc in db.cadres.find(
        {"_id": {"$in": group["member_cadre_ids"]}}, {"home_unit_id": 1})}
    missing = sorted(set(group["member_cadre_ids"]) - set(cadres))
    if missing:
        raise NotFound("cadre not found", {"member_cadre_ids": missing})
    homes = {doc["_id"]: history.state_on(doc, day) for doc in db.units.find(
        {"_id": {"$in": sorted({c["home_unit_id"] for c in cadres.values()})}}, OUT)}
    home_paths = {cadre_id: (homes.get(cadre["home_unit_id"]) or {}).get("path")
                  for cadre_id, cadre in cadres.items()}
    domain.check_working_group(group["formed_by_unit_id"], units, home_paths)


def _payload(group_id, group):
    return {"working_group_id": group_id, **{key: group[key] for key in FIELDS[:4]},
            "starts_on": dt.date.fromisoformat(group["starts_on"]),
            "ends_on": group["ends_on"] and dt.date.fromisoformat(group["ends_on"])}


def form(db, loaded, dumped, actor):
    group = {key: dumped[key] for key in FIELDS}
    _check(db, group)
    event = contracts.WORKING_GROUP_FORMED.new(_payload(dumped["working_group_id"], group),
                                               actor=actor)
    document = {"_id": dumped["working_group_id"], **group, "revision": 0, "actor": actor}
    stored = insert_once(db.working_groups, {k: v for k, v in document.items()
                                             if k != "revision"}, [event])
    return stored


def change(db, working_group_id, changes, actor):
    group = find(db, working_group_id)
    after = {**{key: group[key] for key in FIELDS}, **changes}
    if all(group.get(key) == value for key, value in changes.items()):
        return group  # a re-sent change: nothing new
    _check(db, after)
    event = contracts.WORKING_GROUP_CHANGED.new(_payload(working_group_id, after), actor=actor)
    done = db.working_groups.update_one(
        {"_id": working_group_id, **{key: group.get(key) for key in changes}},
        push_events({"$set": changes}, [event]))
    if done.modified_count != 1:
        raise Conflict("changed by someone else meanwhile; retry",
                       {"working_group_id": [working_group_id]})
    return {**group, **after}
