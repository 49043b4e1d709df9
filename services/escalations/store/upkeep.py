"""The escalations store's walks for upgrades (``services.escalations.upkeep``): cases stored
before a field existed, a batch at a time in ``_id`` order. Part of the escalations store
(``services.escalations.store``)."""

__all__ = ["cases_without", "cases_without_search", "set_case_search", "give_receipt_codes"]


def cases_without(db, field, read, after, limit):
    """Cases stored before ``field`` existed, their ``read`` fields, in ``_id`` order after
    ``after``."""
    query = {field: {"$exists": False}}
    if after is not None:
        query["_id"] = {"$gt": after}
    return list(db.cases.find(query, {"_id": 1, read: 1}).sort("_id", 1).limit(limit))


def cases_without_search(db, after, limit):
    """Cases stored before the inbox's text search (issue 24)."""
    return cases_without(db, "search", "summary", after, limit)


def set_case_search(db, case_id, search):
    """Conditional, so a re-run (or a case redacted meanwhile) changes nothing."""
    db.cases.update_one({"_id": case_id, "search": {"$exists": False}},
                        {"$set": {"search": search}})


def give_receipt_codes(db, codes):
    """``{concern_id: code}`` onto the concerns' cases that have none: a case that already has
    a code keeps it (a redelivered event changes nothing)."""
    for concern_id, code in codes.items():
        db.cases.update_one({"concern_id": concern_id, "receipt_code": None},
                            {"$set": {"receipt_code": code}})
