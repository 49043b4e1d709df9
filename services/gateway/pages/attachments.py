"""The pages' links to attachments: the same downloads as the API's (``api.attachments``),
reached with the session cookie. A cadre's visit page and concern page link
``/app/attachments/<id>``; an officer's case page ``/app/concerns/<concern_id>/attachments/<id>``;
``…/thumbnail`` after either is a photo's thumbnail (for the pages' ``<img>``, a later change).
"""
from services.gateway.api.attachments import AttachmentPath, ConcernAttachmentPath
from services.gateway.edge.http import http
from services.gateway.pages.common import PagesApi, page_route

ROUTES = {
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
