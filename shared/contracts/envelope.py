"""The envelope every event travels in, :class:`EventType` that builds one, and
:func:`parse_event` that loads one."""
import datetime as dt
import json
from typing import NamedTuple

from marshmallow import Schema, ValidationError, fields, post_dump

from shared import correlation
from shared.contracts.base import MAX_EVENT_BYTES, Id, new_id, utcnow
from shared.errors import InvalidEvent


class Envelope(Schema):
    @post_dump
    def _fits_on_the_wire(self, envelope, **kwargs):
        """An envelope consumers would dead-letter unread is a bug of its producer: refuse it."""
        size = len(json.dumps(envelope).encode())
        if size > MAX_EVENT_BYTES:
            raise ValueError(f"{envelope.get('source')}.{envelope.get('event_type')} envelope is "
                             f"{size} bytes, over the limit of {MAX_EVENT_BYTES} consumers read")
        return envelope

    event_id = Id(required=True)
    event_type = Id(required=True)
    source = Id(required=True)
    occurred_at = fields.AwareDateTime(required=True)  # a naive time is refused, not guessed
    payload = fields.Dict(required=True)
    # who caused it; absent in envelopes written before users existed
    actor = Id(load_default=None, allow_none=True)
    # the request that started the chain and the event that caused this one (shared.correlation);
    # absent in envelopes written before them
    correlation_id = Id(load_default=None, allow_none=True)
    causation_id = Id(load_default=None, allow_none=True)


# one instance for every event: a schema keeps no state between loads and dumps, and building
# one (its fields deep-copied and bound) cost more than the dump or load it was built for
ENVELOPE = Envelope()


class EventType:
    def __init__(self, source, name, schema):
        self.source = source
        self.name = name
        self.schema = schema()

    @property
    def routing_key(self):
        return f"{self.source}.{self.name}"

    def __repr__(self):
        return f"EventType({self.routing_key})"

    def new(self, payload, *, event_id=None, occurred_at=None, actor=None,
            correlation_id=None, causation_id=None):
        """The envelope of a new event; a payload that would not load is a bug, so it raises.
        ``actor`` is the user_id of who caused it (None: the system itself, or a script);
        correlation and causation default to the worker's (``shared.correlation``)."""
        bound_correlation, bound_causation = correlation.current()

        dumped = self.schema.dump(payload)
        errors = self.schema.validate(dumped)
        if errors:
            raise ValueError(f"{self.routing_key} payload breaks its contract: {errors}")
        return ENVELOPE.dump({
            "event_id": event_id or new_id(),
            "event_type": self.name,
            "source": self.source,
            "occurred_at": occurred_at or utcnow(),
            "payload": dumped,
            "actor": actor,
            "correlation_id": correlation_id or bound_correlation,
            "causation_id": causation_id or bound_causation,
        })


class Event(NamedTuple):
    event_id: str
    event_type: EventType
    occurred_at: dt.datetime
    payload: dict
    actor: str = None
    correlation_id: str = None
    causation_id: str = None


def parse_event(body):
    """Load an envelope and its payload through their schemas, or raise :class:`InvalidEvent`."""
    if not isinstance(body, dict):
        raise InvalidEvent(f"event body must be a JSON object, got {type(body).__name__}")
    try:
        envelope = ENVELOPE.load(body)
    except ValidationError as error:
        raise InvalidEvent("invalid event envelope", error.normalized_messages()) from None
    key = f"{envelope['source']}.{envelope['event_type']}"
    from shared.contracts import EVENT_TYPES  # filled once every module is loaded
    event_type = EVENT_TYPES.get(key)
    if event_type is None:
        raise InvalidEvent(f"unknown event type {key!r}")
    try:
        payload = event_type.schema.load(envelope["payload"])
    except ValidationError as error:
        raise InvalidEvent(f"invalid {key} payload", error.normalized_messages()) from None
    return Event(envelope["event_id"], event_type, envelope["occurred_at"], payload,
                 envelope["actor"], envelope["correlation_id"], envelope["causation_id"])
