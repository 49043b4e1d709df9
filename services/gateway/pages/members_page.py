"""A branch's Party members as a page (issue 29; docs/members.md): the members on the day, and
the members the Charter's absence rule flags for the committee to consider, with the meetings
missed. For the cadres assigned to the branch or sitting on its committee, and administrators;
anyone else gets the "not found" page, as for no such branch. Each read is on the access log
(the members service writes it)."""
from services.gateway.edge.http import http
from services.gateway.pages.common import PagesApi, page_route
from services.gateway.registry_schemas import UnitPath
from shared import clock

ROUTES = {
    ("GET", "/app/units/<unit_id>/members"): page_route(
        "A branch's Party members and the absence flags (its cadres and committee)",
        path=UnitPath),
}


class MembersPagesApi(PagesApi):  # _carer_names: MemberPagesApi's, on the same service
    @http("GET", "/app/units/<unit_id>/members")
    def members_page(self, request, unit_id):
        def build(view):
            members = self.members.list_members(unit_id, {}, view.principal)
            flags = self.members.absence_flags(unit_id, {"year": clock.today().year},
                                               view.principal)
            carers = [(m.get("in_care_of") or {}).get("cadre_id") for m in members["members"]]
            return view.render("branch_members.html", unit_id=unit_id,
                               members=members["members"], flags=flags,
                               carers=self._carer_names(view, carers))
        return self._page(request, "members.read", build)
