"""Cases: the inbox, a case's timeline, acting on it, statistics."""
from services.gateway import schemas
from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response, query_args
from services.gateway.edge.route import Route
from shared.contracts import RedactWords
from shared.contracts.rpc.cases import (
    AssignCase,
    CaseWithTimeline,
    ChangeReplyTemplate,
    InterimReply,
    NameOfficers,
    ReplyTemplate,
    UnroutedQuery,
)
from shared.contracts.rpc.rosters import Roster, SetRoster
from shared.errors import load_payload

ROUTES = {
    ("GET", "/authorities/<authority_id>/inbox"): Route(
        "An authority's cases: overdue first, then by deadline", schemas.Inbox, "cases",
        path=schemas.AuthorityPath, query=schemas.InboxQuery, errors=(403, 404),
        description="Its officers only; a confidential case only its head's and, in "
                    "view=named, the officers the head named on it. "
                    "view=escalated_past: the cases escalated past it, "
                    "newest first. counts: the cases it holds per status."),
    ("GET", "/cases/unrouted"): Route(
        "Cases no routing rule covered, awaiting triage, oldest first",
        schemas.UnroutedCases, "cases", query=UnroutedQuery, errors=(403,),
        description="Administrators see all of them, an officer those their authority holds."),
    ("GET", "/cases/<case_id>"): Route(
        "A case with its whole timeline", CaseWithTimeline, "cases", path=schemas.CasePath,
        errors=(403, 404),
        description="An officer of the authority holding it, or the cadre who carried it."),
    ("POST", "/cases/<case_id>/<action>"): Route(
        "Act on a case", CaseWithTimeline, "cases", path=schemas.CaseActionPath,
        body=schemas.CaseActionArguments, errors=(403, 404, 409, 413, 415, 422),
        description="The body is the action's arguments: acknowledge {}, start {}, "
                    "request_information {question}, provide_information {information}, "
                    "redirect {authority_id, reason}, answer {answer, outcome (solved, "
                    "explained, not_competent naming right_body, complaint_procedure naming "
                    "law, duplicate), answering_unit, letter_number and letter_date or "
                    "no_letter_reason}, close {outcome, note}, "
                    "mark_duplicate {original_case_id}, reopen {reason}, escalate {reason}. "
                    "409 when the case's state does not allow the action now (or someone "
                    "acted first), 403 when the user's side may not take it.",
        example={}),
    ("PUT", "/cases/<case_id>/named-officers"): Route(
        "Name the officers who read a confidential case", CaseWithTimeline, "cases",
        path=schemas.CasePath, body=NameOfficers, errors=(403, 404, 409, 413, 415, 422),
        description="The head of the authority holding the case (an officer with "
                    "authority_head) names, as a whole list of user ids, who besides them "
                    "reads it; 403 for anyone else, 422 when the case is not confidential.",
        example={"user_ids": ["5f0c9a1e6b7d4c2a9e8f7a6b5c4d3e2f"]}),
    ("POST", "/cases/<case_id>/redactions"): Route(
        "Redact personal details typed into a case's summary", CaseWithTimeline, "cases",
        path=schemas.CasePath, body=RedactWords, errors=(400, 403, 404, 409, 413, 415),
        description="An officer of the authority holding it picks words of its summary; "
                    "each becomes [đã ẩn] in the case, the concern, mails and the audit trail. "
                    "The timeline says who redacted and when (action redact), never what. 400 "
                    "naming words.<i> for a word the summary does not hold.",
        example={"words": ["Nguyễn Văn Hai"]}),
    ("POST", "/cases/<case_id>/take"): Route(
        "Take a case to work on (an officer of the authority holding it)", CaseWithTimeline,
        "cases", path=schemas.CasePath, body=schemas.TakeCase,
        errors=(403, 404, 409, 413, 415), example={},
        description="Not a change of state: the case names the officer (assignee_user_id) "
                    "and its timeline says who took it. 409 when they already have it or "
                    "nothing is left to do on it. The inbox's assignee=mine|unassigned "
                    "lists the officer's cases, or those nobody took."),
    ("POST", "/cases/<case_id>/interim-reply"): Route(
        "Give an interim reply with a committed date (gia hạn)", CaseWithTimeline, "cases",
        path=schemas.CasePath, body=InterimReply, errors=(400, 403, 404, 409, 413, 415),
        example={"committed_on": "2027-01-15", "note": "Đã khảo sát, chờ phân bổ kinh phí"},
        description="An officer of the authority holding the case, while its answer deadline "
                    "runs: once per case, before the deadline, to a working day no earlier "
                    "than it (at most 30 working days later), with a progress note. The "
                    "answer deadline becomes the committed date (answer_by; the case escalates "
                    "if it slips), the timeline says so and the cadre is mailed. 400 naming "
                    "committed_on or note (interim_already_given, interim_after_deadline, "
                    "interim_date_before_deadline...), 409 when no answer deadline runs."),
    ("POST", "/cases/<case_id>/assign"): Route(
        "Assign a case to a named officer (the head of the authority holding it)",
        CaseWithTimeline, "cases", path=schemas.CasePath, body=AssignCase,
        errors=(400, 403, 404, 409, 413, 415), example={"user_id": "5f0c9a1e6b7d4c2a"},
        description="Not a change of state: the case names the officer (assignee_user_id) "
                    "and its timeline who assigned whom; they are mailed. 403 for an officer "
                    "who is not the head; 400 naming the officer when they are not an "
                    "enabled officer of the authority (or not named on a confidential case)."),
    ("GET", "/authorities/<authority_id>/officers"): Route(
        "An authority's enabled officers by name (whom its head assigns cases to)",
        schemas.Officers, "cases", path=schemas.AuthorityPath, errors=(403, 404),
        description="Its officers only."),
    ("GET", "/authorities/<authority_id>/roster"): Route(
        "An authority's duty roster: receiving officers in turn, leave, deputy and head",
        Roster, "cases", path=schemas.AuthorityPath, errors=(403, 404),
        description="Its officers and administrators (another authority's officer: 404). "
                    "404 too while it has none."),
    ("PUT", "/authorities/<authority_id>/roster"): Route(
        "Replace an authority's duty roster", Roster, "cases", path=schemas.AuthorityPath,
        body=SetRoster, errors=(400, 403, 404, 413, 415),
        description="Its head or an administrator. A routed case goes to the officer on duty "
                    "that day; one nobody accepts in time goes to the deputy, then the head, "
                    "before escalating one level up. Refused by name (400): an officer who is "
                    "not an enabled officer of the authority, the same officer twice in turn, "
                    "deputy and head the same person, a working day of the next 60 with "
                    "nobody receiving; nothing is changed.",
        example={"rotation": ["u-an", "u-binh"], "deputy_id": "u-dung", "head_id": "u-giang",
                 "starts_on": "2026-12-07", "leave": [
                     {"officer_id": "u-binh", "first_day": "2026-12-09",
                      "last_day": "2026-12-10"}]}),
    ("PATCH", "/reply-templates/<template_id>"): Route(
        "Change a reply template of one's authority (title, text, topic)", ReplyTemplate,
        "cases", path=schemas.TemplatePath, body=ChangeReplyTemplate,
        errors=(400, 403, 404, 413, 415), example={"title": "Đã giải quyết xong"},
        description="Its authority's officers only (another's: 404). The template keeps "
                    "who changed which fields, when."),
    ("DELETE", "/reply-templates/<template_id>"): Route(
        "Delete a reply template of one's authority", ReplyTemplate, "cases",
        path=schemas.TemplatePath, errors=(403, 404),
        description="Kept (with who deleted it), no longer listed nor usable; answers that "
                    "started from it still name it on their timeline."),
    ("GET", "/authorities/<authority_id>/reply-templates"): Route(
        "An authority's reply templates (for a topic: its own and every topic's)",
        schemas.ReplyTemplates, "cases", path=schemas.AuthorityPath,
        query=schemas.ReplyTemplatesQuery, errors=(403, 404),
        description="Its officers only."),
    ("POST", "/authorities/<authority_id>/reply-templates"): Route(
        "Add a reply template for answers or information requests",
        ReplyTemplate, "cases", status=201, path=schemas.AuthorityPath,
        body=schemas.AddReplyTemplate, errors=(403, 404, 413, 415, 422),
        description="Its officers only. An answer or a question sent with its template_id "
                    "records the template on the case's timeline.",
        example={"kind": "answer", "topic": "*", "title": "Đã giải quyết",
                 "text": "Đơn vị đã giải quyết dứt điểm nội dung này."}),
    ("GET", "/authorities/<authority_id>/statistics"): Route(
        "An authority's statistics for a period, per topic", schemas.Statistics, "cases",
        path=schemas.AuthorityPath, query=schemas.StatisticsQuery, errors=(403, 404),
        description="Received, on time, answered and the median days to answer; "
                    "period_to is excluded."),
}


