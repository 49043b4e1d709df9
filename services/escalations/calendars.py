"""The working calendar as the escalations service keeps it: seeded once from the policy file,
edited by administrators (a national or an authority's entry, an authority's office hours), and
every open case an edit touches gets its deadlines recomputed with a timeline line saying why.

An edit is checked whole before anything is written: the calendar itself (an entry that leaves
no working day within ``LONGEST_BREAK_DAYS``) and every open case it moves (none may fall before
its case arrived, ``case_tiers.moved_deadlines``); a refusal names the reason and changes
nothing. Example::

    calendar = stored_calendar(db, cache)           # rebuilt only when the version moved
    add_entry(db, rules, {"day": ..., "kind": "day_off", "reason": ...}, admin)
    # {"entry": {...}, "cases_recomputed": 3}
"""
import datetime as dt
from logging import getLogger

from services.escalations import case_tiers, store
from services.escalations.case_states import OPEN
from shared import contracts
from shared.clock import vietnam_midnight
from shared.contracts.rpc import calendars as contract
from shared.errors import Conflict, NotFound, RuleViolated
from shared.reasons import reason
from shared.working_calendar import (
    ENTRY_KINDS,
    CalendarEntry,
    CalendarRefused,
    OfficeHours,
    WorkingCalendar,
)

if ENTRY_KINDS != contract.ENTRY_KINDS:
    raise ImportError("shared.working_calendar's kinds differ from the RPC contract's")
_log = getLogger(__name__)
RETRIES = 3
OFFICE_DEFAULT = OfficeHours()


# --- the stored calendar ---------------------------------------------------------------------

def entry_document(entry):
    return {"_id": store.entry_id(entry.authority_id, entry.day), "day": entry.day.isoformat(),
            "kind": entry.kind, "reason": entry.reason, "entered_by": entry.entered_by,
            "entered_at": entry.entered_at, "authority_id": entry.authority_id}


def _entry(document):
    return CalendarEntry(dt.date.fromisoformat(document["day"]), document["kind"],
                         document["reason"], document["entered_by"], document["entered_at"],
                         document.get("authority_id"))


def _hours(document):
    return OfficeHours(tuple((dt.time.fromisoformat(start), dt.time.fromisoformat(end))
                             for start, end in document["sessions"]),
                       document.get("saturday_morning", False))


def hours_document(hours, by, at):
    return {"sessions": [[start.strftime("%H:%M"), end.strftime("%H:%M")]
                         for start, end in hours.sessions],
            "saturday_morning": hours.saturday_morning, "entered_by": by, "entered_at": at}


def build_calendar(entries, hours):
    return WorkingCalendar(entries=tuple(_entry(doc) for doc in entries),
                           authority_hours={doc["_id"]: _hours(doc) for doc in hours})


def stored_calendar(db, cache=None):
    """The calendar as stored; ``cache`` (a dict) keeps it between calls until the version
    moves (one small read per call)."""
    version, _ = store.calendar_version(db)
    if cache is not None and cache.get("version") == version:
        return cache["calendar"]
    calendar = build_calendar(*store.calendar_rows(db))
    if cache is not None:
        cache.update(version=version, calendar=calendar)
    return calendar


def seed(db, policy):
    """The policy file's table becomes the stored calendar's first entries, once."""
    if store.calendar_version(db)[1]:
        return
    store.seed_calendar(db, [entry_document(entry) for entry in policy.calendar.entries])
    _log.info("working calendar seeded with %d entries from the policy file",
              len(policy.calendar.entries))


def calendar_view(db, authority_id=None):
    """The national entries (and ``authority_id``'s own), newest day first, with the hours."""
    entries, hours = store.calendar_rows(db)
    shown = [doc for doc in entries if doc.get("authority_id") in (None, authority_id)]
    own = {doc["_id"]: doc for doc in hours}
    office = own.get(authority_id) or {**hours_document(OFFICE_DEFAULT, None, None),
                                       "_id": authority_id}
    return {"authority_id": authority_id, "office_hours": office,
            "entries": sorted(shown, key=lambda doc: (doc["day"], doc["_id"]), reverse=True)}


# --- editing it ------------------------------------------------------------------------------

def add_entry(db, rules, body, principal):
    """A national entry (``authority_id`` None) or an authority's, replacing the one for that
    day and scope; the open cases it moves are recomputed."""
    now = rules.clock.now()
    authority_id = _authority(db, body.get("authority_id"))
    try:
        entry = CalendarEntry(body["day"], body["kind"], body["reason"].strip(),
                              principal.user_id, now, authority_id)
    except CalendarRefused as refused:
        raise _refusal(refused, "kind") from None
    before = stored_calendar(db)
    kept = [e for e in before.entries if (e.day, e.authority_id) != (entry.day, authority_id)]
    after = WorkingCalendar(entries=(*kept, entry), authority_hours=before.authority_hours)
    because = {"code": "calendar_changed", "reason": entry.reason, "day": entry.day.isoformat()}
    told = changed(entry.day, entry.kind, authority_id)
    moved = _edit(db, rules, before, after, authority_id, entry.day, because, principal, now,
                  lambda: store.save_calendar_entry(db, entry_document(entry), told))
    return {"entry": entry_document(entry), "cases_recomputed": moved}


