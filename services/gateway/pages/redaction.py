"""Redaction by hand from the pages (issue 26): on a concern's page its cadre, on a case's page
an officer of the authority holding it, picks the words of the summary that are personal details
(selected in the text, or typed one per line) and sends them; each becomes [đã ẩn] wherever the
text is kept (``services/visits/redacting.py``). A refused word is shown beside the field and
nothing changes."""
from marshmallow import Schema, fields, validate

from services.gateway import schemas
from services.gateway.edge.http import form_args, http
from services.gateway.pages import i18n
from services.gateway.pages.common import PagesApi, page_route, page_status, redirect
from shared.errors import NotFound, SausatError


class RedactForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    words = fields.String(required=True, validate=validate.Length(1, 4000), metadata={
        "description": "the words to redact, one per line"})


ROUTES = {
    ("POST", "/app/concerns/<concern_id>/redactions"): page_route(
        "Cadre: redact personal details from my concern's summary", path=schemas.ConcernPath,
        form=RedactForm),
    ("POST", "/app/cases/<case_id>/redactions"): page_route(
        "Officer: redact personal details from the summary of a case my authority holds",
        path=schemas.CasePath, form=RedactForm),
}


def words_of(form):
    """The lines of the form's field, each a word or words to redact."""
    return [line.strip() for line in form.get("words", "").splitlines() if line.strip()]


class RedactionPagesApi(PagesApi):
    @http("POST", "/app/concerns/<concern_id>/redactions")
    def redact_concern_page(self, request, concern_id):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            try:
                self.visits.redact_concern(concern_id, {"words": words_of(form)},
                                           view.principal)
            except SausatError as error:
                if error.status != 400:
                    raise
                concern = self.visits.get_concern(concern_id, view.principal)
                try:
                    case = self.escalations.get_case(self.escalations.get_case_for_concern(
                        concern_id, view.principal)["case_id"], view.principal)
                except NotFound:
                    case = None
                return view.render("concern.html", page_status(error), concern=concern,
                                   case=case, actions=case["allowed_actions"] if case else [],
                                   failed="redact", done=None, values=form,
                                   errors=refused(view, error))
            return redirect(f"/app/concerns/{concern_id}?done=redact")
        return self._page(request, "concerns.redact", build)

    @http("POST", "/app/cases/<case_id>/redactions")
    def redact_case_page(self, request, case_id):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            try:
                self.escalations.redact_case(case_id, {"words": words_of(form)},
                                             view.principal)
            except SausatError as error:
                if error.status != 400:
                    raise
                return self._case_view(view, case_id, page_status(error), "redact",
                                       refused(view, error), form)
            return redirect(f"/app/cases/{case_id}?done=redact")
        return self._page(request, "cases.redact", build)


def refused(view, error):
    """The refusal above the form, and each refused word's reason beside the field."""
    found = view.errors(error)
    beside = [message for name, message in found.items() if name.startswith("words")]
    return {"_redact": i18n.refusal(error, view.language),
            "words": beside[0] if beside else i18n.refusal(error, view.language)}
