"""Cadres written: registered once (``cadre_registered``; again with another email only the
contact changes, ``cadre_contact_changed``) and changed (``cadre_changed``), both idempotent."""
from services.assignments import store
from shared import contracts, folding
from shared.errors import NotFound


def register(db, cadre, actor):
    """``cadre``: as the schema dumps it (ISO days, ``cadre_id``)."""
    if store.find_unit(db, cadre["home_unit_id"]) is None:
        raise NotFound("home unit not found", {"home_unit_id": [cadre["home_unit_id"]]})
    document = {"_id": cadre["cadre_id"], **{k: v for k, v in cadre.items()
                                             if k != "cadre_id"},
                "search": folding.search_key(cadre["full_name"]), "actor": actor}
    existing = store.cadre_or_none(db, cadre["cadre_id"])
    if existing and cadre["home_unit_id"] in existing.get("former_home_unit_ids", []):
        # registered again as before a merger carried their committee: the same cadre
        document["home_unit_id"] = existing["home_unit_id"]
        document["former_home_unit_ids"] = existing["former_home_unit_ids"]
    event = contracts.CADRE_REGISTERED.new(cadre, actor=actor)
    changed = contracts.CADRE_CONTACT_CHANGED.new(
        {"cadre_id": cadre["cadre_id"], "email": cadre["email"]}, actor=actor)
    return store.register_cadre(db, document, event, changed)


def change(db, cadre_id, changes, actor):
    """The cadre after ``changes`` (as the schema dumps them); a re-sent change is a no-op."""
    cadre = store.find_cadre(db, cadre_id)
    after = {**cadre, **changes}
    if all(cadre.get(key) == value for key, value in changes.items()):
        return cadre  # nothing new: a re-sent change
    events = [contracts.CADRE_CHANGED.new({
        "cadre_id": cadre_id, **{key: after.get(key) for key in (
            "full_name", "home_unit_id", "positions", "email", "phone")},
        "memberships": after.get("memberships") or []}, actor=actor)]
    if after.get("email") != cadre.get("email"):
        events.append(contracts.CADRE_CONTACT_CHANGED.new(
            {"cadre_id": cadre_id, "email": after["email"]}, actor=actor))
    sets = {**changes, "search": folding.search_key(after["full_name"])}
    store.change_cadre(db, cadre, changes, sets, events)
    return after
