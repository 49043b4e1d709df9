"""The periodic report's jobs: a committee's leading member (or an administrator) asks for a
month's, quarter's or year's report; the job is kept ``pending`` and the service's timer
computes it from the read model (``reporting``) and keeps the result, which the pages show and
the office downloads. Who may: as for the committee's plan (``planning``): a cadre holding one
of its leading seats, or an administrator; anyone else's request is refused (403) before
anything is written, and a job they may not read answers as not found (404)."""
from logging import getLogger

from services.assignments import (
    attendance,
    domain,
    history,
    planning,
    reporting,
    store,
    tree,
)
from services.assignments.store import meetings as meeting_store
from services.assignments.store import reports as report_store
from shared import contracts
from shared.authorisation import actor_of
from shared.errors import Forbidden, NotFound

_log = getLogger(__name__)
PENDING, DONE, FAILED = "pending", "done", "failed"


def _may_report(db, principal, committee_id, day):
    planning._seat_required(db, principal, committee_id, attendance.PLANNING_ROLES,
                            day, "a leading seat")


def request(db, committee_id, period_text, principal, today):
    """A new pending job for the committee's report of the period (checked first)."""
    period = reporting.ReportPeriod.parse(period_text)
    _may_report(db, principal, committee_id, today)
    committee = tree.unit_on(db, committee_id, min(today, period.last_day))
    return report_store.insert_job(db, {
        "_id": contracts.new_id(), "committee_unit_id": committee_id,
        "committee_name": committee["name"], "period": str(period), "status": PENDING,
        "requested_by": actor_of(principal), "requested_at": contracts.utcnow(),
        "generated_at": None, "result": None})


def recent(db, committee_id, principal, today):
    """The committee's latest reports asked for (without their figures), newest first."""
    _may_report(db, principal, committee_id, today)
    return report_store.jobs_of_committee(db, committee_id)


def job_of(db, job_id, principal, today):
    """The job with its result once done; one the principal may not read: not found."""
    job = report_store.find_job(db, job_id)
    try:
        if job is None:
            raise Forbidden("no such job")
        _may_report(db, principal, job["committee_unit_id"], today)
    except Forbidden:
        raise NotFound("report not found", {"job_id": [job_id]}) from None
    return job


def branches_under(db, committee_id, day):
    """The branches (units of the branch level) under the committee on ``day`` (ISO), each
    with the unit right under the committee it is part of (itself when directly under)."""
    found = []
    for unit in store.units_ever_under(db, [committee_id]):
        state = history.state_on(unit, day)
        if (state is not None and state["level"] == domain.WORKING_GROUP_UNIT_LEVEL
                and committee_id in state["path"][:-1]):
            path = state["path"]
            found.append({"unit_id": state["_id"], "name": state["name"],
                          "part_of": path[path.index(committee_id) + 1]})
    names = {unit["_id"]: (history.state_on(unit, day) or unit)["name"] for unit in
             store.units_named(db, sorted({b["part_of"] for b in found}))}
    return [{**branch, "part_of_name": names.get(branch["part_of"], branch["name"])}
            for branch in found]


def compute(db, committee_id, period):
    """The report's figures from the read model alone (no call to another service)."""
    first, last = period.first_day.isoformat(), period.last_day.isoformat()
    branches = branches_under(db, committee_id, last)
    return reporting.figures(
        period, branches,
        meeting_store.attended_at(db, [b["unit_id"] for b in branches], first, last),
        report_store.concerns_raised_under(db, committee_id, first, last),
        meeting_store.plans_of_committee(db, committee_id, first, last),
        store.cadres_at_home(db, committee_id))


def run_pending(db):
    """Every pending job computed and kept once; one that fails is marked failed (logged)."""
    done = 0
    for job in report_store.pending_jobs(db):
        try:
            changes = {"status": DONE, "result": compute(
                db, job["committee_unit_id"], reporting.ReportPeriod.parse(job["period"]))}
        except Exception:  # a job must not stop the others: kept failed, the cause logged
            _log.exception("report job %s failed", job["_id"])
            changes = {"status": FAILED}
        done += report_store.finish_job(db, job["_id"], {
            **changes, "generated_at": contracts.utcnow()})
    return done
