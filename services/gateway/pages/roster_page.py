"""The duty roster page of an authority's desk (issue 25): every officer reads who receives
new cases on which turn, who is on leave, the deputy and the head; the head keeps it.

The form calls the same escalations RPC as the API (``set_roster``) with the signed-in
officer; a refusal (an officer of another authority, a working day with nobody receiving)
comes back beside the field that caused it, and nothing is changed. The rotation is up to
``TURNS`` choices in order; leave is added one period at a time, those already kept stay.
"""
from marshmallow import Schema, fields, validate

from services.gateway.edge.http import form_args, http, query_args
from services.gateway.pages import i18n
from services.gateway.pages.common import LanguageQuery, PagesApi, page_route, page_status, redirect
from shared.errors import NotFound, SausatError

TURNS = 8
_SHORT = validate.Length(max=80)


class RosterPageQuery(LanguageQuery):
    done = fields.String(validate=validate.OneOf(["saved"]), metadata={
        "description": "the roster was just saved (the page says so)"})


RosterForm = Schema.from_dict({
    "csrf": fields.String(required=True, validate=validate.Length(1, 200)),
    **{f"turn_{turn}": fields.String(validate=_SHORT) for turn in range(1, TURNS + 1)},
    "deputy_id": fields.String(validate=_SHORT), "head_id": fields.String(validate=_SHORT),
    "starts_on": fields.String(validate=validate.Length(max=20)),
    "leave_officer": fields.String(validate=_SHORT),
    "leave_from": fields.String(validate=validate.Length(max=20)),
    "leave_to": fields.String(validate=validate.Length(max=20)),
}, name="RosterForm")

ROUTES = {
    ("GET", "/app/roster"): page_route(
        "Officer: our authority's duty roster (its head keeps it)", query=RosterPageQuery),
    ("POST", "/app/roster"): page_route(
        "The head of the authority: save its duty roster", form=RosterForm),
}


def roster_request(form, kept_leave):
    """What the form asks ``set_roster`` for: the turns in order, the leave kept and the one
    period added (if any)."""
    rotation = [form[f"turn_{turn}"] for turn in range(1, TURNS + 1)
                if form.get(f"turn_{turn}")]
    leave = [{key: str(value) for key, value in period.items()} for period in kept_leave]
    if form.get("leave_officer"):
        leave.append({"officer_id": form["leave_officer"], "first_day": form.get("leave_from"),
                      "last_day": form.get("leave_to") or form.get("leave_from")})
    return {"rotation": rotation, "deputy_id": form.get("deputy_id") or "",
            "head_id": form.get("head_id") or "", "starts_on": form.get("starts_on") or "",
            "leave": leave}


class RosterPagesApi(PagesApi):
    @http("GET", "/app/roster")
    def roster_page(self, request):
        return self._page(request, "rosters.read", lambda view: self._roster_view(view))

    def _kept_roster(self, view):
        try:
            return self.escalations.get_roster(view.principal["authority_id"], view.principal)
        except NotFound:
            return None

    def _roster_view(self, view, status=200, errors=None, values=None):
        authority_id = view.principal["authority_id"]
        roster = self._kept_roster(view)
        officers = self.escalations.list_officers({"authority_id": authority_id},
                                                  view.principal)["officers"]
        names = {officer["user_id"]: officer["display_name"] for officer in officers}
        if values is None and roster is not None:  # the form starts from the roster kept
            values = {f"turn_{turn}": user_id
                      for turn, user_id in enumerate(roster["rotation"], start=1)}
            values.update(deputy_id=roster["deputy_id"], head_id=roster["head_id"],
                          starts_on=roster["starts_on"])
        return view.render("roster.html", status, roster=roster,
                           names={**names, **((roster or {}).get("names") or {})},
                           choices=[(o["user_id"], o["display_name"]) for o in officers],
                           turns=range(1, TURNS + 1),
                           head=bool(view.principal.get("authority_head")),
                           done=query_args(view.request).get("done") if status == 200 else None,
                           errors=errors or {}, values=values or {})

    @http("POST", "/app/roster")
    def save_roster_page(self, request):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            kept = (self._kept_roster(view) or {}).get("leave", [])
            try:
                self.escalations.set_roster(view.principal["authority_id"],
                                            roster_request(form, kept), view.principal)
            except SausatError as error:
                if error.status not in (400, 403, 422):
                    raise
                errors = view.errors(error)
                errors.setdefault("_form", i18n.refusal(error, view.language))
                return self._roster_view(view, page_status(error), errors, form)
            return redirect("/app/roster?done=saved")
        return self._page(request, "rosters.manage", build)
