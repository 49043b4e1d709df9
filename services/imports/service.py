"""Imports service: administrators' spreadsheets into the registry and back out; coverage.

``start_import`` reads and checks the uploaded file at once (a file that cannot be read is
refused whole, naming the problem), stores the valid rows and the job, and answers; the job
then runs in the background (``jobs``): planned against the registry, then applied through
the registry's own idempotent RPCs (assignments, escalations), resumable after a restart.
``get_import`` shows its progress and row report. ``export_registry`` writes what the
registry holds in the columns the import reads. Coverage reports come from this service's
read model of registry and visit events (``readmodel``, rules in ``coverage``).
"""
import base64
import datetime as dt
from logging import getLogger

from nameko.rpc import RpcProxy

from services.imports import coverage, readmodel
from services.imports.dependencies import JobSettings, import_timer
from services.imports.intake import first_look
from services.imports.jobs import FILES_KEPT_SECONDS, JobRunner, RegistryCalls, all_pages, new_job
from services.imports.kinds import KINDS
from services.imports.parsing import FileRefused
from services.imports.writing import write_csv, write_xlsx
from shared.authorisation import principal_from, require
from shared.consumer import subscribe
from shared.contracts.rpc import imports as schemas
from shared.contracts.rpc.imports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from shared.errors import InvalidInput, NotFound, load_payload
from shared.pages import PageQuery, read_page
from shared.rpc import rpc
from shared.store import ReportsHealth, Store

_log = getLogger(__name__)

VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7))
LIST_ORDER = [("created_at", -1), ("_id", -1)]
EXPORTED_BY_RPC = {"units": ("assignments", "list_units", "units"),
                   "cadres": ("assignments", "list_cadres", "cadres"),
                   "working_groups": ("assignments", "list_working_groups", "working_groups"),
                   "authorities": ("escalations", "list_authorities", "authorities"),
                   "routing_rules": ("escalations", "list_routing_rules", "routing_rules")}


def today():
    return dt.datetime.now(VIETNAM_TIME).date()


