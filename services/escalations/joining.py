"""Similar open cases (issue 25): the list the visit form shows, and a concern attached to
another branch's open case as one more raising of it ("nêu tại 3 chi bộ").

The rules (which cases are similar, which may be joined) are ``shared.similar_cases``, which
visits reads too when it refuses an attachment at logging time. Here, when the concern arrives
(``concern_raised`` with ``joins_case_id``): the case still open takes it as a raising, in one
update conditional on its version with its timeline line and ``case_joined``; a case that
closed or moved on meanwhile is not joined, and the concern opens a case of its own whose
first line says why (:func:`join_or_refusal` answers the code). Each has one effect however
often the event arrives: a concern already joined, or already holding a case, is left as it is.
Example::

    similar(db, {"unit_id": ..., "unit_path": [...], "topic": "land"})
    join_or_refusal(db, rules, event)    # None: joined (or joined before); else the reason
"""
from logging import getLogger

from services.escalations import case_clock, store
from services.escalations.cases import SYSTEM_ACTOR
from shared import contracts
from shared import similar_cases as rule
from shared.errors import Conflict

_log = getLogger(__name__)

JOIN_RETRIES = 5
# candidates read from the commune's index before the rule ranks them
CANDIDATES = 200


def similar(db, query):
    """The open cases a concern of ``query["topic"]`` raised at ``query["unit_path"]`` may
    join, as the visit form shows them: summary, holder, state, branches that raised it."""
    found = store.similar_open_cases(db, rule.commune_of(query["unit_path"]), query["topic"],
                                     rule.JOINABLE, CANDIDATES)
    chosen = rule.similar(found, query["topic"], query["unit_path"])
    names = store.authority_names(db, {c["authority_id"] for c in chosen if c["authority_id"]})
    return [{"case_id": case["_id"], "topic": case["topic"], "summary": case["summary"],
             "status": case["status"], "authority_id": case["authority_id"],
             "authority_name": names.get(case["authority_id"]),
             "raised_on": case["raised_on"], "branch_count": len(rule.branches_of(case)),
             "raised_here": query["unit_id"] in rule.branches_of(case)}
            for case in chosen]


def join_or_refusal(db, rules, event):
    """``concern_raised`` naming ``joins_case_id``: the concern added to that case, or the
    code of why it may not be (the caller opens a case of its own). None when joined now or
    before, or when the concern already has a case of its own (a redelivery)."""
    concern = event.payload
    for _ in range(JOIN_RETRIES):
        if (store.case_joined_by(db, concern["concern_id"], {"_id": 1}) is not None
                or store.case_of_concern(db, concern["concern_id"]) is not None):
            _log.info("concern %s already followed: nothing to do", concern["concern_id"])
            return None
        case = store.case_or_none(db, concern["joins_case_id"], {"outbox": 0, "timeline": 0})
        refusal = rule.join_refusal(case, concern["topic"], concern["unit_path"])
        if refusal is not None:
            _log.warning("concern %s cannot join case %s (%s): it opens a case of its own",
                         concern["concern_id"], concern["joins_case_id"], refusal)
            return refusal
        raising, entry, joined = _raising(case, concern, rules.clock.now(), event.actor)
        if store.join_case(db, case, raising, entry, joined):
            _log.info("concern %s joined case %s", concern["concern_id"], case["_id"])
            return None
    raise Conflict("case kept changing while joining it",
                   {"joins_case_id": [concern["joins_case_id"]]})


def _raising(case, concern, now, actor):
    raising = {"concern_id": concern["concern_id"], "visit_id": concern["visit_id"],
               "unit_id": concern["unit_id"], "unit_path": concern["unit_path"],
               "raised_on": concern["raised_on"].isoformat(), "at": now,
               "raised_by_user": actor, "receipt_code": concern.get("receipt_code")}
    count = len(rule.branches_of({**case, "raisings": [*case.get("raisings", ()), raising]}))
    entry = {"at": now, **SYSTEM_ACTOR, "action": "join", "from_state": case["status"],
             "to_state": case["status"], "authority_id": case.get("authority_id"),
             "why": f"raised again at {concern['unit_id']}",
             "because": {"code": "raised_at_branches", "branch_count": count,
                         "unit_id": concern["unit_id"]}}
    pending = case_clock.pending_deadline(case)
    event = contracts.CASE_JOINED.new({
        "case_id": case["_id"], "concern_id": concern["concern_id"],
        "unit_id": concern["unit_id"], "authority_id": case.get("authority_id"),
        "status": case["status"], "due_on": pending[1] if pending else None,
        "branch_count": count}, occurred_at=now, actor=actor)
    return raising, entry, event


def fell_back(concern, refusal):
    """What a case opened instead of joining keeps, and the ``because`` its first line adds."""
    return {"join_refused": {"case_id": concern["joins_case_id"], "code": refusal}}
