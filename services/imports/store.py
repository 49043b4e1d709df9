"""The imports service's collections, the only module that reads or writes them.

Import jobs (``imports``), each with its uploaded file (``import_files``) and its valid rows
(``import_rows``, one document per row, ``<job id>:<seq>``); and the read model of the registry
and of visits kept from events (``units``, ``cadres``, ``assignments``, ``working_groups``,
``visits``, ``cadre_visits``, ``planned_attendances``). Every write of the read model has
one effect however often it comes (upserts keyed by the registry's ids, ``$max`` for last
visits, inserts keyed by visit id), so an event seen twice changes nothing. Example::

    add_job(db, job, upload["content_base64"])      # the file first, then the job
    claim_job(db, job_id, owner, until, now)        # the job, leased, or None
    keep_visit(db, visit)                           # a visit_logged, once
    units_of_level(db, "branch")
"""
from pymongo import ReturnDocument, UpdateOne

from shared.pages import read_page
from shared.storage import DuplicateKeyError

# a finished job's rows and file are kept this long (its report stays in the job document)
FILES_KEPT_SECONDS = 7 * 86400
READ_MODEL_INDEXES = {
    "units": [([("level", 1), ("_id", 1)], {}), ([("level", 1), ("last_visit_on", 1)], {})],
    "assignments": [([("starts_on", 1)], {}), ([("cadre_id", 1), ("unit_id", 1)], {})],
    "visits": [([("meeting_date", 1)], {})],
    "cadres": [],
    "cadre_visits": [],
    "working_groups": [([("starts_on", 1)], {})],
    # the committees' attendance plans (attendance_planned), by meeting day
    "planned_attendances": [([("meeting_on", 1)], {})],
}
INDEXES = {
    "imports": [([("state", 1), ("_id", 1)], {}), ([("created_at", -1), ("_id", -1)], {})],
    "import_rows": [([("job_id", 1), ("seq", 1)], {}),
                    ([("job_id", 1), ("state", 1), ("wave", 1), ("seq", 1)], {}),
                    ([("expires_at", 1)], {"expireAfterSeconds": FILES_KEPT_SECONDS})],
    # uploads wait here until read, and a while after for a second look
    "import_files": [([("expires_at", 1)], {"expireAfterSeconds": FILES_KEPT_SECONDS})],
    **READ_MODEL_INDEXES,
}
LIST_ORDER = [("created_at", -1), ("_id", -1)]
# what a list of jobs leaves out: the row reports and who asked
LISTED = {"rejections": 0, "failures": 0, "principal": 0}


# --- import jobs -----------------------------------------------------------------------------

def add_job(db, job, content_base64):
    # the file first: a job is only ever found with its file stored
    db.import_files.insert_one({"_id": job["_id"], "content_base64": content_base64,
                                "expires_at": job["created_at"]})
    db.imports.insert_one(job)


def find_job(db, job_id):
    """The job, or None."""
    return db.imports.find_one({"_id": job_id})


def jobs_page(db, query):
    return read_page(db.imports, {}, LIST_ORDER, query, LISTED)


def jobs_needing_work(db, states, limit=20):
    """The ids of the first ``limit`` jobs in one of ``states``, oldest first."""
    return [job["_id"] for job in db.imports.find({"state": {"$in": list(states)}},
                                                  {"_id": 1}).sort("_id", 1).limit(limit)]


def claim_job(db, job_id, states, owner, lease_until, now):
    """The job, leased to ``owner`` until ``lease_until``, or None while another live
    instance holds it (or it is no longer in one of ``states``)."""
    return db.imports.find_one_and_update(
        {"_id": job_id, "state": {"$in": list(states)},
         "$or": [{"lease_until": {"$lt": now}}, {"owner": owner}]},
        {"$set": {"owner": owner, "lease_until": lease_until}},
        return_document=ReturnDocument.AFTER)


def renew_job(db, job_id, owner, changes, lease_until, now):
    """Write ``changes`` with a renewed lease; False if ``owner`` lost the lease meanwhile."""
    result = db.imports.update_one(
        {"_id": job_id, "owner": owner},
        {"$set": {**changes, "lease_until": lease_until, "updated_at": now}})
    return result.matched_count == 1


