"""Each authority's duty roster in the store, one document per authority (``_id``: its id),
its head as the officers' read model knows them, the cases the deadline sweep looks at, and
the officers' daily digests (one per officer and day, with its event). Part of the
escalations store (``services.escalations.store``)."""
from shared.outbox import with_events
from shared.storage import DuplicateKeyError

__all__ = ["find_roster", "save_roster", "head_of", "due_cases", "cases_due_by",
           "digest_day_done", "save_digest", "mark_digest_day"]

SWEEP_BATCH = 200
# a case as the sweep reads it: without its timeline and its events
SWEPT = {"outbox": 0, "timeline": 0}


def due_cases(db, now):
    """The cases whose next look has come (a warning, a reminder, a deadline, a rung's time
    in the acceptance chain), the earliest first (an indexed range)."""
    return list(db.cases.find({"next_deadline_at": {"$lte": now}}, SWEPT)
                .sort("next_deadline_at", 1).limit(SWEEP_BATCH))


def find_roster(db, authority_id):
    return db.rosters.find_one({"_id": authority_id}) if authority_id else None


def save_roster(db, authority_id, document):
    """The authority's roster as a whole (the head edits the whole of it at once)."""
    db.rosters.replace_one({"_id": authority_id}, {**document, "_id": authority_id},
                           upsert=True)
    return find_roster(db, authority_id)


def head_of(db, authority_id):
    """The user id of an enabled officer flagged as ``authority_id``'s head, or None (an
    authority has tens of officers: those of one authority are one index range)."""
    for officer in db.officers.find({"authority_id": authority_id}).sort(
            [("authority_id", 1), ("display_name", 1), ("_id", 1)]).limit(200):
        if officer.get("authority_head") and officer.get("enabled", True):
            return officer["_id"]
    return None


def cases_due_by(db, now, horizon, limit=2000):
    """The cases whose running deadline passes after ``now`` and by ``horizon`` (an indexed
    range of ``due_at``), without their timeline and events."""
    return list(db.cases.find({"due_at": {"$gt": now, "$lte": horizon}}, SWEPT)
                .sort("due_at", 1).limit(limit))


def digest_day_done(db, day):
    return db.digest_days.find_one({"_id": day.isoformat()}) is not None


def save_digest(db, document, event):
    """One officer's digest of a day with its event; False when it was compiled already (a
    sweep run again after a crash, or on another instance)."""
    try:
        db.digests.insert_one(with_events(document, [event]))
    except DuplicateKeyError:
        return False
    return True


def mark_digest_day(db, day, at):
    db.digest_days.update_one({"_id": day.isoformat()}, {"$setOnInsert": {"done_at": at}},
                              upsert=True)
