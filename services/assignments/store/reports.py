"""The periodic report in the store: the concerns raised at branches with what became of their
cases (a read model kept from events, ``reporting_events``) and the report jobs with their
results. The only module touching these collections."""

CONCERNS, JOBS = "report_concerns", "report_jobs"
INDEXES = {
    CONCERNS: [([("unit_path", 1), ("raised_on", 1)], {})],
    JOBS: [([("status", 1), ("requested_at", 1)], {}),
           ([("committee_unit_id", 1), ("requested_at", -1)], {})],
}


def record_concern(db, concern_id, fields):
    """What the concern's own event says (topic, branch, day): the same again, the same."""
    db[CONCERNS].update_one({"_id": concern_id}, {"$set": fields}, upsert=True)


def record_case_fact(db, concern_id, event_id, fact):
    """One fact of the concern's case, keyed by its event: redelivered, it is written again
    over itself; heard before the concern, it waits in a document the concern completes."""
    db[CONCERNS].update_one({"_id": concern_id}, {"$set": {f"facts.{event_id}": fact}},
                            upsert=True)


def concerns_raised_under(db, unit_id, first, last):
    return list(db[CONCERNS].find({"unit_path": unit_id,
                                   "raised_on": {"$gte": first, "$lte": last}}))


# --- report jobs ----------------------------------------------------------------------------

def insert_job(db, job):
    db[JOBS].insert_one(job)
    return job


def find_job(db, job_id):
    return db[JOBS].find_one({"_id": job_id})


def pending_jobs(db, limit=20):
    return list(db[JOBS].find({"status": "pending"}).sort("requested_at", 1).limit(limit))


def finish_job(db, job_id, changes):
    """The job's result kept, once: False when another run finished it first."""
    done = db[JOBS].update_one({"_id": job_id, "status": "pending"}, {"$set": changes})
    return done.modified_count == 1


def jobs_of_committee(db, committee_unit_id, limit=20):
    return list(db[JOBS].find({"committee_unit_id": committee_unit_id}, {"result": 0})
                .sort("requested_at", -1).limit(limit))
