"""Contacts with Party members and their families (issue 29; docs/members.md): a committee
member who may see the member's branch logs a visit to the member, to the family or a phone
call, briefly, with any concerns raised there, which enter the same case life as a meeting's;
the same people read a member's contacts (each read on the access log). Anyone else gets 404,
as for no such member. Each member is in the care of a committee member of their branch or of
the one above (``PUT .../care``), who lists the members in their care (``/members-in-care``)."""
from services.gateway.api import Api
from services.gateway.api.members import MemberPath
from services.gateway.edge.http import http, json_body, json_response
from services.gateway.edge.route import Route
from shared.contracts.rpc import contacts as schemas

ROUTES = {
    ("POST", "/members/<member_code>/contacts"): Route(
        "Log a contact with a Party member or their family, and the concerns raised there",
        schemas.Contact, "members", status=201, path=MemberPath, body=schemas.LogContact,
        errors=(403, 404, 409, 413, 415),
        description="A cadre who may see the member's branch (assigned to it or on its "
                    "committee). `kind`: member_visit, family_visit or phone_call; "
                    "`contacted_on` not in the future nor before the member joined the "
                    "branch. Concerns (as a visit's, without files) go to the visits service "
                    "without the member and follow the same case life. Once per "
                    "submission_id: the same contact again answers 200; other data under it, "
                    "409.",
        also=((200, schemas.Contact, "this submission was logged before; nothing new"),),
        example={"submission_id": "9b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e",
                 "contacted_on": "2026-12-05", "kind": "family_visit",
                 "raised": "Gia đình hỏi về chế độ cho người có công",
                 "concerns": [{"topic": "social_policy", "raised_by": "party_member",
                               "summary": "Chậm chi trả trợ cấp cho gia đình có công"}]}),
    ("PUT", "/members/<member_code>/care"): Route(
        "Put a Party member in the care of a committee member (from today)", schemas.Care,
        "members", path=MemberPath, body=schemas.PutInCare, errors=(403, 404, 413, 415),
        description="An administrator, or a cadre sitting on the committee of the member's "
                    "branch or of the one above it. The carer must sit on one of those "
                    "committees today (else 400 `not_on_committee`, nothing written); the "
                    "carer before is kept in `history`.",
        example={"cadre_id": "tran-thi-binh"}),
    ("GET", "/members-in-care"): Route(
        "The Party members in the signed-in cadre's care, across branches",
        schemas.MembersInCare, "members", errors=(400, 403),
        description="While the cadre sits on the committee of each member's branch or the "
                    "one above it; the read is on the access log."),
    ("GET", "/members/<member_code>/contacts"): Route(
        "A Party member's contacts, the latest first", schemas.ContactList, "members",
        path=MemberPath, errors=(403, 404),
        description="Whoever may see the member's branch; each read is on the access log."),
}


class MemberContactsApi(Api):
    @http("POST", "/members/<member_code>/contacts")
    def log_contact(self, request, member_code):
        principal = self._as(request, "members.contact")
        contact = self.members.log_contact(member_code, json_body(request), principal)
        return json_response(contact, 200 if contact["replayed"] else 201)

    @http("PUT", "/members/<member_code>/care")
    def put_in_care(self, request, member_code):
        principal = self._as(request, "members.care")
        return json_response(self.members.put_in_care(member_code, json_body(request),
                                                      principal))

    @http("GET", "/members-in-care")
    def members_in_care(self, request):
        return json_response(self.members.members_in_care(self._as(request, "members.read")))

    @http("GET", "/members/<member_code>/contacts")
    def member_contacts(self, request, member_code):
        return json_response(self.members.member_contacts(member_code,
                                                          self._as(request, "members.read")))
