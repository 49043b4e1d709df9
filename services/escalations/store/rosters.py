"""Each authority's duty roster in the store, one document per authority (``_id``: its id),
and its head as the officers' read model knows them. Part of the escalations store
(``services.escalations.store``)."""

__all__ = ["find_roster", "save_roster", "head_of"]


def find_roster(db, authority_id):
    return db.rosters.find_one({"_id": authority_id}) if authority_id else None


def save_roster(db, authority_id, document):
    """The authority's roster as a whole (the head edits the whole of it at once)."""
    db.rosters.replace_one({"_id": authority_id}, {**document, "_id": authority_id},
                           upsert=True)
    return find_roster(db, authority_id)


def head_of(db, authority_id):
    """The user id of an enabled officer flagged as ``authority_id``'s head, or None (an
    authority has tens of officers: those of one authority are one index range)."""
    for officer in db.officers.find({"authority_id": authority_id}).sort(
            [("authority_id", 1), ("display_name", 1), ("_id", 1)]).limit(200):
        if officer.get("authority_head") and officer.get("enabled", True):
            return officer["_id"]
    return None
