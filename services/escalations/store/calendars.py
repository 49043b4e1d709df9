"""The working calendar in the store: national and per-authority entries (each with who entered
it and when), office hours per authority, and a version every edit bumps so each instance
rebuilds its calendar only when it changed. Part of the escalations store
(``services.escalations.store``); the rules are ``shared.working_calendar``'s.

An entry's ``_id`` is its scope and day (``"*:2026-01-02"``, ``"ubnd-x:2026-10-08"``): one
entry per day and scope, replaced by a later edit. A removed or replaced one moves to
``calendar_history`` (who removed or replaced it, when), so the entries in force are the whole
collection, read in ``_id`` order."""
import datetime as dt
import uuid

from shared.outbox import push_events

__all__ = ["entry_id", "calendar_version", "calendar_rows", "seed_calendar", "save_calendar_entry",
           "remove_calendar_entry", "find_calendar_entry", "save_office_hours",
           "open_cases_due_from", "CALENDAR_INDEXES"]

NATIONAL = "*"
STATE_ID = "calendar"
CALENDAR_INDEXES = {
    # the open cases an edit may move: by state and answer deadline (per authority: the
    # (authority_id, status) index)
    "cases": [([("status", 1), ("answer_by", 1)], {})],
}


def entry_id(authority_id, day):
    return f"{authority_id or NATIONAL}:{day.isoformat()}"


def calendar_version(db):
    """The calendar's version (0 before anything was stored), and whether it was seeded."""
    state = db.calendar_state.find_one({"_id": STATE_ID}) or {}
    return state.get("version", 0), state.get("seeded", False)


def calendar_rows(db):
    """``(entries, office_hours)``: every entry in force and every authority's hours, as
    stored. Entries grow by a few a year per authority; read whole when the version moved."""
    entries = list(db.calendar_entries.find({}).sort("_id", 1))
    hours = list(db.office_hours.find({}).sort("_id", 1))
    return entries, hours


def seed_calendar(db, documents):
    """The policy file's table as the first entries, once: each entry inserted if absent, then
    the calendar marked seeded (a second instance starting at once inserts nothing twice)."""
    for document in documents:
        db.calendar_entries.update_one({"_id": document["_id"]},
                                       {"$setOnInsert": document}, upsert=True)
    db.calendar_state.update_one({"_id": STATE_ID},
                                 {"$set": {"seeded": True}, "$inc": {"version": 1}},
                                 upsert=True)


def _bump(db, events=()):
    """The version moved, with the edit's event (told in the same write: ``calendar_state`` is
    an outbox collection)."""
    db.calendar_state.update_one({"_id": STATE_ID},
                                 push_events({"$inc": {"version": 1}}, list(events)), upsert=True)


def find_calendar_entry(db, authority_id, day):
    return db.calendar_entries.find_one({"_id": entry_id(authority_id, day)})


def _keep(db, old, by, at, why):
    """The entry no longer in force, kept with who ended it, when and how."""
    db.calendar_history.insert_one({"_id": uuid.uuid4().hex, "entry": old, "why": why,
                                    "removed_by": by, "removed_at": at})


def save_calendar_entry(db, document, event=None):
    """Store the entry for its day and scope (the one there kept as replaced), bump the
    version (telling ``event``)."""
    old = db.calendar_entries.find_one({"_id": document["_id"]})
    if old is not None:
        _keep(db, old, document["entered_by"], document["entered_at"], "replaced")
    db.calendar_entries.replace_one({"_id": document["_id"]}, document, upsert=True)
    _bump(db, [event] if event else ())


def remove_calendar_entry(db, authority_id, day, by, at, event=None):
    old = db.calendar_entries.find_one({"_id": entry_id(authority_id, day)})
    if old is not None:
        _keep(db, old, by, at, "removed")
        db.calendar_entries.delete_one({"_id": old["_id"]})
    _bump(db, [event] if event else ())


def save_office_hours(db, authority_id, document):
    db.office_hours.replace_one({"_id": authority_id}, {**document, "_id": authority_id},
                                upsert=True)
    _bump(db)


def open_cases_due_from(db, states, day, authority_id=None, arrived_before=None):
    """The open cases (``states``) whose answer deadline is ``day`` or later, and that arrived
    before ``arrived_before`` (a moment): the ones a calendar edit on ``day`` may move (only
    ``authority_id``'s for its own entry)."""
    criteria = {"status": {"$in": sorted(states)}, "answer_by": {"$gte": day.isoformat()}}
    if authority_id is not None:
        criteria["authority_id"] = authority_id
    if arrived_before is not None:
        criteria["received_at"] = {"$lt": arrived_before}
    return list(db.cases.find(criteria, {"outbox": 0, "timeline": 0}))


def as_day(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
