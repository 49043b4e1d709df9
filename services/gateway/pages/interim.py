"""The interim reply (gia hạn) from a case's page (issue 25): an officer of the authority
holding the case, while its answer deadline runs, reports progress and commits to a working day
to answer by. The form calls the same escalations RPC as the API (``give_interim_reply``); a
refusal (a second one, after the deadline, a date before it) comes back beside its field,
nothing changed. It may carry the authority's documents (``case_attachments``).
"""
from marshmallow import Schema, fields, validate

from services.gateway import schemas
from services.gateway.edge.http import form_args, http
from services.gateway.pages import i18n
from services.gateway.pages.case_attachments import FIELD, FORM_BODY_BYTES, with_documents
from services.gateway.pages.common import PagesApi, page_route, page_status, redirect
from shared.errors import SausatError

DONE = "interim_reply"


class InterimReplyForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    committed_on = fields.String(validate=validate.Length(max=20))
    note = fields.String(validate=validate.Length(max=5000))


ROUTES = {
    ("POST", "/app/cases/<case_id>/interim-reply"): page_route(
        "Officer: an interim reply with a committed date (gia hạn)", path=schemas.CasePath,
        form=InterimReplyForm, files=FIELD, max_body=FORM_BODY_BYTES),
}


def interim_body(form):
    """The RPC's body from the form: what was typed, so the service names what is missing."""
    return {"committed_on": (form.get("committed_on") or "").strip(),
            "note": form.get("note") or ""}


class InterimPagesApi(PagesApi):
    @http("POST", "/app/cases/<case_id>/interim-reply")
    def interim_reply_page(self, request, case_id):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            try:
                self.escalations.give_interim_reply(case_id, with_documents(
                    self, view, case_id, DONE, interim_body(form)), view.principal)
            except SausatError as error:
                if error.status not in (400, 409, 422):
                    raise
                errors = view.errors(error)
                errors.setdefault("_interim", i18n.refusal(error, view.language))
                return self._case_view(view, case_id, page_status(error), DONE, errors, form)
            return redirect(f"/app/cases/{case_id}?done={DONE}")
        return self._page(request, "cases.interim_reply", build)
