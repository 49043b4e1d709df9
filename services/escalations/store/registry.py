"""The registry escalations keeps: authorities (registered, changed, searched, in service on a
day) and the routing rules that send a unit's concerns to them. Re-exported by the package:
callers use ``store.find_authority`` and the like."""
from shared.errors import Conflict
from shared.outbox import insert_once, insert_or_change_contact, push_events
from shared.pages import read_page

# an authority as its upkeep reads it: without its events
OUT = {"outbox": 0, "outbox_pending": 0}
# the same routing rule twice: by its id, or by what it routes from when
RULE_KEYS = [("_id",), ("topic", "unit_id", "urgency", "effective_from")]
# where a migration moves the rules that shared a key with the rule routing picked (issue 21)
RETIRED_RULES = "routing_rules_retired"


# --- authorities -----------------------------------------------------------------------------

def find_authority(db, authority_id, projection=None):
    return db.authorities.find_one({"_id": authority_id}, projection)


def authority_names(db, ids):
    """The names of the authorities ``ids``, by id (one indexed read)."""
    if not ids:
        return {}
    return {doc["_id"]: doc["name"]
            for doc in db.authorities.find({"_id": {"$in": sorted(ids)}}, {"name": 1})}


def register_authority(db, document, events, contact_events):
    """Store the authority once; registered again with another e-mail, change that alone."""
    return insert_or_change_contact(db.authorities, document, events, "email", contact_events)


def change_authority(db, before, changes, events):
    """Set ``changes`` on the authority as read in ``before``, with its events, or Conflict
    when someone changed those fields meanwhile."""
    done = db.authorities.update_one(
        {"_id": before["_id"], **{key: before.get(key) for key in changes if key != "search"}},
        push_events({"$set": changes}, events))
    if done.modified_count != 1:
        raise Conflict("changed by someone else meanwhile; retry",
                       {"authority_id": [before["_id"]]})


def in_service_on(day):
    """The criteria of the authorities not yet retired on ``day`` (None: every one)."""
    if day is None:
        return {}
    return {"$or": [{"retired_on": None}, {"retired_on": {"$gt": day.isoformat()}}]}


def authorities_page(db, query):
    """Authorities a page at a time; with ``as_of``, those in service that day."""
    return read_page(db.authorities, in_service_on(query["as_of"]), [("_id", 1)], query, OUT)


def search_authorities(db, criteria, as_of, limit):
    if as_of:
        criteria = {"$and": [criteria, in_service_on(as_of)]}
    return list(db.authorities.find(criteria, OUT).sort("_id", 1).limit(limit))


# --- routing rules ---------------------------------------------------------------------------

def add_routing_rule(db, document):
    """Store the rule once (the same rule again answers the stored one)."""
    return insert_once(db.routing_rules, document, unique_keys=RULE_KEYS)


def find_routing_rule(db, rule_id):
    return db.routing_rules.find_one({"_id": rule_id})


def routing_rules_page(db, query):
    """Routing rules a page at a time; with ``as_of``, those in force that day."""
    criteria = {}
    if query["as_of"]:
        day = query["as_of"].isoformat()
        criteria = {"$and": [
            {"$or": [{"effective_from": None}, {"effective_from": {"$lte": day}}]},
            {"$or": [{"effective_to": None}, {"effective_to": {"$gte": day}}]}]}
    return read_page(db.routing_rules, criteria, [("_id", 1)], query)


def routing_rules_at(db, unit_ids):
    """Every rule made for one of ``unit_ids``."""
    return list(db.routing_rules.find({"unit_id": {"$in": list(unit_ids)}}))


def rules_of_authority(db, authority_id):
    return list(db.routing_rules.find({"authority_id": authority_id}))


def end_routing_rule(db, rule_id, last_day, actor=None):
    """The rule's last day, and who ended it (routing rules publish no events: the rule's own
    record says who added and who ended it)."""
    db.routing_rules.update_one({"_id": rule_id}, {"$set": {"effective_to": last_day,
                                                            "ended_by": actor}})


def rules_sharing_a_key(db):
    """The groups of routing rules sharing one key of ``RULE_KEYS`` (a missing field and null
    alike, as a unique index holds them), each in ``_id`` order: what an older store let in.
    Read at start only, in ``_id`` order (rules grow with the organisation, not with use)."""
    groups = {}
    for rule in db.routing_rules.find({}).sort("_id", 1):
        groups.setdefault(tuple(rule.get(field) for field in RULE_KEYS[1]), []).append(rule)
    return [group for group in groups.values() if len(group) > 1]


def retire_duplicate_rule(db, rule, kept_id, on):
    """Move ``rule`` out of ``routing_rules`` into the retired rules (``RETIRED_RULES``), with
    why: the copy first, then the removal, so a crash between them is finished by a re-run."""
    retired = {**rule, "retired": {"on": on, "duplicate_of": kept_id,
                                   "why": "shared its topic, unit, urgency and effective_from "
                                          "with the rule routing picks"}}
    db[RETIRED_RULES].replace_one({"_id": rule["_id"]}, retired, upsert=True)
    db.routing_rules.delete_one({"_id": rule["_id"]})
