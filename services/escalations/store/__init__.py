"""Everything the escalations service keeps, read and written here only: cases, authorities,
routing rules and where each unit used to sit (``unit_routes``).

A case changes by ONE conditional update of state, timeline and outbox: :func:`commit` writes
an :class:`~services.escalations.case_life.Outcome` with a filter on the case's ``_id`` and the
``version`` it was read at, bumping the version. When nothing matched, someone else changed the
case since it was read (another officer, another instance's sweep): the caller gets
:class:`~shared.errors.Conflict` (409) and nothing was written, so a case is never changed twice
from the same reading and no update is ever lost. Example::

    case = find_case(db, case_id)
    outcome = case_life.apply_action(case, "acknowledge", actor, now, policy)
    commit(db, case, outcome)            # or Conflict: "someone else acted on this case first"

Every read walks an index declared in :data:`INDEXES` (the service hands them to its ``Store``).
"""
from pymongo import ReturnDocument

from shared import event_log
from shared.errors import Conflict, NotFound
from shared.outbox import push_events, with_events
from shared.pages import read_page
from shared.storage import DuplicateKeyError

# the fields an inbox line shows: not the timeline, not the outbox
LISTED = {"outbox": 0, "timeline": 0}
# an inbox of every officer's cases, not narrowed to one assignee (nor to nobody)
ANYONE = object()

# the inbox a page at a time: overdue first, then by deadline (due_sort: the running deadline,
# or far future), the newest first among equals; the cases escalated past it, newest first;
# the triage queue, oldest first (routed_at null, with no triage authority, first)
INBOX_ORDER = [("due_sort", 1), ("routed_at", -1), ("_id", 1)]
ESCALATED_PAST_ORDER = [("routed_at", -1), ("_id", -1)]
UNROUTED_ORDER = [("routed_at", 1), ("_id", 1)]

OUTBOX_COLLECTIONS = ["cases", "authorities", "data_subject_answers", "digests", "calendar_state"]
INDEXES = {
    "cases": [([("concern_id", 1)], {"unique": True}),
              # the inbox a page at a time (INBOX_ORDER), with and without a status
              ([("authority_id", 1), ("due_sort", 1), ("routed_at", -1), ("_id", 1)], {}),
              ([("authority_id", 1), ("status", 1), ("due_sort", 1), ("routed_at", -1),
                ("_id", 1)], {}),
              # ... narrowed to a unit: unit_path is an array, so these are multikey (one entry
              # per unit of the path); an equality on it walks one range in INBOX_ORDER
              ([("authority_id", 1), ("unit_path", 1), ("due_sort", 1), ("routed_at", -1),
                ("_id", 1)], {}),
              ([("authority_id", 1), ("status", 1), ("unit_path", 1), ("due_sort", 1),
                ("routed_at", -1), ("_id", 1)], {}),
              # ... found by the words of their summary (search.prefixes: an array, multikey)
              ([("authority_id", 1), ("search.prefixes", 1), ("due_sort", 1),
                ("routed_at", -1), ("_id", 1)], {}),
              # ... the ones an officer took ("mine"), or nobody did ("unassigned")
              ([("authority_id", 1), ("assignee_user_id", 1), ("due_sort", 1),
                ("routed_at", -1), ("_id", 1)], {}),
              # the counts per status
              ([("authority_id", 1), ("status", 1)], {}),
              # statistics per period
              ([("authority_id", 1), ("received_at", 1)], {}),
              # the sweep
              ([("next_deadline_at", 1)], {}),
              # the cases escalated past an authority (an array: multikey)
              ([("escalated_past", 1), ("routed_at", -1), ("_id", -1)], {}),
              # the triage queue a page at a time (UNROUTED_ORDER)
              ([("triage", 1), ("routed_at", 1), ("_id", 1)], {}),
              ([("triage", 1), ("authority_id", 1), ("routed_at", 1), ("_id", 1)], {}),
              ([("duplicate_of", 1)], {}),
              # the confidential cases an officer was named on (an array: multikey)
              ([("named_officer_ids", 1), ("routed_at", -1), ("_id", -1)], {}),
              # the gauges: cases by state, overdue ones
              ([("status", 1)], {}), ([("due_at", 1)], {}),
              # the public page: a case by its receipt code (unique in visits, where made)
              ([("receipt_code", 1)], {})],
    # the public page's lookups per client address and window, forgotten after it
    "receipt_lookups": [([("forget_after", 1)], {"expireAfterSeconds": 0})],
    # an authority's reply templates, by kind and topic
    "reply_templates": [([("authority_id", 1), ("kind", 1), ("topic", 1), ("_id", 1)], {})],
    # the officers of each authority (accounts' events: services/escalations/officers.py)
    "officers": [([("authority_id", 1), ("display_name", 1), ("_id", 1)], {})],
    # every unit an authority's cases came from (the inbox's branch filter), by unit
    "authority_units": [([("authority_id", 1), ("unit_id", 1)], {})],
    # search by folded name words (shared.folding)
    "authorities": [([("search.prefixes", 1)], {})],
    "routing_rules": [([("topic", 1), ("unit_id", 1), ("urgency", 1),
                        ("effective_from", 1)], {"unique": True}),
                      ([("unit_id", 1)], {})],
}


