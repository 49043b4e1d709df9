"""The assignments and escalations services in nameko containers on the real RabbitMQ, with a
real embedded store; called over RPC the way the gateway and the demo loader call them."""
import time

import pytest
from kombu import Connection
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from services.escalations.service import EscalationsService
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolated
from tests.interface.helpers import concern_raised, drain, publish, wait_for

TREE = [
    {"unit_id": "vp", "name": "Tỉnh ủy Vĩnh Phúc", "level": "province"},
    {"unit_id": "vp.bx", "name": "Huyện ủy Bình Xuyên", "level": "district", "parent_id": "vp"},
    {"unit_id": "vp.bx.th", "name": "Đảng bộ xã Tam Hợp", "level": "grassroots",
     "parent_id": "vp.bx"},
    {"unit_id": "vp.bx.th.np", "name": "Chi bộ thôn Nội Phật", "level": "branch",
     "kind": "residential", "parent_id": "vp.bx.th"},
]


@pytest.fixture
def assignments(container_factory, config):
    container_factory(AssignmentsService, config).start()
    with ServiceRpcProxy("assignments", config, timeout=15) as proxy:
        for unit in TREE:
            proxy.register_unit(unit)
        yield proxy


@pytest.fixture
def escalations(container_factory, config):
    container_factory(EscalationsService, config).start()
    with ServiceRpcProxy("escalations", config, timeout=15) as proxy:
        proxy.register_authority({"authority_id": "ubnd-th", "name": "UBND xã Tam Hợp",
                                  "kind": "peoples_committee", "level": "grassroots",
                                  "unit_id": "vp.bx.th"})
        proxy.add_routing_rule({"rule_id": "infra-th", "topic": "infrastructure",
                                "unit_id": "vp.bx.th", "authority_id": "ubnd-th"})
        yield proxy


def test_units_carry_their_path_and_registering_again_changes_nothing(assignments, config):
    assert assignments.get_unit("vp.bx.th.np")["path"] == ["vp", "vp.bx", "vp.bx.th",
                                                           "vp.bx.th.np"]
    assignments.register_unit(TREE[1])  # a re-run import
    with pytest.raises(Conflict):
        assignments.register_unit({**TREE[1], "name": "Thành ủy Vĩnh Yên"})
    with pytest.raises(NotFound) as missing:
        assignments.register_unit({"unit_id": "x", "name": "X", "level": "branch",
                                   "parent_id": "nowhere"})
    assert missing.value.fields == {"parent_id": ["nowhere"]}

    events = []
    wait_for(lambda: events.extend(body for body, _ in drain(config, "visits.unit_registered"))
             or len(events) >= len(TREE), what="unit_registered events")
    time.sleep(0.3)  # a re-registration, were it to emit again, would arrive by now
    events.extend(body for body, _ in drain(config, "visits.unit_registered"))
    assert sorted(e["payload"]["unit_id"] for e in events) == sorted(u["unit_id"] for u in TREE)


def test_assignment_follows_the_seed_rules(assignments):
    assignments.register_cadre({"cadre_id": "an", "full_name": "Nguyễn Văn An",
                                "home_unit_id": "vp", "positions": ["province_committee_member"]})
    made = assignments.assign_cadre({"cadre_id": "an", "unit_id": "vp.bx.th",
                                     "starts_on": "2026-01-01"})
    assert made["rule"] == "province_member_to_grassroots"
    resident = assignments.assign_cadre({"cadre_id": "an", "unit_id": "vp.bx.th.np",
                                         "starts_on": "2026-01-01"})
    assert resident["rule"] == "province_leader_to_residential_branch"
    with pytest.raises(RuleViolated):
        assignments.assign_cadre({"cadre_id": "an", "unit_id": "vp.bx",
                                  "starts_on": "2026-01-01"})
    assigned = sorted(a["unit_id"] for a in assignments.list_assignments("an"))
    assert assigned == ["vp.bx.th", "vp.bx.th.np"]


def test_rpc_payloads_are_validated_field_by_field(assignments):
    with pytest.raises(InvalidInput) as refused:
        assignments.register_cadre({"cadre_id": "Bad Id", "full_name": "",
                                    "home_unit_id": "vp", "positions": []})
    assert set(refused.value.fields) == {"cadre_id", "full_name", "positions"}
    with pytest.raises(InvalidInput):
        assignments.register_unit(["not", "an", "object"])


