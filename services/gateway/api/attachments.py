"""Photos and documents on visits and concerns (issue 31, docs/attachments.md).

A file is uploaded first, on its own, as a JSON body carrying it in base64 (the same edge as
every other body, with a larger limit for this route alone), and answers an ``attachment_id``
that the visit then lists; the same bytes again answer the same id, so a phone retrying after a
lost reply stores nothing twice. A download is always ``Content-Disposition: attachment`` with
its stored type (only photos, PDF and Office files are ever stored: never HTML or SVG), and
``nosniff`` (every answer's, ``edge.headers``); whoever may not see what it belongs to gets the
same 404 as for an id that does not exist.
"""
import base64
from urllib.parse import quote

from marshmallow import Schema
from werkzeug.wrappers import Response

from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response
from services.gateway.edge.route import Route
from services.gateway.schemas import ConcernPath
from shared.contracts import Id
from shared.contracts.rpc import attachments as schemas
from shared.errors import NotFound

# the largest file visits may be configured to take (10 MB) in base64, with its JSON around it
UPLOAD_BODY_BYTES = 14_000_000
FILES = ("image/jpeg", "image/png", "image/webp", "application/pdf", "application/msword",
         "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument."
         "wordprocessingml.document", "application/vnd.openxmlformats-officedocument."
         "spreadsheetml.sheet")


class AttachmentPath(Schema):
    attachment_id = Id(required=True)


class ConcernAttachmentPath(ConcernPath):
    attachment_id = Id(required=True)


ROUTES = {
    ("POST", "/attachments"): Route(
        "Upload a photo or document, before the visit that names it",
        schemas.UploadedAttachment, "visits", status=201, body=schemas.UploadAttachment,
        errors=(403, 413, 415), max_body=UPLOAD_BODY_BYTES,
        description="A cadre. content is the file in base64; its type is read from the "
                    "content, not the name: a photo (JPEG, PNG, WebP, re-encoded without its "
                    "EXIF and GPS position), PDF, DOC/DOCX or XLS/XLSX, at most "
                    "ATTACHMENT_MAX_BYTES. List the answered attachment_id in a visit's "
                    "attachments (its minutes) or a concern's. The same bytes again answer "
                    "200 with the same attachment (replayed: true). A refused file is a 400 "
                    "naming file or filename with its reason; nothing is stored.",
        also=((200, schemas.UploadedAttachment, "these bytes were uploaded before"),),
        example={"filename": "bien-ban.pdf", "content": base64.b64encode(
            b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        ).decode()}),
    ("GET", "/attachments/<attachment_id>"): Route(
        "Download an attachment the cadre uploaded", FILES, "visits", path=AttachmentPath,
        errors=(403, 404), description="Always as a download (Content-Disposition: "
                                       "attachment), never shown inline."),
    ("GET", "/concerns/<concern_id>/attachments/<attachment_id>"): Route(
        "Download a photo or document of a concern", FILES, "visits",
        path=ConcernAttachmentPath, errors=(403, 404),
        description="The cadre who carried the concern, or an officer of the authority "
                    "holding its case; anyone else gets 404."),
    ("GET", "/attachments/<attachment_id>/thumbnail"): Route(
        "Download a photo's thumbnail (JPEG, 320 px) the cadre uploaded", ("image/jpeg",),
        "visits", path=AttachmentPath, errors=(403, 404),
        description="404 for an attachment that is not a photo."),
    ("GET", "/concerns/<concern_id>/attachments/<attachment_id>/thumbnail"): Route(
        "Download the thumbnail of a concern's photo", ("image/jpeg",), "visits",
        path=ConcernAttachmentPath, errors=(403, 404),
        description="As the photo itself: its cadre, or the officers holding its case."),
}


class AttachmentsApi(Api):

    @http("POST", "/attachments")
    def upload_attachment(self, request):
        principal = self._as(request, "visits.log")
        stored = self.visits.upload_attachment(json_body(request), principal)
        return json_response(stored, 200 if stored["replayed"] else 201)

    @http("GET", "/attachments/<attachment_id>")
    def download_attachment(self, request, attachment_id):
        principal = self._as(request, "visits.read")
        return self._attachment(principal, attachment_id)

    @http("GET", "/concerns/<concern_id>/attachments/<attachment_id>")
    def download_concern_attachment(self, request, concern_id, attachment_id):
        return self._attachment(self._as(request, "concerns.read"), attachment_id, concern_id)

    @http("GET", "/attachments/<attachment_id>/thumbnail")
    def download_thumbnail(self, request, attachment_id):
        principal = self._as(request, "visits.read")
        return self._attachment(principal, attachment_id, thumbnail=True)

    @http("GET", "/concerns/<concern_id>/attachments/<attachment_id>/thumbnail")
    def download_concern_thumbnail(self, request, concern_id, attachment_id):
        return self._attachment(self._as(request, "concerns.read"), attachment_id, concern_id,
                                thumbnail=True)

    def _attachment(self, principal, attachment_id, concern_id=None, thumbnail=False):
        """The download, to whom may see it (the pages' links come here too)."""
        if principal["role"] == "cadre":
            return download_response(self.visits.download_attachment(
                attachment_id, principal, None, thumbnail))
        try:  # an officer: only a case their authority holds, checked where cases live
            self.escalations.get_case_for_concern(concern_id, principal)
        except NotFound:
            raise NotFound("attachment not found", {"attachment_id": [attachment_id]}) from None
        return download_response(self.visits.download_attachment(attachment_id, None,
                                                                  concern_id, thumbnail))


def download_response(download):
    """The file as a download under its name (RFC 6266: an ASCII fallback and UTF-8)."""
    name = download["filename"]
    fallback = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return Response(base64.b64decode(download["content"]), mimetype=download["media_type"],
                    headers={"Content-Disposition": f"attachment; filename=\"{fallback}\"; "
                                                    f"filename*=UTF-8''{quote(name)}",
                             "X-Content-Type-Options": "nosniff",
                             "Cache-Control": "private, no-store"})
