"""Branch meetings in the store: the committees' attendance plans, the visits logged (a read
model kept from ``visit_logged``, so plan against actual needs no call to visits) and the record
of who changed a branch's meeting dates. The only module touching these collections."""
from pymongo import ReturnDocument

from shared.outbox import push_events, with_events
from shared.storage import DuplicateKeyError

PLANS, ATTENDED, SCHEDULE_CHANGES = "meeting_plans", "meetings_attended", "schedule_changes"
FEEDS, FEED_READS = "meeting_feeds", "meeting_feed_reads"
# the days administrators entered in the working calendar, as told by escalations
CALENDAR_DAYS = "calendar_days"
INDEXES = {
    FEEDS: [([("token_hash", 1)], {})],
    # reads of a feed per address and window, forgotten when the window ends
    FEED_READS: [([("forget_after", 1)], {"expireAfterSeconds": 0})],
    PLANS: [([("committee_unit_id", 1), ("meeting_on", 1)], {}),
            ([("attendee_cadre_ids", 1), ("meeting_on", 1)], {}),
            # reminders due: those not yet sent, by meeting day
            ([("reminded", 1), ("meeting_on", 1)], {})],
    ATTENDED: [([("unit_id", 1), ("meeting_date", 1)], {})],
    SCHEDULE_CHANGES: [([("unit_id", 1), ("changed_at", -1)], {})],
}
OUT = {"outbox": 0, "outbox_pending": 0}


def plan_id(unit_id, meeting_on):
    """One plan entry per meeting: its id is the branch and the day."""
    return f"{unit_id}@{meeting_on}"


def find_plan(db, unit_id, meeting_on):
    return db[PLANS].find_one({"_id": plan_id(unit_id, meeting_on)}, OUT)


def insert_plan(db, document, events=()):
    """The entry inserted with its events, or the one already planned for that meeting (the
    caller compares; nothing is told again)."""
    try:
        db[PLANS].insert_one(with_events(document, events))
        return document
    except DuplicateKeyError:
        return find_plan(db, document["unit_id"], document["meeting_on"])


def plans_of_committee(db, committee_unit_id, first, last):
    return list(db[PLANS].find({"committee_unit_id": committee_unit_id,
                                "meeting_on": {"$gte": first, "$lte": last}}, OUT)
                .sort([("meeting_on", 1), ("_id", 1)]))


def plans_of_cadre(db, cadre_id, first, last):
    return list(db[PLANS].find({"attendee_cadre_ids": cadre_id,
                                "meeting_on": {"$gte": first, "$lte": last}}, OUT)
                .sort([("meeting_on", 1), ("_id", 1)]))


def plans_after(db, last_id, limit):
    """Plan entries in ``_id`` order after ``last_id`` (the backfill's walk)."""
    query = {} if last_id is None else {"_id": {"$gt": last_id}}
    return list(db[PLANS].find(query, OUT).sort("_id", 1).limit(limit))


def tell_plan_again(db, entry_id, event):
    db[PLANS].update_one({"_id": entry_id}, push_events({}, [event]))


def plans_to_remind(db, last_day, limit=200):
    """Entries whose meeting is on or before ``last_day`` and not yet reminded."""
    return list(db[PLANS].find({"reminded": False, "meeting_on": {"$lte": last_day}}, OUT)
                .sort("meeting_on", 1).limit(limit))


def mark_reminded(db, entry_id, event):
    """The entry marked reminded with its event, once: False when another run did it."""
    done = db[PLANS].update_one({"_id": entry_id, "reminded": False},
                                push_events({"$set": {"reminded": True}},
                                            [event] if event else []))
    return done.modified_count == 1


def record_calendar_day(db, day):
    """A national day as last told (``{_id: day, kind, told_at}``): an older telling arriving
    late changes nothing."""
    found = db[CALENDAR_DAYS].update_one({"_id": day["_id"], "told_at": {"$lt": day["told_at"]}},
                                         {"$set": day})
    if found.matched_count:
        return
    try:
        db[CALENDAR_DAYS].insert_one(day)
    except DuplicateKeyError:
        pass  # kept already, told later than this


def calendar_days(db):
    return list(db[CALENDAR_DAYS].find({}).sort("_id", 1))


def record_attended(db, visit):
    """A visit as plan against actual and the periodic report read it, unless a later version
    of it is kept (events come in any order; the same visit again changes nothing)."""
    try:
        db[ATTENDED].update_one(
            {"_id": visit["_id"], "$or": [{"version": {"$lt": visit["version"]}},
                                          {"version": {"$exists": False}}]},
            {"$set": {k: v for k, v in visit.items() if k != "_id"}}, upsert=True)
    except DuplicateKeyError:
        pass  # a version as late or later is kept


def attended_at(db, unit_ids, first, last):
    return list(db[ATTENDED].find({"unit_id": {"$in": sorted(unit_ids)},
                                   "meeting_date": {"$gte": first, "$lte": last}})
                .sort([("meeting_date", 1), ("_id", 1)]))


def record_schedule_change(db, change):
    db[SCHEDULE_CHANGES].insert_one(change)


def schedule_changes(db, unit_id, limit=50):
    return list(db[SCHEDULE_CHANGES].find({"unit_id": unit_id}, {"_id": 0})
                .sort("changed_at", -1).limit(limit))


# --- the cadres' calendar feeds -----------------------------------------------------------------



def set_feed(db, cadre_id, token_hash, at):
    """The cadre's one feed address: a new one replaces (revokes) the old; None revokes."""
    db[FEEDS].replace_one({"_id": cadre_id}, {"_id": cadre_id, "token_hash": token_hash,
                                              "changed_at": at}, upsert=True)


def feed_of_token(db, token_hash):
    return db[FEEDS].find_one({"token_hash": token_hash})


def count_feed_read(db, key, forget_after):
    """One more read of a feed from an address in a window: how many so far."""
    return db[FEED_READS].find_one_and_update(
        {"_id": key}, {"$inc": {"count": 1}, "$setOnInsert": {"forget_after": forget_after}},
        upsert=True, return_document=ReturnDocument.AFTER)["count"]