class ImportsService(ReportsHealth):
    name = "imports"
    db = Store(indexes={
        "imports": [([("state", 1), ("_id", 1)], {}), ([("created_at", -1), ("_id", -1)], {})],
        "import_rows": [([("job_id", 1), ("seq", 1)], {}),
                        ([("job_id", 1), ("state", 1), ("wave", 1), ("seq", 1)], {}),
                        ([("expires_at", 1)], {"expireAfterSeconds": FILES_KEPT_SECONDS})],
        # uploads wait here until read, and a while after for a second look
        "import_files": [([("expires_at", 1)], {"expireAfterSeconds": FILES_KEPT_SECONDS})],
        **readmodel.INDEXES,
    })
    assignments = RpcProxy("assignments")
    escalations = RpcProxy("escalations")
    jobs = JobSettings()

    def _calls(self):
        return RegistryCalls({"assignments": self.assignments, "escalations": self.escalations})

    # --- import -------------------------------------------------------------------------------

    @rpc
    def start_import(self, upload, principal=None):
        principal = require(principal_from(principal), "registry.import")
        upload = load_payload(schemas.StartImport(), upload, "upload")
        data = base64.b64decode(upload["content_base64"])
        try:
            fmt = first_look(data, upload["filename"], upload["format"])
        except FileRefused as refused:
            raise InvalidInput("the file is refused; nothing was imported",
                               {"content_base64": [str(refused)]}) from None
        job = new_job(upload, fmt, principal)
        # the file first: a job is only ever found with its file stored
        self.db.import_files.insert_one({"_id": job["_id"],
                                         "content_base64": upload["content_base64"],
                                         "expires_at": job["created_at"]})
        self.db.imports.insert_one(job)
        _log.info("import %s of %s (%s, %d bytes) queued", job["_id"], upload["filename"],
                  fmt, len(data))
        return schemas.ImportJob().dump(job)

    @rpc
    def get_import(self, import_id, principal=None):
        require(principal_from(principal), "registry.import")
        job = self.db.imports.find_one({"_id": import_id})
        if job is None:
            raise NotFound("import not found", {"import_id": [str(import_id)]})
        return schemas.ImportJob().dump(job)

    @rpc
    def list_imports(self, query=None, principal=None):
        require(principal_from(principal), "registry.import")
        query = load_payload(PageQuery(), query or {}, "query")
        page = read_page(self.db.imports, {}, LIST_ORDER, query,
                         {"rejections": 0, "failures": 0, "principal": 0})
        return {"imports": schemas.ImportSummary(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}

    @import_timer
    def carry_imports(self):
        runner = JobRunner(self.db, self._calls(), self.jobs.owner, self.jobs.lease_seconds)
        while runner.work() is not None:
            pass

    # --- export -------------------------------------------------------------------------------

    @rpc
    def export_registry(self, query, principal=None):
        require(principal_from(principal), "registry.export")
        query = load_payload(schemas.ExportQuery(), query, "query")
        kind = KINDS[query["kind"]]
        columns = [column.name for column in kind.columns]
        if kind.name in EXPORTED_BY_RPC:
            service, method, listed = EXPORTED_BY_RPC[kind.name]
            rows = all_pages(self._calls(), service, method, listed)
        else:
            day = today().isoformat()
            rows = sorted((a for a in readmodel.assignments_started_by(self.db, day)
                           if coverage.in_force(a, day)),
                          key=lambda a: (a["cadre_id"], a["unit_id"]))
        rows = [kind.cells_of(row) for row in rows]
        if query["format"] == "xlsx":
            data, media_type = write_xlsx({kind.name: (columns, rows)}), XLSX_MEDIA_TYPE
        else:
            data, media_type = write_csv(columns, rows), CSV_MEDIA_TYPE
        return {"filename": f"{kind.name}.{query['format']}", "media_type": media_type,
                "rows": len(rows), "content_base64": base64.b64encode(data).decode("ascii")}

    # --- coverage -----------------------------------------------------------------------------

    @subscribe("coverage")
    def record(self, event):
        readmodel.record(self.db, event)

    @subscribe("registry")
    def follow_registry(self, event):
        readmodel.record(self.db, event)

    def _load(self, schema, query, principal):
        require(principal_from(principal), "coverage.read")
        query = load_payload(schema, query or {}, "query")
        return query, (query["on"] or today()).isoformat()

    @rpc
    def unassigned_units(self, query=None, principal=None):
        query, day = self._load(schemas.UnassignedQuery(), query, principal)
        units = readmodel.units_of_level(self.db, query["level"])
        found = coverage.unassigned(units, readmodel.assignments_started_by(self.db, day), day,
                                    readmodel.working_groups_started_by(self.db, day))
        return _report(query, {"on": day, "level": query["level"], "count": len(found),
                               "units": found}, "units", ["unit_id", "name", "level"])

    @rpc
    def stale_branches(self, query=None, principal=None):
        query, day = self._load(schemas.StaleQuery(), query, principal)
        branches = readmodel.units_of_level(self.db, query["level"])
        found = coverage.stale_branches(branches, day, query["days"])
        return _report(query, {"on": day, "days": query["days"], "count": len(found),
                               "branches": found}, "branches",
                       ["unit_id", "name", "level", "last_visit_on", "days_since_visit"])

    @rpc
    def cadre_units(self, query=None, principal=None):
        query, day = self._load(schemas.CadresCoverageQuery(), query, principal)
        assignments = [a for a in readmodel.assignments_started_by(self.db, day)
                       if query["cadre_id"] in (None, a["cadre_id"])]
        units = readmodel.units_by_id(self.db, {a["unit_id"] for a in assignments})
        own = readmodel.own_visits(self.db, {(a["cadre_id"], a["unit_id"]) for a in assignments})
        by_cadre = coverage.per_cadre(assignments, units, own, day)
        names = readmodel.cadres_by_id(self.db, by_cadre)
        cadres = [{"cadre_id": cadre_id, "full_name": names.get(cadre_id, {}).get("full_name"),
                   "units": held} for cadre_id, held in by_cadre.items()]
        flat = [{"cadre_id": c["cadre_id"], "full_name": c["full_name"], **unit}
                for c in cadres for unit in c["units"]]
        report = {"on": day, "cadres": cadres}
        if query["format"] == "csv":
            report["csv"] = _csv(["cadre_id", "full_name", "unit_id", "name", "level", "since",
                                  "last_visit_on", "own_last_visit_on"], flat)
        return report

    @rpc
    def committee_coverage(self, query=None, principal=None):
        query, day = self._load(schemas.CommitteesQuery(), query, principal)
        first, last = coverage.quarter_of(dt.date.fromisoformat(day))
        committees = [unit for unit in readmodel.units_of_level(self.db, query["committee_level"])
                      if coverage.exists_on(unit, day)]
        branches = [unit for unit in readmodel.units_of_level(self.db, query["level"])
                    if coverage.exists_on(unit, day)]
        visited = readmodel.visited_units(self.db, first, min(last, day))
        found = coverage.per_committee(committees, branches, visited)
        return _report(query, {"on": day, "quarter": {"from": first, "to": last},
                               "committees": found}, "committees",
                       ["unit_id", "name", "level", "branches", "visited", "share_visited"])


def _report(query, report, listed, columns):
    if query["format"] == "csv":
        report["csv"] = _csv(columns, report[listed])
    return report


def _csv(columns, rows):
    return write_csv(columns, rows).decode("utf-8")
