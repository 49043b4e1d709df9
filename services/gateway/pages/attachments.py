"""The pages' attachments: the same uploads and downloads as the API's (``api.attachments``),
reached with the session cookie. The visit form's outbox (static/files.js) uploads each kept
file to ``POST /app/attachments`` before it sends the visit naming them. A cadre's visit page
and concern page link ``/app/attachments/<id>``; an officer's case page
``/app/concerns/<concern_id>/attachments/<id>``; ``…/thumbnail`` after either is a photo's
thumbnail, the pages' ``<img>``.
"""
from services.gateway.api.attachments import (
    UPLOAD_BODY_BYTES,
    AttachmentPath,
    ConcernAttachmentPath,
)
from services.gateway.edge.http import http, json_body
from services.gateway.edge.route import Route
from services.gateway.pages.common import PagesApi, page_route
from shared.contracts.rpc import attachments as schemas

ROUTES = {
    ("POST", "/app/attachments"): Route(
        "Cadre: upload a photo or document kept by the visit form (session cookie and "
        "X-CSRF-Token)", schemas.UploadedAttachment, "pages", status=201,
        body=schemas.UploadAttachment, public=True, max_body=UPLOAD_BODY_BYTES,
        errors=(401, 403, 413, 415),
        description="What POST /attachments does, for the outbox's script: 200 for the same "
                    "bytes again; a refused file's reason in the user's language.",
        also=((200, schemas.UploadedAttachment, "these bytes were uploaded before"),)),
    ("GET", "/app/attachments/<attachment_id>"): page_route(
        "Download an attachment the cadre uploaded (a download, never shown inline)",
        path=AttachmentPath),
    ("GET", "/app/concerns/<concern_id>/attachments/<attachment_id>"): page_route(
        "Download a photo or document of a concern (its cadre, or the officers holding it)",
        path=ConcernAttachmentPath),
    ("GET", "/app/attachments/<attachment_id>/thumbnail"): page_route(
        "A photo's thumbnail the cadre uploaded (JPEG, 320 px)", path=AttachmentPath),
    ("GET", "/app/concerns/<concern_id>/attachments/<attachment_id>/thumbnail"): page_route(
        "The thumbnail of a concern's photo", path=ConcernAttachmentPath),
}


class AttachmentPagesApi(PagesApi):

    @http("POST", "/app/attachments")
    def upload_from_page(self, request):
        def upload(principal):
            stored = self.visits.upload_attachment(json_body(request), principal)
            return stored, 200 if stored["replayed"] else 201
        return self._from_script(request, "visits.log", upload)

    @http("GET", "/app/attachments/<attachment_id>")
    def attachment_download(self, request, attachment_id):
        return self._page(request, "visits.read",
                          lambda view: self._attachment(view.principal, attachment_id))

    @http("GET", "/app/concerns/<concern_id>/attachments/<attachment_id>")
    def concern_attachment_download(self, request, concern_id, attachment_id):
        return self._page(request, "concerns.read", lambda view: self._attachment(
            view.principal, attachment_id, concern_id))

    @http("GET", "/app/attachments/<attachment_id>/thumbnail")
    def thumbnail_download(self, request, attachment_id):
        return self._page(request, "visits.read", lambda view: self._attachment(
            view.principal, attachment_id, thumbnail=True))

    @http("GET", "/app/concerns/<concern_id>/attachments/<attachment_id>/thumbnail")
    def concern_thumbnail_download(self, request, concern_id, attachment_id):
        return self._page(request, "concerns.read", lambda view: self._attachment(
            view.principal, attachment_id, concern_id, thumbnail=True))
