"""A request from a person concerned (``data_subject_request_recorded``) naming a user: what
escalations holds of an officer is their name in the read model of each authority's officers and
the cases they work on or were named on. A deletion takes the name out of the read model (and
the officer off the lists a head assigns from); the cases stay, assigned to the same user id,
which now shows the erased name. Example::

    answer_request(db, {"request_id": "r1", "kind": "access", "user_id": "u-quynh", ...})
"""
from logging import getLogger

from services.escalations import store
from shared import contracts, data_subjects

_log = getLogger(__name__)


def answer_request(db, request):
    """Found (and, for a deletion, removed) once; a redelivered request changes nothing."""
    if data_subjects.answered(db, request["request_id"]):
        return
    user_id = request.get("user_id")
    officer = store.find_officer(db, user_id) if user_id else None
    records = []
    if officer is not None:
        records.append(data_subjects.found("officer", user_id))
        records += [data_subjects.found("case", case_id) for case_id in store.cases_of_officer(
            db, officer.get("authority_id"), user_id, contracts.MAX_FOUND)]
        if data_subjects.is_deletion(request):
            store.forget_officer(db, user_id, data_subjects.ERASED_NAME)
    data_subjects.answer(db, request, contracts.ESCALATIONS_DATA_SUBJECT_REQUEST_ANSWERED,
                         records)
    _log.info("request %s (%s): %d record(s) of the officer", request["request_id"],
              request["kind"], len(records))
