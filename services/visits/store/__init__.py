"""The visits service's collections: the only module that reads or writes them.

- ``visits``: each visit with its concerns, its versions and its outbox (one insert when logged,
  one update conditional on the version when amended);
- ``attendances``: one line per cadre a visit counts for (a cadre's history, a page at a time);
- the read model kept from other services' events: ``units``, ``assignments``,
  ``working_groups``, ``answers`` and ``concern_cases`` (each concern's case as the branch brief
  shows it). Every write there is safe to run twice and in any order (``reactions``);
- ``personal_data_reads``: who was shown which concerns' raisers, each with its
  ``personal_data_read`` event (``shared.personal_data``).

Example::

    unit = find_unit(db, "vp.bx.tam-hop.noi-phat")          # the document, or None
    stored = insert_visit(db, document, events)             # False: that submission is stored
"""
from services.visits.branch import EPOCH
from services.visits.store.upkeep import (  # noqa: F401 (re-exported: one store to callers)
    ANSWERS_TO_REQUESTS,
    anonymise_visit,
    record_answer_to_request,
    redact_case_view,
    rewrite_concern,
    set_raisers_held,
    set_receipt_codes,
    touch_visit,
    visits_after,
    visits_holding_raisers,
    visits_of_raiser,
    visits_without_raisers_held,
    whole_visit_of_concern,
)
from shared.outbox import push_events, with_events
from shared.pages import read_page
from shared.personal_data import COLLECTION as READS
from shared.personal_data import record_read
from shared.storage import DuplicateKeyError

OUTBOX_COLLECTIONS = ["visits", READS, ANSWERS_TO_REQUESTS]

VISIT_ORDER = [("meeting_date", -1), ("_id", -1)]
OPEN_ORDER = [("raised_on", -1), ("_id", 1)]
NO_VERSIONS = {"outbox": 0, "versions": 0}
LAST_VISITS = 5
MEETINGS_ONLY = {"record_kind": None}  # a contact's record (issue 29) is no meeting
# a fresh receipt code collides once in about 2.6e13 / codes issued: ten tries never all fail
RECEIPT_CODE_TRIES = 10

# the indexes the reads walk, and the visits' unique submission (VisitsService declares them)
INDEXES = {
    "visits": [
        ([("cadre_id", 1), ("submission_id", 1)], {"unique": True}),
        ([("concerns.concern_id", 1)], {}),
        ([("unit_id", 1), ("meeting_date", -1)], {}),
        ([("unit_id", 1), ("meeting_date", -1), ("_id", -1)], {}),
        ([("meeting_date", -1), ("_id", -1)], {}),
        ([("unscheduled_flag", 1), ("meeting_date", -1), ("_id", -1)], {}),
        ([("unscheduled_flag", 1), ("unit_id", 1), ("meeting_date", -1), ("_id", -1)], {}),
        # a cadre's own visits, newest meeting first (the pages' "my visits")
        ([("cadre_id", 1), ("meeting_date", -1), ("_id", -1)], {}),
        # the retention sweep: visits still holding raisers, the longest idle first
        ([("raisers_held", 1), ("last_activity_at", 1)], {}),
        # a request from a person: their concerns by name or contact (arrays: multikey)
        ([("concerns.raiser_key", 1)], {}), ([("concerns.raiser_contact_key", 1)], {}),
    ],
    "concern_cases": [
        ([("unit_id", 1), ("open", 1), ("raised_on", -1), ("_id", 1)], {}),
        ([("unit_id", 1), ("open", 1), ("due_on", 1)], {}),
        ([("unit_id", 1), ("to_read_out", 1), ("answered_at", 1)], {}),
        ([("case_id", 1)], {}),
    ],
    # one line per cadre a visit counts for: a cadre's history a page at a time
    "attendances": [
        ([("cadre_id", 1), ("meeting_date", -1), ("_id", -1)], {}),
        ([("cadre_id", 1), ("unit_id", 1), ("meeting_date", -1), ("_id", -1)], {}),
        ([("visit_id", 1)], {}),
    ],
    "working_groups": [([("members.cadre_id", 1)], {})],
    # the raisers' mail addresses (issue 30): by unsubscribe token, and closed cases' by day
    "raiser_addresses": [([("token", 1)], {"unique": True}), ([("closed_at", 1)], {})],
    "assignments": [([("cadre_id", 1), ("unit_id", 1)], {})],
}