def test_concern_without_a_rule_becomes_an_unrouted_case(escalations, config):
    event = concern_at_noi_phat(topic="land")
    publish(config, event)
    case = wait_for(lambda: _case(escalations, event), what="the case")
    assert (case["status"], case["authority_id"]) == ("unrouted", None)


def test_routed_case_lands_in_the_inbox_once_even_if_the_event_comes_twice(escalations, config):
    event = concern_at_noi_phat()
    publish(config, event)
    publish(config, {**event, "event_id": "another-delivery-id"})  # same concern, new event id
    case = wait_for(lambda: _case(escalations, event), what="the case")
    assert case["authority_id"] == "ubnd-th"
    wait_for(lambda: not drain(config, "escalations.concern_raised"), what="queue drained")
    officer = {"user_id": "u1", "role": "authority_officer", "authority_id": "ubnd-th"}
    inbox = escalations.inbox({"authority_id": "ubnd-th"}, officer)["cases"]
    assert [c["concern_id"] for c in inbox].count(event["payload"]["concern_id"]) == 1
    routed = wait_for(lambda: [b for b, _ in drain(config, "monitor.audit")
                               if b["event_type"] == "case_routed"], what="case_routed")
    assert len(routed) == 1

    # the inbox is its own authority's officers' only; another's answers like a missing one
    assert escalations.inbox({"authority_id": "ubnd-th"}, officer)["cases"] == inbox
    stranger = {**officer, "authority_id": "ubnd-elsewhere"}
    for authority_id in ("ubnd-th", "no-such-authority"):
        with pytest.raises(NotFound) as hidden:
            escalations.inbox({"authority_id": authority_id}, stranger)
        assert hidden.value.fields == {"authority_id": [authority_id]}
    with pytest.raises(NotFound):
        escalations.get_case_for_concern(event["payload"]["concern_id"], stranger)
    assert escalations.get_case_for_concern(event["payload"]["concern_id"], officer)
    with pytest.raises(Forbidden):
        escalations.inbox({"authority_id": "ubnd-th"},
                          {"user_id": "u2", "role": "cadre", "cadre_id": "c1"})


def test_registry_writes_record_the_administrator_and_refuse_other_roles(escalations, config):
    operator = {"user_id": "u-op", "role": "operator"}
    admin = {"user_id": "u-admin", "role": "administrator"}
    rule = {"rule_id": "env-th", "topic": "environment", "unit_id": "vp.bx.th",
            "authority_id": "ubnd-th"}
    with pytest.raises(Forbidden):
        escalations.add_routing_rule(rule, operator)
    assert "env-th" not in {r["rule_id"] for r in escalations.list_routing_rules()["routing_rules"]}
    escalations.add_routing_rule(rule, admin)
    assert "env-th" in {r["rule_id"] for r in escalations.list_routing_rules()["routing_rules"]}


# the cadre user who carried the concerns published here: may read their cases, wherever held
CARRIER = {"user_id": "u-cadre", "role": "cadre", "cadre_id": "tran-thi-binh"}


def concern_at_noi_phat(**overrides):
    return {**concern_raised(unit_id="vp.bx.th.np", unit_path=["vp", "vp.bx", "vp.bx.th",
                                                               "vp.bx.th.np"], **overrides),
            "actor": CARRIER["user_id"]}


def _case(proxy, event):
    try:
        return proxy.get_case_for_concern(event["payload"]["concern_id"], CARRIER)
    except NotFound:
        return None


def test_rpc_request_nobody_can_be_answered_for_is_refused_and_the_service_lives_on(
        assignments, config):
    with Connection(config["AMQP_URI"]) as connection:
        connection.Producer().publish({"args": [], "kwargs": {}}, exchange="nameko-rpc",
                                      routing_key="assignments.list_units", serializer="json")
    time.sleep(0.5)
    assert len(assignments.list_units()["units"]) == len(TREE)


def test_a_pages_authorities_are_named_by_id_in_one_call(escalations):
    named = escalations.authority_names({"authority_ids": ["ubnd-th", "gone"]})["authorities"]
    assert named == [{"authority_id": "ubnd-th", "name": "UBND xã Tam Hợp"}]
    assert escalations.get_authority("ubnd-th")["retired_on"] is None  # the page says so
    with pytest.raises(InvalidInput) as refused:
        escalations.authority_names({"authority_ids": ["Not An Id"]})
    assert "authority_ids" in refused.value.fields
