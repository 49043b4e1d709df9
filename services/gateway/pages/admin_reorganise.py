"""A unit's reorganisations and details from its page: renamed, moved (with everything under
it), merged with its siblings into an existing or a new unit, split (a new unit takes the
children ticked), each from an effective day; its locality and meeting schedule changed, a
contact person added or removed.

Each form is one call of the API's handler's RPC (``assignments.reorganise``,
``change_unit_details``) with the signed-in administrator, read by ``admin_tree_forms``; a
refusal comes back beside its field and changes nothing; done, the page says so and the
unit's "who changed what" names the administrator (``unit_reorganised``,
``unit_details_changed`` in the monitor's audit trail).
"""
from marshmallow import INCLUDE, Schema

from services.gateway.edge.http import http
from services.gateway.pages import admin_tree_forms as tree_forms
from services.gateway.pages.admin_base import csrf, text
from services.gateway.pages.admin_forms import renaming
from services.gateway.pages.admin_tree import TreePagesApi, UnitPath
from services.gateway.pages.common import page_route


class ReorganiseForm(Schema):
    """Also the request's own dotted names, kept flat as sent (a declared field with a dot
    would load nested): ``into.unit_id``, ``into.name`` (a merge's successor),
    ``parts.1.unit_id``, ``parts.1.name`` (a split's new unit), and the boxes
    ``with.<unit_id>`` (merged alongside) and ``child.<unit_id>`` (the new unit takes it);
    the registry bounds and refuses them beside their fields."""
    class Meta:
        unknown = INCLUDE

    csrf = csrf()
    operation_id, effective_on, reason = text(200), text(40), text(1000)
    name, parent_id, new_unit_id = text(400), text(200), text(200)
    end_assignments = text(10)


class DetailsForm(Schema):
    """``meeting_schedule.frequency``, ``.day_of_month``, ``.note``: the request's own
    names, kept flat as sent (see ``ReorganiseForm``)."""
    class Meta:
        unknown = INCLUDE

    csrf = csrf()
    locality = text(400)


class ContactForm(Schema):
    """``contacts.<n>.name``, ``.role``, ``.phone``, ``.email``: the request's own names, kept
    flat as sent; ``contact`` and ``name``: which one is removed."""
    class Meta:
        unknown = INCLUDE

    csrf = csrf()
    contact, name = text(10), text(400)


def _route(summary, form=ReorganiseForm):
    return page_route(f"Administrator: {summary}", path=UnitPath, form=form)


ROUTES = {
    ("POST", "/app/admin/units/<unit_id>/rename"): _route("rename a unit from a day"),
    ("POST", "/app/admin/units/<unit_id>/move"): _route(
        "move a unit (and all under it) under another from a day"),
    ("POST", "/app/admin/units/<unit_id>/merge"): _route(
        "merge a unit and siblings ticked into an existing or a new unit from a day"),
    ("POST", "/app/admin/units/<unit_id>/split"): _route(
        "split a unit: a new unit takes the children ticked from a day"),
    ("POST", "/app/admin/units/<unit_id>/details"): _route(
        "change a unit's locality and meeting schedule", DetailsForm),
    ("POST", "/app/admin/units/<unit_id>/contacts"): _route(
        "add a contact person to a unit", ContactForm),
    ("POST", "/app/admin/units/<unit_id>/contacts/remove"): _route(
        "remove a unit's contact person", ContactForm),
}


class ReorganisePagesApi(TreePagesApi):
    @http("POST", "/app/admin/units/<unit_id>/rename")
    def rename_unit_page(self, request, unit_id):
        return self._unit_change(request, unit_id, "renamed",
                                 lambda form: renaming(form, unit_id),
                                 self.assignments.reorganise)

    @http("POST", "/app/admin/units/<unit_id>/move")
    def move_unit_page(self, request, unit_id):
        return self._reorganise(request, unit_id, "moved", tree_forms.moving,
                                picked={"parent_id": "units"})

    @http("POST", "/app/admin/units/<unit_id>/merge")
    def merge_unit_page(self, request, unit_id):
        # the successor typed by name or code; done, its page (the merged one has ended)
        return self._reorganise(request, unit_id, "merged", tree_forms.merging,
                                lambda done: done["into"], {"into.unit_id": "units"})

    @http("POST", "/app/admin/units/<unit_id>/split")
    def split_unit_page(self, request, unit_id):
        return self._reorganise(request, unit_id, "split", tree_forms.splitting)

    @http("POST", "/app/admin/units/<unit_id>/details")
    def unit_details_page(self, request, unit_id):
        return self._details(request, unit_id, "details", tree_forms.details_change)

    @http("POST", "/app/admin/units/<unit_id>/contacts")
    def add_unit_contact_page(self, request, unit_id):
        return self._details(request, unit_id, "contact_added", tree_forms.contact_added)

    @http("POST", "/app/admin/units/<unit_id>/contacts/remove")
    def remove_unit_contact_page(self, request, unit_id):
        return self._details(request, unit_id, "contact_removed", tree_forms.contact_removed)

    def _details(self, request, unit_id, change, read):
        """One ``change_unit_details`` read from the unit as it stands."""
        return self._unit_change(
            request, unit_id, change,
            lambda form: read(form, self.assignments.get_unit(unit_id)),
            lambda body, principal: self.assignments.change_unit_details(unit_id, body,
                                                                         principal))

    def _reorganise(self, request, unit_id, change, read, shown=None, picked=None):
        """One reorganisation read from the unit as it stands; done, the page of
        ``shown(answer)`` (a merged unit's successor, ``into``) or the unit's."""
        def reorganised(body, principal):
            done = self.assignments.reorganise(body, principal)
            return {**done, "into": (body.get("into") or {}).get("unit_id")}
        return self._change(
            request, change,
            lambda form: read(form, self.assignments.get_unit(unit_id)),
            reorganised,
            lambda view, *refusal: self._unit_view(view, unit_id, *refusal),
            lambda done: f"/app/admin/units/{(shown and shown(done)) or unit_id}", picked)
