"""The monitor's collections, the only module that reads or writes them.

``audit_trail`` (one entry per event, keyed by event id: see ``trail.audit_entry``),
``personal_data_reads`` (every service's ``personal_data_read`` events, keyed by event id: who
read which records, for administrators), ``dead_letter_actions`` (every replay and discard:
who, when, why) and ``alerts`` (one document
per alert key, its ``alert_raised``/``alert_cleared`` events in the same write, relayed by the
outbox). Example::

    record_audit(db, trail.audit_entry(event))    # once, however often the event comes
    raise_alert(db, "no_consumer:visits.x", alert, now, raised_event)
"""
from shared import contracts
from shared.data_subjects import ANSWERS
from shared.outbox import push_events, with_events
from shared.pages import read_page
from shared.storage import DuplicateKeyError

# requests from the people concerned (services.monitor.requests)
REQUESTS = "data_subject_requests"
REQUESTS_ORDER = [("recorded_at", -1), ("_id", -1)]
OUTBOX_COLLECTIONS = ["alerts", REQUESTS, ANSWERS]
INDEXES = {"audit_trail": [([("occurred_at", -1), ("_id", -1)], {}),
                           ([("routing_key", 1), ("occurred_at", -1)], {}),
                           ([("subjects.id", 1)], {}),
                           ([("entities.id", 1), ("occurred_at", -1), ("_id", -1)], {}),
                           ([("correlation_id", 1)], {})],
           # newest first, of one reader, of one record read (record_ids: one key per id)
           "personal_data_reads": [([("read_at", -1), ("_id", -1)], {}),
                                   ([("user_id", 1), ("read_at", -1), ("_id", -1)], {}),
                                   ([("record_ids", 1), ("read_at", -1), ("_id", -1)], {})],
           "dead_letter_actions": [([("at", -1), ("_id", -1)], {})],
           REQUESTS: [([("recorded_at", -1), ("_id", -1)], {})],
           "alerts": [([("active", 1), ("raised_at", -1)], {}),
                      ([("raised_at", -1), ("_id", -1)], {})]}
AUDIT_ORDER = [("occurred_at", -1), ("_id", -1)]
ACTIONS_ORDER = [("at", -1), ("_id", -1)]
READS_ORDER = [("read_at", -1), ("_id", -1)]
# what a trace reads of an entry: ids and timings, the payload only to find the subjects
TRACED = {"payload": 1, "routing_key": 1, "occurred_at": 1, "actor": 1, "correlation_id": 1,
          "causation_id": 1}
# what an operator's record of a replay or discard keeps of the letter
ACTION_FIELDS = ("letter_id", "queue", "failed_on", "event_id", "event_type", "source",
                 "attempts", "error")


# --- the audit trail -------------------------------------------------------------------------

def record_audit(db, entry):
    try:
        db.audit_trail.insert_one(entry)
    except DuplicateKeyError:
        pass  # recorded already: one entry per event


def audit_page(db, query):
    return read_page(db.audit_trail, {}, AUDIT_ORDER, query)


def entries_about(db, subject_id):
    return list(db.audit_trail.find({"subjects.id": subject_id}, TRACED))


def changes_page(db, entity_id, query):
    return read_page(db.audit_trail, {"entities.id": entity_id}, AUDIT_ORDER, query)


def entries_correlated(db, correlation_id):
    return list(db.audit_trail.find({"correlation_id": correlation_id}, TRACED))


def redact_concern(db, concern_id, summary):
    """The concern's text anonymised in the events that carried it (``concern_redacted``)."""
    db.audit_trail.update_many({"subjects.id": concern_id,
                                "routing_key": contracts.CONCERN_RAISED.routing_key},
                               {"$set": {"payload.summary": summary}})


# --- requests from the people concerned ------------------------------------------------------

def insert_request(db, document, event):
    db[REQUESTS].insert_one(with_events(document, [event]))


def find_request(db, request_id):
    return db[REQUESTS].find_one({"_id": request_id}, {"outbox": 0, "outbox_pending": 0})


