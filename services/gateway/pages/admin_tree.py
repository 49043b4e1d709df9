"""The administrator's organisation tree: units searched by name (whatever the diacritics),
registered, renamed from a day (a reorganisation, its history kept), and who is assigned to
each: a cadre assigned (the seed's rules checked on the first day), an assignment ended on
its last day or handed to another cadre; and who changed what.

Each form calls the RPC the API's handler calls (``assignments.register_unit``,
``reorganise``, ``assign_cadre``, ``end_assignment``, ``replace_assignment``) with the
signed-in administrator; a refusal comes back beside its field and changes nothing. Cadres
appear by name only: no contact is shown, so nothing here reads personal data.
"""
import uuid

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
from shared.contracts.rpc.registry import UNIT_KINDS

UNIT_CHANGES = ("registered", "renamed", "assigned", "ended", "replaced")


class UnitPath(Schema):
    unit_id = Id(required=True)


class AssignmentPath(Schema):
    assignment_id = Id(required=True)


UnitDone = done_query("UnitDone", UNIT_CHANGES)


class UnitForm(Schema):
    csrf = csrf()
    unit_id, name, level, kind = text(200), text(400), text(80), text(80)
    parent_id, established_on = text(200), text(40)


class RenameForm(Schema):
    csrf = csrf()
    operation_id, name, effective_on = text(200), text(400), text(40)


class AssignForm(Schema):
    csrf = csrf()
    cadre_id, starts_on = text(200), text(40)


class AssignmentForm(Schema):
    """Ending or handing over an assignment; ``unit_id``: the page to come back to."""
    csrf = csrf()
    unit_id, cadre_id, starts_on = text(200), text(200), text(40)
    ends_on, reason = text(40), text(1000)


ROUTES = {
    ("GET", "/app/admin/units"): page_route(
        "Administrator: units, searched, and the form to register one", query=NameSearch),
    ("POST", "/app/admin/units"): page_route(
        "Administrator: register a unit from the page", form=UnitForm),
    ("GET", "/app/admin/units/<unit_id>"): page_route(
        "Administrator: a unit, its history, who is assigned to it, its forms and who "
        "changed what", path=UnitPath, query=UnitDone),
    ("POST", "/app/admin/units/<unit_id>/rename"): page_route(
        "Administrator: rename a unit from a day", path=UnitPath, form=RenameForm),
    ("POST", "/app/admin/units/<unit_id>/assignments"): page_route(
        "Administrator: assign a cadre to the unit", path=UnitPath, form=AssignForm),
    ("POST", "/app/admin/assignments/<assignment_id>/end"): page_route(
        "Administrator: end an assignment on its last day", path=AssignmentPath,
        form=AssignmentForm),
    ("POST", "/app/admin/assignments/<assignment_id>/replace"): page_route(
        "Administrator: hand an assignment to another cadre from a day", path=AssignmentPath,
        form=AssignmentForm),
}


