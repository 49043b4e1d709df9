"""The periodic report a committee files upward (issue 28): a committee's leading member (or
an administrator) asks for a month's, quarter's or year's report; the assignments service
computes it in the background from its read model; the job is read until done, its workbook
downloaded from its page (services/gateway/pages/report.py; figures: docs/reports-periodic.md)."""
from marshmallow import Schema

from services.gateway.api import Api
from services.gateway.api.meetings import CommitteePath
from services.gateway.edge.http import http, json_body, json_response
from services.gateway.edge.route import Route
from shared.contracts import Id
from shared.contracts.rpc import reports as schemas


class JobPath(Schema):
    job_id = Id(required=True)


ROUTES = {
    ("POST", "/committees/<unit_id>/reports"): Route(
        "Ask for a committee's periodic report (its leading members, or an administrator)",
        schemas.ReportJob, "meetings", status=202, path=CommitteePath, body=schemas.ReportBody,
        errors=(403, 404, 413, 415, 422),
        description="Answers the pending job at once; GET /reports/<job_id> until its status "
                    "is done. 403 for a cadre without a leading seat on that committee."),
    ("GET", "/committees/<unit_id>/reports"): Route(
        "A committee's latest reports asked for, newest first (without their figures)",
        schemas.ReportJobs, "meetings", path=CommitteePath, errors=(403, 404)),
    ("GET", "/reports/<job_id>"): Route(
        "A report job: pending, done with its figures, or failed", schemas.ReportJob,
        "meetings", path=JobPath, errors=(403, 404)),
}


class ReportsApi(Api):
    @http("POST", "/committees/<unit_id>/reports")
    def request_report(self, request, unit_id):
        principal = self._as(request, "meetings.report")
        return json_response(self.assignments.request_report(
            {**json_body(request), "committee_unit_id": unit_id}, principal), 202)

    @http("GET", "/committees/<unit_id>/reports")
    def committee_reports(self, request, unit_id):
        principal = self._as(request, "meetings.report")
        return json_response(self.assignments.committee_reports(unit_id, principal))

    @http("GET", "/reports/<job_id>")
    def report_job(self, request, job_id):
        principal = self._as(request, "meetings.report")
        return json_response(self.assignments.report_job(job_id, principal))
