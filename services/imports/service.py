"""Imports service: administrators' spreadsheets into the registry and back out; coverage.

``start_import`` reads and checks the uploaded file at once (a file that cannot be read is
refused whole, naming the problem), stores the valid rows and the job, and answers; the job
then runs in the background (``jobs``): planned against the registry, then applied through
the registry's own idempotent RPCs (assignments, escalations), resumable after a restart.
``get_import`` shows its progress and row report. ``export_registry`` writes what the
registry holds in the columns the import reads. Coverage reports (``queries``, rules in
``coverage``) come from this service's read model of registry and visit events
(``reactions``); every collection is read and written in ``store``.
"""


from services.imports import queries, reactions, store
from services.imports.dependencies import JobSettings, import_timer
from services.imports.jobs import JobRunner, accept_upload
from services.imports.registry_calls import RegistryCalls
from shared.authorisation import principal_from, require
from shared.consumer import subscribe
from shared.contracts.rpc import imports as schemas
from shared.errors import load_payload
from shared.pages import PageQuery
from shared.rpc import IdentifiedRpcProxy, rpc
from shared.store import ReportsHealth, Store


class ImportsService(ReportsHealth):
    name = "imports"
    db = Store(indexes=store.INDEXES)
    # the registry: rows are applied through its RPCs, and read from them
    assignments = IdentifiedRpcProxy("assignments")
    escalations = IdentifiedRpcProxy("escalations")
    # a members sheet's rows, a window at a time (docs/members.md)
    members = IdentifiedRpcProxy("members")
    jobs = JobSettings()

    # --- import -------------------------------------------------------------------------------

    @rpc
    def start_import(self, upload, principal=None):
        principal = require(principal_from(principal), "registry.import")
        upload = load_payload(schemas.StartImport(), upload, "upload")
        return schemas.ImportJob().dump(accept_upload(self.db, upload, principal,
                                                         self.jobs.limits))

    @rpc
    def get_import(self, import_id, principal=None):
        require(principal_from(principal), "registry.import")
        return schemas.ImportJob().dump(queries.get_import(self.db, import_id))

    @rpc
    def list_imports(self, query=None, principal=None):
        require(principal_from(principal), "registry.import")
        query = load_payload(PageQuery(), query or {}, "query")
        page = queries.list_imports(self.db, query)
        return {"imports": schemas.ImportSummary(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}

    @import_timer
    def carry_imports(self):
        registry = RegistryCalls({"assignments": self.assignments,
                                  "escalations": self.escalations, "members": self.members})
        JobRunner(self.db, registry, self.jobs.owner, self.jobs.lease_seconds,
                  self.jobs.limits, bulk_rows=self.jobs.bulk_rows).work()

    # --- export -------------------------------------------------------------------------------

    @rpc
    def export_registry(self, query, principal=None):
        require(principal_from(principal), "registry.export")
        query = load_payload(schemas.ExportQuery(), query, "query")
        registry = RegistryCalls({"assignments": self.assignments,
                                  "escalations": self.escalations})
        return queries.export_registry(self.db, registry, query, principal)

    @rpc
    def import_template(self, principal=None):
        """A workbook with every kind's sheet and columns, ready to fill in and import."""
        require(principal_from(principal), "registry.import")
        return queries.import_template()

    # --- coverage -----------------------------------------------------------------------------

    @subscribe("coverage")
    def record(self, event):
        reactions.record(self.db, event)

    @subscribe("registry")
    def follow_registry(self, event):
        reactions.record(self.db, event)

    @rpc
    def unassigned_units(self, query=None, principal=None):
        require(principal_from(principal), "coverage.read")
        query = load_payload(schemas.UnassignedQuery(), query or {}, "query")
        return queries.unassigned_units(self.db, query)

    @rpc
    def stale_branches(self, query=None, principal=None):
        require(principal_from(principal), "coverage.read")
        query = load_payload(schemas.StaleQuery(), query or {}, "query")
        return queries.stale_branches(self.db, query)

    @rpc
    def cadre_units(self, query=None, principal=None):
        require(principal_from(principal), "coverage.read")
        query = load_payload(schemas.CadresCoverageQuery(), query or {}, "query")
        return queries.cadre_units(self.db, query)

    @rpc
    def committee_coverage(self, query=None, principal=None):
        require(principal_from(principal), "coverage.read")
        query = load_payload(schemas.CommitteesQuery(), query or {}, "query")
        return queries.committee_coverage(self.db, query)
