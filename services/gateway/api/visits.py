"""Visits and the concerns they raised."""
from services.gateway import schemas
from services.gateway.api import Api
from services.gateway.http import http, json_body, json_response
from services.gateway.route import Route
from services.visits.schemas import LogVisit
from shared.errors import NotFound

ROUTES = {
    # --- visits, concerns, cases ------------------------------------------------------------
    ("POST", "/visits"): Route(
        "Log a visit to a branch meeting and the concerns raised there", schemas.LoggedVisit,
        "visits", status=201, body=LogVisit, errors=(403, 404, 409, 413, 415),
        description="A cadre, for a unit assigned to them. Once per submission_id: sending "
                    "the same submission again (a retry after a lost reply) answers 200 with "
                    "the visit already logged; the same submission_id with other data is a "
                    "409.",
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
}


class VisitsApi(Api):
    # --- visits, concerns, cases ------------------------------------------------------------

    @http("POST", "/visits")
    def log_visit(self, request):
        principal = self._as(request, "visits.log")
        visit = self.visits.log_visit(json_body(request), principal)
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

    def _case_or_none(self, concern_id, principal):
        try:
            return self.escalations.get_case_for_concern(concern_id, principal)
        except NotFound:
            return None
