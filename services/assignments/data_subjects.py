"""A request from a person concerned about their cadre record (``data_subject_request_recorded``
naming ``cadre_id``): the cadre, their assignments and the working groups they are a member of
are what the registry holds of them. A deletion anonymises the cadre: the name becomes the
erased mark, the e-mail address and the telephone go (``cadre_anonymised``, and
``cadre_contact_changed`` for those keeping the address); the cadre's id, position, home
committee, assignments and memberships stay, so visits, cases and coverage keep their history.
The retained events naming the cadre lose the details too. Example::

    answer_request(db, {"request_id": "r1", "kind": "access", "cadre_id": "le-thi-quynh", ...})
"""
from services.assignments import store
from shared import contracts, data_subjects, folding


def answer_request(db, request):
    """Found (and, for a deletion, anonymised) once; a redelivered request changes nothing."""
    data_subjects.answer_once(db, request, contracts.ASSIGNMENTS_DATA_SUBJECT_REQUEST_ANSWERED,
                             lambda asked: records_of(db, asked))


def records_of(db, request):
    """What this service holds of the person, anonymised for a deletion."""
    cadre_id = request.get("cadre_id")
    cadre = store.cadre_or_none(db, cadre_id) if cadre_id else None
    records = []
    if cadre is not None:
        records.append(data_subjects.found("cadre", cadre_id))
        records += [data_subjects.found("assignment", a["_id"])
                    for a in store.assignments_of_cadre(db, cadre_id)]
        records += [data_subjects.found("working_group", g["_id"])
                    for g in store.working_groups_with_member(db, cadre_id)]
        if data_subjects.is_deletion(request):
            anonymise(db, cadre)
    return records


def anonymise(db, cadre):
    """The cadre without the person; an anonymised cadre is left as it is."""
    erased = data_subjects.ERASED_NAME
    if not (cadre["full_name"] == erased and cadre.get("email") is None
            and cadre.get("phone") is None):
        events = [contracts.CADRE_ANONYMISED.new({"cadre_id": cadre["_id"], "full_name": erased}),
                  contracts.CADRE_CONTACT_CHANGED.new({"cadre_id": cadre["_id"], "email": None})]
        store.anonymise_cadre(db, cadre["_id"], {
            "full_name": erased, "email": None, "phone": None,
            "search": folding.search_key(erased)}, events)
    data_subjects.anonymise_event_log(db, "cadre_id", cadre["_id"])
