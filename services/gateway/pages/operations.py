"""The operations pages: the operator's queues with their backlog and dead letters, the audit
trail of events (metadata only, as the API gives operators), dead letters (replay, discard with
a reason), alerts and a concern's journey; the administrator's imports with their progress and
row report, and coverage per committee with a chart. Each calls what the API's handler calls,
with the same permission."""
from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from services.gateway.api.imports import file_response
from services.gateway.edge.http import form_args, http, json_body, query_args
from services.gateway.edge.route import Route
from services.gateway.pages import i18n
from services.gateway.pages.admin import ListQuery, page_query
from services.gateway.pages.common import (
    LanguageQuery,
    PagesApi,
    page_route,
    page_status,
    redirect,
)
from services.gateway.pages.import_report import row_report_csv
from shared.contracts import Day, Id
from shared.contracts.rpc.imports import (
    CSV_MEDIA_TYPE,
    MAX_FILE_BYTES,
    XLSX_MEDIA_TYPE,
    ImportJob,
    StartImport,
)
from shared.contracts.rpc.operations import LETTER_ID
from shared.errors import SausatError

# while an import runs, its page reloads itself this often (seconds)
PROGRESS_REFRESH_SECONDS = 2
RUNNING_IMPORT_STATES = ("queued", "planning", "applying")


class DeadLetterForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    letter_id = fields.String(required=True, validate=validate.Regexp(LETTER_ID))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class TracePageQuery(LanguageQuery):
    subject_id = Id(metadata={"description": "a concern, case or visit id"})


class ImportPath(Schema):
    import_id = Id(required=True)


class CoveragePageQuery(LanguageQuery):
    on = Day()


ROUTES = {
    ("GET", "/app/operator/queues"): page_route("Operator: queues, backlog, dead letters"),
    ("GET", "/app/operator/events"): page_route("Operator: the audit trail of events",
                                                query=ListQuery),
    ("GET", "/app/operator/dead-letters"): page_route(
        "Operator: dead letters, to replay or discard"),
    ("POST", "/app/operator/dead-letters/replay"): page_route(
        "Operator: replay one dead letter", form=DeadLetterForm),
    ("POST", "/app/operator/dead-letters/discard"): page_route(
        "Operator: discard one dead letter, saying why", form=DeadLetterForm),
    ("GET", "/app/operator/alerts"): page_route("Operator: alerts"),
    ("GET", "/app/operator/trace"): page_route("Operator: a concern's journey",
                                               query=TracePageQuery),
    ("GET", "/app/admin/imports"): page_route("Administrator: imports, newest first"),
    ("POST", "/app/admin/imports"): Route(
        "Administrator: start an import from the import page (session cookie and "
        "X-CSRF-Token)", ImportJob, "pages", status=202, body=StartImport, public=True,
        errors=(400, 401, 403, 413, 415, 422),
        description="What POST /imports does, for the page's script (which reads the chosen "
                    "file into base64): the answer carries url, the import's progress page; "
                    "refusals with their fields in the user's language."),
    ("GET", "/app/admin/imports/template"): Route(
        "Administrator: download the import template (session cookie)", (XLSX_MEDIA_TYPE,),
        "pages", public=True, errors=(403,),
        description="What GET /imports/template gives, from the import page's link; "
                    "without a session, 303 to the sign-in page."),
    ("GET", "/app/admin/imports/<import_id>"): page_route(
        "Administrator: an import's progress and row report", path=ImportPath),
    ("GET", "/app/admin/imports/<import_id>/report.csv"): Route(
        "Administrator: an import's row report as CSV (session cookie)", (CSV_MEDIA_TYPE,),
        "pages", path=ImportPath, public=True, errors=(403, 404),
        description="Each row the job lists (rejected, refused, or a members row's outcome) "
                    "by sheet and line, in the words of the import page."),
    ("GET", "/app/admin/coverage"): page_route(
        "Administrator: branches visited this quarter per committee, with a chart",
        query=CoveragePageQuery),
}


def coverage_rows(committees):
    """Committees with the share visited as a whole per cent (for the bars)."""
    return [{**c, "pct": round(100 * (c["share_visited"] or 0))} for c in committees]


