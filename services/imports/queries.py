"""The imports service's reads: a job and the list of jobs, the registry exported in the
columns the import reads, and the coverage reports (rules in ``coverage``) from the read model.

Every coverage report is of one day, Vietnam's today unless the query names another
(``on``); a report asked ``format=csv`` carries its rows as CSV text too. Example::

    unassigned_units(db, {"on": None, "level": "grassroots", "format": "json"})
    # {"on": "2025-03-04", "level": "grassroots", "count": 2, "units": [...]}
"""
import base64
import datetime as dt

from services.imports import coverage, store
from services.imports.kinds import APPLY_ORDER, KINDS
from services.imports.registry_calls import all_pages
from services.imports.writing import write_csv, write_xlsx
from shared.clock import today
from shared.contracts.rpc.imports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from shared.errors import NotFound

# the kinds the registry lists itself: (service, paged RPC, the list in its answer)
EXPORTED_BY_RPC = {"units": ("assignments", "list_units", "units"),
                   "cadres": ("assignments", "list_cadres", "cadres"),
                   "working_groups": ("assignments", "list_working_groups", "working_groups"),
                   "authorities": ("escalations", "list_authorities", "authorities"),
                   "routing_rules": ("escalations", "list_routing_rules", "routing_rules")}
# kinds holding personal data (cadres' e-mail and telephone): the registry is told who asked,
# and records that reader (shared.personal_data), since this service publishes no events
PERSONAL = {"cadres"}


# --- import jobs -----------------------------------------------------------------------------

def get_import(db, import_id):
    job = store.find_job(db, import_id)
    if job is None:
        raise NotFound("import not found", {"import_id": [str(import_id)]})
    return job


def list_imports(db, query):
    return store.jobs_page(db, query)


# --- export ----------------------------------------------------------------------------------

def export_registry(db, calls, query, principal=None):
    """The file of one kind of record (``ExportQuery``): what the registry lists, or for
    assignments those in force today from the read model. ``principal``: who asked (a dict),
    handed on where the registry audits the read."""
    kind = KINDS[query["kind"]]
    columns = [column.name for column in kind.columns]
    if kind.name in EXPORTED_BY_RPC:
        service, method, listed = EXPORTED_BY_RPC[kind.name]
        also = (principal,) if kind.name in PERSONAL and principal is not None else ()
        rows = all_pages(calls, service, method, listed, *also)
    else:
        day = today().isoformat()
        rows = sorted((a for a in store.assignments_started_by(db, day)
                       if coverage.in_force(a, day)),
                      key=lambda a: (a["cadre_id"], a["unit_id"]))
    rows = [kind.cells_of(row) for row in rows]
    if query["format"] == "xlsx":
        data, media_type = write_xlsx({kind.name: (columns, rows)}), XLSX_MEDIA_TYPE
    else:
        data, media_type = write_csv(columns, rows), CSV_MEDIA_TYPE
    return {"filename": f"{kind.name}.{query['format']}", "media_type": media_type,
            "rows": len(rows), "content_base64": base64.b64encode(data).decode("ascii")}


TEMPLATE_FILENAME = "mau-nhap-danh-muc.xlsx"


def import_template():
    """A workbook to fill in and import: a sheet per kind in the order the import applies
    them, each named and headed as the import reads it (in Vietnamese), without rows."""
    sheets = {KINDS[name].sheet_labels[0]: (
        [KINDS[name].header_of(column.name) or column.name for column in KINDS[name].columns],
        []) for name in APPLY_ORDER}
    return {"filename": TEMPLATE_FILENAME, "media_type": XLSX_MEDIA_TYPE, "rows": 0,
            "content_base64": base64.b64encode(write_xlsx(sheets)).decode("ascii")}


# --- coverage --------------------------------------------------------------------------------

def report_day(query):
    """The day a coverage report is of: the query's ``on``, else today in Vietnam."""
    return (query["on"] or today()).isoformat()


def unassigned_units(db, query):
    day = report_day(query)
    units = store.units_of_level(db, query["level"])
    found = coverage.unassigned(units, store.assignments_started_by(db, day), day,
                                store.working_groups_started_by(db, day))
    return _report(query, {"on": day, "level": query["level"], "count": len(found),
                           "units": found}, "units", ["unit_id", "name", "level"])


def stale_branches(db, query):
    day = report_day(query)
    branches = store.units_of_level(db, query["level"])
    found = coverage.stale_branches(branches, day, query["days"],
                                    store.planned_between(db, day))
    return _report(query, {"on": day, "days": query["days"], "count": len(found),
                           "branches": found}, "branches",
                   ["unit_id", "name", "level", "last_visit_on", "days_since_visit",
                    "next_planned_on"])


def cadre_units(db, query):
    day = report_day(query)
    assignments = [a for a in store.assignments_started_by(db, day)
                   if query["cadre_id"] in (None, a["cadre_id"])]
    units = store.units_by_id(db, {a["unit_id"] for a in assignments})
    own = store.own_visits(db, {(a["cadre_id"], a["unit_id"]) for a in assignments})
    first, last = coverage.quarter_of(dt.date.fromisoformat(day))
    planned = store.planned_between(db, first)
    by_cadre = coverage.per_cadre(assignments, units, own, day, planned)
    in_quarter = coverage.planned_per_cadre(p for p in planned if p["meeting_on"] <= last)
    names = store.cadres_by_id(db, by_cadre)
    cadres = [{"cadre_id": cadre_id, "full_name": names.get(cadre_id, {}).get("full_name"),
               "planned_this_quarter": in_quarter.get(cadre_id, 0),
               "units": held} for cadre_id, held in by_cadre.items()]
    flat = [{"cadre_id": c["cadre_id"], "full_name": c["full_name"], **unit}
            for c in cadres for unit in c["units"]]
    report = {"on": day, "quarter": {"from": first, "to": last}, "cadres": cadres}
    if query["format"] == "csv":
        report["csv"] = _csv(["cadre_id", "full_name", "unit_id", "name", "level", "since",
                              "last_visit_on", "own_last_visit_on", "own_next_planned_on"],
                             flat)
    return report


def committee_coverage(db, query):
    day = report_day(query)
    first, last = coverage.quarter_of(dt.date.fromisoformat(day))
    committees = [unit for unit in store.units_of_level(db, query["committee_level"])
                  if coverage.exists_on(unit, day)]
    branches = [unit for unit in store.units_of_level(db, query["level"])
                if coverage.exists_on(unit, day)]
    visited = store.visited_units(db, first, min(last, day))
    planned = {entry["unit_id"] for entry in store.planned_between(db, first, last)}
    found = coverage.per_committee(committees, branches, visited, planned)
    return _report(query, {"on": day, "quarter": {"from": first, "to": last},
                           "committees": found}, "committees",
                   ["unit_id", "name", "level", "branches", "visited", "share_visited",
                    "planned", "share_planned", "planned_visited"])


def _report(query, report, listed, columns):
    if query["format"] == "csv":
        report["csv"] = _csv(columns, report[listed])
    return report


def _csv(columns, rows):
    return write_csv(columns, rows).decode("utf-8")
