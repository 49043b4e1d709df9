"""A case's severity tier on its page: the holder's officers put it in another tier with a
reason (the same escalations RPC as the API's ``POST /cases/<id>/tier``); the page shows the
tier and the recomputed deadlines, a refusal beside the form."""
from marshmallow import Schema, fields, validate

from services.gateway import schemas
from services.gateway.edge.http import form_args, http
from services.gateway.pages import i18n
from services.gateway.pages.common import PagesApi, page_route, page_status, redirect
from shared.errors import SausatError


class CaseTierForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    tier = fields.String(validate=validate.Length(max=20))
    reason = fields.String(validate=validate.Length(max=5000))


ROUTES = {
    ("POST", "/app/cases/<case_id>/tier"): page_route(
        "Officer: put a case our authority holds in another severity tier, with a reason",
        path=schemas.CasePath, form=CaseTierForm),
}


class TierPagesApi(PagesApi):
    @http("POST", "/app/cases/<case_id>/tier")
    def change_tier_page(self, request, case_id):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            try:
                self.escalations.change_case_tier(case_id, {
                    "tier": form.get("tier") or "", "reason": form.get("reason") or ""},
                    view.principal)
            except SausatError as error:
                if error.status not in (400, 409, 422):
                    raise
                errors = view.errors(error)
                errors.setdefault("_tier", i18n.refusal(error, view.language))
                return self._case_view(view, case_id, page_status(error), "change_tier",
                                       errors, form)
            return redirect(f"/app/cases/{case_id}?done=change_tier")
        return self._page(request, "cases.change_tier", build)
