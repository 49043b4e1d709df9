"""An attachment as a service keeps and shows it, whichever service owns it (visits: a
concern's photos and a visit's minutes; escalations: the authority's own documents on a case):
its reference, the name an officer sees, an upload's bytes from base64 and a download's back.
Plain functions: no broker, no store. Example::

    raw = decoded(upload["content"])            # or InvalidInput naming ``content``
    reference(document)                         # what a visit or a timeline line lists
"""
import base64
import binascii

from shared import contracts
from shared.errors import InvalidInput
from shared.reasons import reason

REFERENCE = ("attachment_id", "filename", "kind", "media_type", "size", "sha256",
             "uploaded_at", "has_thumbnail")
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
              "application/pdf": ".pdf", "application/msword": ".doc",
              "application/vnd.ms-excel": ".xls"}


def stored(accepted, upload_sha256, digest, thumbnail, now, **owner):
    """The document of an accepted file (``shared.attachments.Accepted``) whose bytes were
    written under ``digest`` (and its thumbnail's), with who owns it (``owner``)."""
    return {"_id": contracts.new_id(), **owner, "upload_sha256": upload_sha256,
            "sha256": digest, "thumbnail_sha256": thumbnail,
            "has_thumbnail": thumbnail is not None, "filename": accepted.filename,
            "kind": accepted.kind, "media_type": accepted.media_type,
            "size": len(accepted.data), "uploaded_at": now}


def kept(files, accepted, upload_sha256, now, **owner):
    """Writes an accepted file's bytes (and its thumbnail's) to ``files``, then answers the
    document that will name them: the bytes first, so a document never names a missing file."""
    digest = files.put(accepted.data)
    thumbnail = files.put(accepted.thumbnail) if accepted.thumbnail else None
    return stored(accepted, upload_sha256, digest, thumbnail, now, **owner)


def neutral_name(ref):
    """The name shown where a file's own name may say too much (``photo-a09ffd3d.jpg``, never
    ``nguyen-van-hai.jpg``)."""
    extension = EXTENSIONS.get(ref["media_type"]) or (
        ".docx" if ref["kind"] == "document" else ".xlsx")
    return f"{ref['kind']}-{ref['attachment_id'][:8]}{extension}"


def decoded(content):
    """The bytes of an upload's base64, or ``InvalidInput`` naming ``content``."""
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("attachment refused: not base64", {"content": [reason(
            "not_base64", "the uploaded content is not base64")]}) from None


def download(document, data):
    return {"filename": document["filename"], "media_type": document["media_type"],
            "content": base64.b64encode(data).decode("ascii")}


def reference(document):
    return {"attachment_id": document["_id"],
            **{key: document[key] for key in REFERENCE[1:]}}


def thumbnail_of(document):
    """A photo's thumbnail as a download names it (a JPEG), or None for any other file."""
    if not document.get("thumbnail_sha256"):
        return None
    stem = document["filename"].rsplit(".", 1)[0]
    return {**document, "filename": f"{stem}-thumbnail.jpg", "media_type": "image/jpeg"}
