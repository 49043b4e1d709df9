"""A request from a person concerned (``data_subject_request_recorded``) naming a user: what
escalations holds of an officer is their name in the read model of each authority's officers and
the cases they work on or were named on. A deletion takes the name out of the read model (and
the officer off the lists a head assigns from); the cases stay, assigned to the same user id,
which now shows the erased name. Example::

    answer_request(db, {"request_id": "r1", "kind": "access", "user_id": "u-quynh", ...})
"""
from services.escalations import store
from shared import contracts, data_subjects


def answer_request(db, request):
    """Found (and, for a deletion, removed) once; a redelivered request changes nothing."""
    data_subjects.answer_once(db, request, contracts.ESCALATIONS_DATA_SUBJECT_REQUEST_ANSWERED,
                             lambda asked: records_of(db, asked))


def records_of(db, request):
    """The officer in the read model and their cases; their name forgotten for a deletion."""
    user_id = request.get("user_id")
    officer = store.find_officer(db, user_id) if user_id else None
    if officer is None:
        return []
    if data_subjects.is_deletion(request):
        store.forget_officer(db, user_id, data_subjects.ERASED_NAME)
    return [data_subjects.found("officer", user_id)] + [
        data_subjects.found("case", case_id) for case_id in store.cases_of_officer(
            db, officer.get("authority_id"), user_id, contracts.MAX_FOUND)]
