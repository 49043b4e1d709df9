"""The notifications service's collections: the only module that reads or writes them.

- ``notifications``: each mail, stored once (keyed by event and recipient), then claimed, sent,
  deferred or rejected by the postman (``outgoing``), and listed for operators;
- ``authorities``, ``cadres``, ``units``, ``concerns``: the directory learned from events
  (``directory``), each write an idempotent upsert keyed by the registry's or the event's id.

Example::

    stored = insert_notification(db, document)        # False: stored already (a redelivery)
    authority = find_authority(db, "ubnd-xa-tam-hop")  # the document, or None
"""
from pymongo import ReturnDocument

from shared import event_log
from shared.data_subjects import ANSWERS
from shared.outbox import push_events
from shared.pages import read_page
from shared.personal_data import COLLECTION as READS
from shared.personal_data import record_read
from shared.storage import DuplicateKeyError

# personal_data_reads: who was shown which notifications' recipients (shared.personal_data)
OUTBOX_COLLECTIONS = ["notifications", READS, ANSWERS]

INDEXES = {"notifications": [
    ([("state", 1), ("next_attempt_at", 1)], {}),
    # GET /notifications a page at a time (NOTIFICATIONS_ORDER), with each filter and none
    ([("case_id", 1), ("created_at", -1), ("_id", -1)], {}),
    ([("recipient_id", 1), ("created_at", -1), ("_id", -1)], {}),
    ([("state", 1), ("created_at", -1), ("_id", -1)], {}),
    ([("created_at", -1), ("_id", -1)], {}),
    # the mails quoting a concern, when its text is anonymised
    ([("concern_id", 1)], {}),
],
    # the concerns other branches attached to a case (issue 25): told of it too
    "concerns": [([("joined_case_id", 1)], {})]}
# the newest first
NOTIFICATIONS_ORDER = [("created_at", -1), ("_id", -1)]
# what a sender still has to get accepted by the mail server
WAITING_STATES = ("pending", "sending")
# ended without being sent, for an operator to retry once the cause is mended
RETRYABLE_STATES = ("failed", "rejected")


# --- notifications ---------------------------------------------------------------------------

def insert_notification(db, document):
    """Store ``document`` unless its key is taken; True when this call stored it."""
    try:
        db.notifications.insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def due_notifications(db, state, now, limit):
    """Notifications in ``state`` whose next attempt has come, the longest waiting first."""
    return list(db.notifications.find({"state": state, "next_attempt_at": {"$lte": now}},
                                      {"body": 0}).sort("next_attempt_at", 1).limit(limit))


def claim(db, candidate, lease_until):
    """``candidate`` as ``sending`` and ours until ``lease_until``; None if another sender
    claimed it since it was read (``attempts`` is the claim's version)."""
    return db.notifications.find_one_and_update(  # the claim and its read in one write
        {"_id": candidate["_id"], "state": candidate["state"],
         "attempts": candidate["attempts"]},
        {"$set": {"state": "sending", "next_attempt_at": lease_until},
         "$inc": {"attempts": 1}}, return_document=ReturnDocument.AFTER)


def defer(db, notification_id, error, next_attempt_at):
    db.notifications.update_one({"_id": notification_id}, {"$set": {
        "state": "pending", "last_error": error, "next_attempt_at": next_attempt_at}})


def reject(db, notification_id, error):
    db.notifications.update_one({"_id": notification_id}, {"$set": {
        "state": "rejected", "last_error": error}})


def fail(db, notification_id, error):
    """Ended here, unsent: the mail could not be written or sent as it is (``error`` says)."""
    db.notifications.update_one({"_id": notification_id}, {"$set": {
        "state": "failed", "last_error": error}})


def find_notification(db, notification_id):
    return db.notifications.find_one({"_id": notification_id}, {"body": 0, "outbox": 0})


def retry(db, found, now, record, contact):
    """``found`` (failed or rejected) due again now, to the recipient's ``contact`` as the
    directory knows it today, ``record`` (who, when, why, the error it had) added to its
    ``retries``; the document, or None if it changed state since it was read (two operators
    at once: the state is the condition)."""
    updated = db.notifications.update_one(
        {"_id": found["_id"], "state": found["state"]},
        {"$set": {"state": "pending", "next_attempt_at": now, **contact},
         "$push": {"retries": {**record, "error": found["last_error"]}}})
    return find_notification(db, found["_id"]) if updated.modified_count == 1 else None


def still_claimed(db, mail):
    """Whether ``mail`` (as claimed) is still ``sending`` under this claim: no other sender
    claimed it since (``attempts`` is the claim's version)."""
    return db.notifications.find_one(
        {"_id": mail["_id"], "state": "sending", "attempts": mail["attempts"]},
        {"_id": 1}) is not None


def mark_sent(db, mail, sent_at, reply, event):
    """``mail`` (as claimed) sent, with ``event`` (``notification_sent``) in the same update for
    the outbox; only under its own claim (another sender's is left alone)."""
    db.notifications.update_one({"_id": mail["_id"], "state": "sending",
                                 "attempts": mail["attempts"]}, push_events({"$set": {
        "state": "sent", "sent_at": sent_at, "smtp_reply": reply, "last_error": None}},
        [event]))


def count_waiting(db):
    return sum(count_by_state(db, WAITING_STATES).values())


def count_by_state(db, states):
    return {state: db.notifications.count_documents({"state": state}) for state in states}


def page_of_notifications(db, criteria, query):
    return read_page(db.notifications, criteria, NOTIFICATIONS_ORDER, query,
                     {"body": 0, "outbox": 0})