# --- cases -----------------------------------------------------------------------------------

def find_case(db, case_id, projection=None):
    case = db.cases.find_one({"_id": case_id}, projection or {"outbox": 0})
    if case is None:
        raise NotFound("case not found", {"case_id": [str(case_id)]})
    return case


def case_or_none(db, case_id, projection=None):
    return db.cases.find_one({"_id": case_id}, projection or {"outbox": 0})


def case_of_concern(db, concern_id):
    """The concern's case as an inbox line shows it, or None (not routed yet)."""
    return db.cases.find_one({"concern_id": concern_id}, LISTED)


def case_of_receipt(db, code):
    return db.cases.find_one({"receipt_code": code}, LISTED)


def count_lookup(db, key, forget_after):
    """One more public lookup under ``key`` (an address in a window): how many so far."""
    return db.receipt_lookups.find_one_and_update(
        {"_id": key}, {"$inc": {"count": 1}, "$setOnInsert": {"forget_after": forget_after}},
        upsert=True, return_document=ReturnDocument.AFTER)["count"]


def open_case(db, case, *events):
    """Store a new case with its first events; False when the concern already has one (a
    redelivered ``concern_raised``)."""
    try:
        db.cases.insert_one(with_events(case, list(events)))
    except DuplicateKeyError:
        return False
    remember_unit(db, case.get("authority_id"), case)
    return True


def commit(db, case, outcome, actor=None):
    """``actor``: the user_id the event's envelope names (None: the system itself)."""
    event_type, payload = outcome.event
    changes = dict(outcome.changes)
    if changes.get("authority_id", case.get("authority_id")) != case.get("authority_id"):
        changes["named_officer_ids"] = []  # a new holder's head names its own officers
    update = push_events({"$set": {**changes, "version": case["version"] + 1},
                          "$push": {"timeline": outcome.entry}},
                         [event_type.new(payload, occurred_at=outcome.entry["at"],
                                         actor=actor)])
    result = db.cases.update_one({"_id": case["_id"], "version": case["version"]}, update)
    if result.matched_count == 0:
        raise Conflict("someone else acted on this case first; reload it and try again",
                       {"version": [str(case["version"])]})
    stored = {**case, **changes, "version": case["version"] + 1}
    if stored.get("authority_id") != case.get("authority_id"):  # reached another authority
        remember_unit(db, stored.get("authority_id"), case)
    if "timeline" in case:  # read with its timeline: show the line just pushed too
        stored["timeline"] = [*case["timeline"], outcome.entry]
    return stored


def redact_summary(db, concern_id, summary, search):
    """The concern's text anonymised in its case (a deletion request, the retention sweep):
    not a change of the case's state, so no version and no event. The events it published
    quoting the old text are anonymised in the retained log too."""
    case = db.cases.find_one({"concern_id": concern_id}, {"summary": 1})
    db.cases.update_one({"concern_id": concern_id}, {"$set": {
        "summary": summary, "search": search}})
    if case and case.get("summary") and case["summary"] != summary:
        event_log.redact(db, lambda text: text.replace(case["summary"], summary))


def note_on_case(db, case, changes, entry):
    """``changes`` that are not the case's state (no event), on the version read, with the
    timeline's ``entry``; Conflict when someone changed it since."""
    result = db.cases.update_one({"_id": case["_id"], "version": case["version"]},
                                 {"$set": {**changes, "version": case["version"] + 1},
                                  "$push": {"timeline": entry}})
    if result.matched_count == 0:
        raise Conflict("someone else acted on this case first; reload it and try again",
                       {"version": [str(case["version"])]})
    return {**case, **changes, "version": case["version"] + 1}


def name_officers(db, case, user_ids, entry):
    """Who besides the head reads a confidential case, on the version read (no event: who may
    read is not the case's state; the timeline keeps it)."""
    result = db.cases.update_one(
        {"_id": case["_id"], "version": case["version"]},
        {"$set": {"named_officer_ids": user_ids, "version": case["version"] + 1},
         "$push": {"timeline": entry}})
    if result.matched_count == 0:
        raise Conflict("someone else acted on this case first; reload it and try again",
                       {"version": [str(case["version"])]})
    return {**case, "named_officer_ids": user_ids, "version": case["version"] + 1,
            "timeline": [*case.get("timeline", ()), entry]}


def redact_by_hand(db, case, summary, entry, event):
    """An officer's redaction: the new summary, the line on the timeline and its event, on the
    version read; the events published quoting the old text anonymised too."""
    result = db.cases.update_one({"_id": case["_id"], "version": case["version"]}, push_events(
        {"$set": {"summary": summary, "version": case["version"] + 1},
         "$push": {"timeline": entry}}, [event]))
    if result.matched_count == 0:
        raise Conflict("someone else acted on this case first; reload it and try again",
                       {"version": [str(case["version"])]})
    event_log.redact(db, lambda text: text.replace(case["summary"], summary))
    return {**case, "summary": summary, "version": case["version"] + 1,
            "timeline": [*case.get("timeline", ()), entry]}


