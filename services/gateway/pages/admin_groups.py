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
from services.gateway.pages import admin_forms, pickers
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

GROUP_CHANGES = ("formed", "changed")


class GroupPath(Schema):
    working_group_id = Id(required=True)


GroupDone = done_query("GroupDone", GROUP_CHANGES)


# typed by name or code (pages/pickers.py): the forming committee, a member and a branch added
GROUP_PICKERS = {"formed_by_unit_id": "units", admin_forms.MEMBER_ADDED: "cadres",
                 admin_forms.BRANCH_ADDED: "units"}


class GroupForm(Schema.from_dict(pickers.pick_fields(*GROUP_PICKERS))):
    """Also ``member.<cadre_id>`` and ``branch.<unit_id>`` boxes, one per member and branch
    shown; ``member_add`` and ``branch_add`` add one more each, typed by name."""
    class Meta:
        unknown = INCLUDE

    csrf = csrf()
    working_group_id, name, formed_by_unit_id = text(200), text(400), text(200)
    starts_on, ends_on = text(40), text(40)
    member_add, branch_add = text(200), text(200)


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
        # every group, a page of 500 at a time (a province's several hundred), then searched
        groups = every_page(self.assignments.list_working_groups, {}, "working_groups")
        listing = self._listing(view, status, lambda query: admin_forms.page_of(
            groups, query, "working_group_id", "name"))
        boxes = _chosen(values or {}, {})
        return view.render("admin_groups.html", status, errors=errors or {},
                           values=values or {}, **listing, **boxes,
                           **self._group_choices(view, boxes, listing["found"]))

    @http("POST", "/app/admin/working-groups")
    def form_working_group_page(self, request):
        return self._submit(request, admin_forms.group_to_form,
                            self.assignments.form_working_group, self._groups_view,
                            lambda group: f"/app/admin/working-groups/"
                                          f"{group['working_group_id']}?done=formed",
                            GROUP_PICKERS)

    @http("GET", "/app/admin/working-groups/<working_group_id>")
    def working_group_page(self, request, working_group_id):
        return self._show(request, self._group_view, working_group_id)

    def _group_view(self, view, working_group_id, status=200, failed=None, errors=None,
                    values=None):
        group = self.assignments.get_working_group(working_group_id)
        boxes = _chosen(values or {}, group)
        return view.render(
            "admin_group.html", status, group=group, errors=errors or {}, values=values or {},
            **boxes, **self._record(view, working_group_id, status),
            **self._group_choices(view, boxes, [group], {
                "members": group.get("member_cadre_ids") or [],
                "branches": group.get("unit_ids") or []}))

    @http("POST", "/app/admin/working-groups/<working_group_id>")
    def change_working_group_page(self, request, working_group_id):
        return self._change(
            request, "changed",
            lambda form: admin_forms.group_change(
                form, self.assignments.get_working_group(working_group_id)),
            lambda body, principal: self.assignments.change_working_group(
                working_group_id, body, principal),
            lambda view, *refusal: self._group_view(view, working_group_id, *refusal),
            lambda done: f"/app/admin/working-groups/{working_group_id}", GROUP_PICKERS)

    def _group_choices(self, view, boxes, groups, offered=None):
        """The boxes of ``offered`` members and branches (a group's, and those ticked), by
        name, and the names the ``groups`` shown need: one read by id per kind (cadres'
        names only, no contact: no personal data read)."""
        offered = offered or {"members": [], "branches": []}
        members = [*boxes["members"], *offered["members"]]
        branches = [*boxes["branches"], *offered["branches"]]
        cadres = self._names_of(view, "cadres", [
            *members, *(i for g in groups for i in g.get("member_cadre_ids") or ())])
        units = self._names_of(view, "units", [
            *branches, *(i for g in groups for i in g.get("unit_ids") or ()),
            *(g["formed_by_unit_id"] for g in groups)])
        return {"unit_names": units, "cadre_names": cadres,
                "cadre_choices": [(i, cadres.get(i, i)) for i in dict.fromkeys(members)],
                "branch_choices": [(i, units.get(i, i)) for i in dict.fromkeys(branches)]}


def _chosen(values, group):
    """The boxes to show ticked: a refused form's, else the group's."""
    if values:
        return {"members": admin_forms.ticked(values, admin_forms.MEMBER),
                "branches": admin_forms.ticked(values, admin_forms.BRANCH)}
    return {"members": group.get("member_cadre_ids") or [],
            "branches": group.get("unit_ids") or []}