# --- the directory ---------------------------------------------------------------------------

# the address at registration never overwrites one a contact change brought first
def record_authority(db, authority_id, name, email):
    db.authorities.update_one({"_id": authority_id}, {
        "$set": {"name": name}, "$setOnInsert": {"email": email}}, upsert=True)


def _unless_forgotten(collection, person_id, update):
    """Upsert a user's or a cadre's entry, unless a deletion request forgot them: an event
    published before the deletion but heard after it (queues are not ordered between them)
    must not bring the name or the address back. The entry a deletion left matches no filter
    here, so the upsert tries to insert its id again and is refused."""
    try:
        collection.update_one({"_id": person_id, "forgotten": {"$ne": True}}, update,
                              upsert=True)
    except DuplicateKeyError:
        pass  # forgotten


def record_cadre(db, cadre_id, name, email):
    _unless_forgotten(db.cadres, cadre_id, {"$set": {"name": name},
                                            "$setOnInsert": {"email": email}})


def change_authority_email(db, authority_id, email):
    db.authorities.update_one({"_id": authority_id}, {"$set": {"email": email}}, upsert=True)


def change_cadre_email(db, cadre_id, email):
    _unless_forgotten(db.cadres, cadre_id, {"$set": {"email": email}})


def record_user(db, user_id, name, email):
    """A user's name and address (accounts' ``user_created``): an officer hears of the cases
    they work on. A later ``user_contact_changed`` (even one that arrived first) wins."""
    _unless_forgotten(db.users, user_id, {"$set": {"name": name},
                                          "$setOnInsert": {"email": email}})


def change_user_email(db, user_id, email):
    _unless_forgotten(db.users, user_id, {"$set": {"email": email}})


def find_user(db, user_id):
    return db.users.find_one({"_id": user_id})


def record_unit(db, unit_id, name):
    db.units.update_one({"_id": unit_id}, {"$set": {"name": name}}, upsert=True)


def record_carrier(db, concern_id, cadre_id, visit_id):
    """Who carried the concern, from the visit it was raised at."""
    db.concerns.update_one({"_id": concern_id}, {"$set": {
        "cadre_id": cadre_id, "visit_id": visit_id}}, upsert=True)


def record_concern(db, concern_id, facts):
    db.concerns.update_one({"_id": concern_id}, {"$set": facts}, upsert=True)


def redact_concern(db, concern_id, replace):
    """The concern's text anonymised where it is kept: the directory and every mail quoting
    it (``replace(text) -> text``, the same for any text; a second time changes nothing)."""
    concern = db.concerns.find_one({"_id": concern_id})
    if concern is None or not concern.get("summary"):
        return
    db.concerns.update_one({"_id": concern_id}, {"$set": {"summary": replace(
        concern["summary"])}})
    for mail in db.notifications.find({"concern_id": concern_id},
                                      {"subject": 1, "body": 1}):
        db.notifications.update_one({"_id": mail["_id"]}, {"$set": {
            "subject": replace(mail["subject"]), "body": replace(mail["body"])}})
    event_log.redact(db, replace)  # the events it published quoting it


def find_authority(db, authority_id):
    return db.authorities.find_one({"_id": authority_id})


def find_cadre(db, cadre_id):
    return db.cadres.find_one({"_id": cadre_id})


def find_unit(db, unit_id):
    return db.units.find_one({"_id": unit_id})


def find_concern(db, concern_id):
    return db.concerns.find_one({"_id": concern_id})


def joined_concerns(db, case_id):
    """The concerns other branches attached to ``case_id`` (issue 25), oldest id first."""
    return [found["_id"] for found in
            db.concerns.find({"joined_case_id": case_id}, {"_id": 1}).sort("_id", 1)]


# --- retention (services.notifications.retention) --------------------------------------------

def forget_old_mail(db, before, batch):
    """Mails stored before ``before`` and no longer waiting to be sent: their recipient's name
    and address, subject and text removed; how many."""
    old = [mail["_id"] for mail in db.notifications.find(
        {"created_at": {"$lt": before}, "email": {"$ne": None},
         "state": {"$nin": list(WAITING_STATES)}}, {"_id": 1}).sort("created_at", 1).limit(batch)]
    if not old:
        return 0
    return db.notifications.update_many(
        {"_id": {"$in": old}, "state": {"$nin": list(WAITING_STATES)}},
        {"$set": {"recipient_name": None, "email": None, "subject": "", "body": "",
                  "contents_removed": True}}).modified_count


# --- requests from the people concerned (services.notifications.data_subjects) -------------

def forget_contact(db, kind, person_id, erased_name):
    """A user's or a cadre's name and address gone from the directory, for good: the entry
    stays, marked forgotten, even for someone not heard of yet (``_unless_forgotten``)."""
    collection = db.users if kind == "user" else db.cadres
    collection.update_one({"_id": person_id}, {"$set": {
        "name": erased_name, "email": None, "forgotten": True}}, upsert=True)


def mails_to(db, recipient_id):
    return list(db.notifications.find({"recipient_id": recipient_id}, {"_id": 1}))


def forget_mail_to(db, recipient_id):
    """The mails to one recipient, sent or ended, without who and what (as the sweep)."""
    return db.notifications.update_many(
        {"recipient_id": recipient_id, "state": {"$nin": list(WAITING_STATES)}},
        {"$set": {"recipient_name": None, "email": None, "subject": "", "body": "",
                  "contents_removed": True}}).modified_count


# --- reads of personal data ------------------------------------------------------------------

def record_personal_data_read(db, entry):
    record_read(db[READS], entry)
