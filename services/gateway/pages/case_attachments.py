"""The authority's documents on a case from its page (issue 31, docs/attachments.md): the
answer, information-request and interim-reply forms carry files (a plain ``<input type=file
multiple>``, the form posted as multipart); the gateway uploads each to escalations (the same
RPC as ``POST /cases/<case_id>/attachments``), then acts naming them. A file refused is shown
beside the field and the step is not taken; a step refused takes no file (an upload no step
names is its holder's only, and swept after ``ATTACHMENT_UNATTACHED_DAYS``). The case page and
the cadre's concern page list each step's documents (``_timeline.html``) with links here, the
branch brief each answer's (:func:`answer_documents`).
"""
import base64

from services.gateway.api.attachments import download_response
from services.gateway.api.case_attachments import CaseAttachmentPath
from services.gateway.edge.http import form_files_of, http
from services.gateway.pages.common import PagesApi, page_route
from shared.errors import InvalidInput, NotFound

FIELD = "attachments"  # the forms' file field, and where a refusal is shown
# a step's files in one form post (the API takes each file on its own, up to 14 MB)
FORM_BODY_BYTES = 24_000_000
STEPS = ("answer", "request_information")  # act_on_case's steps with documents

ROUTES = {
    ("GET", "/app/cases/<case_id>/attachments/<attachment_id>"): page_route(
        "A case's document: its holder's officers, and the cadres whose concerns it carries "
        "once a step named it (a download, never shown inline)", path=CaseAttachmentPath),
    ("GET", "/app/cases/<case_id>/attachments/<attachment_id>/thumbnail"): page_route(
        "The thumbnail of a case's photo (JPEG, 320 px)", path=CaseAttachmentPath),
}


def with_documents(api, view, case_id, action, arguments):
    """``arguments`` naming the files the form carried, each uploaded first; InvalidInput
    beside the file field for a file refused (the step is then not taken)."""
    files = form_files_of(view.request)
    if action not in (*STEPS, "interim_reply") or not files:
        return arguments
    ids = []
    for filename, data in files:
        try:
            stored = api.escalations.upload_case_attachment(case_id, {
                "filename": filename, "content": base64.b64encode(data).decode("ascii")},
                view.principal)
        except InvalidInput as refused:
            raise beside_field(refused) from None
        ids.append(stored["attachment_id"])
    return {**arguments, FIELD: ids}


def answer_documents(api, principal, brief):
    """The documents each answer to read out on a branch's brief came with, by case: the
    answer step's, from the case itself (the events name none). A case this cadre may not
    read (another cadre of the branch carried it) lists none: its documents answer them 404."""
    found = {}
    for concern in brief.get("answers_to_read_out") or ():
        if not concern.get("case_id"):
            continue
        try:
            case = api.escalations.get_case(concern["case_id"], principal)
        except NotFound:
            continue
        found[concern["case_id"]] = [ref for line in case["timeline"] if line["action"] == "answer"
                                     for ref in line.get("attachments") or ()]
    return found


def beside_field(error, field=FIELD):
    """A refusal about the files (one file's, or a step's ``attachments.<n>``) shown beside
    the file field (``field``); any other as it came."""
    about = {key: value for key, value in error.reasons.items()
             if key in ("file", "filename", "content") or key.startswith(FIELD)}
    if not about or not isinstance(error, InvalidInput):
        return error
    return InvalidInput(error.message, {field: [error.message]},
                        {field: [code for codes in about.values() for code in codes]})


class CaseAttachmentPagesApi(PagesApi):

    @http("GET", "/app/cases/<case_id>/attachments/<attachment_id>")
    def case_attachment_download(self, request, case_id, attachment_id):
        return self._page(request, "cases.read", lambda view: download_response(
            self.escalations.download_case_attachment(case_id, attachment_id, view.principal)))

    @http("GET", "/app/cases/<case_id>/attachments/<attachment_id>/thumbnail")
    def case_thumbnail_download(self, request, case_id, attachment_id):
        return self._page(request, "cases.read", lambda view: download_response(
            self.escalations.download_case_attachment(case_id, attachment_id, view.principal,
                                                      True)))
