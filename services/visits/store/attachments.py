"""The ``attachments`` collection: one document per uploaded file, the only module that reads or
writes it. Its bytes are in the service's files (``shared.files``), named by ``sha256`` (the
stored bytes: a photo re-encoded) and ``thumbnail_sha256``; ``upload_sha256`` is the digest of
the bytes as they came, so an upload retried after a lost reply finds the first one.
``attached_to`` lists where it is shown: ``{"visit_id", "concern_id"}`` (``concern_id`` None for
the minutes), set before the visit that references it is stored."""
from shared import files
from shared.storage import DuplicateKeyError

COLLECTION = "attachments"
INDEXES = {COLLECTION: [
    ([("uploaded_by", 1), ("upload_sha256", 1)], {"unique": True}),
    ([("attached_to.concern_id", 1)], {}),
    ([("uploaded_at", 1)], {}),
    # whether any attachment still holds a file (the sweep, an erasure)
    ([("sha256", 1)], {}),
    ([("thumbnail_sha256", 1)], {}),
]}


def insert_attachment(db, document):
    """False when this cadre uploaded the same bytes before (the stored one stands)."""
    try:
        db[COLLECTION].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def uploaded_before(db, cadre_id, upload_sha256):
    return db[COLLECTION].find_one({"uploaded_by": cadre_id, "upload_sha256": upload_sha256})


def find_attachment(db, attachment_id):
    return db[COLLECTION].find_one({"_id": attachment_id})


def of_cadre(db, cadre_id, attachment_ids):
    if not attachment_ids:
        return {}
    found = db[COLLECTION].find({"_id": {"$in": list(attachment_ids)}, "uploaded_by": cadre_id})
    return {doc["_id"]: doc for doc in found}


def mark_attached(db, attachment_id, place):
    db[COLLECTION].update_one({"_id": attachment_id}, {"$addToSet": {"attached_to": place}})


def of_concerns(db, concern_ids):
    return list(db[COLLECTION].find({"attached_to.concern_id": {"$in": list(concern_ids)}}))


def ids_of_concerns(db, concern_ids):
    """The ids of the photos and documents on ``concern_ids`` (a person's request)."""
    if not concern_ids:
        return []
    return sorted(doc["_id"] for doc in db[COLLECTION].find(
        {"attached_to.concern_id": {"$in": sorted(concern_ids)}}, {"_id": 1}))


def ids_uploaded_by(db, cadre_id, limit):
    """The ids of the files a cadre uploaded (a request naming them), bounded."""
    return [doc["_id"] for doc in db[COLLECTION].find({"uploaded_by": cadre_id}, {"_id": 1})
            .sort("uploaded_by", 1).limit(limit)]


def delete_attachment(db, attachment_id):
    db[COLLECTION].delete_one({"_id": attachment_id})


class HeldFiles(files.HeldFiles):
    """``digest in HeldFiles(db)``: whether an attachment holds that file."""

    def __init__(self, db):
        super().__init__(db[COLLECTION])


def unattached_before(db, cutoff):
    return [doc["_id"] for doc in db[COLLECTION].find(
        {"uploaded_at": {"$lt": cutoff}, "attached_to": {"$size": 0}}, {"_id": 1})]