def count_wave(db, job_id, owner, applied, failures, lease_until, now):
    """Add a wave's applied rows and failures to the job, renewing the lease; False if
    ``owner`` lost it meanwhile."""
    update = {"$inc": {"progress.applied": applied, "progress.failed": len(failures)},
              "$set": {"lease_until": lease_until, "updated_at": now}}
    if failures:
        update["$push"] = {"failures": {"$each": failures}}
    return db.imports.update_one({"_id": job_id, "owner": owner}, update).matched_count == 1


def count_attempt(db, job_id, owner):
    """One more failed try of the job; how many there were, or None if ``owner`` lost it."""
    job = db.imports.find_one_and_update({"_id": job_id, "owner": owner},
                                         {"$inc": {"attempts": 1}},
                                         return_document=ReturnDocument.AFTER)
    return None if job is None else job["attempts"]


def let_files_expire(db, job_id, now):
    """A finished job's rows and file go FILES_KEPT_SECONDS after ``now``."""
    db.import_rows.update_many({"job_id": job_id}, {"$set": {"expires_at": now}})
    db.import_files.update_one({"_id": job_id}, {"$set": {"expires_at": now}})


def job_file(db, job_id):
    """The uploaded file, base64."""
    return db.import_files.find_one({"_id": job_id})["content_base64"]


def forget_rows(db, job_id):
    db.import_rows.delete_many({"job_id": job_id})


def add_rows(db, rows):
    db.import_rows.insert_many(rows)


def rows_of(db, job_id):
    return list(db.import_rows.find({"job_id": job_id}).sort("seq", 1))


def mark_rows(db, marks):
    """``marks``: ``[(row id, {field: value})]``, written in one call."""
    db.import_rows.bulk_write([UpdateOne({"_id": row_id}, {"$set": fields})
                               for row_id, fields in marks])


def next_planned_rows(db, job_id, limit):
    """The first ``limit`` rows still to apply, by wave then order in the file."""
    return list(db.import_rows.find({"job_id": job_id, "state": "planned"})
                .sort([("wave", 1), ("seq", 1)]).limit(limit))


def row_outcomes(db, job_id, limit):
    """The first ``limit`` applied rows saying their outcome, in the file's order:
    ``[{sheet, line, outcome}]``."""
    return [{"sheet": row["sheet"], "line": row["line"], "outcome": row["outcome"]}
            for row in db.import_rows.find({"job_id": job_id, "state": "applied",
                                            "outcome": {"$exists": True}},
                                           {"sheet": 1, "line": 1, "outcome": 1})
            .sort("seq", 1).limit(limit)]


def count_rows(db, job_id, state):
    return db.import_rows.count_documents({"job_id": job_id, "state": state})


# --- the read model: the registry and visits as events told them ------------------------------

def register_unit(db, unit_id, fields):
    # a reorganisation seen first says how the unit stands now: the registration adds nothing
    _set_or_insert(db.units, unit_id, {"reorganised_on": {"$exists": False}}, fields)


def reorganise_unit(db, unit_id, day, fields):
    """The unit as it stands from ``day``; an older operation arriving after a newer one
    changes nothing."""
    _set_or_insert(db.units, unit_id, {"$or": [
        {"reorganised_on": {"$exists": False}}, {"reorganised_on": {"$lte": day}}]}, fields)


def form_working_group(db, group):
    try:  # a change seen first holds the group as it stands later
        db.working_groups.insert_one(group)
    except DuplicateKeyError:
        pass


def change_working_group(db, group):
    group = dict(group)
    db.working_groups.update_one({"_id": group.pop("_id")}, {"$set": group}, upsert=True)


def keep_cadre(db, cadre_id, fields):
    db.cadres.update_one({"_id": cadre_id}, {"$set": fields}, upsert=True)


def keep_assignment(db, assignment_id, fields):
    db.assignments.update_one({"_id": assignment_id}, {"$set": fields}, upsert=True)


