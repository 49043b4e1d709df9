"""Cases in bulk, straight into an escalations store, and the inbox query timed against it.

The documents have the shape ``services/escalations/store.py`` stores for a routed concern
whose events were published (an empty outbox), every one routed to one authority: the worst
case for an inbox that sorts before it limits, and no burden to one answered from an index.
The store gets the indexes the service declares. Example::

    client, db = open_escalations_store("embedded:/tmp/bulk")
    load_cases(db, "ubnd-xa-tam-hop", up_to=10_000, deadline=time.monotonic() + 60)
    inbox_query_seconds(db, "ubnd-xa-tam-hop")     # one query, in seconds
"""
import datetime as dt
import time
import uuid

from shared.outbox import OutboxRelay
from shared.storage import connect

BATCH = 1000
NOI_PHAT_PATH = ["vinh-phuc", "vinh-phuc.binh-xuyen", "vinh-phuc.binh-xuyen.tam-hop",
                 "vinh-phuc.binh-xuyen.tam-hop.noi-phat"]
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def open_escalations_store(store_uri):
    """The escalations database at ``store_uri``, with the service's indexes."""
    from services.escalations.service import EscalationsService
    client, db = connect(store_uri, "escalations")
    OutboxRelay(db, EscalationsService.db.outbox_collections, publisher=None).ensure_indexes()
    for collection, specs in EscalationsService.db.indexes.items():
        for keys, options in specs:
            db[collection].create_index(keys, **options)
    return client, db


def routed_case(authority_id, number):
    routed_at = EPOCH + dt.timedelta(seconds=number)
    return {
        "_id": uuid.uuid4().hex, "concern_id": uuid.uuid4().hex,
        "unit_id": NOI_PHAT_PATH[-1], "unit_path": NOI_PHAT_PATH,
        "topic": "infrastructure", "summary": f"Kiến nghị số {number}: đường liên thôn xuống cấp",
        "raised_by": "resident", "raised_on": routed_at.date().isoformat(),
        "source_event_id": uuid.uuid4().hex,
        "status": "routed", "authority_id": authority_id, "rule_id": "infrastructure-tam-hop",
        "routed_at": routed_at, "acknowledge_by": (routed_at + dt.timedelta(days=7)).date()
        .isoformat(), "due_sort": routed_at + dt.timedelta(days=7),
        "outbox": [],
    }


def load_cases(db, authority_id, up_to, deadline):
    """Insert cases until the collection holds ``up_to`` or ``deadline`` (time.monotonic())
    passed; returns (count reached, inserts per second)."""
    have = db.cases.count_documents({})
    start_count, started = have, time.monotonic()
    while have < up_to and time.monotonic() < deadline:
        batch = [routed_case(authority_id, have + i) for i in range(min(BATCH, up_to - have))]
        db.cases.insert_many(batch, ordered=False)
        have += len(batch)
    elapsed = time.monotonic() - started
    return have, (have - start_count) / elapsed if elapsed > 0 else None


def inbox_query_seconds(db, authority_id, limit=20):
    """One inbox query as the escalations service makes it (``inbox``), in seconds."""
    from services.escalations.store import INBOX_ORDER
    started = time.perf_counter()
    found = list(db.cases.find({"authority_id": authority_id}, {"outbox": 0})
                 .sort(INBOX_ORDER).limit(limit))
    elapsed = time.perf_counter() - started
    if len(found) != min(limit, db.cases.count_documents({"authority_id": authority_id})):
        raise AssertionError("the inbox query returned the wrong number of cases")
    return elapsed
