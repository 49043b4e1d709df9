"""Contacts with Party members and their families (issue 29; docs/members.md): a committee
member who may see the member's branch logs a visit to the member, to the family or a phone
call, briefly, with any concerns raised there, which enter the same case life as a meeting's;
the same people read a member's contacts (each read on the access log). Anyone else gets 404,
as for no such member."""
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

    @http("GET", "/members/<member_code>/contacts")
    def member_contacts(self, request, member_code):
        return json_response(self.members.member_contacts(member_code,
                                                          self._as(request, "members.read")))
