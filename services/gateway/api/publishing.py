"""The texts of the public receipt page: the cadre's public summary and the authority's public
answer of a case, each shown on ``GET /follow`` only while marked publishable."""
from services.gateway import schemas
from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response
from services.gateway.edge.route import Route
from shared.contracts.rpc.cases import CaseWithTimeline
from shared.contracts.rpc.receipts import PublishText

EXAMPLE = {"text": "Đèn đường xóm 2 hỏng; đề nghị thay.", "publishable": True}

ROUTES = {
    ("PUT", "/cases/<case_id>/public-summary"): Route(
        "Write the case's summary for the public receipt page (the cadre who carried it)",
        CaseWithTimeline, "cases", path=schemas.CasePath, body=PublishText,
        errors=(403, 404, 409, 413, 415, 422), example=EXAMPLE,
        description="Free text rewritten for anyone holding the receipt code (no names, no "
                    "contacts): shown there only while publishable is true. 403 for anyone "
                    "but the cadre who carried the concern."),
    ("PUT", "/cases/<case_id>/public-answer"): Route(
        "Write the case's answer for the public receipt page (an officer of the holder)",
        CaseWithTimeline, "cases", path=schemas.CasePath, body=PublishText,
        errors=(403, 404, 409, 413, 415, 422), example=EXAMPLE,
        description="Once the case is answered (422 before): shown on the receipt page only "
                    "while publishable is true. 403 for anyone but an officer of the "
                    "authority holding the case."),
}


class PublishingApi(Api):
    @http("PUT", "/cases/<case_id>/public-summary")
    def publish_summary(self, request, case_id):
        principal = self._as(request, "cases.publish")
        return json_response(self.escalations.publish_text(case_id, "summary",
                                                           json_body(request), principal))

    @http("PUT", "/cases/<case_id>/public-answer")
    def publish_answer(self, request, case_id):
        principal = self._as(request, "cases.publish")
        return json_response(self.escalations.publish_text(case_id, "answer",
                                                           json_body(request), principal))
