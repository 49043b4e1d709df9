"""The administrator's committee members (cadres): searched by name, registered, their name,
positions and contacts changed, where they are assigned, and who changed what.

The list shows names, home units and positions only (no contact: no personal data read). A
cadre's own page shows their e-mail and telephone, read as the API reads them for an
administrator (``assignments.get_cadre`` with the signed-in principal), so each view is
recorded in the personal-data audit. Each form calls the RPC the API's handler calls
(``register_cadre``, ``change_cadre``); a refusal comes back beside its field.
"""
from marshmallow import Schema

from services.gateway.edge.http import form_args, http, query_args
from services.gateway.pages import admin_forms, i18n
from services.gateway.pages.admin_base import (
    NAMES_LIMIT,
    AdminPagesBase,
    NameSearch,
    Refused,
    csrf,
    done_query,
    text,
)
from services.gateway.pages.common import page_route, redirect
from shared.contracts import Id
from shared.eligibility import ASSIGNMENT_RULES

# the positions the seed's assignment rules name, offered as boxes to tick
KNOWN_POSITIONS = tuple(sorted({p for rule in ASSIGNMENT_RULES for p in rule.positions}))
CADRE_CHANGES = ("registered", "changed")


class CadrePath(Schema):
    cadre_id = Id(required=True)


CadreDone = done_query("CadreDone", CADRE_CHANGES)


CadreForm = Schema.from_dict({
    "csrf": csrf(),
    "cadre_id": text(200), "full_name": text(400), "home_unit_id": text(200),
    "email": text(400), "phone": text(80), "other_positions": text(400),
    **{f"position_{code}": text(10) for code in KNOWN_POSITIONS}}, name="CadreForm")

ROUTES = {
    ("GET", "/app/admin/cadres"): page_route(
        "Administrator: committee members, searched, and the form to register one",
        query=NameSearch),
    ("POST", "/app/admin/cadres"): page_route(
        "Administrator: register a committee member from the page", form=CadreForm),
    ("GET", "/app/admin/cadres/<cadre_id>"): page_route(
        "Administrator: a committee member with contacts (a read of personal data, "
        "audited), assignments, the form to change them and who changed what",
        path=CadrePath, query=CadreDone),
    ("POST", "/app/admin/cadres/<cadre_id>"): page_route(
        "Administrator: change a committee member", path=CadrePath, form=CadreForm),
}


class CadresPagesApi(AdminPagesBase):
    @http("GET", "/app/admin/cadres")
    def cadres_page(self, request):
        return self._page(request, "registry.manage", self._cadres_view)

    def _cadres_view(self, view, status=200, errors=None, values=None):
        q = query_args(view.request).get("q", "") if status == 200 else ""
        # names, home units and positions only: no contact shown, so no audited read
        cadres = [{key: c[key] for key in ("cadre_id", "full_name", "home_unit_id",
                                           "positions")}
                  for c in self.assignments.list_cadres({"limit": NAMES_LIMIT})["cadres"]]
        return view.render("admin_cadres.html", status, q=q,
                           found=admin_forms.searched(cadres, q, "full_name"),
                           errors=errors or {}, values=values or {},
                           **self._cadre_form_choices(view))

    @http("POST", "/app/admin/cadres")
    def register_cadre_page(self, request):
        return self._submit(request, lambda form: admin_forms.cadre_to_register(
            form, KNOWN_POSITIONS), self.assignments.register_cadre, self._cadres_view,
            lambda cadre: f"/app/admin/cadres/{cadre['cadre_id']}?done=registered")

    @http("GET", "/app/admin/cadres/<cadre_id>")
    def cadre_page(self, request, cadre_id):
        return self._page(request, "registry.manage",
                          lambda view: self._cadre_view(view, cadre_id))

    def _cadre_view(self, view, cadre_id, status=200, errors=None, values=None):
        cadre = self.assignments.get_cadre(cadre_id, view.principal)  # audited: contacts
        choices = self._cadre_form_choices(view)
        names = dict(choices["unit_choices"])
        assignments = [{**a, "unit_name": names.get(a["unit_id"], a["unit_id"])}
                       for a in self.assignments.list_assignments(cadre_id)]
        changes = self.monitor.changes_of({"entity_id": cadre_id, "limit": 100},
                                          view.principal)["changes"]
        return view.render(
            "admin_cadre.html", status, cadre=cadre, assignments=assignments,
            unit_names=names, errors=errors or {}, values=values or {},
            other_positions=", ".join(p for p in cadre["positions"]
                                      if p not in KNOWN_POSITIONS),
            done=query_args(view.request).get("done") if status == 200 else None,
            changes=admin_forms.change_rows(changes, self._user_names(view)), **choices)

    @http("POST", "/app/admin/cadres/<cadre_id>")
    def change_cadre_page(self, request, cadre_id):
        def build(view):
            form = form_args(request)

            def read(form):
                cadre = self.assignments.get_cadre(cadre_id)  # compared, not shown
                return admin_forms.cadre_change(form, cadre, KNOWN_POSITIONS)
            try:
                self._call(view, read, form, lambda body, principal: (
                    self.assignments.change_cadre(cadre_id, body, principal)))
            except Refused as refused:
                return self._cadre_view(view, cadre_id, refused.status, refused.errors, form)
            return redirect(f"/app/admin/cadres/{cadre_id}?done=changed")
        return self._page(request, "registry.manage", build)

    def _cadre_form_choices(self, view):
        units = self.assignments.list_units({"limit": NAMES_LIMIT})["units"]
        return {"unit_choices": [(u["unit_id"], u["name"]) for u in units],
                "position_choices": [(code, i18n.label("position", code, view.language))
                                     for code in KNOWN_POSITIONS]}
