"""Where units used to sit before a reorganisation (``unit_routes``), so routing still finds
the rules made for their former ancestors. Part of the escalations store
(``services.escalations.store``)."""

__all__ = ["former_of", "remember_former"]


def former_of(db, unit_id):
    """``{unit_id: distance}`` of the units ``unit_id`` no longer sits under (the nearest)."""
    found = db.unit_routes.find_one({"_id": unit_id}) or {}
    former = {}
    for entry in found.get("former", []):
        former[entry["unit_id"]] = min(entry["distance"],
                                       former.get(entry["unit_id"], entry["distance"]))
    return former


def remember_former(db, unit_id, former):
    """Add ``former`` (``[{unit_id, distance}]``) to what the unit used to sit under."""
    db.unit_routes.update_one({"_id": unit_id}, {"$addToSet": {"former": {"$each": former}}},
                              upsert=True)
