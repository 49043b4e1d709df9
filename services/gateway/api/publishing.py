"""The texts of the public receipt page: the cadre's public summary and the authority's public
answer of a case, each shown on ``GET /follow`` only while marked publishable."""
from services.gateway import schemas
from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response
from services.gateway.edge.route import Route
from shared.contracts.rpc.cases import CaseWithTimeline
from shared.contracts.rpc.receipts import PublishText

EXAMPLE = {"text": "Đèn đường xóm 2 hỏng; đề nghị thay.", "publishable": True}
# who writes each text, and when
WRITERS = {"summary": ("the cadre who carried the concern", "any time"),
           "answer": ("an officer of the authority holding the case",
                      "once the case is answered (422 before)")}


def publish_route(kind):
    writer, when = WRITERS[kind]
    return Route(f"Write the case's {kind} for the public receipt page ({writer})",
                 CaseWithTimeline, "cases", path=schemas.CasePath, body=PublishText,
                 errors=(403, 404, 409, 413, 415, 422), example=EXAMPLE,
                 description=f"Free text rewritten for anyone holding the receipt code (no "
                             f"names, no contacts), {when}: shown there only while "
                             f"publishable is true. 403 for anyone but {writer}.")


ROUTES = {("PUT", "/cases/<case_id>/public-summary"): publish_route("summary"),
          ("PUT", "/cases/<case_id>/public-answer"): publish_route("answer")}


class PublishingApi(Api):
    @http("PUT", "/cases/<case_id>/public-summary")
    def publish_summary(self, request, case_id):
        return self._publish(request, case_id, "summary")

    @http("PUT", "/cases/<case_id>/public-answer")
    def publish_answer(self, request, case_id):
        return self._publish(request, case_id, "answer")

    def _publish(self, request, case_id, kind):
        principal = self._as(request, "cases.publish")
        return json_response(self.escalations.publish_text(case_id, kind, json_body(request),
                                                           principal))
