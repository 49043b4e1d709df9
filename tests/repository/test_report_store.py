"""The periodic report's read model and jobs on every backend: a visit keeps its latest version
whatever order its versions come in (an older one after a newer one is dropped, not an error);
a case's fact waits for its concern; a job that cannot be computed is kept failed without
stopping the others, and a job is finished once."""
import datetime as dt

from services.assignments import reporting_jobs
from services.assignments.store import meetings as meeting_store
from services.assignments.store import reports as report_store

UTC = dt.timezone.utc


def version(number, present):
    return {"_id": "v1", "unit_id": "np", "meeting_date": "2026-11-18", "cadre_ids": ["binh"],
            "version": number, "attendance": {"present": present, "expected": 20}}


def test_a_visit_keeps_its_latest_version_in_any_order(database):
    meeting_store.record_attended(database, version(2, 19))
    meeting_store.record_attended(database, version(1, 15))   # the first log, late
    meeting_store.record_attended(database, version(2, 19))   # the amendment again
    [kept] = meeting_store.attended_at(database, ["np"], "2026-11-01", "2026-11-30")
    assert (kept["version"], kept["attendance"]["present"]) == (2, 19)
    meeting_store.record_attended(database, version(3, 20))
    assert meeting_store.attended_at(database, ["np"], "2026-11-01", "2026-11-30")[0][
        "attendance"]["present"] == 20


def test_a_case_fact_waits_for_its_concern(database):
    fact = {"kind": "answered", "on": "2026-11-20", "answer_by": "2026-11-27"}
    report_store.record_case_fact(database, "c1", "e1", fact)
    assert report_store.concerns_raised_under(database, "bx", "2026-11-01", "2026-11-30") == []
    report_store.record_concern(database, "c1", {"topic": "land", "unit_id": "np",
                                                 "unit_path": ["vp", "bx", "th", "np"],
                                                 "raised_on": "2026-11-18"})
    report_store.record_case_fact(database, "c1", "e1", fact)   # redelivered
    [concern] = report_store.concerns_raised_under(database, "bx", "2026-11-01", "2026-11-30")
    assert (concern["topic"], concern["facts"]) == ("land", {"e1": fact})


def test_a_job_that_cannot_be_computed_is_kept_failed_and_the_others_are_done(database):
    for job_id, period in (("broken", "not-a-period"), ("fine", "2026-11")):
        report_store.insert_job(database, {
            "_id": job_id, "committee_unit_id": "bx", "period": period, "status": "pending",
            "requested_at": dt.datetime(2026, 12, 1, tzinfo=UTC), "result": None})
    assert reporting_jobs.run_pending(database) == 2
    jobs = {job_id: report_store.find_job(database, job_id) for job_id in ("broken", "fine")}
    assert (jobs["broken"]["status"], jobs["broken"]["result"]) == ("failed", None)
    assert (jobs["fine"]["status"], jobs["fine"]["result"]["totals"]["meetings_held"]) == (
        "done", 0)
    assert reporting_jobs.run_pending(database) == 0            # each finished once
    assert not report_store.finish_job(database, "fine", {"status": "failed"})
