"""Visits and the concerns they raised, and the visits that close the loop: amendments and their
versions, the branch brief, visits by branch, cadre and period, a branch's meeting record, and
the unscheduled visits for the committee.
"""
from marshmallow import Schema, fields, validate

from services.gateway import schemas
from services.gateway.api import Api
from services.gateway.api.members import LogVisitRequest, log_visit_by_member
from services.gateway.edge.http import http, json_body, json_response, query_args
from services.gateway.edge.route import Route
from shared.contracts import Id, RedactWords
from shared.contracts.rpc import visits as visits
from shared.errors import NotFound


class VisitVersionPath(Schema):
    visit_id = Id(required=True)
    version = fields.Integer(required=True, validate=validate.Range(1, 10_000),
                             metadata={"description": "1: the visit as first logged"})


class UnitPath(Schema):
    unit_id = Id(required=True, metadata={"example": "vinh-phuc.binh-xuyen.tam-hop.noi-phat"})


ROUTES = {
    # --- visits, concerns, cases ------------------------------------------------------------
    ("POST", "/visits"): Route(
        "Log a visit to a branch meeting and the concerns raised there", schemas.LoggedVisit,
        "visits", status=201, body=LogVisitRequest, errors=(403, 404, 409, 413, 415),
        description="A cadre, for a unit assigned to them. Once per submission_id: sending "
                    "the same submission again (a retry after a lost reply) answers 200 with "
                    "the visit already logged; the same submission_id with other data is a "
                    "409. `attendance` may instead be given member by member, "
                    "`{\"members\": [{\"member_code\", \"mark\": present | absent_excused "
                    "| absent, \"reason\"}]}`, naming every member of the branch that day: "
                    "the counts are derived from it, the list is kept by the members service "
                    "(docs/members.md).",
        also=((200, schemas.LoggedVisit, "this submission was logged before; nothing new"),),
        example={
            "submission_id": "5f0c9a1e6b7d4c2a9e8f7a6b5c4d3e2f",
            "unit_id": "vinh-phuc.binh-xuyen.tam-hop.noi-phat", "meeting_date": "2026-11-20",
            "meeting_kind": "regular", "attendance": {"present": 27, "expected": 31},
            "assessment": {"leadership": 4, "education": 4, "combativeness": 3,
                           "note": "Sinh hoạt đúng nội dung, có tranh luận"},
            "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                          "summary": "Hệ thống thoát nước thải thôn Nội Phật chưa hoàn thành"}]}),
    ("GET", "/visits/<visit_id>"): Route(
        "A logged visit (the cadre's own)", schemas.Visit, "visits", path=schemas.VisitPath,
        errors=(403, 404)),
    ("GET", "/concerns/<concern_id>"): Route(
        "A concern, its status and the authority holding it", schemas.ConcernStatus, "visits",
        path=schemas.ConcernPath, errors=(403, 404),
        description="The cadre who carried it, or an officer of the authority holding it."),
    ("POST", "/concerns/<concern_id>/redactions"): Route(
        "Redact personal details typed into a concern's summary", visits.RaisedConcern,
        "visits", path=schemas.ConcernPath, body=RedactWords,
        errors=(403, 404, 409, 413, 415, 400),
        description="The cadre who carried it picks words of its summary (a name, a house, "
                    "an address); each becomes [đã ẩn] wherever the text is kept: the visit "
                    "and its versions, the case, mails, the audit trail. The words are kept "
                    "nowhere; the concern's redactions say who and when. 400 naming "
                    "words.<i> for a word the summary does not hold.",
        example={"words": ["Nguyễn Văn Hai"]}),
    # --- visits that close the loop: amendments, lists, the branch brief --------------------
    ("POST", "/visits/<visit_id>/amendments"): Route(
        "Amend a visit: a new version, the previous kept", schemas.LoggedVisit, "visits",
        path=schemas.VisitPath, body=visits.AmendVisit, errors=(403, 404, 409, 413, 415, 422),
        description="Its author only, within VISIT_AMEND_WINDOW_HOURS (48 h) of logging it "
                    "(422 after). concerns is the whole list: a concern already raised is "
                    "kept by {concern_id} alone (removing it is a 422, changing it a 400) and "
                    "may be withdrawn with a reason in withdrawals; new ones are raised as "
                    "usual. Once per submission_id: a retry answers the visit as it is "
                    "(replayed: true); the same submission_id with other data is a 409.",
        example={"submission_id": "a7d93c1e0b2f4e6a8c9d0e1f2a3b4c5d",
                 "attendance": {"present": 28, "expected": 31},
                 "concerns": [{"topic": "environment", "raised_by": "party_member",
                               "summary": "Rác thải ven kênh chưa được thu gom"}],
                 "withdrawals": []}),
    ("GET", "/visits/<visit_id>/versions/<version>"): Route(
        "A visit as it stood at one version", visits.Visit, "visits", path=VisitVersionPath,
        errors=(403, 404),
        description="The cadres it counts for; who raised a concern only to its author."),
    ("GET", "/visits"): Route(
        "Visits by branch, cadre and period, newest meeting first", visits.VisitsPage,
        "visits", query=visits.VisitsQuery, errors=(403,),
        description="A cadre: their own (logged, or attended with their working group); "
                    "an administrator: anyone's. period_from and period_to are included."),
    ("GET", "/unscheduled-visits"): Route(
        "Visits logged where no assignment or working group sent the cadre",
        visits.VisitsPage, "visits", query=visits.UnscheduledQuery, errors=(403,),
        description="For the supervising committee (administrators), newest first."),
    ("GET", "/units/<unit_id>/brief"): Route(
        "A branch's brief before a visit", visits.Brief, "visits", path=UnitPath,
        query=visits.BriefQuery, errors=(403, 404),
        description="A cadre assigned to the branch, or in a working group attending it, "
                    "today. Open concerns (a page) with state and holder, the answers to read "
                    "out at the meeting (then review them in the visit's answer_reviews), "
                    "what is overdue, and the last visits with their assessments."),
    ("GET", "/units/<unit_id>/meeting-record"): Route(
        "A branch's meetings over a year", visits.MeetingRecord, "visits", path=UnitPath,
        query=visits.MeetingRecordQuery, errors=(403, 404),
        description="Regular and thematic meetings attended, the attendance rate and the "
                    "averages on leadership, education and combativeness. Its cadres (as for "
                    "the brief) and administrators."),
}


class VisitsApi(Api):
    # --- visits, concerns, cases ------------------------------------------------------------

    @http("POST", "/visits")
    def log_visit(self, request):
        principal = self._as(request, "visits.log")
        # member by member (issue 29): the list kept by the members service, the visit its counts
        visit = log_visit_by_member(self, json_body(request), principal)
        return json_response(visit, 200 if visit["replayed"] else 201)

    @http("GET", "/visits/<visit_id>")
    def get_visit(self, request, visit_id):
        return json_response(self.visits.get_visit(visit_id, self._as(request, "visits.read")))

    @http("GET", "/concerns/<concern_id>")
    def get_concern(self, request, concern_id):
        principal = self._as(request, "concerns.read")
        if principal["role"] == "cadre":
            concern = self.visits.get_concern(concern_id, principal)  # the cadre's own only
            case = self._case_or_none(concern_id, principal)
        else:  # an officer: only a case their authority holds, checked where cases live
            case = self._case_or_none(concern_id, principal)
            if case is None:
                raise NotFound("concern not found", {"concern_id": [str(concern_id)]})
            concern = self.visits.get_concern(concern_id, None)
        if case is None:  # raised and accepted, not yet routed: the event is on its way
            concern.update(status="raised", case=None, held_by=None)
        else:
            held_by = None
            if case["authority_id"]:
                held_by = {"authority_id": case["authority_id"], "name": case["authority_name"]}
            concern.update(status=case["status"], case=case, held_by=held_by)
        return json_response(concern)

    @http("POST", "/concerns/<concern_id>/redactions")
    def redact_concern(self, request, concern_id):
        principal = self._as(request, "concerns.redact")
        return json_response(self.visits.redact_concern(concern_id, json_body(request),
                                                        principal))

    def _case_or_none(self, concern_id, principal):
        try:
            return self.escalations.get_case_for_concern(concern_id, principal)
        except NotFound:
            return None

    # --- visits that close the loop: amendments, lists, the branch brief --------------------

    @http("POST", "/visits/<visit_id>/amendments")
    def amend_visit(self, request, visit_id):
        principal = self._as(request, "visits.log")
        return json_response(self.visits.amend_visit(visit_id, json_body(request), principal))

    @http("GET", "/visits/<visit_id>/versions/<version>")
    def get_visit_version(self, request, visit_id, version):
        principal = self._as(request, "visits.read")
        return json_response(self.visits.get_visit_version(visit_id, int(version), principal))

    @http("GET", "/visits")
    def list_visits(self, request):
        principal = self._as(request, "visits.list")
        return json_response(self.visits.list_visits(query_args(request), principal))

    @http("GET", "/unscheduled-visits")
    def unscheduled_visits(self, request):
        principal = self._as(request, "visits.unscheduled")
        return json_response(self.visits.unscheduled_visits(query_args(request), principal))

    @http("GET", "/units/<unit_id>/brief")
    def branch_brief(self, request, unit_id):
        principal = self._as(request, "visits.brief")
        return json_response(self.visits.branch_brief(unit_id, query_args(request), principal))

    @http("GET", "/units/<unit_id>/meeting-record")
    def meeting_record(self, request, unit_id):
        principal = self._as(request, "visits.record")
        return json_response(self.visits.meeting_record(unit_id, query_args(request),
                                                        principal))
