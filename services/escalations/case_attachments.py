"""The authority's own documents on a case (the official reply letter, a photo of the repaired
road): plain functions of the store and the service's files (``shared.files``), the same checks
and limits as a concern's photos (``shared.attachments``, docs/attachments.md).

An officer of the authority holding the case uploads each file first (:func:`upload`: the same
bytes again for the same case answer the first attachment, ``replayed``), then names the ids in
the answer, the information request or the interim reply (``attachments``). :func:`resolve`
turns them into references or refuses the **whole action** naming each id that is not this
case's upload: the officer is at the desk, online, and can upload and act again (a visit from
a phone is taken without such an id instead). :func:`read` serves a file to whom may see the
case, and to the officer who uploaded it; anyone else gets the 404 of an id that does not
exist. Example::

    stored, replayed = upload(db, files, now, limits, case, "cong-van.pdf", raw, officer)
    refs = resolve(db, limits, case["_id"], ["a09f…"])       # or InvalidInput, nothing changed
"""
import datetime as dt
import hashlib
from logging import getLogger
from typing import NamedTuple

from services.escalations import queries
from services.escalations.access import holds_case
from services.escalations.store import attachments as store
from shared.attachment_records import kept, reference, thumbnail_of
from shared.attachments import Limits, check_attachment, check_filename
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.files import sweep as sweep_files
from shared.reasons import reason

_log = getLogger(__name__)
# the steps whose arguments may name documents (act_on_case's, and the interim reply)
STEPS = ("answer", "request_information", "interim_reply")


class CaseAttachmentLimits(NamedTuple):
    checks: Limits = Limits()
    per_step: int = 5
    unattached_for: dt.timedelta = dt.timedelta(days=14)


def upload(db, files, now, limits, case_id, filename, raw, principal):
    """The stored attachment and whether it was stored before; NotFound for a case the
    principal may not see, ``Forbidden`` for anyone but an officer of the authority holding
    it, ``InvalidInput`` for a file refused (nothing stored in any of these)."""
    case = queries.visible_case(db, case_id, principal)
    if not holds_case(principal, case):
        raise Forbidden("only an officer of the authority holding the case adds its documents",
                        {"case_id": [str(case["_id"])]})
    check_filename(filename)  # a bad name is refused even for bytes stored before
    upload_sha256 = hashlib.sha256(raw).hexdigest()
    before = store.uploaded_before(db, case["_id"], upload_sha256)
    if before is not None:
        return before, True
    accepted = check_attachment(filename, raw, limits.checks)
    document = {**kept(files, accepted, upload_sha256, now, case_id=case["_id"],
                       uploaded_by=principal.user_id, authority_id=principal.authority_id),
                "steps": []}
    if not store.insert_attachment(db, document):  # the same upload, at the same moment
        return store.uploaded_before(db, case["_id"], upload_sha256), True
    _log.info("case %s: attachment %s (%s, %d bytes) uploaded", case["_id"], document["_id"],
              accepted.kind, document["size"])
    return document, False


def resolve(db, limits, case_id, ids):
    """The references of the ids a step names, in order; ``InvalidInput`` naming
    ``attachments.<n>`` for each id never uploaded for this case, listed twice or past
    ``ATTACHMENTS_PER_ITEM``."""
    known = store.of_case(db, case_id, set(ids))
    refused, seen = {}, set()
    for n, attachment_id in enumerate(ids):
        if attachment_id not in known:
            refused[f"attachments.{n}"] = [reason(
                "attachment_unknown", f"{attachment_id} was never uploaded for this case")]
        elif attachment_id in seen:
            refused[f"attachments.{n}"] = [reason("listed_twice", "lists an attachment twice")]
        elif len(seen) >= limits.per_step:
            refused[f"attachments.{n}"] = [reason(
                "too_many_attachments", f"more than {limits.per_step} on one step",
                max=limits.per_step)]
        seen.add(attachment_id)
    if refused:
        raise InvalidInput("the step names attachments it cannot take", refused)
    return [reference(known[attachment_id]) for attachment_id in ids]


def attach(db, refs, action, at):
    """Marks each attachment as named by the step: before the case's update that names it, so
    the sweep never takes a file a timeline names."""
    for ref in refs:
        store.mark_attached(db, ref["attachment_id"], {"action": action, "at": at})


def read(db, files, case_id, attachment_id, principal, thumbnail=False):
    """The attachment and its bytes (or its thumbnail's): to whom may see the case now (its
    holder's officers, the cadres whose concerns it carries) once a step names it, and only to
    the holder's officers before; anyone else, like an id that does not exist, NotFound."""
    case = queries.visible_case(db, case_id, principal)  # NotFound: not theirs to see
    document = store.find_attachment(db, case["_id"], str(attachment_id))
    visible = document is not None and (document["steps"] or holds_case(principal, case))
    if not visible:
        raise NotFound("attachment not found", {"attachment_id": [str(attachment_id)]})
    if not thumbnail:
        return document, files.get(document["sha256"])
    shown = thumbnail_of(document)
    if shown is None:
        raise NotFound("this attachment has no thumbnail", {"attachment_id": [attachment_id]})
    return shown, files.get(document["thumbnail_sha256"])


def sweep(db, files, now, unattached_for, file_grace=dt.timedelta(hours=1)):
    """Uploads no step named within ``unattached_for``, then the files nothing references
    older than ``file_grace`` (an upload in flight has its file before its document)."""
    stale = store.unattached_before(db, now - unattached_for)
    for attachment_id in stale:
        store.delete_attachment(db, attachment_id)
    removed = sweep_files(files, store.HeldFiles(db), now, file_grace)
    return {"attachments_unattached": len(stale), "files_unreferenced": len(removed)}
