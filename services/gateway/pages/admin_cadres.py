"""The administrator's committee members (cadres): searched by name, registered, their name,
positions and contacts changed, their seats on committees (a secretary of a unit's committee
among them) added and ended, where they are assigned, and who changed what.

The list shows names, home units and positions only (no contact: no personal data read). A
cadre's own page shows their e-mail and telephone, read as the API reads them for an
administrator (``assignments.get_cadre`` with the signed-in principal), so each view is
recorded in the personal-data audit. Each form calls the RPC the API's handler calls
(``register_cadre``, ``change_cadre``); a refusal comes back beside its field. The list is
searched and read a page at a time by the registry.
"""
from marshmallow import INCLUDE, Schema

from services.gateway.edge.http import form_args, http
from services.gateway.pages import admin_forms, i18n, pickers
from services.gateway.pages.admin_base import (
    AdminPagesBase,
    NameSearch,
    csrf,
    done_query,
    text,
)
from services.gateway.pages.common import page_route
from shared.contracts import Id
from shared.contracts.rpc.registry import COMMITTEE_ROLES
from shared.eligibility import ASSIGNMENT_RULES

# the positions the seed's assignment rules name, offered as boxes to tick
KNOWN_POSITIONS = tuple(sorted({p for rule in ASSIGNMENT_RULES for p in rule.positions}))
CADRE_CHANGES = ("registered", "changed", "membership_added", "membership_ended")


class CadrePath(Schema):
    cadre_id = Id(required=True)


CadreDone = done_query("CadreDone", CADRE_CHANGES)


# typed by name or code (pages/pickers.py): the unit on whose committee a cadre sits
HOME_PICKERS = {"home_unit_id": "units"}

CadreForm = Schema.from_dict({
    "csrf": csrf(), **pickers.pick_fields(*HOME_PICKERS),
    "cadre_id": text(200), "full_name": text(400), "home_unit_id": text(200),
    "email": text(400), "phone": text(80), "other_positions": text(400),
    **{f"position_{code}": text(10) for code in KNOWN_POSITIONS}}, name="CadreForm")

class MembershipForm(Schema):
    """``memberships.<n>.unit_id``, ``.role``, ``.starts_on``, ``.ends_on``: the request's
    own names, so a refusal lands beside its field; ``membership``: which one ends."""
    class Meta:
        unknown = INCLUDE

    csrf = csrf()
    membership, unit_id = text(10), text(200)


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
    ("POST", "/app/admin/cadres/<cadre_id>/memberships"): page_route(
        "Administrator: add a committee membership (a unit's committee, the role, its days)",
        path=CadrePath, form=MembershipForm),
    ("POST", "/app/admin/cadres/<cadre_id>/memberships/end"): page_route(
        "Administrator: end a committee membership on its last day", path=CadrePath,
        form=MembershipForm),
}


class CadresPagesApi(AdminPagesBase):
    @http("GET", "/app/admin/cadres")
    def cadres_page(self, request):
        return self._show(request, self._cadres_view)

    def _cadres_view(self, view, status=200, errors=None, values=None):
        def fetch_page(query):
            page = self.assignments.list_cadres(query)
            # names, home units and positions only: no contact shown, so no audited read
            return [{key: c[key] for key in ("cadre_id", "full_name", "home_unit_id",
                                             "positions")}
                    for c in page["cadres"]], page["next_cursor"]
        listing = self._listing(view, status, fetch_page)
        return view.render("admin_cadres.html", status, errors=errors or {},
                           values=values or {}, **listing, **self._cadre_form_choices(view),
                           unit_names=self._names_of_units(
                               c["home_unit_id"] for c in listing["found"]))

    @http("POST", "/app/admin/cadres")
    def register_cadre_page(self, request):
        return self._submit(request, lambda form: admin_forms.cadre_to_register(
            form, KNOWN_POSITIONS), self.assignments.register_cadre, self._cadres_view,
            lambda cadre: f"/app/admin/cadres/{cadre['cadre_id']}?done=registered",
            HOME_PICKERS)

    @http("GET", "/app/admin/cadres/<cadre_id>")
    def cadre_page(self, request, cadre_id):
        return self._show(request, self._cadre_view, cadre_id)

    def _cadre_view(self, view, cadre_id, status=200, failed=None, errors=None, values=None):
        cadre = self.assignments.get_cadre(cadre_id, view.principal)  # audited: contacts
        choices = self._cadre_form_choices(view)
        held = self.assignments.list_assignments(cadre_id)
        names = self._names_of_units([cadre["home_unit_id"], *(a["unit_id"] for a in held),
                                      *(m["unit_id"] for m in cadre.get("memberships") or ())])
        assignments = [{**a, "unit_name": names.get(a["unit_id"], a["unit_id"])} for a in held]
        return view.render(
            "admin_cadre.html", status, cadre=cadre, assignments=assignments,
            unit_names=names, failed=failed, errors=errors or {}, values=values or {},
            other_positions=", ".join(p for p in cadre["positions"]
                                      if p not in KNOWN_POSITIONS),
            role_choices=[(r, i18n.label("committee_role", r, view.language))
                          for r in COMMITTEE_ROLES],
            **self._record(view, cadre_id, status), **choices)

    @http("POST", "/app/admin/cadres/<cadre_id>")
    def change_cadre_page(self, request, cadre_id):
        return self._cadre_change(request, cadre_id, "changed", lambda form, cadre: (
            admin_forms.cadre_change(form, cadre, KNOWN_POSITIONS)))

    @http("POST", "/app/admin/cadres/<cadre_id>/memberships")
    def add_membership_page(self, request, cadre_id):
        # the seat's unit, typed by name or code: memberships.<n>.unit_id
        seat = {name: "units" for name in form_args(request)
                if name.startswith("memberships.") and name.endswith(".unit_id")}
        return self._cadre_change(request, cadre_id, "membership_added",
                                  admin_forms.membership_added, seat)

    @http("POST", "/app/admin/cadres/<cadre_id>/memberships/end")
    def end_membership_page(self, request, cadre_id):
        return self._cadre_change(request, cadre_id, "membership_ended",
                                  admin_forms.membership_ended)

    def _cadre_change(self, request, cadre_id, change, read, picked=None):
        """One ``change_cadre`` from a form read against the cadre as stored (compared, not
        shown: no read of personal data recorded for it)."""
        return self._change(
            request, change,
            lambda form: read(form, self.assignments.get_cadre(cadre_id)),
            lambda body, principal: self.assignments.change_cadre(cadre_id, body, principal),
            lambda view, *refusal: self._cadre_view(view, cadre_id, *refusal),
            lambda done: f"/app/admin/cadres/{cadre_id}",
            picked or (HOME_PICKERS if change == "changed" else None))

    def _cadre_form_choices(self, view):
        return {"position_choices": [(code, i18n.label("position", code, view.language))
                                     for code in KNOWN_POSITIONS]}
