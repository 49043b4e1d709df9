"""The officer's desk in the store: who the authority's officers are (a read model of
accounts' events), its reply templates, and the units its cases came from (the inbox's branch
filter). Part of the escalations store (``services.escalations.store``)."""

__all__ = ["remember_unit", "units_of", "add_reply_template", "find_reply_template",
           "change_reply_template", "reply_templates", "record_officer", "find_officer",
           "officers_of", "forget_officer", "cases_of_officer"]


# --- the units an authority's cases came from -------------------------------------------------

def remember_unit(db, authority_id, case):
    """That a case of ``authority_id`` came from the case's branch and the unit above it (its
    commune): an upsert per unit, once per authority and unit whatever arrives again."""
    if authority_id is None:
        return
    path = case.get("unit_path") or [case["unit_id"]]
    for unit_id in path[-2:]:
        is_branch = unit_id == case["unit_id"]
        db.authority_units.update_one(
            {"_id": f"{authority_id} {unit_id}"},
            {"$set": {"authority_id": authority_id, "unit_id": unit_id,
                      **({"branch": True} if is_branch else {})},
             **({} if is_branch else {"$setOnInsert": {"branch": False}})}, upsert=True)


def units_of(db, authority_id, limit=500):
    """``[(unit_id, is_branch)]``: the branches ``authority_id``'s cases came from and the
    units above them (by id; the first ``limit``)."""
    return [(found["unit_id"], found.get("branch", False)) for found in
            db.authority_units.find({"authority_id": authority_id}).sort(
                [("authority_id", 1), ("unit_id", 1)]).limit(limit)]


# --- reply templates -------------------------------------------------------------------------

def add_reply_template(db, document):
    db.reply_templates.insert_one(document)
    return document


def find_reply_template(db, template_id):
    return db.reply_templates.find_one({"_id": template_id})


def change_reply_template(db, template_id, changes, line):
    """Set ``changes`` on the template and keep ``line`` (who, when, what) in its changes."""
    db.reply_templates.update_one({"_id": template_id},
                                  {"$set": changes, "$push": {"changes": line}})
    return find_reply_template(db, template_id)


def reply_templates(db, authority_id, kind=None, topics=None):
    """An authority's templates (of ``kind``, for one of ``topics``), by kind, topic and id;
    an authority keeps tens, not thousands."""
    criteria = {"authority_id": authority_id, "deleted_at": None}
    if kind:
        criteria["kind"] = kind
    if topics:
        criteria["topic"] = {"$in": list(topics)}
    return list(db.reply_templates.find(criteria).sort(
        [("authority_id", 1), ("kind", 1), ("topic", 1), ("_id", 1)]).limit(200))


# --- officers (services/escalations/officers.py) --------------------------------------------

def record_officer(db, user_id, changes, when_new):
    update = {"$set": changes, **({"$setOnInsert": when_new} if when_new else {})}
    db.officers.update_one({"_id": user_id}, update, upsert=True)


def find_officer(db, user_id):
    return db.officers.find_one({"_id": user_id})


def officers_of(db, authority_id, limit=200):
    """The enabled officers of ``authority_id`` by name (an authority has tens, not
    thousands)."""
    return [officer for officer in db.officers.find({"authority_id": authority_id}).sort(
        [("authority_id", 1), ("display_name", 1), ("_id", 1)]).limit(limit)
        if officer.get("enabled", True) and officer.get("role") == "authority_officer"]




def forget_officer(db, user_id, erased_name):
    """A deletion request: the officer's name gone, and off every list a head chooses from."""
    db.officers.update_one({"_id": user_id}, {"$set": {"display_name": erased_name,
                                                       "enabled": False}})


def cases_of_officer(db, authority_id, user_id, limit):
    """The ids of the cases of ``authority_id`` the officer works on or was named on."""
    assigned = db.cases.find({"authority_id": authority_id, "assignee_user_id": user_id},
                             {"_id": 1}).limit(limit)
    named = db.cases.find({"named_officer_ids": user_id}, {"_id": 1}).limit(limit)
    return sorted({case["_id"] for case in list(assigned) + list(named)})