def requests_page(db, query):
    return read_page(db[REQUESTS], {}, REQUESTS_ORDER, query,
                     {"outbox": 0, "outbox_pending": 0})


def file_answer(db, request_id, service, answer, answering):
    """One service's answer (the latest wins: a redelivery is the same); "answered" once every
    answering service did, unless closed."""
    db[REQUESTS].update_one({"_id": request_id}, {"$set": {f"answers.{service}": answer}})
    found = find_request(db, request_id)
    if found and found["state"] == "open" and answering <= set(found["answers"]):
        db[REQUESTS].update_one({"_id": request_id, "state": "open"},
                                {"$set": {"state": "answered"}})


def close_request(db, request_id, outcome, by, at):
    db[REQUESTS].update_one({"_id": request_id, "state": {"$ne": "closed"}}, {"$set": {
        "state": "closed", "outcome": outcome, "closed_by": by, "closed_at": at}})
    return find_request(db, request_id)


def forget_requester(db, request_id, erased_name):
    db[REQUESTS].update_one({"_id": request_id}, {"$set": {"name": erased_name,
                                                           "contact": None}})


def entries_changing(db, entity_id, limit):
    """The audit entries of changes made to one record (a user, a cadre), newest first."""
    return list(db.audit_trail.find({"entities.id": entity_id}, {"payload": 1})
                .sort([("entities.id", 1), ("occurred_at", -1), ("_id", -1)]).limit(limit))


def replace_audit_payload(db, entry_id, payload):
    db.audit_trail.update_one({"_id": entry_id}, {"$set": {"payload": payload}})


def reads_of_person(db, person_id, limit):
    """The access log's entries of what a user read, and of reads that showed a record."""
    by_reader = db.personal_data_reads.find({"user_id": person_id}, {"_id": 1}).sort(
        [("user_id", 1), ("read_at", -1), ("_id", -1)]).limit(limit)
    showing = db.personal_data_reads.find({"record_ids": person_id}, {"_id": 1}).sort(
        [("record_ids", 1), ("read_at", -1), ("_id", -1)]).limit(limit)
    return list({read["_id"]: read for read in list(by_reader) + list(showing)}.values())


# --- reads of personal data ------------------------------------------------------------------

def record_personal_data_read(db, entry):
    try:
        db.personal_data_reads.insert_one(entry)
    except DuplicateKeyError:
        pass  # recorded already: the relay published it again


def personal_data_reads_page(db, criteria, query):
    return read_page(db.personal_data_reads, criteria, READS_ORDER, query)


# --- dead-letter actions ---------------------------------------------------------------------

def record_action(db, action, letter, by, at, reason):
    db.dead_letter_actions.insert_one({
        "_id": contracts.new_id(), "action": action, "by": by, "at": at, "reason": reason,
        **{k: letter[k] for k in ACTION_FIELDS}})


def actions_page(db, query):
    return read_page(db.dead_letter_actions, {}, ACTIONS_ORDER, query)


# --- alerts ----------------------------------------------------------------------------------

def active_alerts(db):
    return {doc["_id"]: doc for doc in db.alerts.find({"active": True})}


def raise_alert(db, key, alert, now, raised):
    """The alert active from ``now``, its ``alert_raised`` event in the same write."""
    db.alerts.update_one(
        {"_id": key}, push_events({"$set": {**alert, "active": True, "raised_at": now,
                                            "cleared_at": None}}, [raised]),
        upsert=True)


def clear_alert(db, key, now, cleared):
    """The alert no longer active, its ``alert_cleared`` event in the same write."""
    db.alerts.update_one({"_id": key, "active": True}, push_events(
        {"$set": {"active": False, "cleared_at": now}}, [cleared]))


def latest_alerts(db, active_only, limit):
    """The newest alerts first, without their outbox."""
    criteria = {"active": True} if active_only else {}
    # (active, raised_at) answers the active ones, (raised_at, _id) all of them
    order = [("raised_at", -1)] if criteria else [("raised_at", -1), ("_id", -1)]
    return list(db.alerts.find(criteria, {"outbox": 0, "outbox_pending": 0})
                .sort(order).limit(limit))
