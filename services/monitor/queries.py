"""The monitor's reads: the audit trail, a subject's journey, the record of dead-letter
actions, the alerts, the queues and the wait queues no longer configured.

A user (an operator) sees events' metadata only, never payloads (names and texts of
concerns); ``principal`` None is an internal caller. Example::

    recent_events(db, {"limit": 20, "cursor": None}, principal)
    trace(db, concern_id)        # {"subject_id": ..., "steps": [...]}, or NotFound
"""
from services.monitor import queues, store, trail
from shared.errors import NotFound


def recent_events(db, query, principal):
    """The latest events; their payloads for an internal caller only."""
    page = store.audit_page(db, query)
    events = []
    for doc in page["items"]:
        event = {"event_id": doc["_id"], "routing_key": doc["routing_key"],
                 "occurred_at": doc["occurred_at"].isoformat(), "actor": doc.get("actor")}
        if principal is None:
            event["payload"] = doc["payload"]
        events.append(event)
    return {"events": events, "next_cursor": page["next_cursor"]}


def trace(db, subject_id):
    """Every event about a concern, case or visit (or of one correlation), in order, with
    the acting user and the time between steps; ids and timings only."""
    entries = trail.collect(subject_id, lambda value: store.entries_about(db, value))
    if not entries:  # perhaps a correlation id: everything one request caused
        entries = store.entries_correlated(db, subject_id)
    if not entries:
        raise NotFound("no event is about this id", {"subject_id": [subject_id]})
    return {"subject_id": subject_id, "steps": trail.journey(entries)}


def changes_of(db, query):
    """Who changed a user, unit, cadre, assignment, working group or authority, and how:
    newest first, metadata only."""
    page = store.changes_page(db, query["entity_id"], query)
    return {"entity_id": query["entity_id"],
            "changes": [trail.change_entry(doc) for doc in page["items"]],
            "next_cursor": page["next_cursor"]}


def personal_data_reads(db, query):
    """Who read which personal data, when and why: newest first, by reader, record, period."""
    criteria = {}
    if query["user_id"]:
        criteria["user_id"] = query["user_id"]
    if query["record_id"]:
        criteria["record_ids"] = query["record_id"]
    period = {}
    if query["read_from"]:
        period["$gte"] = query["read_from"]
    if query["read_to"]:
        period["$lte"] = query["read_to"]
    if period:
        criteria["read_at"] = period
    page = store.personal_data_reads_page(db, criteria, query)
    return {"reads": [{"read_id": doc["_id"], "read_at": doc["read_at"].isoformat(),
                       "user_id": doc["user_id"], "role": doc["role"],
                       "purpose": doc["purpose"], "source": doc["source"],
                       "records": doc["records"]} for doc in page["items"]],
            "next_cursor": page["next_cursor"]}


def dead_letter_actions(db, query):
    """Replays and discards, newest first: who, when, why, which event."""
    page = store.actions_page(db, query)
    return {"actions": [{**{k: v for k, v in doc.items() if k != "_id"},
                         "action_id": doc["_id"], "at": doc["at"].isoformat()}
                        for doc in page["items"]],
            "next_cursor": page["next_cursor"]}


def list_alerts(db, query):
    docs = store.latest_alerts(db, query["state"] == "active", query["limit"])
    return {"alerts": [{
        "alert_id": doc["_id"], "kind": doc["kind"], "subject": doc["subject"],
        "detail": doc["detail"], "active": doc["active"],
        "raised_at": doc["raised_at"].isoformat(),
        "cleared_at": doc["cleared_at"].isoformat() if doc.get("cleared_at") else None}
        for doc in docs]}


def queue_overview(config, findings):
    return queues.queue_figures(config, findings.nonempty_since)


def stale_wait_queues(config, findings):
    return queues.stale_wait_queues(config, findings.nonempty_since)
