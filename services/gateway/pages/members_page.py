"""A branch's Party members as a page (issue 29; docs/members.md): the members on the day, and
the members the Charter's absence rule flags for the committee to consider, with the meetings
missed. For the cadres assigned to the branch or sitting on its committee, and administrators;
anyone else gets the "not found" page, as for no such branch. Each read is on the access log
(the members service writes it).

The visit form's roll (``static/roll.js``) reads the same list, cut to what the form needs (a
member's code and name), to mark attendance member by member and keep it on the phone for a
meeting without signal.

Whoever may choose the members' carers (``care_form``) reads how many nobody cares for yet,
a link showing those alone (``?carer=none``)."""
from marshmallow import Schema, fields, validate

from services.gateway.edge.http import http, query_args
from services.gateway.edge.route import Route
from services.gateway.pages import care_form
from services.gateway.pages.common import LanguageQuery, PagesApi, page_route
from services.gateway.registry_schemas import UnitPath
from shared import clock
from shared.contracts import Day


class RollQuery(LanguageQuery):
    as_of = Day(metadata={"description": "the meeting's day (default: today)"})


class BranchMembersQuery(LanguageQuery):
    carer = fields.String(validate=validate.OneOf(["none"]), metadata={
        "description": "none: only the members nobody cares for yet"})


class RollMember(Schema):
    member_code = fields.String(required=True)
    full_name = fields.String(required=True)


class Roll(Schema):
    """Only what the form needs: the phone keeps it (sensitive data, Law 91/2025/QH15)."""
    unit_id = fields.String(required=True)
    as_of = fields.String(required=True)
    members = fields.List(fields.Nested(RollMember), required=True)


ROUTES = {
    ("GET", "/app/units/<unit_id>/members"): page_route(
        "A branch's Party members and the absence flags (its cadres and committee)",
        path=UnitPath, query=BranchMembersQuery),
    ("GET", "/app/units/<unit_id>/roll"): Route(
        "Cadre: a branch's members for the visit form, by code and name", Roll, "pages",
        path=UnitPath, query=RollQuery, public=True, errors=(401, 403, 404),
        description="For static/roll.js (session cookie and X-CSRF-Token): the members on the "
                    "meeting's day, to mark attendance member by member; 404 for a branch "
                    "whose members the cadre may not see, as for no such branch. Each read is "
                    "on the access log."),
}


class MembersPagesApi(PagesApi):  # _carer_names: MemberPagesApi's, on the same service
    @http("GET", "/app/units/<unit_id>/members")
    def members_page(self, request, unit_id):
        def build(view):
            members = self.members.list_members(unit_id, {}, view.principal)
            flags = self.members.absence_flags(unit_id, {"year": clock.today().year},
                                               view.principal)
            carers = [(m.get("in_care_of") or {}).get("cadre_id") for m in members["members"]]
            uncared = care_form.without_carer(members["members"])
            only_uncared = query_args(request).get("carer") == "none"
            chooses = self.members.care_choices(unit_id, view.principal)["may_choose"]
            return view.render("branch_members.html", unit_id=unit_id,
                               members=uncared if only_uncared else members["members"],
                               flags=flags, carers=self._carer_names(view, carers),
                               uncared=len(uncared) if chooses else None,
                               only_uncared=only_uncared)
        return self._page(request, "members.read", build)

    @http("GET", "/app/units/<unit_id>/roll")
    def roll_for_form(self, request, unit_id):
        def answer(principal):
            day = query_args(request).get("as_of")
            listed = self.members.list_members(unit_id, {"as_of": day} if day else {},
                                               principal)
            return Roll().dump(listed), 200
        return self._from_script(request, "members.read", answer)
