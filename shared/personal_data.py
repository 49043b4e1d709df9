"""Recording who read personal data (DESIGN §6): one ``personal_data_read`` event per request
that showed some to a signed-in user, through the answering service's outbox.

The reading service's ``store`` keeps the entry in its own ``personal_data_reads`` collection
with the event in the same insert: the relay publishes it, the monitor gathers every service's
entries for administrators. Ids only, never the names or contacts read. Example::

    entry = personal_data_read(VISITS_PERSONAL_DATA_READ, principal, "visits.get_concern",
                               [("concern", concern_id)])
    if entry:
        store.record_personal_data_read(db, entry)     # record_read(db.personal_data_reads, ..)
"""
import datetime as dt

from shared.contracts import MAX_RECORDS, utcnow
from shared.outbox import with_events

COLLECTION = "personal_data_reads"


def personal_data_read(event_type, principal, purpose, records):
    """The envelope recording that ``principal`` was shown ``records`` ((kind, id) pairs), or
    None when nothing is to be recorded: an internal caller (``principal`` None, whose own
    caller records), or a read that showed no one's personal data."""
    records = list(dict.fromkeys((kind, record_id) for kind, record_id in records))
    if principal is None or not records:
        return None
    if len(records) > MAX_RECORDS:  # a page is far shorter: a caller's bug, not a user's
        raise ValueError(f"{purpose} read {len(records)} records, over {MAX_RECORDS}")
    now = utcnow()  # the event's time and the read's are one
    return event_type.new({
        "read_at": now, "user_id": principal.user_id, "role": principal.role,
        "purpose": purpose, "records": [{"kind": k, "id": i} for k, i in records]},
        occurred_at=now, actor=principal.user_id)


def record_read(collection, envelope):
    """The entry and its event in one insert (called from a service's ``store``)."""
    payload = envelope["payload"]
    collection.insert_one(with_events({
        "_id": envelope["event_id"],
        "read_at": dt.datetime.fromisoformat(envelope["occurred_at"]),
        "user_id": payload["user_id"], "purpose": payload["purpose"],
        "record_ids": [record["id"] for record in payload["records"]]}, [envelope]))
