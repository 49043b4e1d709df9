"""Answering a request from a person concerned (``data_subject_request_recorded``), alike in
every service that holds data about people: each finds what it keeps of the person, for a
deletion anonymises it, and answers once with its own ``data_subject_request_answered`` event,
stored with the answer in ``data_subject_answers`` (insert-if-absent: a redelivered request is
answered once). What an answer names is ids, never the data. Example::

    if not answered(db, request["request_id"]):
        ...                                             # find, and anonymise for a deletion
        answer(db, request, contracts.ACCOUNTS_DATA_SUBJECT_REQUEST_ANSWERED,
               [found("user", "u-quynh")])

``anonymise_event_log`` takes the person's details out of the events a service retains for
restores (``shared.event_log``), so neither the next backup nor a restore brings them back.
"""
from logging import getLogger

from shared import contracts, event_log
from shared.outbox import with_events
from shared.redaction import MARK
from shared.storage import DuplicateKeyError

_log = getLogger(__name__)

ANSWERS = "data_subject_answers"
# what replaces a person's name wherever it was kept (the same mark as a redacted summary)
ERASED_NAME = MARK
# the fields of an event's payload that carry a person's details (users', cadres')
PERSON_FIELDS = ("username", "display_name", "full_name", "email", "phone")


def is_deletion(request):
    return request["kind"] == "deletion"


def found(kind, record_id):
    return {"kind": kind, "id": str(record_id)}


def answer_once(db, request, event_type, records_of):
    """``request`` answered with ``event_type`` once: ``records_of(request)`` finds what the
    service holds of the person (``found(...)`` each) and, for a deletion, anonymises it (or
    answers ``(records, False)`` when a rule keeps them, ``(records, False, code)`` saying
    which rule: a code of ``shared.reasons``); a redelivered request changes nothing."""
    if answered(db, request["request_id"]):
        return
    records, removed, because = records_of(request), None, None
    if isinstance(records, tuple):
        records, removed, because = (*records, None)[:3]
    answer(db, request, event_type, records, removed, because)
    _log.info("request %s (%s): %d record(s) of the person", request["request_id"],
              request["kind"], len(records))


def answered(db, request_id):
    return db[ANSWERS].find_one({"_id": request_id}, {"_id": 1}) is not None


def answer(db, request, event_type, records, removed=None, kept_because=None):
    """The service's answer to ``request``, once: what it found (``found(...)`` each) and
    whether it removed it (a deletion that found something, unless ``removed`` says not, and
    ``kept_because`` why)."""
    records = list({(r["kind"], r["id"]): r for r in records}.values())
    if removed is None:
        removed = is_deletion(request) and bool(records)
    answered_with = {"request_id": request["request_id"],
                     "found": records[:contracts.MAX_FOUND], "removed": removed}
    if kept_because:
        answered_with["kept_because"] = kept_because
    event = event_type.new(answered_with)
    try:
        db[ANSWERS].insert_one(with_events({"_id": request["request_id"],
                                            "found": len(records)}, [event]))
    except DuplicateKeyError:
        pass  # answered before: a redelivered request


def anonymised_payload(payload, replacements):
    """``payload`` with each person field it has (:data:`PERSON_FIELDS` and those of
    ``replacements``) replaced: by ``replacements[field]``, else the erased name (an address
    and a telephone: None)."""
    def new(key):
        if key in replacements:
            return replacements[key]
        return None if key in ("email", "phone") else ERASED_NAME
    return {key: new(key) if (key in PERSON_FIELDS or key in replacements) and value is not None
            else value for key, value in payload.items()}


def anonymise_event_log(db, id_field, person_id, replacements=None):
    """The retained events about the person (``payload[id_field] == person_id``) without their
    details; how many changed. The log holds hours of events: read whole, rarely."""
    changed = 0
    for entry in db[event_log.COLLECTION].find({}, {"envelope": 1}):
        payload = entry["envelope"].get("payload") or {}
        if payload.get(id_field) != person_id:
            continue
        after = anonymised_payload(payload, replacements or {})
        if after != payload:
            db[event_log.COLLECTION].update_one({"_id": entry["_id"]}, {
                "$set": {"envelope.payload": after}})
            changed += 1
    return changed
