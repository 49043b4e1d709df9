"""The raiser's mail address, for telling them when the answer arrives (issue 30).

Taken on the visit form only with the raiser's consent (as a contact is), it is kept apart from
the visit, in ``raiser_addresses`` (one document per concern, never in an event): the visit's
documents, versions and events carry no address. Notifications asks for it when the case is
answered (:func:`to_tell`); the link in that mail deletes it (:func:`unsubscribe`, by a random
token nobody can guess); the retention sweep deletes it ``RETENTION_RAISER_EMAIL_DAYS`` after
the case closes (:func:`sweep`; a reopened case keeps it again). Example::

    addresses = take_addresses(concerns, now)        # the concerns lose their raiser_email
    keep(db, concerns, addresses)                    # once the visit is stored
"""
import secrets

from services.visits import store

CLOSED_EVENTS = ("case_closed",)
OPENED_AGAIN = ("case_reopened",)


def take_addresses(concerns, now):
    """Each concern's address (or None), taken out of the concern, in the concerns' order."""
    taken = []
    for concern in concerns:
        email = concern.pop("raiser_email", None)
        taken.append(email and {"email": email, "token": secrets.token_urlsafe(24),
                                "recorded_at": now, "closed_at": None,
                                "receipt_code": concern.get("receipt_code")})
    return taken


def keep(db, concerns, addresses):
    """The addresses of ``concerns`` (the stored ones: a replay keys them by the concerns
    stored the first time, the request being the same)."""
    store.keep_raiser_addresses(db, [
        {**address, "_id": concern["concern_id"], "receipt_code": concern.get("receipt_code")}
        for concern, address in zip(concerns, addresses) if address])


def to_tell(db, concern_id):
    """Where and by which code the raiser is told, or None (no address, or unsubscribed)."""
    found = store.raiser_address(db, concern_id)
    if found is None:
        return None
    return {"email": found["email"], "receipt_code": found.get("receipt_code"),
            "token": found["token"]}


def unsubscribe(db, token):
    return store.forget_raiser_address(db, token)


def follow_case(db, event_name, payload, at):
    """A case event: the day its case closed, or reopened (kept again)."""
    if event_name in CLOSED_EVENTS:
        store.raiser_case_closed(db, payload["concern_id"], at)
    elif event_name in OPENED_AGAIN:
        store.raiser_case_closed(db, payload["concern_id"], None)


def sweep(db, now, kept_for):
    """The addresses of cases closed longer than ``kept_for`` ago, deleted; how many."""
    return store.forget_raiser_addresses_closed_before(db, now - kept_for)