def duplicates_of(db, case_id):
    """The ids of the cases marked duplicates of ``case_id``."""
    return [found["_id"] for found in db.cases.find({"duplicate_of": case_id}, {"_id": 1})]


# what an officer who does not head the authority is not listed: its confidential cases (a
# filter on the walked index's range; those the head named them on are their "named" view)
NOT_CONFIDENTIAL = {"confidential": {"$ne": True}}


def inbox_page(db, authority_id, view, query, received_from=None, received_to=None,
               officer_id=None, assignee=ANYONE):
    """A page of the cases ``authority_id`` holds (view "holding"), that were escalated past
    it, or the confidential ones its head named ``officer_id`` on ("named"); ``query``'s
    status, topic and unit narrow it, received between the two moments, and ``assignee`` (a
    user id, None: nobody's; ``ANYONE``: whoever's). ``officer_id``: an officer who does not
    head it, listed no confidential case but in the "named" view."""
    if view == "holding":
        criteria, order = {"authority_id": authority_id}, INBOX_ORDER
    elif view == "named":
        criteria, order = {"named_officer_ids": officer_id or "",
                           "authority_id": authority_id}, ESCALATED_PAST_ORDER
    else:
        criteria, order = {"escalated_past": authority_id}, ESCALATED_PAST_ORDER
    if officer_id is not None and view != "named":
        criteria.update(NOT_CONFIDENTIAL)
    for field in ("status", "topic"):
        if query[field]:
            criteria[field] = query[field]
    if query["unit_id"]:
        criteria["unit_path"] = query["unit_id"]
    if query.get("words"):  # each word begins a word of the summary
        criteria["$and"] = [{"search.prefixes": word} for word in query["words"]]
    if query.get("case_code"):
        criteria["_id"] = query["case_code"]
    if assignee is not ANYONE:
        criteria["assignee_user_id"] = assignee
    if query.get("at_risk_at"):  # half their time gone, not yet overdue: walked in due order
        criteria.update(at_risk_from={"$lte": query["at_risk_at"]},
                        due_sort={"$gt": query["at_risk_at"]})
    period = {}
    if received_from:
        period["$gte"] = received_from
    if received_to:
        period["$lt"] = received_to
    if period:
        criteria["received_at"] = period
    return read_page(db.cases, criteria, order, query, LISTED)


def counts_by_state(db, authority_id, states):
    """How many cases ``authority_id`` holds in each state, exactly: each an index-only count
    of one range of the (authority_id, status) index."""
    return {state: db.cases.count_documents({"authority_id": authority_id, "status": state})
            for state in states}


def unrouted_page(db, query, authority_id=None, hide_confidential=False):
    """A page of the cases no routing rule covered (only those ``authority_id`` holds; none
    confidential for an officer who does not head it)."""
    criteria = {"triage": True}
    if authority_id is not None:
        criteria["authority_id"] = authority_id
    if hide_confidential:
        criteria.update(NOT_CONFIDENTIAL)
    return read_page(db.cases, criteria, UNROUTED_ORDER, query, LISTED)


def case_summaries(db, authority_id, received_from, received_to, topic, fields):
    """``fields`` of the cases ``authority_id`` received in the period (of ``topic``)."""
    criteria = {"authority_id": authority_id,
                "received_at": {"$gte": received_from, "$lt": received_to}}
    if topic:
        criteria["topic"] = topic
    return db.cases.find(criteria, {field: 1 for field in fields})


def count_cases(db, states, now):
    """``({state: count}, overdue)``: every case by state, and those whose running deadline
    has passed (``due_at`` is set only while a deadline runs)."""
    return ({state: db.cases.count_documents({"status": state}) for state in states},
            db.cases.count_documents({"due_at": {"$lte": now}}))


# authorities and routing rules, the authority's documents, the desk's collections (officers,
# reply templates, units of its cases), the working calendar, similar cases joined (issue 25),
# duty rosters, the sweep's reads and digests, where units used to sit, and the walks of upgrades
from services.escalations.store.attachments import INDEXES as DOCUMENT_INDEXES  # noqa: E402
from services.escalations.store.calendars import *  # noqa: E402,F401,F403
from services.escalations.store.calendars import CALENDAR_INDEXES  # noqa: E402
from services.escalations.store.desk import *  # noqa: E402,F401,F403
from services.escalations.store.desk import remember_unit  # noqa: E402
from services.escalations.store.joining import *  # noqa: E402,F401,F403
from services.escalations.store.registry import *  # noqa: E402,F401,F403
from services.escalations.store.rosters import *  # noqa: E402,F401,F403
from services.escalations.store.unit_routes import *  # noqa: E402,F401,F403
from services.escalations.store.upkeep import *  # noqa: E402,F401,F403

for _name, _specs in [*CALENDAR_INDEXES.items(), *JOINING_INDEXES.items(),  # noqa: F405
                      *DOCUMENT_INDEXES.items()]:
    INDEXES.setdefault(_name, []).extend(_specs)
