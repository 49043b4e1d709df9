"""Who the officers of each authority are, as escalations learns it from accounts' events: a
read model, so that assigning a case (``holding.assign``) and listing the officers a head
chooses from ask no other service at request time.

``user_created`` records a user (officers only are ever listed), ``user_role_changed`` moves
them to another role or authority (or makes them its head), ``user_disabled`` takes them off
the list, ``user_restated`` says all of it again (accounts' ``restate_users`` migration: users
from before this read model). Each is an upsert keyed by the user's id setting what the event
says, so a redelivered event changes nothing; events of one user come from one outbox, in order.
Example::

    learn(db, event)                                   # @subscribe("officers")
    store.officers_of(db, "ubnd-xa-tam-hop")           # [{"_id": ..., "display_name": ...}]
"""
from services.escalations import store
from shared import contracts


def _created(payload):
    """The name always; the rest only when the user is new here (a ``user_created`` delivered
    again after a role change or disabling must not undo them)."""
    first = {key: payload.get(key) for key in ("role", "authority_id", "authority_head")}
    return {"display_name": payload["display_name"]}, {**first, "enabled": True}


def _role_changed(payload):
    return {key: payload.get(key) for key in ("role", "authority_id", "authority_head")}, {}


def _restated(payload):
    """Everything, the user as accounts holds them now (an upgrade's backfill)."""
    return {key: payload.get(key) for key in (
        "display_name", "role", "authority_id", "authority_head", "enabled")}, {}


LEARNERS = {
    contracts.USER_CREATED: _created,
    contracts.USER_ROLE_CHANGED: _role_changed,
    contracts.USER_DISABLED: lambda payload: ({"enabled": False}, {}),
    contracts.USER_RESTATED: _restated,
}
EVENTS = tuple(LEARNERS)


def learn(db, event):
    changes, when_new = LEARNERS[event.event_type](event.payload)
    store.record_officer(db, event.payload["user_id"], changes, when_new)
