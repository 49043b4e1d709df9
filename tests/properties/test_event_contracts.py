"""Every event contract in ``shared.contracts.EVENT_TYPES`` (new ones included, untouched):
what its schema accepts comes back unchanged through dump and load and through
``EventType.new`` → JSON → ``parse_event``; what it refuses is refused naming the field."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from shared.contracts import EVENT_TYPES, Envelope, parse_event
from shared.errors import InvalidEvent
from tests.properties.profiles import examples
from tests.properties.strategies import breakable, names, refused, round_trip_keeps, valid

TYPES = sorted(EVENT_TYPES.values(), key=lambda event_type: event_type.routing_key)
PER_TYPE = settings(max_examples=examples(10))
PER_FIELD = settings(max_examples=examples(3))


@pytest.mark.parametrize("event_type", TYPES, ids=str)
def test_what_a_contract_accepts_dumps_and_loads_back_unchanged(event_type):
    schema = event_type.schema

    @PER_TYPE
    @given(valid(schema))
    def round_trip(sent):
        loaded = schema.load(sent)
        dumped = schema.dump(loaded)
        assert round_trip_keeps(sent, dumped), (sent, dumped)
        assert schema.load(dumped) == loaded

    round_trip()


@pytest.mark.parametrize("event_type", TYPES, ids=str)
def test_an_event_made_by_new_parses_back_to_the_same_event(event_type):
    schema = event_type.schema

    @PER_TYPE
    @given(valid(schema), st.none() | st.from_regex(r"[a-z0-9]{1,20}", fullmatch=True))
    def through_the_wire(sent, actor):
        payload = schema.load(sent)
        envelope = event_type.new(payload, actor=actor)
        event = parse_event(json.loads(json.dumps(envelope)))
        assert event.event_type is event_type
        assert (event.event_id, event.actor) == (envelope["event_id"], actor)
        assert event.payload == payload
        # made again from what was parsed, the event is the same on the wire
        again = event_type.new(event.payload, event_id=event.event_id,
                               occurred_at=event.occurred_at, actor=event.actor)
        assert again == envelope

    through_the_wire()


FIELDS = [(event_type, key) for event_type in TYPES for key in breakable(event_type.schema)]


@pytest.mark.parametrize("event_type, key", FIELDS,
                         ids=[f"{t.routing_key}.{key}" for t, key in FIELDS])
def test_a_payload_the_contract_refuses_is_refused_naming_the_field(event_type, key):
    schema = event_type.schema

    @PER_FIELD
    @given(refused(schema, key=key))
    def refusal(broken):
        with pytest.raises(ValidationError) as error:
            schema.load(broken.payload)
        messages = error.value.normalized_messages()
        assert names(messages, broken.path), (broken, messages)
        assert set(messages) == {broken.path[0]}, (broken, messages)
        envelope = {"event_id": "e1", "event_type": event_type.name,
                    "source": event_type.source, "occurred_at": "2026-11-25T08:00:00+00:00",
                    "payload": broken.payload}
        with pytest.raises(InvalidEvent) as invalid:
            parse_event(json.loads(json.dumps(envelope)))
        assert names(invalid.value.fields, broken.path), (broken, invalid.value.fields)

    refusal()


def envelopes():
    """Valid envelopes of every event type, as they arrive off the wire."""
    return st.sampled_from(TYPES).flatmap(
        lambda event_type: valid(event_type.schema).map(
            lambda sent: json.loads(json.dumps(event_type.new(event_type.schema.load(sent))))))


@settings(max_examples=examples(60))
@given(refused(Envelope(), base=envelopes()))
def test_an_envelope_broken_in_one_field_is_refused_naming_it(broken):
    with pytest.raises(InvalidEvent) as invalid:
        parse_event(broken.payload)
    assert names(invalid.value.fields, broken.path), (broken, invalid.value.fields)