def keep_visit(db, visit):
    """A visit, and the last visit of its unit and of its cadre at that unit."""
    day = visit["meeting_date"]
    try:
        db.visits.insert_one(visit)
    except DuplicateKeyError:
        pass  # seen before; the $max below are idempotent anyway
    db.units.update_one({"_id": visit["unit_id"]}, {"$max": {"last_visit_on": day}},
                        upsert=True)
    db.cadre_visits.update_one(
        {"_id": f"{visit['cadre_id']}:{visit['unit_id']}"},
        {"$set": {"cadre_id": visit["cadre_id"], "unit_id": visit["unit_id"]},
         "$max": {"last_visit_on": day}}, upsert=True)


def keep_planned_attendance(db, plan_id, fields):
    # one entry per meeting, never changed once made: told again, the same upsert
    db.planned_attendances.update_one({"_id": plan_id}, {"$set": fields}, upsert=True)


def _set_or_insert(collection, _id, condition, fields):
    """``$set`` ``fields`` where ``condition`` holds; insert them if there is no document."""
    if collection.update_one({"_id": _id, **condition}, {"$set": fields}).matched_count == 0:
        try:
            collection.insert_one({"_id": _id, **fields})
        except DuplicateKeyError:
            pass  # the document exists and the condition says to leave it


def unit_view(doc):
    return {"unit_id": doc["_id"], "name": doc.get("name"), "level": doc.get("level"),
            "parent_id": doc.get("parent_id"), "path": doc.get("path") or [doc["_id"]],
            "last_visit_on": doc.get("last_visit_on"), "since": doc.get("since"),
            "ended_on": doc.get("ended_on")}


def working_groups_started_by(db, day):
    return [{"working_group_id": doc["_id"], "unit_ids": doc["unit_ids"],
             "starts_on": doc["starts_on"], "ends_on": doc.get("ends_on")}
            for doc in db.working_groups.find({"starts_on": {"$lte": day}})]


def units_of_level(db, level):
    query = {"level": level} if level else {"level": {"$ne": None}}
    return [unit_view(doc) for doc in db.units.find(query).sort("_id", 1)]


def units_by_id(db, unit_ids):
    return {doc["_id"]: unit_view(doc) for doc in db.units.find({"_id": {"$in": list(unit_ids)}})}


def assignments_started_by(db, day):
    return [{"assignment_id": doc["_id"], "cadre_id": doc["cadre_id"],
             "unit_id": doc["unit_id"], "starts_on": doc["starts_on"],
             "ends_on": doc.get("ends_on"), "end_reason": doc.get("end_reason")}
            for doc in db.assignments.find({"starts_on": {"$lte": day}})]


def visited_units(db, first_day, last_day):
    return {doc["unit_id"] for doc in db.visits.find(
        {"meeting_date": {"$gte": first_day, "$lte": last_day}}, {"unit_id": 1})}


def planned_between(db, first_day, last_day=None):
    """Plan entries whose meeting falls from ``first_day`` to ``last_day`` (None: any later),
    by day: ``{plan_id, unit_id, meeting_on, attendee_cadre_ids}``."""
    days = {"$gte": first_day, **({"$lte": last_day} if last_day else {})}
    return [{"plan_id": doc["_id"], "unit_id": doc["unit_id"], "meeting_on": doc["meeting_on"],
             "attendee_cadre_ids": doc["attendee_cadre_ids"]}
            for doc in db.planned_attendances.find({"meeting_on": days})
            .sort([("meeting_on", 1), ("_id", 1)])]


def own_visits(db, pairs):
    ids = [f"{cadre_id}:{unit_id}" for cadre_id, unit_id in pairs]
    return {(doc["cadre_id"], doc["unit_id"]): doc["last_visit_on"]
            for doc in db.cadre_visits.find({"_id": {"$in": ids}})}


def cadres_by_id(db, cadre_ids=None):
    query = {} if cadre_ids is None else {"_id": {"$in": list(cadre_ids)}}
    return {doc["_id"]: {"cadre_id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}
            for doc in db.cadres.find(query).sort("_id", 1)}
