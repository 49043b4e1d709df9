"""Spreadsheets into the registry and back out, and coverage: the administrator's tools.

An upload is a JSON body carrying the file in base64 (``filename``, ``content_base64``), so it
passes the same edge as every other body; the import then runs in the imports service and is
followed with ``GET /imports/<import_id>``.
"""
import base64

import eventlet
from marshmallow import Schema
from werkzeug.wrappers import Response

from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response, query_args
from services.gateway.edge.route import Route
from shared.contracts import Id
from shared.contracts.rpc import imports as schemas
from shared.contracts.rpc.imports import XLSX_MEDIA_TYPE
from shared.errors import Unavailable
from shared.pages import PageQuery
from shared.rpc import BoundedRpcProxy

CSV = "text/csv; charset=utf-8"
FILES = ("text/csv", XLSX_MEDIA_TYPE)
REPORT = ("application/json", "text/csv")
COVERAGE = "Coverage: JSON, or CSV with format=csv (administrator)."
# an export or a report reads the whole registry: it may take longer than a request's RPC
# timeout, and an administrator waits for a file
REPORT_WAIT_SECONDS = 120
# a two-line CSV of the demo data: importing it changes nothing (it is there already)
EXAMPLE_CSV = ("unit_id,name,level,kind,parent_id\n"
               "vinh-phuc,Đảng bộ tỉnh Vĩnh Phúc (Tỉnh ủy Vĩnh Phúc),province,,\n")


class ImportPath(Schema):
    import_id = Id(required=True)


ROUTES = {
    ("POST", "/imports"): Route(
        "Import a CSV or .xlsx file of units, cadres, assignments, authorities or routing "
        "rules (administrator)", schemas.ImportJob, "imports", status=202,
        body=schemas.StartImport, errors=(403, 413, 415),
        description="The file is read at once: one that cannot be read (its encoding, its "
                    "format, a missing column) is refused with 400 naming the problem. Its "
                    "rows are then planned and applied in the background; follow GET "
                    "/imports/{import_id}. A file with rejected rows changes nothing unless "
                    "accept_valid_rows is true; the same file twice changes nothing the "
                    "second time.",
        example={"filename": "don-vi.csv", "kind": "units",
                 "content_base64": base64.b64encode(EXAMPLE_CSV.encode()).decode()}),
    ("GET", "/imports"): Route(
        "Imports, newest first (administrator)", schemas.ImportsPage, "imports",
        query=PageQuery, errors=(403,)),
    ("GET", "/imports/<import_id>"): Route(
        "An import: its state, progress and row report (administrator)", schemas.ImportJob,
        "imports", path=ImportPath, errors=(403, 404)),
    ("GET", "/imports/template"): Route(
        "A workbook to fill in and import: every kind's sheet and columns (administrator)",
        (XLSX_MEDIA_TYPE,), "imports", errors=(403,),
        description="One sheet per kind in the order the import applies them, named and "
                    "headed in Vietnamese as the import reads them, without rows."),
    ("GET", "/exports"): Route(
        "The registry as a file the import reads back (administrator)", FILES, "imports",
        query=schemas.ExportQuery, errors=(403,),
        description="One kind per file, in the import's columns: CSV (UTF-8 with a "
                    "byte-order mark) or .xlsx."),
    ("GET", "/coverage/unassigned-units"): Route(
        "Units with no cadre assigned on the day (administrator)", REPORT, "imports",
        query=schemas.UnassignedQuery, errors=(403,), description=COVERAGE),
    ("GET", "/coverage/stale-branches"): Route(
        "Branches whose last attended meeting is older than N days (administrator)", REPORT,
        "imports", query=schemas.StaleQuery, errors=(403,), description=COVERAGE),
    ("GET", "/coverage/cadres"): Route(
        "Per cadre, their units with the last visit date (administrator)", REPORT, "imports",
        query=schemas.CadresCoverageQuery, errors=(403,), description=COVERAGE),
    ("GET", "/coverage/committees"): Route(
        "Per district-level committee, the share of its branches visited this quarter "
        "(administrator)", REPORT, "imports", query=schemas.CommitteesQuery, errors=(403,),
        description=COVERAGE),
}


class ImportsApi(Api):
    imports = BoundedRpcProxy("imports")

    @http("POST", "/imports")
    def start_import(self, request):
        principal = self._as(request, "registry.import")
        return json_response(self.imports.start_import(json_body(request), principal), 202)

    @http("GET", "/imports")
    def list_imports(self, request):
        principal = self._as(request, "registry.import")
        return json_response(self.imports.list_imports(query_args(request), principal))

    @http("GET", "/imports/<import_id>")
    def get_import(self, request, import_id):
        principal = self._as(request, "registry.import")
        return json_response(self.imports.get_import(import_id, principal))

    @http("GET", "/imports/template")
    def import_template(self, request):
        return file_response(self.imports.import_template(self._as(request, "registry.import")))

    @http("GET", "/exports")
    def export_registry(self, request):
        principal = self._as(request, "registry.export")
        return file_response(_waited(self.imports.export_registry, query_args(request),
                                     principal))

    def _coverage(self, request, method):
        principal = self._as(request, "coverage.read")
        report = _waited(getattr(self.imports, method), query_args(request), principal)
        if "csv" in report:
            return Response(report["csv"].encode("utf-8"), content_type=CSV)
        return json_response(report)

    @http("GET", "/coverage/unassigned-units")
    def unassigned_units(self, request):
        return self._coverage(request, "unassigned_units")

    @http("GET", "/coverage/stale-branches")
    def stale_branches(self, request):
        return self._coverage(request, "stale_branches")

    @http("GET", "/coverage/cadres")
    def cadre_units(self, request):
        return self._coverage(request, "cadre_units")

    @http("GET", "/coverage/committees")
    def committee_coverage(self, request):
        return self._coverage(request, "committee_coverage")


def file_response(exported):
    """A file the imports service made, to download under its name."""
    return Response(base64.b64decode(exported["content_base64"]),
                    mimetype=exported["media_type"].split(";")[0],
                    content_type=exported["media_type"],
                    headers={"Content-Disposition":
                             f'attachment; filename="{exported["filename"]}"'})


def _waited(method, *args):
    """The RPC's answer, waited for up to REPORT_WAIT_SECONDS instead of RPC_TIMEOUT_SECONDS."""
    reply = method.call_async(*args)
    try:
        with eventlet.Timeout(REPORT_WAIT_SECONDS):
            return reply.result()
    except eventlet.Timeout:
        raise Unavailable(f"imports did not answer within {REPORT_WAIT_SECONDS} s; retry later",
                          {"service": ["imports"]}) from None
