"""The authority's own documents on a case (issue 31, docs/attachments.md): the official reply
letter, a photo of the repaired road. An officer of the authority holding the case uploads each
file first (base64 in JSON, one RPC per file, as a cadre's photos) and names the answered ids in
the answer's, the information request's or the interim reply's ``attachments``; whoever may see
the case downloads what a step named (its holder's officers also what no step named yet), always
as a download with ``nosniff``; anyone else gets the 404 of an id that does not exist.
"""
import base64

from services.gateway.api import Api
from services.gateway.api.attachments import FILES, UPLOAD_BODY_BYTES, download_response
from services.gateway.edge.http import http, json_body, json_response
from services.gateway.edge.route import Route
from services.gateway.schemas import CasePath
from shared.contracts import Id
from shared.contracts.rpc import attachments as schemas


class CaseAttachmentPath(CasePath):
    attachment_id = Id(required=True)


ROUTES = {
    ("POST", "/cases/<case_id>/attachments"): Route(
        "Upload the authority's document for a case, before the step that names it",
        schemas.UploadedAttachment, "cases", status=201, body=schemas.UploadAttachment,
        path=CasePath, errors=(403, 404, 413, 415), max_body=UPLOAD_BODY_BYTES,
        description="An officer of the authority holding the case. content is the file in "
                    "base64, judged by its content as a concern's photos are (photo, PDF, "
                    "DOC/DOCX, XLS/XLSX, at most ATTACHMENT_MAX_BYTES). Name the answered "
                    "attachment_id in the attachments of an answer, an information request "
                    "or an interim reply. The same bytes for the same case again answer 200 "
                    "with the same attachment (replayed: true); a refused file is a 400 "
                    "naming file or filename, nothing stored; the raising side: 403.",
        also=((200, schemas.UploadedAttachment, "these bytes were uploaded for this case "
                                                "before"),),
        example={"filename": "cong-van-125.pdf", "content": base64.b64encode(
            b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        ).decode()}),
    ("GET", "/cases/<case_id>/attachments/<attachment_id>"): Route(
        "Download a document of a case", FILES, "cases", path=CaseAttachmentPath,
        errors=(403, 404),
        description="The officers of the authority holding the case, and the cadres whose "
                    "concerns it carries once a step named it; anyone else gets 404. Always "
                    "as a download (Content-Disposition: attachment), never shown inline."),
    ("GET", "/cases/<case_id>/attachments/<attachment_id>/thumbnail"): Route(
        "Download the thumbnail (JPEG, 320 px) of a case's photo", ("image/jpeg",), "cases",
        path=CaseAttachmentPath, errors=(403, 404),
        description="As the photo itself; 404 for a document that is not a photo."),
}


class CaseAttachmentsApi(Api):

    @http("POST", "/cases/<case_id>/attachments")
    def upload_case_attachment(self, request, case_id):
        principal = self._as(request, "cases.act")
        stored = self.escalations.upload_case_attachment(case_id, json_body(request), principal)
        return json_response(stored, 200 if stored["replayed"] else 201)

    @http("GET", "/cases/<case_id>/attachments/<attachment_id>")
    def download_case_attachment(self, request, case_id, attachment_id):
        return download_response(self.escalations.download_case_attachment(
            case_id, attachment_id, self._as(request, "cases.read")))

    @http("GET", "/cases/<case_id>/attachments/<attachment_id>/thumbnail")
    def download_case_thumbnail(self, request, case_id, attachment_id):
        return download_response(self.escalations.download_case_attachment(
            case_id, attachment_id, self._as(request, "cases.read"), True))