# --- who is where (the read model) -----------------------------------------------------------

def find_unit(db, unit_id):
    return db.units.find_one({"_id": unit_id})


def assignments_of(db, cadre_id, unit_id):
    """The cadre's assignments to the unit, ended or not."""
    return list(db.assignments.find({"cadre_id": cadre_id, "unit_id": unit_id}))


def knows_assignment(db, cadre_id, unit_id):
    return db.assignments.find_one({"cadre_id": cadre_id, "unit_id": unit_id}) is not None


def groups_of(db, cadre_id):
    """The working groups ``cadre_id`` is a member of."""
    return list(db.working_groups.find({"members.cadre_id": cadre_id}))


def find_working_group(db, working_group_id):
    return db.working_groups.find_one({"_id": working_group_id})


def record_assignment(db, assignment_id, cadre_id, unit_id, starts_on):
    # the end is set by its own upsert: an end arriving first is kept
    db.assignments.update_one(
        {"_id": assignment_id},
        {"$set": {"cadre_id": cadre_id, "unit_id": unit_id, "starts_on": starts_on},
         "$setOnInsert": {"ends_on": None}},
        upsert=True)


def end_assignment(db, assignment_id, cadre_id, unit_id, ends_on, reason):
    db.assignments.update_one(
        {"_id": assignment_id},
        {"$set": {"cadre_id": cadre_id, "unit_id": unit_id, "ends_on": ends_on,
                  "end_reason": reason}},
        upsert=True)


def record_unit(db, unit_id, unit):
    db.units.replace_one({"_id": unit_id}, unit, upsert=True)


def follow_reorganisation(db, unit_id, fields, effective_on):
    """The unit as the operation effective on ``effective_on`` left it; False when it already
    follows a later operation."""
    try:
        db.units.update_one(
            {"_id": unit_id, "$or": [{"reorganised_on": None},
                                     {"reorganised_on": {"$lte": effective_on}}]},
            {"$set": fields}, upsert=True)
    except DuplicateKeyError:
        return False
    return True


def record_working_group(db, working_group_id, group, as_of):
    """The group as an event of ``as_of`` tells it; False when a newer event stands."""
    try:
        db.working_groups.update_one({"_id": working_group_id, "as_of": {"$lte": as_of}},
                                     {"$set": {**group, "as_of": as_of}}, upsert=True)
    except DuplicateKeyError:
        return False
    return True


# --- answers and the concerns' cases (the read model) ----------------------------------------

def record_answer(db, concern_id, answer):
    """Keyed by concern and only over an older answer (a reopened case answered again): False
    when this or a newer answer is kept already."""
    try:
        db.answers.update_one({"_id": concern_id, "answered_at": {"$lt": answer["answered_at"]}},
                              {"$set": answer}, upsert=True)
    except DuplicateKeyError:
        return False
    return True


def find_answer(db, concern_id):
    return db.answers.find_one({"_id": concern_id})


def answers_to(db, concern_ids):
    """The answers to ``concern_ids`` that came back, by concern."""
    return {a["_id"]: a for a in db.answers.find({"_id": {"$in": concern_ids}})}


def find_case_view(db, case_id, unit_id=None):
    """A concern's view of ``case_id``; ``unit_id``: that branch's (a case raised at several
    branches has a view per branch, issue 25)."""
    return db.concern_cases.find_one({"case_id": case_id, **({"unit_id": unit_id} if unit_id
                                                            else {})})


def ensure_concern_views(db, visit):
    """One view per concern of ``visit``, as raised (no case yet); an existing one is left as it
    is. Called when a visit is logged or amended, and by every case event."""
    for concern in visit["concerns"]:
        db.concern_cases.update_one(
            {"_id": concern["concern_id"]},
            {"$setOnInsert": {
                "unit_id": visit["unit_id"], "visit_id": visit["_id"],
                "topic": concern["topic"],
                # the branch's other cadres read it in the brief: as the authority got it
                "summary": concern.get("shared_summary", concern["summary"]),
                "raised_on": visit["meeting_date"], "case_id": None, "status": "raised",
                "open": True, "authority_id": None, "due_on": None, "answer": None,
                "answered_at": EPOCH, "to_read_out": False, "last_at": EPOCH,
                # attached to another branch's open case (issue 25): it follows that case
                "joins_case_id": concern.get("joins_case_id"), "branch_count": 1}},
            upsert=True)
        if concern.get("withdrawn"):
            # withdrawn at the branch: no longer open there, whatever the case does next
            db.concern_cases.update_one({"_id": concern["concern_id"], "status": "raised"},
                                        {"$set": {"status": "withdrawn", "open": False}})


