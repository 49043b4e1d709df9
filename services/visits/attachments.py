"""Photos and documents on a visit's minutes and on its concerns: plain functions of the store
and the service's files (``shared.files``).

:func:`upload` checks a file (``shared.attachments``: its type from its content, limits, a
photo re-encoded without EXIF/GPS), writes its bytes, then the attachment's document; the same
bytes from the same cadre again answer the first attachment (``replayed``). :func:`resolve`
turns the ids a visit lists into references, refusing by name an id this cadre never uploaded
or one over the limits: the visit is logged without it, and says so (``attachments_refused``).
:func:`read` serves a file only to whom may see what it belongs to; anyone else gets the same
404 as for an id that does not exist. Example::

    stored, replayed = upload(db, files, now, limits, "bien-ban.pdf", raw, "tran-thi-binh")
    minutes, per_concern, refused = resolve(db, limits, "tran-thi-binh", dumped)
"""
import datetime as dt
import hashlib
from logging import getLogger
from typing import NamedTuple

from services.visits.store import attachments as store
from shared import contracts
from shared.attachment_records import (  # noqa: F401 (decoded, download: the service's)
    decoded,
    download,
    kept,
    neutral_name,
    reference,
    thumbnail_of,
)
from shared.attachments import Limits, check_attachment, check_filename
from shared.errors import NotFound
from shared.files import sweep as sweep_files
from shared.reasons import reason, reasons_of

_log = getLogger(__name__)



class AttachmentLimits(NamedTuple):
    checks: Limits = Limits()
    per_item: int = 5
    per_visit: int = 20
    unattached_for: dt.timedelta = dt.timedelta(days=14)


def upload(db, files, now, limits, filename, raw, cadre_id):
    """The stored attachment and whether it was stored before; ``InvalidInput`` for a file
    refused, with nothing stored."""
    check_filename(filename)  # a bad name is refused even for bytes stored before
    upload_sha256 = hashlib.sha256(raw).hexdigest()
    before = store.uploaded_before(db, cadre_id, upload_sha256)
    if before is not None:
        return before, True
    accepted = check_attachment(filename, raw, limits.checks)
    document = {**kept(files, accepted, upload_sha256, now, uploaded_by=cadre_id),
                "attached_to": []}
    if not store.insert_attachment(db, document):  # the same upload, at the same moment
        return store.uploaded_before(db, cadre_id, upload_sha256), True
    _log.info("attachment %s (%s, %d bytes) uploaded", document["_id"], accepted.kind,
              document["size"])
    return document, False


def as_officers_see(concern):
    return [{**ref, "filename": neutral_name(ref)} for ref in concern.get("attachments", ())]


def resolve(db, limits, cadre_id, dumped):
    """What a visit's ``attachments`` (its minutes) and each concern's ``attachments`` name,
    as references: ``(minutes, per_concern, refused)``. An id this cadre never uploaded, one
    listed twice, or one past ``ATTACHMENTS_PER_ITEM`` / ``ATTACHMENTS_PER_VISIT`` is left out
    and named in ``refused`` with its reason code."""
    lists = [("attachments", dumped.get("attachments") or [])] + [
        (f"concerns.{i}.attachments", concern.get("attachments") or [])
        for i, concern in enumerate(dumped.get("concerns") or [])]
    known = store.of_cadre(db, cadre_id, {a for _, ids in lists for a in ids})
    refused, seen, resolved = [], set(), []
    for field, ids in lists:
        kept = []
        for j, attachment_id in enumerate(ids):
            why = None
            if attachment_id not in known:
                why = reason("attachment_unknown", "never uploaded by this cadre")
            elif attachment_id in seen:
                why = reason("listed_twice", "lists an attachment twice")
            elif len(kept) >= limits.per_item:
                why = reason("too_many_attachments", f"more than {limits.per_item} on one item",
                             max=limits.per_item)
            elif len(seen) >= limits.per_visit:
                why = reason("too_many_attachments", f"more than {limits.per_visit} on a visit",
                             max=limits.per_visit)
            if why is None:
                seen.add(attachment_id)
                kept.append(reference(known[attachment_id]))
            else:
                refused.append({"attachment_id": attachment_id, "field": f"{field}.{j}",
                                "reason": reasons_of(why)})
        resolved.append(kept)
    return resolved[0], resolved[1:], refused


def attach(db, visit_id, minutes, concerns):
    """Marks each attachment as shown on the visit (and its concern): before the visit that
    references it is stored, so the sweep never takes a file a visit names."""
    for ref in minutes:
        store.mark_attached(db, ref["attachment_id"], {"visit_id": visit_id,
                                                       "concern_id": None})
    for concern in concerns:
        for ref in concern.get("attachments", ()):
            store.mark_attached(db, ref["attachment_id"], {
                "visit_id": visit_id, "concern_id": concern["concern_id"]})


def attached_event(document, actor):
    """The ``attachments_attached`` event of a visit logged with files, or None: references
    and digests only."""
    refs = [{**_event_ref(ref), "concern_id": None} for ref in document.get("attachments", ())]
    refs += [{**_event_ref(ref), "concern_id": concern["concern_id"]}
             for concern in document["concerns"] for ref in concern.get("attachments", ())]
    if not refs:
        return None
    return contracts.ATTACHMENTS_ATTACHED.new({
        "visit_id": document["_id"], "unit_id": document["unit_id"],
        "cadre_id": document["cadre_id"], "attachments": refs}, actor=actor)


def _event_ref(ref):
    return {key: ref[key] for key in ("attachment_id", "sha256", "size", "kind")}


def read(db, files, attachment_id, cadre_id=None, concern_id=None, thumbnail=False):
    """The attachment and its bytes (or its thumbnail's, a JPEG: a photo's only): the cadre's
    own upload (``cadre_id``), or one shown on ``concern_id`` (an officer's, once the gateway
    found their authority holds its case)."""
    document = store.find_attachment(db, attachment_id)
    if document is not None and cadre_id is not None:
        visible = document["uploaded_by"] == cadre_id
    else:
        visible = document is not None and concern_id is not None and any(
            place.get("concern_id") == concern_id for place in document["attached_to"])
    if not visible:
        raise NotFound("attachment not found", {"attachment_id": [str(attachment_id)]})
    if cadre_id is None:
        document = {**document, "filename": neutral_name(reference(document))}
    if not thumbnail:
        return document, files.get(document["sha256"])
    thumbnail_document = thumbnail_of(document)
    if thumbnail_document is None:
        raise NotFound("this attachment has no thumbnail", {"attachment_id": [attachment_id]})
    return thumbnail_document, files.get(document["thumbnail_sha256"])


def forget_of_concerns(db, files, concern_ids):
    """A person's erasure: the photos and documents on their concerns go with them (a photo
    may show them); returns how many attachments were deleted."""
    gone = store.of_concerns(db, concern_ids)
    for document in gone:
        store.delete_attachment(db, document["_id"])
        for digest in (document["sha256"], document.get("thumbnail_sha256")):
            if digest and digest not in store.HeldFiles(db):  # shared by no other
                files.delete(digest)
    return len(gone)


def sweep(db, files, now, unattached_for, file_grace=dt.timedelta(hours=1)):
    """Attachments no visit took within ``unattached_for`` (a phone offline for days keeps
    its visit that long), then the files nothing references: how many of each."""
    stale = store.unattached_before(db, now - unattached_for)
    for attachment_id in stale:
        store.delete_attachment(db, attachment_id)
    removed = sweep_files(files, store.HeldFiles(db), now, file_grace)
    return {"attachments_unattached": len(stale), "files_unreferenced": len(removed)}