class CasesApi(Api):
    @http("GET", "/authorities/<authority_id>/inbox")
    def inbox(self, request, authority_id):
        principal = self._as(request, "cases.inbox")
        query = {**query_args(request), "authority_id": authority_id}
        return json_response(self.escalations.inbox(query, principal))

    # --- case life --------------------------------------------------------------------------

    @http("GET", "/cases/unrouted")
    def unrouted_cases(self, request):
        principal = self._as(request, "cases.unrouted")
        return json_response(self.escalations.list_unrouted(query_args(request), principal))

    @http("GET", "/cases/<case_id>")
    def get_case(self, request, case_id):
        return json_response(self.escalations.get_case(case_id, self._as(request, "cases.read")))

    @http("POST", "/cases/<case_id>/<action>")
    def act_on_case(self, request, case_id, action):
        principal = self._as(request, "cases.act")
        return json_response(self.escalations.act_on_case(case_id, action, json_body(request),
                                                          principal))

    @http("PUT", "/cases/<case_id>/named-officers")
    def name_officers(self, request, case_id):
        principal = self._as(request, "cases.name_officers")
        return json_response(self.escalations.name_officers(case_id, json_body(request),
                                                            principal))

    @http("POST", "/cases/<case_id>/redactions")
    def redact_case(self, request, case_id):
        principal = self._as(request, "cases.redact")
        return json_response(self.escalations.redact_case(case_id, json_body(request),
                                                          principal))

    @http("POST", "/cases/<case_id>/take")
    def take_case(self, request, case_id):
        principal = self._as(request, "cases.take")
        # nothing to send, and nothing else accepted: a stray field is refused by name
        load_payload(schemas.TakeCase(), json_body(request), "take request")
        return json_response(self.escalations.take_case(case_id, principal))

    @http("POST", "/cases/<case_id>/interim-reply")
    def give_interim_reply(self, request, case_id):
        principal = self._as(request, "cases.interim_reply")
        return json_response(self.escalations.give_interim_reply(case_id, json_body(request),
                                                                 principal))

    @http("POST", "/cases/<case_id>/assign")
    def assign_case(self, request, case_id):
        principal = self._as(request, "cases.assign")
        return json_response(self.escalations.assign_case(case_id, json_body(request),
                                                          principal))

    @http("GET", "/authorities/<authority_id>/officers")
    def authority_officers(self, request, authority_id):
        principal = self._as(request, "cases.inbox")
        return json_response(self.escalations.list_officers({"authority_id": authority_id},
                                                            principal))

    @http("GET", "/authorities/<authority_id>/roster")
    def authority_roster(self, request, authority_id):
        principal = self._as(request, "rosters.read")
        return json_response(self.escalations.get_roster(authority_id, principal))

    @http("PUT", "/authorities/<authority_id>/roster")
    def set_authority_roster(self, request, authority_id):
        principal = self._as(request, "rosters.manage")
        return json_response(self.escalations.set_roster(authority_id, json_body(request),
                                                         principal))

    @http("PATCH", "/reply-templates/<template_id>")
    def change_reply_template(self, request, template_id):
        principal = self._as(request, "templates.manage")
        return json_response(self.escalations.change_reply_template(
            template_id, json_body(request), principal))

    @http("DELETE", "/reply-templates/<template_id>")
    def delete_reply_template(self, request, template_id):
        principal = self._as(request, "templates.manage")
        return json_response(self.escalations.delete_reply_template(template_id, principal))

    @http("GET", "/authorities/<authority_id>/reply-templates")
    def reply_templates(self, request, authority_id):
        principal = self._as(request, "templates.manage")
        query = {**query_args(request), "authority_id": authority_id}
        return json_response(self.escalations.list_reply_templates(query, principal))

    @http("POST", "/authorities/<authority_id>/reply-templates")
    def add_reply_template(self, request, authority_id):
        principal = self._as(request, "templates.manage")
        template = {**json_body(request), "authority_id": authority_id}
        return json_response(self.escalations.add_reply_template(template, principal), 201)

    @http("GET", "/authorities/<authority_id>/statistics")
    def case_statistics(self, request, authority_id):
        principal = self._as(request, "cases.statistics")
        query = {**query_args(request), "authority_id": authority_id}
        return json_response(self.escalations.statistics(query, principal))
