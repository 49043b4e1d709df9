"""The visits store's rewrites of stored visits: retention (``services.visits.retention``),
redaction by hand (``services.visits.redacting``) and the migrations' walks
(``services.visits.upkeep``)."""
from shared.outbox import push_events, with_events
from shared.storage import DuplicateKeyError

# the answers to requests from the people concerned (services.visits.retention)
ANSWERS_TO_REQUESTS = "data_subject_answers"



# --- retention (services.visits.retention) ---------------------------------------------------

def visits_holding_raisers(db, idle_since, limit):
    """Visits still holding raisers whose last activity is before ``idle_since``."""
    return list(db.visits.find({"raisers_held": True, "last_activity_at": {"$lt": idle_since}},
                               {"outbox": 0}).sort("last_activity_at", 1).limit(limit))


def anonymise_visit(db, visit, changes, events=()):
    """The visit anonymised with its events, unless it changed since it was read."""
    result = db.visits.update_one({"_id": visit["_id"], "version": visit.get("version", 1),
                                   "raisers_held": True},
                                  push_events({"$set": changes}, list(events)))
    return result.matched_count != 0


def redact_case_view(db, concern_id, summary):
    db.concern_cases.update_one({"_id": concern_id}, {"$set": {"summary": summary}})


def visits_of_raiser(db, name_key, contact_key):
    """The visits (with their versions) with a concern raised by that name or contact."""
    found = {}
    for field, key in (("concerns.raiser_key", name_key),
                       ("concerns.raiser_contact_key", contact_key)):
        if key:
            found.update((v["_id"], v) for v in db.visits.find({field: key}, {"outbox": 0}))
    return list(found.values())


def record_answer_to_request(db, request_id, concern_ids, event):
    """The answer to a request, once (its event in the same insert)."""
    try:
        db[ANSWERS_TO_REQUESTS].insert_one(with_events(
            {"_id": request_id, "concern_ids": concern_ids}, [event]))
    except DuplicateKeyError:
        pass  # answered before: a redelivered request


def touch_visit(db, visit_id, at):
    """A case event about one of the visit's concerns: its last activity, at the latest. Only
    the retention sweep reads it, of visits holding raisers: another is not rewritten (an
    amendment that adds raisers sets it anew)."""
    db.visits.update_one({"_id": visit_id, "raisers_held": True},
                         {"$max": {"last_activity_at": at}})


# --- redaction by hand (services.visits.redacting) -------------------------------------------

def whole_visit_of_concern(db, concern_id):
    """The visit holding the concern, with its older versions."""
    return db.visits.find_one({"concerns.concern_id": concern_id}, {"outbox": 0})


def rewrite_concern(db, visit, changes, events):
    """The visit's texts rewritten with their events, unless it changed since it was read."""
    result = db.visits.update_one({"_id": visit["_id"], "version": visit.get("version", 1)},
                                  push_events({"$set": changes}, list(events)))
    return result.matched_count != 0


# --- migrations (services.visits.upkeep) ------------------------------------------------------

def visits_without_raisers_held(db, after, limit):
    """Visits stored before ``raisers_held`` existed, in ``_id`` order after ``after``."""
    query = {"raisers_held": {"$exists": False}}
    if after is not None:
        query["_id"] = {"$gt": after}
    return list(db.visits.find(query, {"_id": 1, "logged_at": 1, "amended_at": 1})
                .sort("_id", 1).limit(limit))


def set_raisers_held(db, visit_id, last_activity_at):
    """Held until the sweep says otherwise; conditional, so a re-run changes nothing."""
    db.visits.update_one({"_id": visit_id, "raisers_held": {"$exists": False}},
                         {"$set": {"raisers_held": True, "last_activity_at": last_activity_at}})


def visits_after(db, after, limit):
    """Visits in ``_id`` order after ``after``, with their concerns and version: a walk of the
    ``_id`` index (which concern lacks a code is a question about an array, answered by the
    caller rather than row by row in the store)."""
    query = {} if after is None else {"_id": {"$gt": after}}
    return list(db.visits.find(query, {"_id": 1, "unit_id": 1, "version": 1, "concerns": 1})
                .sort("_id", 1).limit(limit))


def set_receipt_codes(db, visit, concerns, events):
    """The visit's concerns with their codes, and the event saying so, unless the visit
    changed since it was read (then the next run gives the codes)."""
    result = db.visits.update_one({"_id": visit["_id"], "version": visit.get("version", 1)},
                                  push_events({"$set": {"concerns": concerns}}, list(events)))
    return result.matched_count != 0