class OperationsPagesApi(PagesApi):
    # --- operator ---------------------------------------------------------------------------

    @http("GET", "/app/operator/queues")
    def queues_page(self, request):
        def build(view):
            queues = self.monitor.queue_overview(view.principal)
            return view.render("operator_queues.html", queues=queues)
        return self._page(request, "monitor.read", build)

    @http("GET", "/app/operator/events")
    def events_page(self, request):
        def build(view):
            page = self.monitor.recent_events(page_query(request), view.principal)
            return view.render("operator_events.html", events=page["events"],
                               next_cursor=page["next_cursor"])
        return self._page(request, "monitor.read", build)

    @http("GET", "/app/operator/dead-letters")
    def dead_letters_page(self, request):
        return self._page(request, "monitor.read", self._dead_letters_view)

    def _dead_letters_view(self, view, status=200, errors=None, failed=None):
        letters = self.monitor.dead_letters({"limit": 100}, view.principal)
        actions = self.monitor.dead_letter_actions({"limit": 20}, view.principal)
        return view.render("operator_dead_letters.html", status, queues=letters["queues"],
                           actions=actions["actions"], errors=errors or {}, failed=failed,
                           done=query_args(view.request).get("done"))

    @http("POST", "/app/operator/dead-letters/replay")
    def replay_page(self, request):
        return self._act_on_letter(request, "replay")

    @http("POST", "/app/operator/dead-letters/discard")
    def discard_page(self, request):
        return self._act_on_letter(request, "discard")

    def _act_on_letter(self, request, action):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            selection = {"letter_ids": [form["letter_id"]]}
            if form["reason"].strip() or action == "discard":
                selection["reason"] = form["reason"]
            try:
                if action == "replay":
                    self.monitor.replay_dead_letters(selection, view.principal)
                else:
                    self.monitor.discard_dead_letters(selection, view.principal)
            except SausatError as error:
                if error.status not in (400, 404, 409, 422):
                    raise
                errors = view.errors(error)
                errors.setdefault("_action", i18n.refusal(error, view.language))
                return self._dead_letters_view(view, page_status(error), errors,
                                               form["letter_id"])
            return redirect("/app/operator/dead-letters")
        return self._page(request, "monitor.operate", build)

    @http("GET", "/app/operator/alerts")
    def alerts_page(self, request):
        def build(view):
            alerts = self.monitor.list_alerts({"state": "all", "limit": 100}, view.principal)
            return view.render("operator_alerts.html", alerts=alerts["alerts"])
        return self._page(request, "monitor.read", build)

    @http("GET", "/app/operator/trace")
    def trace_page(self, request):
        def build(view):
            subject_id = query_args(request).get("subject_id")
            trace = self.monitor.trace(subject_id, view.principal) if subject_id else None
            return view.render("operator_trace.html", subject_id=subject_id or "", trace=trace)
        return self._page(request, "monitor.read", build)

    # --- administrator ----------------------------------------------------------------------

    @http("GET", "/app/admin/imports")
    def imports_page(self, request):
        def build(view):
            page = self.imports.list_imports({"limit": 50}, view.principal)
            return view.render("admin_imports.html", imports=page["imports"],
                               max_bytes=MAX_FILE_BYTES, words=import_words(view.language))
        return self._page(request, "registry.import", build)

    @http("POST", "/app/admin/imports")
    def start_import_from_page(self, request):
        def start(principal):
            job = self.imports.start_import(json_body(request), principal)
            job["url"] = f"/app/admin/imports/{job['import_id']}"
            return job, 202
        return self._from_script(request, "registry.import", start)

    @http("GET", "/app/admin/imports/template")
    def import_template_page(self, request):
        return self._page(request, "registry.import", lambda view: file_response(
            self.imports.import_template(view.principal)))

    @http("GET", "/app/admin/imports/<import_id>")
    def import_page(self, request, import_id):
        def build(view):
            job = self.imports.get_import(import_id, view.principal)
            running = job["state"] in RUNNING_IMPORT_STATES
            return view.render("admin_import.html", job=job, running=running,
                               refresh=PROGRESS_REFRESH_SECONDS)
        return self._page(request, "registry.import", build)

    @http("GET", "/app/admin/imports/<import_id>/report.csv")
    def import_report_page(self, request, import_id):
        def build(view):
            job = self.imports.get_import(import_id, view.principal)
            return Response(row_report_csv(job, view.language), content_type=CSV_MEDIA_TYPE,
                            headers={"Content-Disposition":
                                     f'attachment; filename="bao-cao-nhap-{import_id}.csv"'})
        return self._page(request, "registry.import", build)

    @http("GET", "/app/admin/coverage")
    def coverage_page(self, request):
        def build(view):
            query = {"format": "json"}
            if query_args(request).get("on"):
                query["on"] = query_args(request)["on"]
            report = self.imports.committee_coverage(query, view.principal)
            return view.render("admin_coverage.html", report=report,
                               rows=coverage_rows(report["committees"]))
        return self._page(request, "coverage.read", build)


def import_words(language):
    """The words the import page's script needs, in the page's language."""
    keys = ("uploading", "choose_file_first", "file_too_large", "import_refused", "unavailable",
            "session_expired")
    return {key: i18n.text(key, language, **({"limit": MAX_FILE_BYTES // 1000}
                                             if key == "file_too_large" else {}))
            for key in keys}
