"""Members, attendance lists and the access log in the store: the only module of the members
service that reads or writes a collection.

A member is one document keyed by their code (``_id``: the Party-member database's code), so
an import re-run after a crash finds what it already wrote and writes nothing twice. An
attendance list is one document keyed by the visit's ``submission_id``: written once, the same
list resent is the same document, another list under the same key a conflict.
"""
import datetime as dt

from shared.data_subjects import ANSWERS
from shared.errors import Conflict, NotFound
from shared.outbox import with_events
from shared.personal_data import COLLECTION as READS
from shared.reasons import reason
from shared.storage import DuplicateKeyError

# the access log's events, and the answers to requests from the people concerned
OUTBOX_COLLECTIONS = [READS, ANSWERS]
INDEXES = {
    # a branch's members, past ones too (a member's stints name each branch they were in)
    "members": [([("history.unit_id", 1), ("_id", 1)], {})],
    # a branch's meetings in a year, for the absence rule
    "attendance": [([("unit_id", 1), ("meeting_date", 1)], {})],
}


# --- members -----------------------------------------------------------------------------------

def members_coded(db, codes):
    """``{member_code: member}`` of those of ``codes`` on a roll."""
    return {member["_id"]: member for member in db.members.find({"_id": {"$in": list(codes)}})}


def write_member(db, member):
    """The member as the roll decided it (joined, moved, ended or renamed): one document per
    code, so writing it again is writing the same."""
    db.members.replace_one({"_id": member["_id"]}, member, upsert=True)


def members_ever_in(db, unit_id):
    """Every member who was ever in ``unit_id``, by code."""
    return list(db.members.find({"history.unit_id": unit_id}).sort("_id", 1))


def find_member(db, member_code):
    member = db.members.find_one({"_id": member_code})
    if member is None:
        raise NotFound("member not found", {"member_code": [str(member_code)]})
    return member


# --- attendance --------------------------------------------------------------------------------

def record_attendance(db, record):
    """``record`` stored under its submission id, pending until its visit is logged. The same
    list again (a resent visit) is the one stored; another list replaces a pending one (the
    visit was refused and is sent again, corrected), and conflicts with one whose visit is
    logged."""
    try:
        db.attendance.insert_one({**record, "visit_id": None})
        return {**record, "visit_id": None}
    except DuplicateKeyError:  # the key is taken: compare with what is there
        held = db.attendance.find_one({"_id": record["_id"]})
    if all(held[key] == record[key] for key in ("unit_id", "meeting_date", "marks")):
        return held
    if held["visit_id"] is None:
        done = db.attendance.replace_one({"_id": record["_id"], "visit_id": None},
                                         {**record, "visit_id": None})
        if done.matched_count == 1:
            return {**record, "visit_id": None}
    raise Conflict("another attendance list was recorded for this visit", {
        "submission_id": [reason("other_list", "already holds another attendance list")]})


def confirm_attendance(db, submission_id, visit_id):
    """The list tied to its logged visit: from now on it counts, and stays as it is."""
    held = find_attendance(db, submission_id)
    if held["visit_id"] not in (None, visit_id):
        raise Conflict("this attendance list belongs to another visit", {
            "visit_id": [reason("other_visit", "the list is another visit's")]})
    db.attendance.update_one({"_id": submission_id, "visit_id": None},
                             {"$set": {"visit_id": visit_id}})
    return {**held, "visit_id": visit_id}


def attendance_in(db, unit_id, first_day, last_day):
    """The attendance lists of ``unit_id``'s logged meetings between the days (ISO, both
    included); a list whose visit was never logged does not count."""
    return [item for item in db.attendance.find({"unit_id": unit_id, "meeting_date": {
        "$gte": first_day, "$lte": last_day}}).sort("meeting_date", 1)
        if item["visit_id"] is not None]


def find_attendance(db, submission_id):
    held = db.attendance.find_one({"_id": submission_id})
    if held is None:
        raise NotFound("no attendance list for this visit", {
            "submission_id": [str(submission_id)]})
    return held


# --- contacts with members and families (issue 29) ----------------------------------------
# One per phone's submission_id: pending, then confirmed with visits' record of its concerns;
# the same contact resent is the same document, a corrected one replaces a pending one.

