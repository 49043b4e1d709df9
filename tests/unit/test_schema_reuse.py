"""Schemas built once, not per event or call: building one (its fields deep-copied and bound)
cost more than the load or dump it was built for (docs/reports/benchmark/2026-12-07-hot27.md).
Counted, not timed: how many marshmallow schemas a path builds once it ran once."""
import json

import pytest

from shared.authorisation import principal_from
from shared.contracts import CASE_ROUTED, CONCERN_RAISED, parse_event
from shared.contracts.reuse import reused
from shared.contracts.rpc.cases import Case
from shared.errors import InvalidEvent, InvalidInput
from tests.schemas_counted import count_schemas
from tests.unit.event_payloads import case_routed, concern_raised, envelope


@pytest.fixture
def schemas_built(monkeypatch):
    return count_schemas(monkeypatch)


def publish_and_consume():
    body = json.loads(json.dumps(CASE_ROUTED.new(case_routed())))
    return parse_event(body), parse_event(envelope())


def test_an_event_built_and_parsed_builds_no_schema(schemas_built):
    publish_and_consume()  # the nested schemas of a payload are built on first use
    schemas_built.clear()
    routed, raised = publish_and_consume()
    assert schemas_built == []
    assert routed.payload == case_routed() and raised.payload == concern_raised()


def test_a_refused_envelope_leaves_nothing_behind_for_the_next(schemas_built):
    with pytest.raises(InvalidEvent):
        parse_event(envelope(occurred_at="yesterday"))
    with pytest.raises(ValueError):
        CONCERN_RAISED.new(concern_raised(topic="weather"))
    assert publish_and_consume()[1].payload == concern_raised()
    assert schemas_built == []


def test_a_principal_read_builds_no_schema(schemas_built):
    principal = principal_from({"user_id": "binh", "role": "cadre", "cadre_id": "c1"})
    with pytest.raises(InvalidInput):  # the same schema refuses a scope of another role
        principal_from({"user_id": "x", "role": "cadre", "authority_id": "a"})
    assert principal.cadre_id == "c1" and principal.authority_id is None
    assert schemas_built == []


def test_one_instance_per_schema_class_and_many(schemas_built):
    cases = reused(Case, many=True)
    assert reused(Case, many=True) is cases and cases.many
    assert reused(Case) is not cases and not reused(Case).many
    assert schemas_built.count("Case") <= 2  # built at their first use only
