"""Contacts with members and families, and who is in whose care, in the store (issue 29): the
members service's collections beside ``store``'s, read and written only here.

A contact is one document keyed by the phone's ``submission_id``: recorded pending, then
confirmed with visits' record of its concerns (``contact_id``); the same contact resent is the
same document, a corrected one replaces a pending one, another one under a confirmed key is a
conflict.
"""
from shared.errors import Conflict, NotFound
from shared.reasons import reason

INDEXES = {
    # a member's contacts, newest first
    "contacts": [([("member_code", 1), ("contacted_on", -1)], {})],
}
MAX_LISTED = 200


def record_contact(db, record):
    """``record`` pending under its submission id, or the one held (``replayed`` True)."""
    held = db.contacts.find_one({"_id": record["_id"]})
    if held is None:
        db.contacts.update_one({"_id": record["_id"]}, {"$setOnInsert": record}, upsert=True)
        held = db.contacts.find_one({"_id": record["_id"]})
    if held["fingerprint"] == record["fingerprint"]:
        return held
    if not held["confirmed"]:
        done = db.contacts.replace_one({"_id": record["_id"], "confirmed": False}, record)
        if done.matched_count == 1:
            return record
    raise Conflict("another contact was logged under this submission", {
        "submission_id": [reason("other_contact", "already holds another contact")]})


def confirm_contact(db, submission_id, contact_id, concerns):
    """The contact with visits' record of its concerns (none: ``contact_id`` None)."""
    db.contacts.update_one({"_id": submission_id, "confirmed": False}, {"$set": {
        "confirmed": True, "contact_id": contact_id, "concerns": concerns}})
    return find_contact(db, submission_id)


def find_contact(db, submission_id):
    held = db.contacts.find_one({"_id": submission_id})
    if held is None:
        raise NotFound("contact not found", {"submission_id": [str(submission_id)]})
    return held


def contacts_of(db, member_code):
    """A member's confirmed contacts, the latest first (bounded)."""
    return list(db.contacts.find({"member_code": member_code, "confirmed": True})
                .sort([("contacted_on", -1), ("_id", 1)]).limit(MAX_LISTED))
