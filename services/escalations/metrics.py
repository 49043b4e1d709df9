"""The escalations service's own Prometheus gauges: cases by state and overdue cases.

Counted from indexes (``status``; ``due_at``) every refresh of ``shared.gauges.Gauges``, never
at scrape time, so a scrape costs no query however many cases there are."""
import datetime as dt

from services.escalations import store
from services.escalations.case_life import STATES

GAUGES = {
    "sausat_cases": ("Cases by state", "state"),
    # the deadline sweep escalates them within SWEEP_INTERVAL_SECONDS: one that stays is stuck
    "sausat_cases_overdue": ("Open cases whose running deadline has passed, not yet "
                             "escalated", None),
}


def case_figures(db, now=None):
    by_state, overdue = store.count_cases(db, STATES, now or dt.datetime.now(dt.timezone.utc))
    figures = {("sausat_cases", state): count for state, count in by_state.items()}
    figures[("sausat_cases_overdue", None)] = overdue
    return figures