def concerns_following(db, case_id, concern_id):
    """The concerns whose view follows ``case_id`` besides ``concern_id``: the other branches'
    attached to it (issue 25), or the case's own when ``concern_id`` is an attached one."""
    return [view["_id"] for view in db.concern_cases.find({"case_id": case_id}, {"_id": 1})
            if view["_id"] != concern_id]


def change_case_view(db, concern_id, changes, at):
    """Only over an older event (``last_at``): a redelivered or late one changes nothing."""
    db.concern_cases.update_one({"_id": concern_id, "last_at": {"$lt": at}},
                                {"$set": {**changes, "last_at": at}})


def answer_to_read_out(db, concern_id, answer, answered_at, record):
    db.concern_cases.update_one(
        {"_id": concern_id, "answered_at": {"$lt": answered_at}},
        {"$set": {"answer": answer, "answered_at": answered_at, "to_read_out": True,
                  **record}})


def nothing_to_read_out(db, concern_id, at):
    """The answer of before ``at`` is no longer read out."""
    db.concern_cases.update_one({"_id": concern_id, "answered_at": {"$lt": at}},
                                {"$set": {"to_read_out": False}})


def mark_read_out(db, concern_id, visit_id):
    db.concern_cases.update_one({"_id": concern_id},
                                {"$set": {"to_read_out": False, "reviewed_in_visit_id": visit_id}})


# --- visits ----------------------------------------------------------------------------------

def reserve_receipt_code(db, concern_id, new_code, tries=RECEIPT_CODE_TRIES):
    """A receipt code of ``new_code()`` no other concern has: the ``receipt_codes``
    collection's ``_id`` (a unique index) is the judge, a collision tries another code."""
    for _ in range(tries):
        code = new_code()
        try:
            db.receipt_codes.insert_one({"_id": code, "concern_id": concern_id})
        except DuplicateKeyError:
            continue
        return code
    raise RuntimeError(f"no free receipt code after {tries} tries")


def keep_raiser_addresses(db, addresses):
    """``[{_id: concern_id, email, token, ...}]``, once per concern (a replay changes nothing)."""
    for address in addresses:
        db.raiser_addresses.update_one({"_id": address["_id"]}, {"$setOnInsert": address},
                                       upsert=True)


def raiser_address(db, concern_id):
    return db.raiser_addresses.find_one({"_id": concern_id})


def forget_raiser_address(db, token):
    """The address the unsubscribe link names, deleted; False when none had it."""
    return db.raiser_addresses.delete_one({"token": token}).deleted_count == 1


def raiser_case_closed(db, concern_id, closed_at):
    """When the concern's case closed (None: reopened): the address is kept so long after."""
    db.raiser_addresses.update_one({"_id": concern_id}, {"$set": {"closed_at": closed_at}})


def forget_raiser_addresses_closed_before(db, cutoff):
    return db.raiser_addresses.delete_many({"closed_at": {"$lte": cutoff}}).deleted_count


def release_receipt_codes(db, codes):
    """Codes reserved for concerns that were not stored after all (a replayed submission)."""
    if codes:
        db.receipt_codes.delete_many({"_id": {"$in": list(codes)}})


def insert_visit(db, document, events):
    """The visit and its events in one insert; False when the cadre's submission (or the
    group's visit to that meeting) is stored already."""
    try:
        db.visits.insert_one(with_events(document, events))
    except DuplicateKeyError:
        return False
    return True


def commit_amendment(db, visit, changes, snapshot, events):
    """The new version, the replaced one kept, and the events, in one update conditional on the
    version read; False when the visit changed meanwhile."""
    update = push_events({"$set": changes, "$push": {"versions": snapshot}}, events)
    result = db.visits.update_one({"_id": visit["_id"], "version": visit.get("version", 1)},
                                  update)
    return result.matched_count != 0


