"""The administrator's organisation tree: units searched by name (whatever the diacritics)
and read a page at a time by the registry (a province of 20,000 units reads like one of 50),
registered; a unit's page with its history, who is assigned to it (a cadre assigned, the
seed's rules checked on the first day; an assignment ended on its last day or handed to
another cadre), its reorganisations' and details' forms (``admin_reorganise``) and who
changed what.

Each form calls the RPC the API's handler calls (``assignments.register_unit``,
``assign_cadre``, ``end_assignment``, ``replace_assignment``) with the signed-in
administrator; a refusal comes back beside its field and changes nothing. Cadres appear by
name only: no contact is shown, so nothing here reads personal data.
"""
import uuid

from marshmallow import Schema, fields, validate

from services.gateway.edge.http import form_args, http, json_response, query_args
from services.gateway.edge.route import Route
from services.gateway.pages import admin_forms, i18n, pickers
from services.gateway.pages.admin_base import (
    AdminPagesBase,
    NameSearch,
    csrf,
    done_query,
    every_page,
    text,
)
from services.gateway.pages.common import page_route
from shared.contracts import Id
from shared.contracts.rpc.registry import MEETING_FREQUENCIES, UNIT_KINDS
from shared.errors import InvalidInput

UNIT_CHANGES = ("registered", "renamed", "moved", "merged", "split", "details",
                "contact_added", "contact_removed", "assigned", "ended", "replaced")


class UnitPath(Schema):
    unit_id = Id(required=True)


class AssignmentPath(Schema):
    assignment_id = Id(required=True)


UnitDone = done_query("UnitDone", UNIT_CHANGES)


# typed by name or code (pages/pickers.py): the cadre an assignment goes to
CADRE_PICKERS = {"cadre_id": "cadres"}
# the parent of a unit registered: any unit with a committee, typed by name or code
PARENT_PICKERS = {"parent_id": "units"}


class UnitForm(Schema.from_dict(pickers.pick_fields(*PARENT_PICKERS))):
    csrf = csrf()
    unit_id, name, level, kind = text(200), text(400), text(80), text(80)
    parent_id, established_on = text(200), text(40)


class SuggestionPath(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(
        ("units", "cadres", "authorities")))


class SuggestionQuery(Schema):
    q = fields.String(required=True, validate=validate.Length(1, 200), metadata={
        "description": "what was typed: words of the name, diacritics optional"})


class Suggestion(Schema):
    id = fields.String(required=True)
    words = fields.String(required=True, metadata={"description": "the name, and where"})
    name = fields.String(required=True)


class Suggestions(Schema):
    suggestions = fields.List(fields.Nested(Suggestion), required=True)
    said = fields.String(required=True, metadata={"description": "how many, in words"})


class AssignForm(Schema.from_dict(pickers.pick_fields(*CADRE_PICKERS))):
    csrf = csrf()
    cadre_id, starts_on = text(200), text(40)


class AssignmentForm(Schema.from_dict(pickers.pick_fields(*CADRE_PICKERS))):
    """Ending or handing over an assignment; ``unit_id``: the page to come back to."""
    csrf = csrf()
    unit_id, cadre_id, starts_on = text(200), text(200), text(40)
    ends_on, reason = text(40), text(1000)


ROUTES = {
    ("GET", "/app/admin/suggestions/<kind>"): Route(
        "Administrator: suggestions for a picker field as one types (static/picker.js)",
        Suggestions, "pages", path=SuggestionPath, query=SuggestionQuery, public=True,
        errors=(403,), description="The first records of the kind whose names hold the words "
                                   "typed, from the registry's index; the session cookie."),
    ("GET", "/app/admin/units"): page_route(
        "Administrator: units, searched, and the form to register one", query=NameSearch),
    ("POST", "/app/admin/units"): page_route(
        "Administrator: register a unit from the page", form=UnitForm),
    ("GET", "/app/admin/units/<unit_id>"): page_route(
        "Administrator: a unit, its history, who is assigned to it, its forms and who "
        "changed what", path=UnitPath, query=UnitDone),
    ("POST", "/app/admin/units/<unit_id>/assignments"): page_route(
        "Administrator: assign a cadre to the unit", path=UnitPath, form=AssignForm),
    ("POST", "/app/admin/assignments/<assignment_id>/end"): page_route(
        "Administrator: end an assignment on its last day", path=AssignmentPath,
        form=AssignmentForm),
    ("POST", "/app/admin/assignments/<assignment_id>/replace"): page_route(
        "Administrator: hand an assignment to another cadre from a day", path=AssignmentPath,
        form=AssignmentForm),
}


def suggestions_response(view, rows):
    """A picker's suggestions (``[(record_id, words, name)]``) and how many, in words."""
    said = (view.t("picker_suggestions", count=len(rows)) if rows
            else view.t("picker_no_suggestion"))
    return json_response({"suggestions": [{"id": record_id, "words": words, "name": name}
                                           for record_id, words, name in rows], "said": said})