class TreePagesApi(AdminPagesBase):
    @http("GET", "/app/admin/units")
    def units_page(self, request):
        return self._page(request, "registry.manage", self._units_view)

    def _units_view(self, view, status=200, errors=None, values=None):
        q = query_args(view.request).get("q", "") if status == 200 else ""
        units = self._units()
        names = admin_forms.names_of(units, "unit_id")
        found = [{**unit, "place": admin_forms.path_names(unit, names)[:-1]}
                 for unit in admin_forms.searched(units, q, "name")]
        return view.render("admin_units.html", status, q=q, found=found, errors=errors or {},
                           values=values or {}, **self._unit_form_choices(view, units))

    @http("POST", "/app/admin/units")
    def register_unit_page(self, request):
        return self._submit(request, admin_forms.unit_to_register,
                            self.assignments.register_unit, self._units_view,
                            lambda unit: f"/app/admin/units/{unit['unit_id']}?done=registered")

    @http("GET", "/app/admin/units/<unit_id>")
    def unit_page(self, request, unit_id):
        return self._page(request, "registry.manage",
                          lambda view: self._unit_view(view, unit_id))

    def _unit_view(self, view, unit_id, status=200, failed=None, errors=None, values=None):
        unit = self.assignments.get_unit(unit_id)
        units = self._units()
        names = admin_forms.names_of(units, "unit_id")
        cadres = self._cadres()
        cadre_names = admin_forms.names_of(cadres, "cadre_id")
        assignments = [{**a, "cadre_name": cadre_names.get(a["cadre_id"], a["cadre_id"])}
                       for a in self.assignments.list_unit_assignments(unit_id)]
        history = [{**version, "place": admin_forms.path_names(version, names)[:-1]}
                   for version in self.assignments.unit_history(unit_id)["versions"]]
        changes = self.monitor.changes_of({"entity_id": unit_id, "limit": 100},
                                          view.principal)["changes"]
        return view.render(
            "admin_unit.html", status, unit=unit, place=admin_forms.path_names(unit, names),
            history=history, assignments=assignments, unit_names=names,
            cadre_choices=[(c["cadre_id"], c["name"]) for c in cadres],
            operation_id=uuid.uuid4().hex, failed=failed, errors=errors or {},
            values=values or {},
            done=query_args(view.request).get("done") if status == 200 else None,
            changes=admin_forms.change_rows(changes, self._user_names(view)))

    @http("POST", "/app/admin/units/<unit_id>/rename")
    def rename_unit_page(self, request, unit_id):
        return self._unit_change(request, unit_id, "renamed",
                                 lambda form: admin_forms.renaming(form, unit_id),
                                 self.assignments.reorganise)

    @http("POST", "/app/admin/units/<unit_id>/assignments")
    def assign_cadre_page(self, request, unit_id):
        return self._unit_change(request, unit_id, "assigned",
                                 lambda form: admin_forms.assigning(form, unit_id),
                                 self.assignments.assign_cadre)

    @http("POST", "/app/admin/assignments/<assignment_id>/end")
    def end_assignment_page(self, request, assignment_id):
        return self._unit_change(request, None, "ended", admin_forms.assignment_ending,
                                 lambda body, principal: self.assignments.end_assignment(
                                     assignment_id, body, principal), assignment_id)

    @http("POST", "/app/admin/assignments/<assignment_id>/replace")
    def replace_assignment_page(self, request, assignment_id):
        return self._unit_change(request, None, "replaced", admin_forms.assignment_replacement,
                                 lambda body, principal: self.assignments.replace_assignment(
                                     assignment_id, body, principal), assignment_id)

    def _unit_change(self, request, unit_id, change, read, call, assignment_id=None):
        """A change made from a unit's page; an assignment's form names its unit to come
        back to (``unit_id``), and the refused one is told by its assignment."""
        def build(view):
            form = form_args(request)
            back_to = unit_id or form["unit_id"]
            try:
                done = self._call(view, read, form, call)
            except Refused as refused:
                failed = f"{change}:{assignment_id}" if assignment_id else change
                return self._unit_view(view, back_to, refused.status, failed, refused.errors,
                                       form)
            return redirect(f"/app/admin/units/{done.get('unit_id') or back_to}?done={change}")
        return self._page(request, "registry.manage", build)

    # --- names and choices ------------------------------------------------------------------

    def _units(self):
        return self.assignments.list_units({"limit": NAMES_LIMIT})["units"]

    def _cadres(self):
        # names only, never contacts: no personal data shown, so no audited read
        return [{"cadre_id": c["cadre_id"], "name": c["full_name"]}
                for c in self.assignments.list_cadres({"limit": NAMES_LIMIT})["cadres"]]

    def _unit_form_choices(self, view, units):
        levels = [level["level_id"] for level in self.assignments.list_levels()["levels"]]
        return {"unit_choices": [(u["unit_id"], u["name"]) for u in units],
                "level_choices": [(v, i18n.label("level", v, view.language)) for v in levels],
                "kind_choices": [(v, i18n.label("unit_kind", v, view.language))
                                 for v in UNIT_KINDS]}
