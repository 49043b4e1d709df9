"""The monitor's own answer to a request from a person concerned naming a user or a cadre: the
audit trail's entries of the changes made to their records (``entities``: accounts' and the
registry's events, whose payloads carried the name, username, address and telephone) and the
access log's entries of what the user read or of reads showing the cadre. A deletion takes the
person's details out of those entries' payloads (the entry, its time and actor stay: the trail
still says what happened). Closing a deletion request takes the person's name and contact out
of the request itself, and out of the event that fanned it out, once every service answered:
the record keeps who it was about by id, when, and the outcome. Example::

    answer_request(db, {"request_id": "r1", "kind": "deletion", "user_id": "u-quynh", ...})
"""
from services.monitor import store
from shared import contracts, data_subjects


def answer_request(db, request):
    """Found (and, for a deletion, removed) once; a redelivered request changes nothing."""
    data_subjects.answer_once(db, request, contracts.MONITOR_DATA_SUBJECT_REQUEST_ANSWERED,
                             lambda asked: records_of(db, asked))


def records_of(db, request):
    """The trail's entries changing the person's records and the log's reads by or of them;
    for a deletion, the entries' payloads without the person's details."""
    people = [value for value in (request.get("user_id"), request.get("cadre_id")) if value]
    limit = contracts.MAX_FOUND
    entries = [entry for person in people for entry in store.entries_changing(db, person, limit)]
    reads = [read for person in people for read in store.reads_of_person(db, person, limit)]
    if data_subjects.is_deletion(request):
        for entry in entries:
            after = data_subjects.anonymised_payload(entry.get("payload") or {}, {})
            if after != entry.get("payload"):
                store.replace_audit_payload(db, entry["_id"], after)
    return ([data_subjects.found("audit_entry", e["_id"]) for e in entries]
            + [data_subjects.found("personal_data_read", r["_id"]) for r in reads])


def forget_requester(db, request):
    """A closed deletion request keeps who it was about by id only."""
    if request["kind"] != "deletion":
        return
    store.forget_requester(db, request["_id"], data_subjects.ERASED_NAME)
    data_subjects.anonymise_event_log(db, "request_id", request["_id"],
                                      {"name": data_subjects.ERASED_NAME, "contact": None})
