"""A request from a person concerned about their user account (``data_subject_request_recorded``
naming ``user_id``): the account and the failed sign-ins counted against its username are what
accounts holds of them. A deletion anonymises the account: the name becomes the erased mark, the
username ``da-xoa-<id>``, the e-mail address and the password go, sign-in is disabled and every
token ends (``user_anonymised``, ``tokens_revoked``); the account's id, its role and what it did
stay, so cases, visits and statistics keep their history. The retained events naming the user
lose the details too. The last enabled administrator's account is kept (the answer says not
removed): erasing it would leave nobody to manage users. Example::

    answer_request(db, {"request_id": "r1", "kind": "deletion", "user_id": "u-quynh", ...})
"""
from logging import getLogger

from services.accounts import store, users
from shared import contracts, data_subjects

_log = getLogger(__name__)


def erased_username(user_id):
    return f"da-xoa-{user_id}"[:80]


def answer_request(db, request):
    """Found (and, for a deletion, anonymised) once; a redelivered request changes nothing."""
    data_subjects.answer_once(db, request, contracts.ACCOUNTS_DATA_SUBJECT_REQUEST_ANSWERED,
                             lambda asked: records_of(db, asked))


def records_of(db, request):
    """What this service holds of the person, anonymised for a deletion."""
    user_id = request.get("user_id")
    user = store.user_or_none(db, user_id) if user_id else None
    records = []
    if user is not None:
        records.append(data_subjects.found("user", user_id))
        if store.has_sign_in_attempts(db, user["username"]):
            records.append(data_subjects.found("sign_in_attempt", user_id))
        if data_subjects.is_deletion(request):
            if store.last_enabled_administrator(db, user):
                # erasing it would leave nobody to manage users: kept, said in the answer
                # ("not removed"); another administrator made, the request recorded again
                _log.warning("request %s: %s is the last enabled administrator, kept",
                             request["request_id"], user_id)
                return records, False
            anonymise(db, user)
    return records


def anonymise(db, user):
    """The account without the person: once (an anonymised account is left as it is)."""
    username = erased_username(user["_id"])
    if user["username"] != username:
        erased = {"username": username, "display_name": data_subjects.ERASED_NAME}
        # the search words go with the name: no index keeps what the person was called
        users.revoke(db, user["_id"], contracts.USER_ANONYMISED, None, **erased,
                     search=users.user_search(erased), email=None, enabled=False,
                     password_hash=None)
    store.forget_sign_in_attempts(db, user["username"])
    data_subjects.anonymise_event_log(db, "user_id", user["_id"], {"username": username})
