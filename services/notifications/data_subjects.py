"""A request from a person concerned (``data_subject_request_recorded``) naming a user or a
cadre: notifications holds their name and address in its directory (``users``, ``cadres``) and
the mails sent to them. A deletion takes the name and address out of the directory, and the
recipient's name and address, the subject and the text out of each mail sent to them, as the
retention sweep does: when it was sent, about which case, to which recipient id, stays for the
statistics. The directory's entry stays, marked forgotten, so that a registration event heard
after the deletion does not bring them back. A mail still waiting for the mail server is left
to be sent (its text is the case's, and the sweep takes it later). Example::

    answer_request(db, {"request_id": "r1", "kind": "deletion", "user_id": "u-quynh", ...})
"""
from services.notifications import store
from shared import contracts, data_subjects

# a retained notification_sent keeps a valid address (the contract requires one)
ERASED_MAIL = {"email": "da-xoa@example.invalid", "subject": data_subjects.ERASED_NAME}


def answer_request(db, request):
    """Found (and, for a deletion, removed) once; a redelivered request changes nothing."""
    data_subjects.answer_once(db, request,
                             contracts.NOTIFICATIONS_DATA_SUBJECT_REQUEST_ANSWERED,
                             lambda asked: records_of(db, asked))


def records_of(db, request):
    """The person's entry in the address book and the mails sent to them, emptied for a
    deletion."""
    deleting = data_subjects.is_deletion(request)
    records = []
    for kind, person_id, entry in (("user", request.get("user_id"), store.find_user),
                                   ("cadre", request.get("cadre_id"), store.find_cadre)):
        if not person_id:
            continue
        known = entry(db, person_id)
        if known is not None and not known.get("forgotten"):
            records.append(data_subjects.found(kind, person_id))
        if deleting:  # also for someone whose registration has not reached this service yet
            store.forget_contact(db, kind, person_id, data_subjects.ERASED_NAME)
        mails = store.mails_to(db, person_id)
        records += [data_subjects.found("notification", mail["_id"]) for mail in mails]
        if deleting and mails:
            store.forget_mail_to(db, person_id)
            data_subjects.anonymise_event_log(db, "recipient_id", person_id, ERASED_MAIL)
    return records
