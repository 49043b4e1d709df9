"""The imports service's own view of the registry and of visits, kept from events, for the
coverage reports and the export of cadres and assignments (no RPC lists those).

One function per event (subscriptions ``imports.coverage`` and ``imports.registry`` in
``shared/topology.py``); :func:`record` picks it. Each event has one effect however often it
arrives (see ``store``), and events may arrive in any order (an ``assignment_ended`` before its
``assignment_made``, a visit before its unit). Example::

    record(db, parse_event(body))   # unit_registered, unit_reorganised, working_group_formed,
                                    # assignment_made, visit_logged, attendance_planned, ...
"""
import datetime as dt

from services.imports import store
from shared import contracts

UNIT_FIELDS = ("name", "level", "kind", "parent_id", "path")


def _day(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def unit_registered(db, payload):
    store.register_unit(db, payload["unit_id"], {
        "name": payload["name"], "level": payload["level"],
        "parent_id": payload["parent_id"], "path": payload["path"]})


def unit_reorganised(db, payload):
    """Each unit as it stands from the effective day: ``since`` for a unit the operation
    created, ``ended_on`` (its first day gone) for one merged away or split up."""
    day = _day(payload["effective_on"])
    for unit in payload["units"]:
        fields = {key: unit[key] for key in UNIT_FIELDS}
        fields["reorganised_on"] = day
        if unit["ended"]:
            fields["ended_on"] = day
        if unit["previous_path"] is None:
            fields["since"] = day
        store.reorganise_unit(db, unit["unit_id"], day, fields)


def working_group_formed(db, payload):
    store.form_working_group(db, _group(payload))


def working_group_changed(db, payload):
    store.change_working_group(db, _group(payload))


def cadre_registered(db, payload):
    store.keep_cadre(db, payload["cadre_id"], {
        "full_name": payload["full_name"], "home_unit_id": payload["home_unit_id"],
        "positions": payload["positions"], "email": payload.get("email")})


def cadre_contact_changed(db, payload):
    store.keep_cadre(db, payload["cadre_id"], {"email": payload["email"]})


def cadre_anonymised(db, payload):
    """A deletion request: the cadre's name replaced, no address (the export shows no one)."""
    store.keep_cadre(db, payload["cadre_id"], {"full_name": payload["full_name"], "email": None})


def assignment_made(db, payload):
    store.keep_assignment(db, payload["assignment_id"], {
        "cadre_id": payload["cadre_id"], "unit_id": payload["unit_id"],
        "starts_on": _day(payload["starts_on"])})


def assignment_ended(db, payload):
    store.keep_assignment(db, payload["assignment_id"], {
        "cadre_id": payload["cadre_id"], "unit_id": payload["unit_id"],
        "ends_on": _day(payload["ends_on"]), "end_reason": payload.get("reason")})


def visit_logged(db, payload):
    store.keep_visit(db, {"_id": payload["visit_id"], "unit_id": payload["unit_id"],
                          "cadre_id": payload["cadre_id"],
                          "meeting_date": _day(payload["meeting_date"])})


def attendance_planned(db, payload):
    """A plan entry (made, or told again by the backfill): kept once per entry."""
    store.keep_planned_attendance(db, payload["plan_id"], {
        "committee_unit_id": payload["committee_unit_id"], "unit_id": payload["unit_id"],
        "meeting_on": _day(payload["meeting_on"]),
        "attendee_cadre_ids": list(payload["attendee_cadre_ids"])})


def _group(payload):
    return {"_id": payload["working_group_id"], "name": payload["name"],
            "formed_by_unit_id": payload["formed_by_unit_id"],
            "member_cadre_ids": list(payload["member_cadre_ids"]),
            "unit_ids": list(payload["unit_ids"]), "starts_on": _day(payload["starts_on"]),
            "ends_on": _day(payload["ends_on"])}


REACTIONS = {
    contracts.UNIT_REGISTERED.name: unit_registered,
    contracts.UNIT_REORGANISED.name: unit_reorganised,
    contracts.WORKING_GROUP_FORMED.name: working_group_formed,
    contracts.WORKING_GROUP_CHANGED.name: working_group_changed,
    contracts.CADRE_REGISTERED.name: cadre_registered,
    contracts.CADRE_CONTACT_CHANGED.name: cadre_contact_changed,
    contracts.CADRE_ANONYMISED.name: cadre_anonymised,
    contracts.ASSIGNMENT_MADE.name: assignment_made,
    contracts.ASSIGNMENT_ENDED.name: assignment_ended,
    contracts.VISIT_LOGGED.name: visit_logged,
    contracts.ATTENDANCE_PLANNED.name: attendance_planned,
}


def record(db, event):
    """The event's effect on the read model; an event of another type changes nothing."""
    reaction = REACTIONS.get(event.event_type.name)
    if reaction is not None:
        reaction(db, event.payload)
