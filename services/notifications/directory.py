"""What the notifications service knows of the world, learned from events: addresses and cases.

- ``authorities`` and ``cadres``: names and e-mail addresses (``authority_registered``,
  ``cadre_registered``; later addresses from ``authority_contact_changed`` and
  ``cadre_contact_changed``, which may arrive first and then win); ``units``: names, for the
  mail's text (``unit_registered``);
- ``users``: officers' names and addresses (``user_created``, ``user_contact_changed``), for
  the mails to the officer a case is assigned to;
- ``concerns``: topic, summary, place and the cadre who carried each (``concern_raised``; from
  before issue 27 the carrier came with ``visit_logged``, in either order, still learned from
  those left in the queue), and the case another branch's concern was attached to
  (``case_joined``, issue 25). Case events name their concern and authority themselves.

Every write (``store``) is an idempotent upsert keyed by the registry's or the event's id, so a
redelivered event changes nothing. A fact a case event needs but that has not arrived yet
raises :class:`NotYetKnown`: the subscriber retries the event with backoff. Facts and case
events share one queue, in publishing order, so that is rare: a fact itself retried, or one
left in the queues before issue 27. Example::

    directory.learn(db, event)
    authority = directory.authority(db, "ubnd-xa-tam-hop")   # -> messages.Recipient
"""
import datetime as dt

from services.notifications import store
from services.notifications.messages import CaseFacts, Recipient
from shared import contracts


class NotYetKnown(Exception):
    """A case event arrived before a fact it needs; retried later."""


def _authority(db, payload):
    store.record_authority(db, payload["authority_id"], payload["name"], payload.get("email"))


def _cadre(db, payload):
    store.record_cadre(db, payload["cadre_id"], payload["full_name"], payload.get("email"))


def _authority_contact(db, payload):
    store.change_authority_email(db, payload["authority_id"], payload["email"])


def _cadre_contact(db, payload):
    store.change_cadre_email(db, payload["cadre_id"], payload["email"])


def _user(db, payload):
    store.record_user(db, payload["user_id"], payload["display_name"], payload.get("email"))


def _user_contact(db, payload):
    store.change_user_email(db, payload["user_id"], payload["email"])


def _unit(db, payload):
    store.record_unit(db, payload["unit_id"], payload["name"])


def _visit(db, payload):
    # only a visit_logged from before issue 27, left in the queue when its binding went
    for concern_id in payload["concern_ids"]:
        store.record_carrier(db, concern_id, payload["cadre_id"], payload["visit_id"])


def _concern(db, payload):
    # a confidential concern's text is read in the system by whom the head names, never in a
    # mail to the authority's shared address: it is not kept here at all
    confidential = payload["confidential"]
    store.record_concern(db, payload["concern_id"], {
        "unit_id": payload["unit_id"], "topic": payload["topic"],
        "summary": None if confidential else payload["summary"],
        "confidential": confidential, "raised_on": payload["raised_on"].isoformat(),
        # the code people name the case by, in every mail (none on concerns from before it)
        "receipt_code": payload.get("receipt_code"),
        # who carried it, in the same write (none before issue 27: visit_logged told that)
        **({"cadre_id": payload["cadre_id"], "visit_id": payload["visit_id"]}
           if payload.get("cadre_id") else {})})


def _joined(db, payload):
    # the concern attached to another branch's case: that case's mails reach its cadre too
    store.record_concern(db, payload["concern_id"], {"joined_case_id": payload["case_id"]})


LEARNERS = {
    contracts.AUTHORITY_REGISTERED: _authority,
    contracts.CADRE_REGISTERED: _cadre,
    contracts.UNIT_REGISTERED: _unit,
    contracts.VISIT_LOGGED: _visit,
    contracts.CONCERN_RAISED: _concern,
    contracts.AUTHORITY_CONTACT_CHANGED: _authority_contact,
    contracts.CADRE_CONTACT_CHANGED: _cadre_contact,
    contracts.USER_CREATED: _user,
    contracts.USER_CONTACT_CHANGED: _user_contact,
    contracts.CASE_JOINED: _joined,
}
LEARNED_EVENTS = tuple(LEARNERS)


def learn(db, event):
    LEARNERS[event.event_type](db, event.payload)


def authority(db, authority_id):
    found = store.find_authority(db, authority_id)
    if found is None or "name" not in found:  # only a contact change so far
        raise NotYetKnown(f"authority {authority_id} not yet known here")
    return Recipient("authority", authority_id, found["name"], found.get("email"))


def officer(db, user_id):
    """The officer a case is assigned to. One this service never heard of (created before it
    learned users) is a recipient without an address: listed as ``no_address``, not mailed."""
    found = store.find_user(db, user_id) or {}
    return Recipient("officer", user_id, found.get("name") or user_id, found.get("email"))


def carrier(db, concern_id):
    """The cadre who carried the concern from the branch meeting."""
    concern = store.find_concern(db, concern_id) or {}
    if "cadre_id" not in concern:
        raise NotYetKnown(f"the visit of concern {concern_id} not yet known here")
    found = store.find_cadre(db, concern["cadre_id"])
    if found is None or "name" not in found:
        raise NotYetKnown(f"cadre {concern['cadre_id']} not yet known here")
    return Recipient("cadre", found["_id"], found["name"], found.get("email"))


def case_facts(db, case_id, concern_id):
    """What the mail says of the concern; a concern not yet known is a retry."""
    concern = store.find_concern(db, concern_id)
    if concern is None or "summary" not in concern:
        raise NotYetKnown(f"concern {concern_id} not yet known here")
    unit = store.find_unit(db, concern["unit_id"])
    return CaseFacts(case_id=case_id, concern_id=concern_id, topic=concern["topic"],
                     summary=concern["summary"], unit_name=unit["name"] if unit else None,
                     confidential=concern.get("confidential", False),
                     receipt_code=concern.get("receipt_code"),
                     raised_on=dt.date.fromisoformat(concern["raised_on"]))
