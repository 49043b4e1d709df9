"""What the notifications service answers operators: what was sent to whom, and what waits.

Example::

    page = list_notifications(db, {"case_id": "k1", "recipient_id": None, "state": None,
                                   "limit": 50, "cursor": None})
    page["notifications"], page["next_cursor"]
"""
from services.notifications import store
from shared.contracts import NOTIFICATIONS_PERSONAL_DATA_READ
from shared.personal_data import personal_data_read

FILTERS = ("case_id", "recipient_id", "state")


def mail_waiting(db):
    """Mail stored but not yet accepted by the mail server (it may be away)."""
    return store.count_waiting(db)


def list_notifications(db, query, principal=None):
    """A page of notifications, newest first, by case, recipient and state when given. Each
    names its recipient with their address and a subject quoting the concern: a user's read
    (``principal``) is audited."""
    criteria = {key: query[key] for key in FILTERS if query[key] is not None}
    page = store.page_of_notifications(db, criteria, query)
    entry = personal_data_read(NOTIFICATIONS_PERSONAL_DATA_READ, principal,
                               "notifications.list_notifications",
                               [("notification", n["_id"]) for n in page["items"]])
    if entry is not None:
        store.record_personal_data_read(db, entry)
    return {"notifications": page["items"], "next_cursor": page["next_cursor"]}
