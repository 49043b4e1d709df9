"""What the notifications service knows of the world, learned from events: addresses and cases.

- ``authorities`` and ``cadres``: names and e-mail addresses (``authority_registered``,
  ``cadre_registered``; later addresses from ``authority_contact_changed`` and
  ``cadre_contact_changed``, which may arrive first and then win); ``units``: names, for the
  mail's text (``unit_registered``);
- ``concerns``: topic, summary, place and the cadre who carried each (``concern_raised`` and
  ``visit_logged``, in either order). Case events name their concern and authority themselves.

Every write is an idempotent upsert keyed by the registry's or the event's id, so a
redelivered event changes nothing. A fact a case event needs but that has not arrived yet
raises :class:`NotYetKnown`: the subscriber retries the event with backoff (events travel on
separate queues and may overtake each other). Example::

    directory.learn(db, event)
    authority = directory.authority(db, "ubnd-xa-tam-hop")   # -> messages.Recipient
"""
import datetime as dt

from services.notifications.messages import CaseFacts, Recipient
from shared import contracts


class NotYetKnown(Exception):
    """A case event arrived before a fact it needs; retried later."""


# the address at registration never overwrites one a contact change brought first
def _authority(db, payload):
    db.authorities.update_one({"_id": payload["authority_id"]}, {
        "$set": {"name": payload["name"]},
        "$setOnInsert": {"email": payload.get("email")}}, upsert=True)


def _cadre(db, payload):
    db.cadres.update_one({"_id": payload["cadre_id"]}, {
        "$set": {"name": payload["full_name"]},
        "$setOnInsert": {"email": payload.get("email")}}, upsert=True)


def _authority_contact(db, payload):
    db.authorities.update_one({"_id": payload["authority_id"]},
                              {"$set": {"email": payload["email"]}}, upsert=True)


def _cadre_contact(db, payload):
    db.cadres.update_one({"_id": payload["cadre_id"]}, {"$set": {"email": payload["email"]}},
                         upsert=True)


def _unit(db, payload):
    db.units.update_one({"_id": payload["unit_id"]}, {"$set": {"name": payload["name"]}},
                        upsert=True)


def _visit(db, payload):
    for concern_id in payload["concern_ids"]:
        db.concerns.update_one({"_id": concern_id}, {"$set": {
            "cadre_id": payload["cadre_id"], "visit_id": payload["visit_id"]}}, upsert=True)


def _concern(db, payload):
    db.concerns.update_one({"_id": payload["concern_id"]}, {"$set": {
        "unit_id": payload["unit_id"], "topic": payload["topic"],
        "summary": payload["summary"], "raised_on": payload["raised_on"].isoformat()}},
        upsert=True)


LEARNERS = {
    contracts.AUTHORITY_REGISTERED: _authority,
    contracts.CADRE_REGISTERED: _cadre,
    contracts.UNIT_REGISTERED: _unit,
    contracts.VISIT_LOGGED: _visit,
    contracts.CONCERN_RAISED: _concern,
    contracts.AUTHORITY_CONTACT_CHANGED: _authority_contact,
    contracts.CADRE_CONTACT_CHANGED: _cadre_contact,
}
LEARNED_EVENTS = tuple(LEARNERS)


def learn(db, event):
    LEARNERS[event.event_type](db, event.payload)


def authority(db, authority_id):
    found = db.authorities.find_one({"_id": authority_id})
    if found is None or "name" not in found:  # only a contact change so far
        raise NotYetKnown(f"authority {authority_id} not yet known here")
    return Recipient("authority", authority_id, found["name"], found.get("email"))


def carrier(db, concern_id):
    """The cadre who carried the concern from the branch meeting."""
    concern = db.concerns.find_one({"_id": concern_id}) or {}
    if "cadre_id" not in concern:
        raise NotYetKnown(f"the visit of concern {concern_id} not yet known here")
    found = db.cadres.find_one({"_id": concern["cadre_id"]})
    if found is None or "name" not in found:
        raise NotYetKnown(f"cadre {concern['cadre_id']} not yet known here")
    return Recipient("cadre", found["_id"], found["name"], found.get("email"))


def case_facts(db, case_id, concern_id):
    """What the mail says of the concern; a concern not yet known is a retry."""
    concern = db.concerns.find_one({"_id": concern_id})
    if concern is None or "summary" not in concern:
        raise NotYetKnown(f"concern {concern_id} not yet known here")
    unit = db.units.find_one({"_id": concern["unit_id"]})
    return CaseFacts(case_id=case_id, concern_id=concern_id, topic=concern["topic"],
                     summary=concern["summary"], unit_name=unit["name"] if unit else None,
                     raised_on=dt.date.fromisoformat(concern["raised_on"]))