def remove_entry(db, rules, authority_id, day, principal):
    """The entry for ``day`` (national, or ``authority_id``'s) no longer counts."""
    now = rules.clock.now()
    found = store.find_calendar_entry(db, authority_id, day)
    if found is None:
        raise NotFound("no such calendar entry", {"day": [day.isoformat()]})
    before = stored_calendar(db)
    after = WorkingCalendar(entries=tuple(e for e in before.entries if (
        e.day, e.authority_id) != (day, authority_id)), authority_hours=before.authority_hours)
    because = {"code": "calendar_changed", "reason": found["reason"], "day": day.isoformat()}
    moved = _edit(db, rules, before, after, authority_id, day, because, principal, now,
                  lambda: store.remove_calendar_entry(db, authority_id, day, principal.user_id,
                                                      now, changed(day, None, authority_id)))
    return {"entry": {**found, "removed_at": now, "removed_by": principal.user_id},
            "cases_recomputed": moved}


def set_office_hours(db, rules, authority_id, body, principal):
    """An authority's office hours (sessions, Saturday mornings); its open cases recomputed."""
    now = rules.clock.now()
    _authority(db, authority_id)
    try:
        hours = OfficeHours(tuple((dt.time.fromisoformat(start), dt.time.fromisoformat(end))
                                  for start, end in body["sessions"]),
                            body["saturday_morning"])
    except CalendarRefused as refused:
        raise _refusal(refused, "sessions") from None
    before = stored_calendar(db)
    after = WorkingCalendar(entries=before.entries,
                            authority_hours={**before.authority_hours, authority_id: hours})
    document = hours_document(hours, principal.user_id, now)
    because = {"code": "office_hours_changed", "reason": body["reason"].strip()}
    moved = _edit(db, rules, before, after, authority_id, dt.date.min, because, principal, now,
                  lambda: store.save_office_hours(db, authority_id, document))
    return {"office_hours": {**document, "_id": authority_id}, "cases_recomputed": moved}


def changed(day, kind, authority_id):
    """``working_calendar_changed``: what other services keep a copy of (branch meetings move
    by the national days); ``kind`` None for an entry removed."""
    return contracts.WORKING_CALENDAR_CHANGED.new({"day": day, "kind": kind,
                                                   "authority_id": authority_id})


def _authority(db, authority_id):
    if authority_id is not None and store.find_authority(db, authority_id) is None:
        raise NotFound("authority not found", {"authority_id": [authority_id]})
    return authority_id


def _refusal(refused, field):
    return RuleViolated(str(refused), {field: [reason(refused.code, str(refused))]})


def _edit(db, rules, before, after, authority_id, day, because, principal, now, write):
    """Check the edited calendar and every open case it moves, then write the edit and the
    moved deadlines (each case on the version read, a timeline line each): how many moved."""
    try:
        after.for_authority(authority_id).check_break_around(max(day, now.date()))
        # a case that arrived after the day edited counted its deadlines without it
        arrived_before = (vietnam_midnight(day + dt.timedelta(days=1))
                          if day > dt.date.min else None)
        found = store.open_cases_due_from(db, OPEN, day, authority_id, arrived_before)
        moves = [(case, moved) for case in found
                 if (moved := _moved(case, before, after))]
    except CalendarRefused as refused:
        raise _refusal(refused, "day") from None
    write()
    policy = rules.policy
    for case, moved in moves:
        _recompute(db, case, moved, before, after, because, principal, now, policy)
    _log.info("calendar edited by %s: %d open case(s) recomputed", principal.user_id, len(moves))
    return len(moves)


def _moved(case, before, after):
    holder = case.get("authority_id")
    return case_tiers.moved_deadlines(case, before.for_authority(holder),
                                      after.for_authority(holder))


def _recompute(db, case, moved, before, after, because, principal, now, policy):
    for _ in range(RETRIES):
        changes, entry = case_tiers.recomputed(case, moved, because, now, principal, policy)
        try:
            store.note_on_case(db, case, changes, entry)
            return
        except Conflict:  # someone acted on it meanwhile: read it again
            case = store.find_case(db, case["_id"], store.LISTED)
            moved = _moved(case, before, after)
            if not moved:
                return
    _log.error("case %s kept changing: its deadlines were not recomputed", case["_id"])
