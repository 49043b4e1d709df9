"""The periodic report's pages (issue 28): a committee's leading member (or an administrator)
picks a month, quarter or year and asks for the report; its page shows the progress while the
assignments service computes it in the background, then the printable report (the committee's
name, the period, the day it was made) and the workbook to download. A cadre without a seat on
that committee is refused (403 asking, 404 reading), as the API does."""
from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from services.gateway.api.meetings import CommitteePath
from services.gateway.api.reports import JobPath
from services.gateway.edge.http import form_args, http, query_args
from services.gateway.edge.route import Route
from services.gateway.pages import i18n, report_xlsx
from services.gateway.pages.common import LanguageQuery, PagesApi, page_route, page_status, redirect
from shared.contracts.rpc.imports import XLSX_MEDIA_TYPE
from shared.errors import Conflict, SausatError

# how often the page of a report being made looks again (seconds)
REFRESH_SECONDS = 2


class ReportPageQuery(LanguageQuery):
    period = fields.String(validate=validate.Length(max=20))


class ReportForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    period = fields.String(validate=validate.Length(max=20))


ROUTES = {
    ("GET", "/app/committees/<unit_id>/report"): page_route(
        "A committee's leading member: ask for the periodic report of a month, quarter or year",
        query=ReportPageQuery, path=CommitteePath),
    ("POST", "/app/committees/<unit_id>/report"): page_route(
        "A committee's leading member: the report asked for (made in the background)",
        path=CommitteePath, form=ReportForm),
    ("GET", "/app/reports/<job_id>"): page_route(
        "The periodic report: its progress, then the printable report", path=JobPath),
    ("GET", "/app/reports/<job_id>/xlsx"): Route(
        "The periodic report as a workbook the office edits into its own template (session "
        "cookie)", (XLSX_MEDIA_TYPE,), "pages", path=JobPath, public=True,
        errors=(403, 404, 409),
        description="From the report's page; without a session, 303 to the sign-in page."),
}


def workbook_response(job, language):
    """The done job's workbook to download; a job not done yet: 409."""
    if job["status"] != "done":
        raise Conflict("the report is not ready", {"status": [job["status"]]})
    return Response(report_xlsx.workbook(job, language), mimetype=XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition":
                             f'attachment; filename="bao-cao-{job["period"]}.xlsx"'})


class ReportPagesApi(PagesApi):
    @http("GET", "/app/committees/<unit_id>/report")
    def report_request_page(self, request, unit_id):
        return self._page(request, "meetings.report", lambda view: self._report_form(
            view, unit_id, 200, {}, {"period": query_args(request).get("period") or ""}))

    def _report_form(self, view, unit_id, status, errors, values):
        """The form with the committee's latest reports; a cadre without a leading seat on
        it is refused here already (403), as asking would be."""
        reports = self.assignments.committee_reports(unit_id, view.principal)["reports"]
        return view.render("report_request.html", status, committee_unit_id=unit_id,
                           reports=reports, errors=errors, values=values)

    @http("POST", "/app/committees/<unit_id>/report")
    def report_request_submit(self, request, unit_id):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            try:
                job = self.assignments.request_report(
                    {"committee_unit_id": unit_id, "period": (form.get("period") or "").strip()},
                    view.principal)
            except SausatError as error:
                if error.status not in (400, 422):
                    raise
                errors = view.errors(error)
                errors.setdefault("_form", i18n.refusal(error, view.language))
                return self._report_form(view, unit_id, page_status(error), errors, form)
            return redirect(f"/app/reports/{job['job_id']}")
        return self._page(request, "meetings.report", build)

    @http("GET", "/app/reports/<job_id>")
    def report_page(self, request, job_id):
        def build(view):
            job = self.assignments.report_job(job_id, view.principal)
            return view.render(
                "report.html", job=job, result=job["result"], refresh=REFRESH_SECONDS,
                generated_on=job["generated_at"] and report_xlsx.generated_day(job),
                meeting_figures=report_xlsx.MEETING_FIGURES,
                plan_figures=report_xlsx.PLAN_FIGURES, topic_figures=report_xlsx.TOPIC_FIGURES)
        return self._page(request, "meetings.report", build)

    @http("GET", "/app/reports/<job_id>/xlsx")
    def report_workbook_page(self, request, job_id):
        return self._page(request, "meetings.report", lambda view: workbook_response(
            self.assignments.report_job(job_id, view.principal), view.language))
