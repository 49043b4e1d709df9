"""Working groups written: formed once (``working_group_formed``), changed as a whole
(``working_group_changed``, the payload the whole group as it now stands), both idempotent.
The seed's rule is ``domain.check_working_group``; the documents are ``store``'s."""
import datetime as dt

from services.assignments import domain, history, store
from shared import contracts
from shared.errors import NotFound, RuleViolated

FIELDS = ("name", "formed_by_unit_id", "member_cadre_ids", "unit_ids", "starts_on", "ends_on")


def _check(db, group):
    """The group's rules on its first day, read from the store."""
    day = group["starts_on"]
    if group["ends_on"] is not None and group["ends_on"] < day:
        raise RuleViolated("a working group ends after it starts",
                           {"ends_on": [f"must be {day} or later"]})
    if not store.unit_exists(db, group["formed_by_unit_id"]):
        raise NotFound("unit not found", {"formed_by_unit_id": [group["formed_by_unit_id"]]})
    units = {doc["_id"]: history.state_on(doc, day)
             for doc in store.units_named(db, group["unit_ids"], store.OUT)}
    missing = sorted(set(group["unit_ids"]) - set(units))
    if missing:
        raise NotFound("unit not found", {"unit_ids": missing})
    cadres = store.homes_of(db, group["member_cadre_ids"])
    missing = sorted(set(group["member_cadre_ids"]) - set(cadres))
    if missing:
        raise NotFound("cadre not found", {"member_cadre_ids": missing})
    homes = {doc["_id"]: history.state_on(doc, day) for doc in store.units_named(
        db, sorted({c["home_unit_id"] for c in cadres.values()}), store.OUT)}
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
    return store.insert_working_group(db, {k: v for k, v in document.items()
                                           if k != "revision"}, event)


def change(db, working_group_id, changes, actor):
    group = store.find_working_group(db, working_group_id)
    after = {**{key: group[key] for key in FIELDS}, **changes}
    if all(group.get(key) == value for key, value in changes.items()):
        return group  # a re-sent change: nothing new
    _check(db, after)
    event = contracts.WORKING_GROUP_CHANGED.new(_payload(working_group_id, after), actor=actor)
    store.change_working_group(db, group, changes, event)
    return {**group, **after}
