"""Retries the broker cannot lose: each one a subscriber schedules is noted in its own store
until the event comes back and is settled (handled, retried again or dead-lettered).

A failed event waits in ``<queue>.retry-<ms>ms`` and RabbitMQ dead-letters it back when its
time is up. That move is RabbitMQ's own, and on a cluster losing a node at that moment it can
strand the message (rabbitmq-server #16652; docs/reports/faults/REPORT.md, "On a three-node
cluster"). So the subscriber notes each retry it publishes before acknowledging the original,
and re-publishes straight onto its queue any retry that has not come back within its delay
plus ``EVENT_RETRY_GRACE_SECONDS``. A copy that arrives twice is handled once (the store's
``processed_events``).

    scheduled(db, "notifications.case_events", event_id, message, headers, due)
    settled(db, "notifications.case_events", event_id)      # handled, or dead-lettered
    for retry in overdue(db, "notifications.case_events", now): ...
"""
COLLECTION = "pending_retries"
INDEX = ([("queue", 1), ("due", 1)], {})


def _key(queue_name, event_id):
    return f"{queue_name}:{event_id}"


def ensure_index(db):
    keys, options = INDEX
    db[COLLECTION].create_index(keys, **options)


def scheduled(db, queue_name, event_id, body, content_type, content_encoding, headers, due):
    """Note (or renew) the retry of ``event_id`` on ``queue_name``, due back by ``due``. The
    body is an event's JSON, which the handler read: kept as text."""
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).decode("utf-8")
    db[COLLECTION].replace_one({"_id": _key(queue_name, event_id)}, {
        "_id": _key(queue_name, event_id), "queue": queue_name, "event_id": event_id,
        "body": body, "content_type": content_type, "content_encoding": content_encoding,
        # RabbitMQ's own dead-lettering history is not ours to carry into a copy
        "headers": {name: value for name, value in headers.items()
                    if not name.startswith(("x-death", "x-first-death", "x-last-death"))},
        "due": due,
    }, upsert=True)


def settled(db, queue_name, event_id):
    db[COLLECTION].delete_one({"_id": _key(queue_name, event_id)})


def settled_all(db, queue_name, event_ids):
    """:func:`settled` for many at once (a batch of deliveries, shared/batches.py)."""
    db[COLLECTION].delete_many({"_id": {"$in": [_key(queue_name, e) for e in event_ids]}})


def overdue(db, queue_name, now, limit=100):
    """The retries of ``queue_name`` that should have come back by ``now``, oldest first."""
    return list(db[COLLECTION].find({"queue": queue_name, "due": {"$lte": now}})
                .sort("due", 1).limit(limit))


def postponed(db, retry, due):
    """After re-publishing ``retry``: give the copy until ``due`` to come back."""
    db[COLLECTION].update_one({"_id": retry["_id"]}, {"$set": {"due": due}})