CONTACT_INDEXES = {
    # a member's contacts, newest first
    "contacts": [([("member_code", 1), ("contacted_on", -1)], {})],
}
MAX_CONTACTS_LISTED = 200


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
                .sort([("contacted_on", -1), ("_id", 1)]).limit(MAX_CONTACTS_LISTED))


# --- who is in whose care (issue 29) ---------------------------------------------------------
# One document per member (``_id``: the member's code): the carer now, the earlier ones kept.

CARE_INDEXES = {"care": [([("cadre_id", 1), ("_id", 1)], {})]}


def put_in_care(db, member_code, unit_id, cadre_id, day, user_id):
    """``cadre_id`` caring for the member from ``day``; the carer before kept in ``history``
    (until that day). The same carer again changes nothing."""
    held = db.care.find_one({"_id": member_code})
    if held is not None and held["cadre_id"] == cadre_id:
        return held
    history = list(held["history"]) if held else []
    if held is not None:
        history.append({"cadre_id": held["cadre_id"], "since": held["since"], "until": day,
                        "set_by": held["set_by"]})
    care = {"_id": member_code, "unit_id": unit_id, "cadre_id": cadre_id, "since": day,
            "set_by": user_id, "history": history}
    db.care.replace_one({"_id": member_code}, care, upsert=True)
    return care


def care_of(db, member_code):
    return db.care.find_one({"_id": member_code})


def carers_of(db, member_codes):
    """``{member_code: {"cadre_id", "since"}}`` of those of ``member_codes`` in someone's care."""
    return {c["_id"]: {"cadre_id": c["cadre_id"], "since": c["since"]}
            for c in db.care.find({"_id": {"$in": list(member_codes)}})}


def members_in_care_of(db, cadre_id):
    return list(db.care.find({"cadre_id": cadre_id}).sort("_id", 1))


# --- the access log ----------------------------------------------------------------------------

def record_members_read(db, envelope, member_codes):
    """Who was shown which members: the entry here names the members, its event (for the
    monitor's log) only the branch, in one insert."""
    payload = envelope["payload"]
    db[READS].insert_one(with_events({
        "_id": envelope["event_id"],
        "read_at": dt.datetime.fromisoformat(envelope["occurred_at"]),
        "user_id": payload["user_id"], "purpose": payload["purpose"],
        "record_ids": sorted(member_codes)}, [envelope]))


def reads_of(db, user_id):
    """The access log's entries of one reader, newest first (for tests and inspectors)."""
    return list(db[READS].find({"user_id": user_id}, {"outbox": 0}).sort("read_at", -1))


# --- a person's records (services.members.people, .retention) ---------------------------------

def member_names(db):
    """Every member's code, name, status and end (a request's name is compared folded: read
    whole, as requests are rare)."""
    return list(db.members.find({}, {"full_name": 1, "status": 1, "ended_on": 1}))


def records_naming(db, naming, codes, limit):
    """The ids of ``naming.collection``'s documents naming one of ``codes`` (at most
    ``limit``)."""
    if not codes:
        return []
    return [held["_id"] for held in db[naming.collection].find(
        {naming.field: {"$in": list(codes)}}, {"_id": 1}).sort("_id", 1).limit(limit)]


def erase_naming(db, naming, code, erased_code):
    """``naming.collection`` without ``code``: its documents deleted, or the code in each
    replaced by ``erased_code`` (an entry of a list keeping only ``naming.keeps``)."""
    if naming.erase == "delete":
        db[naming.collection].delete_many({naming.field: code})
        return
    listed, _, inner = naming.field.partition(".")
    for held in list(db[naming.collection].find({naming.field: code}, {listed: 1})):
        entries = [_unnamed(entry, code, erased_code, inner, naming.keeps)
                   for entry in held[listed]]
        db[naming.collection].update_one({"_id": held["_id"]}, {"$set": {listed: entries}})


def _unnamed(entry, code, erased_code, inner, keeps):
    if not inner:
        return erased_code if entry == code else entry
    if entry.get(inner) != code:
        return entry
    return {inner: erased_code, **{key: entry.get(key) for key in keeps}}


def ended_before(db, day, limit):
    """The codes of at most ``limit`` former members whose membership ended before ``day``
    (ISO), earliest first."""
    return [held["_id"] for held in db.members.find(
        {"ended_on": {"$lt": day}, "status": {"$ne": "active"}}, {"_id": 1})
        .sort("ended_on", 1).limit(limit)]
