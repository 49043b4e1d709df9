"""The forms that write a case's texts for the public receipt page: the cadre's public summary
(on the concern's page) and the officer's public answer (on the case's page), each shown on
``/follow`` only while "publishable" is ticked. The form posts to
``POST /app/cases/<case_id>/publish``, which calls ``escalations.publish_text`` as
``PUT /cases/<id>/public-summary|public-answer`` does, then returns to the page it came from."""
from marshmallow import Schema, fields, validate

from services.gateway import schemas
from services.gateway.edge.http import form_args, http
from services.gateway.pages import i18n
from services.gateway.pages.common import PagesApi, page_route, page_status, redirect
from shared.errors import SausatError


class PublishForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(required=True, validate=validate.OneOf(("summary", "answer")))
    text = fields.String(load_default="", validate=validate.Length(max=2000))
    # a ticked box sends "yes"; an unticked one sends nothing
    publishable = fields.String(load_default="", validate=validate.OneOf(("", "yes")))


ROUTES = {
    ("POST", "/app/cases/<case_id>/publish"): page_route(
        "Write the case's summary (the cadre) or answer (an officer of the holder) for the "
        "public receipt page, and whether it is shown there", path=schemas.CasePath,
        form=PublishForm),
}


class PublishingPagesApi(PagesApi):
    @http("POST", "/app/cases/<case_id>/publish")
    def publish_text_page(self, request, case_id):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            text = {"text": form["text"], "publishable": form["publishable"] == "yes"}
            try:
                case = self.escalations.publish_text(case_id, form["kind"], text,
                                                     view.principal)
            except SausatError as error:
                if error.status not in (400, 409, 422):
                    raise
                return view.render("error.html", page_status(error),
                                   message=i18n.refusal(error, view.language),
                                   fields=view.errors(error))
            if view.principal["role"] == "cadre":
                return redirect(f"/app/concerns/{case['concern_id']}#publish-summary")
            return redirect(f"/app/cases/{case_id}#publish-answer")
        return self._page(request, "cases.publish", build)