class TreePagesApi(AdminPagesBase):
    @http("GET", "/app/admin/suggestions/<kind>")
    def suggestions(self, request, kind):
        def build(view):
            try:
                rows = self._search_records(kind, query_args(request)["q"], pickers.CANDIDATES)
            except InvalidInput:  # no letter or digit yet: nothing to suggest
                rows = []
            return suggestions_response(view, rows)
        return self._page(request, "registry.manage", build)

    @http("GET", "/app/admin/units")
    def units_page(self, request):
        return self._show(request, self._units_view)

    def _units_view(self, view, status=200, errors=None, values=None):
        listing = self._listing(view, status, lambda query: self._units_page(query))
        names = self._names_of_units(id_ for unit in listing["found"] for id_ in unit["path"])
        listing["found"] = [{**unit, "place": admin_forms.path_names(unit, names)[:-1]}
                            for unit in listing["found"]]
        return view.render("admin_units.html", status, errors=errors or {},
                           values=values or {}, **listing,
                           **self._unit_form_choices(view))

    @http("POST", "/app/admin/units")
    def register_unit_page(self, request):
        return self._submit(request, admin_forms.unit_to_register,
                            self.assignments.register_unit, self._units_view,
                            lambda unit: f"/app/admin/units/{unit['unit_id']}?done=registered",
                            PARENT_PICKERS)

    @http("GET", "/app/admin/units/<unit_id>")
    def unit_page(self, request, unit_id):
        return self._show(request, self._unit_view, unit_id)

    def _unit_view(self, view, unit_id, status=200, failed=None, errors=None, values=None):
        unit = self.assignments.get_unit(unit_id)
        history = self.assignments.unit_history(unit_id)["versions"]
        # beside it in the tree: what may merge with it, what a split shares (where it moves
        # to, and into what it merges, are typed by name: any unit)
        parent_id = unit.get("parent_id")
        siblings = self._units_under(parent_id) if parent_id else []
        names = self._names_of_units([i for v in history for i in v["path"]])
        held = self.assignments.list_unit_assignments(unit_id)
        cadre_names = self._names_of(view, "cadres", [a["cadre_id"] for a in held])
        assignments = [{**a, "cadre_name": cadre_names.get(a["cadre_id"], a["cadre_id"])}
                       for a in held]
        return view.render(
            "admin_unit.html", status, unit=unit, place=admin_forms.path_names(unit, names),
            history=[{**version, "place": admin_forms.path_names(version, names)[:-1]}
                     for version in history],
            assignments=assignments,
            sibling_choices=[(u["unit_id"], u["name"]) for u in siblings
                             if u["unit_id"] != unit_id],
            child_choices=[(u["unit_id"], u["name"]) for u in self._units_under(unit_id)],
            frequency_choices=[(f, i18n.label("meeting_frequency", f, view.language))
                               for f in MEETING_FREQUENCIES],
            operation_id=uuid.uuid4().hex, failed=failed, errors=errors or {},
            values=values or {}, **self._record(view, unit_id, status))

    @http("POST", "/app/admin/units/<unit_id>/assignments")
    def assign_cadre_page(self, request, unit_id):
        return self._unit_change(request, unit_id, "assigned",
                                 lambda form: admin_forms.assigning(form, unit_id),
                                 self.assignments.assign_cadre, CADRE_PICKERS)

    @http("POST", "/app/admin/assignments/<assignment_id>/end")
    def end_assignment_page(self, request, assignment_id):
        return self._assignment_change(request, assignment_id, "ended",
                                       admin_forms.assignment_ending,
                                       self.assignments.end_assignment)

    @http("POST", "/app/admin/assignments/<assignment_id>/replace")
    def replace_assignment_page(self, request, assignment_id):
        return self._assignment_change(request, assignment_id, "replaced",
                                       admin_forms.assignment_replacement,
                                       self.assignments.replace_assignment)

    def _unit_change(self, request, unit_id, change, read, call, picked=None):
        """A form on the unit's page, sent as ``call(body, principal)``; refused, the unit's
        page again with it beside the form; done, the page of the unit it answers."""
        return self._change(
            request, change, read, call,
            lambda view, *refusal: self._unit_view(view, unit_id, *refusal),
            lambda done: f"/app/admin/units/{done.get('unit_id') or unit_id}", picked)

    def _assignment_change(self, request, assignment_id, change, read, call):
        """An assignment's form names its unit to come back to (``unit_id``); the refused
        one is told by its assignment."""
        unit_id = form_args(request).get("unit_id") or ""
        return self._change(
            request, change, read,
            lambda body, principal: call(assignment_id, body, principal),
            lambda view, status, failed, *refusal: self._unit_view(
                view, unit_id, status, f"{failed}:{assignment_id}", *refusal),
            lambda done: f"/app/admin/units/{done.get('unit_id') or unit_id}",
            CADRE_PICKERS if change == "replaced" else None)

    # --- names and choices ------------------------------------------------------------------

    def _units_page(self, query):
        page = self.assignments.list_units(query)
        return page["units"], page["next_cursor"]

    def _units_under(self, unit_id):
        """Every unit directly under ``unit_id`` (a split's or a merge's boxes), 500 a read:
        a park's committee may hold more."""
        return every_page(self.assignments.list_units, {"parent_id": unit_id}, "units")

    def _unit_form_choices(self, view):
        levels = [level["level_id"] for level in self.assignments.list_levels()["levels"]]
        return {"level_choices": [(v, i18n.label("level", v, view.language)) for v in levels],
                "kind_choices": [(v, i18n.label("unit_kind", v, view.language))
                                 for v in UNIT_KINDS]}
