"""A unit's forms read as the registry's calls: its details, and its reorganisations (move,
merge, split) each from an effective day. Plain functions (no nameko, no store), tested
directly; each answers ``(body, {field: reason})`` as ``admin_forms`` does.

A reorganisation's ``operation_id`` is minted when the form is shown, so the same form sent
twice is carried out once. The form's field names are the request's own (``parts.1.name``,
``into.unit_id``), so the registry's refusal lands beside the field that caused it. Example::

    body, refused = moving(form, unit)      # ({"kind": "move", "parent_id": ...}, {})
"""
from services.gateway.pages.admin_forms import CONFIRMED, ticked
from shared.reasons import reason

SIBLING, CHILD = "with.", "child."
DETAILS = ("locality", "meeting_schedule")


def _needed(form, names):
    return {name: reason("required", "required") for name in names if not form.get(name)}


def _operation(form, kind, unit_id):
    return {"operation_id": form["operation_id"], "kind": kind, "unit_id": unit_id,
            "effective_on": form["effective_on"], "reason": form.get("reason") or None}


def moving(form, unit):
    """The unit (and all under it) under ``parent_id`` from ``effective_on``."""
    missing = _needed(form, ("operation_id", "parent_id", "effective_on"))
    if missing:
        return None, missing
    return {**_operation(form, "move", unit["unit_id"]), "parent_id": form["parent_id"]}, {}


def merging(form, unit):
    """The unit and the siblings ticked (``with.<unit_id>``) merged into an existing unit
    (``into.unit_id``) or a new one (``new_unit_id`` and ``into.name``: of the unit's level,
    kind and parent); their assignments carried to it unless ``end_assignments`` is ticked."""
    missing = _needed(form, ("operation_id", "effective_on"))
    existing, new_id = form.get("into.unit_id"), form.get("new_unit_id")
    if existing and (new_id or form.get("into.name")):
        missing["into.unit_id"] = reason("one_successor", "an existing unit or a new one")
    elif not existing and not new_id:
        missing["into.unit_id"] = reason("required", "required")
    elif new_id and not form.get("into.name"):
        missing["into.name"] = reason("required", "required")
    if missing:
        return None, missing
    into = {"unit_id": existing} if existing else {
        "unit_id": new_id, "name": form["into.name"], "level": unit["level"],
        "kind": unit.get("kind"), "parent_id": unit.get("parent_id")}
    body = _operation(form, "merge", None)
    del body["unit_id"]
    return {**body, "unit_ids": [unit["unit_id"], *ticked(form, SIBLING)], "into": into,
            "assignments": "end" if form.get("end_assignments") == CONFIRMED else "carry"}, {}


def splitting(form, unit):
    """A new unit (``parts.1.unit_id``, ``parts.1.name``) of the unit's level takes the
    children ticked (``child.<unit_id>``); the unit keeps its id, the rest and its
    assignments."""
    missing = _needed(form, ("operation_id", "effective_on", "parts.1.unit_id", "parts.1.name"))
    children = ticked(form, CHILD)
    if not children:
        missing["parts.1.children"] = reason("choose_one", "tick at least one")
    if missing:
        return None, missing
    return {**_operation(form, "split", unit["unit_id"]), "parts": [
        {"unit_id": unit["unit_id"]},
        {"unit_id": form["parts.1.unit_id"], "name": form["parts.1.name"],
         "children": children}]}, {}


def schedule_of(form):
    """The meeting schedule typed: None when left empty; a day of the month that is not a
    number is sent as typed, for the registry to refuse beside it."""
    frequency = form.get("meeting_schedule.frequency") or ""
    day = (form.get("meeting_schedule.day_of_month") or "").strip()
    note = form.get("meeting_schedule.note") or None
    if not frequency and not day and not note:
        return None
    return {"frequency": frequency, "day_of_month": int(day) if day.isdigit() else day,
            "note": note}


def details_change(form, unit):
    """Only the details the form changes of ``unit``; nothing changed is refused here."""
    given = {"locality": form.get("locality") or None, "meeting_schedule": schedule_of(form)}
    changes = {name: value for name, value in given.items() if value != unit.get(name)}
    if not changes:
        return None, {"_form": reason("nothing_changed", "nothing to change")}
    return changes, {}


CONTACT_FIELDS = ("name", "role", "phone", "email")


def contact_added(form, unit):
    """``unit``'s contacts and one more, typed as ``contacts.<n>.<field>`` (``n``: the next
    position, so a refusal of it lands beside its field); its name is needed."""
    contacts = list(unit.get("contacts") or ())
    at = len(contacts)
    typed = {name: form.get(f"contacts.{at}.{name}") or None for name in CONTACT_FIELDS}
    if not typed["name"]:
        return None, {f"contacts.{at}.name": reason("required", "required")}
    return {"contacts": [*contacts, typed]}, {}


def contact_removed(form, unit):
    """``unit``'s contacts without the one at ``contact`` (its position, and its name to
    tell a form shown before another change)."""
    contacts = list(unit.get("contacts") or ())
    at = form.get("contact") or ""
    if not at.isdigit() or int(at) >= len(contacts) or \
            contacts[int(at)]["name"] != form.get("name"):
        return None, {"_form": reason("invalid", "that contact changed meanwhile")}
    return {"contacts": contacts[:int(at)] + contacts[int(at) + 1:]}, {}
