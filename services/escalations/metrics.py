"""The escalations service's own Prometheus gauges: cases by state and overdue cases.

Counted from indexes (``status``; ``due_at``) every refresh of ``shared.gauges.Gauges``, never
at scrape time, so a scrape costs no query however many cases there are."""
import datetime as dt

from services.escalations.case_life import STATES

GAUGES = {
    "sausat_cases": ("Cases by state", "state"),
    "sausat_cases_overdue": ("Open cases whose running deadline has passed", None),
}
INDEXES = [([("status", 1)], {}), ([("due_at", 1)], {})]


def case_figures(db, now=None):
    now = now or dt.datetime.now(dt.timezone.utc)
    figures = {("sausat_cases", state): db.cases.count_documents({"status": state})
               for state in STATES}
    # due_at is set only while a deadline runs (see case_life.deadline_fields)
    figures[("sausat_cases_overdue", None)] = db.cases.count_documents({"due_at": {"$lte": now}})
    return figures
