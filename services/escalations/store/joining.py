"""The escalations store's part for similar open cases (issue 25, ``services.escalations.joining``):
the open cases of a topic in a commune, a concern added to a case as one more raising, and the
walk that gives cases from before it their commune. Part of the escalations store
(``services.escalations.store``)."""
from services.escalations.store.upkeep import cases_without
from shared.outbox import push_events

__all__ = ["JOINING_INDEXES", "similar_open_cases", "join_case", "case_joined_by",
           "case_joined_by_receipt",
           "cases_without_commune", "set_case_commune"]

JOINING_INDEXES = {"cases": [
    # the visit form's similar open cases: one commune's, of one topic, in an open state
    ([("commune_id", 1), ("topic", 1), ("status", 1)], {}),
    # a joined concern's case (its review, a redelivered concern_raised): raisings is an array
    ([("raisings.concern_id", 1)], {}),
    # the public page: the case a joined concern's receipt code follows
    ([("raisings.receipt_code", 1)], {}),
]}
# what the visit form shows of a similar case: never who raised it
SIMILAR = {"_id": 1, "topic": 1, "summary": 1, "status": 1, "authority_id": 1, "unit_id": 1,
           "unit_path": 1, "raised_on": 1, "received_at": 1, "raisings.unit_id": 1,
           "raisings.raised_on": 1}


def similar_open_cases(db, commune_id, topic, states, limit):
    """The commune's cases of ``topic`` in ``states``, none confidential (only the holder's
    head and named officers read those)."""
    return list(db.cases.find({"commune_id": commune_id, "topic": topic,
                               "status": {"$in": sorted(states)},
                               "confidential": {"$ne": True}},  # cases from before: none
                              SIMILAR).limit(limit))


def join_case(db, case, raising, entry, event):
    """``raising`` added to ``case`` on the version read, with its timeline line and event;
    False when the case changed since (read it again) or already has this concern."""
    update = push_events({"$set": {"version": case["version"] + 1},
                          "$push": {"raisings": raising, "timeline": entry}}, [event])
    result = db.cases.update_one({"_id": case["_id"], "version": case["version"],
                                  "raisings.concern_id": {"$ne": raising["concern_id"]}},
                                 update)
    return result.matched_count == 1


def case_joined_by(db, concern_id, projection=None):
    """The case ``concern_id`` was attached to, or None."""
    return db.cases.find_one({"raisings.concern_id": concern_id},
                             projection or {"outbox": 0, "timeline": 0})


def case_joined_by_receipt(db, code):
    """The case a joined concern's receipt code follows, or None."""
    return db.cases.find_one({"raisings.receipt_code": code}, {"outbox": 0, "timeline": 0})


def cases_without_commune(db, after, limit):
    """Cases stored before similar cases (issue 25), in ``_id`` order after ``after``."""
    return cases_without(db, "commune_id", "unit_path", after, limit)


def set_case_commune(db, case_id, commune_id):
    """Conditional, so a re-run changes nothing."""
    db.cases.update_one({"_id": case_id, "commune_id": {"$exists": False}},
                        {"$set": {"commune_id": commune_id}})
