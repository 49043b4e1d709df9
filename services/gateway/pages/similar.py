"""Similar open cases on the visit form (issue 25): while the cadre picks a concern's topic,
``static/similar.js`` asks for the open cases of that topic raised in the branch's commune, and
the cadre may attach the concern to one (``joins_case_id``) instead of opening another case.

Only a branch the cadre is assigned to is asked about (another answers 404 like a missing one),
so nothing of another commune shows; each case comes with its summary as the authority got it
(never who raised it), its holder, its state and how many branches raised it, worded in the
reader's language. Offline the request fails and the form simply shows no list.
"""
from marshmallow import Schema, fields, validate

from services.gateway.edge.http import http, query_args
from services.gateway.edge.route import Route
from services.gateway.pages import i18n
from services.gateway.pages.common import LanguageQuery, PagesApi
from shared.contracts import CONCERN_TOPICS, Id
from shared.contracts.rpc.similar import SimilarCase
from shared.errors import NotFound


class SimilarQuery(LanguageQuery):
    unit_id = Id(required=True, metadata={"description": "the branch the visit is logged at"})
    topic = fields.String(required=True, validate=validate.OneOf(CONCERN_TOPICS))


class SimilarShown(SimilarCase):
    words = fields.String(required=True, metadata={
        "description": "the case in one line, in the reader's language"})


class SimilarCasesShown(Schema):
    cases = fields.List(fields.Nested(SimilarShown), required=True)


ROUTES = {
    ("GET", "/app/similar-cases"): Route(
        "Cadre: open cases of a concern's topic in the branch's commune (visit form)",
        SimilarCasesShown, "pages", query=SimilarQuery, public=True, errors=(401, 403, 404),
        description="For static/similar.js (session cookie and X-CSRF-Token): the open cases "
                    "a concern of this topic may be attached to (joins_case_id), most raised "
                    "first; only for a branch assigned to the cadre."),
}


def line(case, language):
    """"Đường liên thôn xuống cấp · UBND xã Tam Hợp · Đã tiếp nhận · nêu tại 2 chi bộ"."""
    parts = [case["summary"], case["authority_name"] or i18n.text("similar_no_holder", language),
             i18n.label("status", case["status"], language),
             i18n.text("raised_at_branches", language, count=case["branch_count"])]
    if case["raised_here"]:
        parts.append(i18n.text("similar_raised_here", language))
    return " · ".join(parts)


class SimilarPagesApi(PagesApi):
    @http("GET", "/app/similar-cases")
    def similar_cases_for_form(self, request):
        def answer(principal):
            args = query_args(request)
            unit = self._assigned_unit(principal, args["unit_id"])
            found = self.escalations.similar_cases(
                {"unit_id": unit["unit_id"], "unit_path": unit["path"], "topic": args["topic"]},
                principal)["cases"]
            language = self._language(request)
            return {"cases": [{**case, "words": line(case, language)} for case in found]}, 200
        return self._from_script(request, "visits.log", answer)

    def _assigned_unit(self, principal, unit_id):
        """The branch, when assigned to the cadre: another answers like a missing one."""
        assigned = {a["unit_id"] for a in self.assignments.list_assignments(principal["cadre_id"])}
        if unit_id not in assigned:
            raise NotFound("unit not found", {"unit_id": [unit_id]})
        return self.assignments.get_unit(unit_id)
