"""The administrator's working groups (tổ công tác): searched by name, formed by a committee
with its members and the branches it attends, changed (name, members, branches, last day),
and who changed what.

Members and branches are boxes to tick, by name (``member.<cadre_id>``, ``branch.<unit_id>``).
Each form calls the RPC the API's handler calls (``assignments.form_working_group``,
``change_working_group``) with the signed-in administrator; the working-group rule (branches
under the forming committee's grassroots organisations, members on it or below) refuses beside
the field. Cadres appear by name only: no personal data is read.
"""
from marshmallow import INCLUDE, Schema

from services.gateway.edge.http import http
from services.gateway.pages import admin_forms
from services.gateway.pages.admin_base import (
    NAMES_LIMIT,
    AdminPagesBase,
    NameSearch,
    csrf,
    done_query,
    text,
)
from services.gateway.pages.common import page_route
from shared.contracts import Id

GROUP_CHANGES = ("formed", "changed")


class GroupPath(Schema):
    working_group_id = Id(required=True)


GroupDone = done_query("GroupDone", GROUP_CHANGES)


class GroupForm(Schema):
    """Also ``member.<cadre_id>`` and ``branch.<unit_id>`` boxes, one per choice shown."""
    class Meta:
        unknown = INCLUDE

    csrf = csrf()
    working_group_id, name, formed_by_unit_id = text(200), text(400), text(200)
    starts_on, ends_on = text(40), text(40)


ROUTES = {
    ("GET", "/app/admin/working-groups"): page_route(
        "Administrator: working groups, searched, and the form to form one", query=NameSearch),
    ("POST", "/app/admin/working-groups"): page_route(
        "Administrator: form a working group from the page", form=GroupForm),
    ("GET", "/app/admin/working-groups/<working_group_id>"): page_route(
        "Administrator: a working group, the form to change it and who changed what",
        path=GroupPath, query=GroupDone),
    ("POST", "/app/admin/working-groups/<working_group_id>"): page_route(
        "Administrator: change a working group", path=GroupPath, form=GroupForm),
}


class GroupsPagesApi(AdminPagesBase):
    @http("GET", "/app/admin/working-groups")
    def working_groups_page(self, request):
        return self._show(request, self._groups_view)

    def _groups_view(self, view, status=200, errors=None, values=None):
        groups = self.assignments.list_working_groups({"limit": NAMES_LIMIT})["working_groups"]
        listing = self._listing(view, status, lambda query: admin_forms.page_of(
            groups, query, "working_group_id", "name"))
        return view.render("admin_groups.html", status, errors=errors or {},
                           values=values or {}, **listing, **_chosen(values or {}, {}),
                           **self._group_choices())

    @http("POST", "/app/admin/working-groups")
    def form_working_group_page(self, request):
        return self._submit(request, admin_forms.group_to_form,
                            self.assignments.form_working_group, self._groups_view,
                            lambda group: f"/app/admin/working-groups/"
                                          f"{group['working_group_id']}?done=formed")

    @http("GET", "/app/admin/working-groups/<working_group_id>")
    def working_group_page(self, request, working_group_id):
        return self._show(request, self._group_view, working_group_id)

    def _group_view(self, view, working_group_id, status=200, failed=None, errors=None,
                    values=None):
        group = self.assignments.get_working_group(working_group_id)
        return view.render(
            "admin_group.html", status, group=group, errors=errors or {}, values=values or {},
            **_chosen(values or {}, group), **self._record(view, working_group_id, status),
            **self._group_choices())

    @http("POST", "/app/admin/working-groups/<working_group_id>")
    def change_working_group_page(self, request, working_group_id):
        return self._change(
            request, "changed",
            lambda form: admin_forms.group_change(
                form, self.assignments.get_working_group(working_group_id)),
            lambda body, principal: self.assignments.change_working_group(
                working_group_id, body, principal),
            lambda view, *refusal: self._group_view(view, working_group_id, *refusal),
            lambda done: f"/app/admin/working-groups/{working_group_id}")

    def _group_choices(self):
        units = self.assignments.list_units({"limit": NAMES_LIMIT})["units"]
        # names only, never contacts: no personal data shown, so no audited read
        cadres = [(c["cadre_id"], c["full_name"])
                  for c in self.assignments.list_cadres({"limit": NAMES_LIMIT})["cadres"]]
        return {"unit_names": admin_forms.names_of(units, "unit_id"), "cadre_choices": cadres,
                "cadre_names": dict(cadres),
                # any unit: the working-group rule says which committee may form one
                "committee_choices": [(u["unit_id"], u["name"]) for u in units],
                "branch_choices": [(u["unit_id"], u["name"]) for u in units
                                   if u["level"] == "branch"]}


def _chosen(values, group):
    """The boxes to show ticked: a refused form's, else the group's."""
    if values:
        return {"members": admin_forms.ticked(values, admin_forms.MEMBER),
                "branches": admin_forms.ticked(values, admin_forms.BRANCH)}
    return {"members": group.get("member_cadre_ids") or [],
            "branches": group.get("unit_ids") or []}
