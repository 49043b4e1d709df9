"""Which case event tells whom, with which facts: an event in, ``[(case_id, Message)]`` out.

Each function gathers the facts from the directory (raising ``NotYetKnown`` for one that has
not arrived, so the event is retried) and leaves the wording to ``messages``. Example::

    for case_id, message in TELLINGS[event.event_type](db, event.payload): ...
"""
from services.notifications import directory, messages
from shared import contracts


def case_routed(db, payload):
    """A case reached the authority it was routed to."""
    directory.remember_case(db, payload["case_id"], payload["concern_id"],
                            payload["authority_id"])
    authority = directory.authority(db, payload["authority_id"])
    facts = directory.case_facts(db, payload["case_id"], payload["concern_id"])
    return [(payload["case_id"],
             messages.case_reached_you(facts, authority, payload["acknowledge_by"]))]


TELLINGS = {
    contracts.CASE_ROUTED: case_routed,
}
CASE_EVENTS = tuple(TELLINGS)