def find_visit(db, visit_id, with_versions=False):
    """The visit without its outbox (and without its older versions unless asked), or None."""
    return db.visits.find_one({"_id": visit_id}, {"outbox": 0} if with_versions else NO_VERSIONS)


def author_of(db, visit_id):
    """The cadre who logged the visit, or None."""
    found = db.visits.find_one({"_id": visit_id}, {"cadre_id": 1})
    return found and found["cadre_id"]


def visit_of_submission(db, cadre_id, submission_id):
    return db.visits.find_one({"cadre_id": cadre_id, "submission_id": submission_id},
                              NO_VERSIONS)


def visit_of_concern(db, concern_id):
    return db.visits.find_one({"concerns.concern_id": concern_id}, NO_VERSIONS)


def record_attendance(db, visit):
    """One attendance line per cadre the visit counts for (repeatable: keyed by visit and
    cadre); lines of cadres no longer listed after an amendment go."""
    attended = visit.get("attended_cadre_ids") or [visit["cadre_id"]]
    for cadre_id in attended:
        db.attendances.replace_one(
            {"_id": f"{visit['_id']}|{cadre_id}"},
            {"visit_id": visit["_id"], "cadre_id": cadre_id, "unit_id": visit["unit_id"],
             "meeting_date": visit["meeting_date"]}, upsert=True)
    db.attendances.delete_many({"visit_id": visit["_id"], "cadre_id": {"$nin": attended}})


# --- what the reads walk ---------------------------------------------------------------------

def page_of_open_concerns(db, unit_id, query):
    return read_page(db.concern_cases, {"unit_id": unit_id, "open": True}, OPEN_ORDER, query)


def answers_to_read_out(db, unit_id, limit):
    """The branch's answers waiting to be read out, the oldest first."""
    return list(db.concern_cases.find({"unit_id": unit_id, "to_read_out": True})
                .sort([("answered_at", 1)]).limit(limit))


def overdue_concerns(db, unit_id, today, limit):
    """The branch's open concerns whose running deadline fell before ``today`` (ISO)."""
    return list(db.concern_cases.find(
        {"unit_id": unit_id, "open": True, "due_on": {"$lt": today}})
        .sort([("due_on", 1)]).limit(limit))


def last_visits(db, unit_id):
    return list(db.visits.find({"unit_id": unit_id, **MEETINGS_ONLY}, NO_VERSIONS)
                .sort(VISIT_ORDER).limit(LAST_VISITS))


def page_of_visits(db, criteria, query):
    return read_page(db.visits, {**criteria, **MEETINGS_ONLY}, VISIT_ORDER, query, NO_VERSIONS)


def page_of_attendances(db, criteria, query):
    return read_page(db.attendances, criteria, VISIT_ORDER, query)


def visits_by_ids(db, visit_ids):
    """The visits of ``visit_ids`` in that order (one gone meanwhile is left out)."""
    found = {v["_id"]: v for v in db.visits.find({"_id": {"$in": visit_ids}}, NO_VERSIONS)}
    return [found[i] for i in visit_ids if i in found]


def page_of_cadre_visits(db, cadre_id, query):
    return read_page(db.visits, {"cadre_id": cadre_id, **MEETINGS_ONLY}, VISIT_ORDER, query,
                     {"outbox": 0})


def contact_records_of_cadre(db, cadre_id, limit):
    return [held["_id"] for held in db.visits.find(
        {"cadre_id": cadre_id, "record_kind": "contact"}, {"_id": 1}).limit(limit)]


def visits_of_year(db, unit_id, first_day, last_day):
    """What a branch's meeting record counts of its visits between two ISO days."""
    return list(db.visits.find(
        {"unit_id": unit_id, "meeting_date": {"$gte": first_day, "$lte": last_day},
         **MEETINGS_ONLY},
        {"meeting_date": 1, "meeting_kind": 1, "attendance": 1, "assessment": 1,
         "logged_at": 1}))


# --- reads of personal data ------------------------------------------------------------------

def record_personal_data_read(db, entry):
    record_read(db[READS], entry)

