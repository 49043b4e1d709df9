"""The ``attachments`` collection: the authority's own documents on a case (the official reply
letter, a photo of the repaired road), one document per upload; the only module that reads or
writes it. Its bytes are in the service's files (``shared.files``), named by ``sha256`` (the
stored bytes: a photo re-encoded) and ``thumbnail_sha256``; ``upload_sha256`` is the digest of
the bytes as they came, so the same file uploaded again for the same case finds the first one.
``steps`` lists the timeline steps that name it (``{"action", "at"}``), set before the case's
update that names it is written."""
from shared import files
from shared.storage import DuplicateKeyError

COLLECTION = "attachments"
INDEXES = {COLLECTION: [
    ([("case_id", 1), ("upload_sha256", 1)], {"unique": True}),
    ([("uploaded_at", 1)], {}),
    # whether any attachment still holds a file (the sweep)
    ([("sha256", 1)], {}),
    ([("thumbnail_sha256", 1)], {}),
]}


def insert_attachment(db, document):
    """False when the same bytes were uploaded for this case before (the stored one stands)."""
    try:
        db[COLLECTION].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def uploaded_before(db, case_id, upload_sha256):
    return db[COLLECTION].find_one({"case_id": case_id, "upload_sha256": upload_sha256})


def find_attachment(db, case_id, attachment_id):
    return db[COLLECTION].find_one({"_id": attachment_id, "case_id": case_id})


def of_case(db, case_id, attachment_ids):
    if not attachment_ids:
        return {}
    found = db[COLLECTION].find({"_id": {"$in": list(attachment_ids)}, "case_id": case_id})
    return {doc["_id"]: doc for doc in found}


def mark_attached(db, attachment_id, step):
    db[COLLECTION].update_one({"_id": attachment_id}, {"$addToSet": {"steps": step}})


def delete_attachment(db, attachment_id):
    db[COLLECTION].delete_one({"_id": attachment_id})


class HeldFiles(files.HeldFiles):
    """``digest in HeldFiles(db)``: whether an attachment holds that file."""

    def __init__(self, db):
        super().__init__(db[COLLECTION])


def unattached_before(db, cutoff):
    return [doc["_id"] for doc in db[COLLECTION].find(
        {"uploaded_at": {"$lt": cutoff}, "steps": {"$size": 0}}, {"_id": 1})]
