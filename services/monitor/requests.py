"""Requests from the people concerned (Law 91/2025/QH15): access, correction, deletion and
objection, recorded by an administrator with their legal deadline, fanned out by event, and
answered by every service that searches for the person.

Recording a request stores it with its ``data_subject_request_recorded`` event (the monitor's
outbox); each answering service (:data:`ANSWERING`: the sources of a
``data_subject_request_answered`` event) finds the person's records and, for a deletion,
removes them, and answers; the monitor, which hears every event, files each answer on the
request (``reactions``). The administrator then closes it with the outcome told to the person.
Example::

    request = record_request(db, {"kind": "deletion", "name": "Nguyễn Văn Hai", ...},
                             admin, now, settings)       # due DATA_SUBJECT_DELETION_DAYS on
    file_answer(db, answered_event)            # request["answers"]["visits"]
    close_request(db, request["_id"], "Đã xóa, đã báo ông Hai ngày …", admin, now)
"""
import datetime as dt

from services.monitor import data_subjects, store
from shared import contracts
from shared.errors import Conflict, NotFound

# the setting giving each kind of request its deadline (days after it was received)
DEADLINE_KEYS = {"access": "DATA_SUBJECT_ACCESS_DAYS",
                 "correction": "DATA_SUBJECT_CORRECTION_DAYS",
                 "deletion": "DATA_SUBJECT_DELETION_DAYS",
                 "objection": "DATA_SUBJECT_OBJECTION_DAYS"}

ANSWERING = frozenset(event_type.source for event_type in contracts.EVENT_TYPES.values()
                      if event_type.name == "data_subject_request_answered")


def record_request(db, request, principal, now, settings):
    """The request, due the days its kind is given (:data:`DEADLINE_KEYS`) after it was
    received, and its event."""
    request_id = contracts.new_id()
    days = settings[DEADLINE_KEYS[request["kind"]]]
    document = {"_id": request_id, "kind": request["kind"], "name": request["name"],
                "contact": request["contact"], "note": request["note"],
                "user_id": request.get("user_id"), "cadre_id": request.get("cadre_id"),
                "received_on": request["received_on"].isoformat(),
                "due_on": (request["received_on"] + dt.timedelta(days=days)).isoformat(),
                "state": "open", "answers": {}, "outcome": None,
                "recorded_by": principal.user_id, "recorded_at": now, "closed_at": None}
    event = contracts.DATA_SUBJECT_REQUEST_RECORDED.new(
        {"request_id": request_id, "kind": request["kind"], "name": request["name"],
         "contact": request["contact"], "user_id": request.get("user_id"),
         "cadre_id": request.get("cadre_id")}, actor=principal.user_id)
    store.insert_request(db, document, event)
    return document


def get_request(db, request_id):
    found = store.find_request(db, request_id)
    if found is None:
        raise NotFound("request not found", {"request_id": [str(request_id)]})
    return found


def file_answer(db, event):
    """A service's answer on its request; the request is answered once every service did."""
    payload = event.payload
    answer = {"found": payload["found"], "removed": payload["removed"],
              "kept_because": payload.get("kept_because"), "answered_at": event.occurred_at}
    store.file_answer(db, payload["request_id"], event.event_type.source, answer, ANSWERING)


def close_request(db, request_id, outcome, principal, now):
    """Closed with the outcome told to the person; a deletion's request then keeps who it was
    about by id only (``data_subjects.forget_requester``)."""
    request = get_request(db, request_id)
    if request["state"] == "closed":
        raise Conflict("the request is closed already", {"request_id": [request_id]})
    closed = store.close_request(db, request_id, outcome, principal.user_id, now)
    data_subjects.forget_requester(db, closed)
    return store.find_request(db, request_id)
