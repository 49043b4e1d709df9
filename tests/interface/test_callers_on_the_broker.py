"""Who calls, on the real RabbitMQ with definitions.json's users (tests/identities.py): the
broker vouches for ``user_id``, a request without one is refused, only the gateway passes a
principal and only with its signature, and an event from the wrong broker user is
dead-lettered. Each of these went through before: RPCs took any principal (or None) at its
word, and events were believed whoever published them."""
import json
import logging
import time
import uuid

import pytest
from amqp.exceptions import PreconditionFailed
from kombu import Connection, Exchange, Queue, messaging, serialization
from nameko.exceptions import deserialize
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import dummy, entrypoint_hook

from services.assignments.service import AssignmentsService
from services.visits.service import VisitsService
from shared import callers, contracts, topology
from shared.errors import Forbidden, NotFound, Unauthorized
from shared.messaging import ERROR_HEADER, PUBLISHED_BY_HEADER
from shared.rpc import BoundedRpcProxy, IdentifiedRpcProxy
from tests.identities import identities_of
from tests.interface.helpers import publish, wait_for

ADMIN = {"user_id": "u-admin", "role": "administrator", "cadre_id": None, "authority_id": None}
UNIT = {"unit_id": "vp", "name": "Tỉnh ủy Vĩnh Phúc", "level": "province", "parent_id": None}
RPC_EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True, no_declare=True)


def raw_rpc(config, user, routing_key, args, headers=None, user_id=True):
    """One RPC request published straight on the broker as ``user`` (the vhost's admin when
    None), its answer ``(result, error)`` read from a reply queue of the caller's own."""
    identities = identities_of(config)
    uri = config["AMQP_URI"] if user is None else identities.uri(config["AMQP_URI"], user)
    reply_key = str(uuid.uuid4())
    name = "standalone_rpc_proxy" if user in (None, callers.LOADER) else user
    reply_queue = Queue(f"rpc.reply-{name}-{reply_key}", RPC_EXCHANGE, routing_key=reply_key,
                        exclusive=True, auto_delete=True)
    properties = {}
    if user_id:
        properties["user_id"] = ("guest" if user is None else user + identities.suffix) \
            if user_id is True else user_id
    with Connection(uri) as connection:
        channel = connection.channel()
        reply_queue(channel).declare()
        connection.Producer(channel).publish(
            {"args": args, "kwargs": {}}, exchange=RPC_EXCHANGE, routing_key=routing_key,
            serializer="json", reply_to=reply_key, correlation_id=str(uuid.uuid4()),
            headers=headers or {}, **properties)
        deadline = time.monotonic() + 15
        while (message := channel.basic_get(reply_queue.name, no_ack=True)) is None:
            assert time.monotonic() < deadline, "no answer"
            time.sleep(0.05)
        answer = json.loads(message.body)
        return answer["result"], answer["error"] and deserialize(answer["error"])


@pytest.fixture
def assignments(container_factory, config):
    container_factory(AssignmentsService, config).start()
    with ServiceRpcProxy("assignments", config, timeout=15) as proxy:
        proxy.register_unit(UNIT)  # as the loader: a registry write it may make without a user
        yield proxy


def test_the_broker_refuses_a_user_id_other_than_the_connections(assignments, config):
    gateway_uri = identities_of(config).uri(config["AMQP_URI"], callers.GATEWAY)
    with Connection(gateway_uri) as connection, pytest.raises(PreconditionFailed):
        producer = connection.Producer()
        producer.publish({"args": [], "kwargs": {}}, exchange=RPC_EXCHANGE,
                         routing_key="assignments.list_levels", serializer="json",
                         user_id="imports" + identities_of(config).suffix)
        producer.channel.basic_qos(0, 1, False)  # a round trip: the channel error arrives


def test_an_rpc_request_without_user_id_is_refused_answered_and_logged(assignments, config,
                                                                       caplog):
    with caplog.at_level(logging.INFO):
        result, error = raw_rpc(config, None, "assignments.get_unit", ["vp"], user_id=False)
    assert result is None and isinstance(error, Unauthorized)
    assert "without user_id" in caplog.text


def test_rpc_as_a_user_no_table_lists_is_refused(assignments, config, caplog):
    # RabbitMQ's guest (an administrator) used to read anything with principal None
    result, error = raw_rpc(config, None, "assignments.get_unit", ["vp"])
    assert isinstance(error, Forbidden) and "guest may not call" in error.message
    assert "refused RPC assignments.get_unit from broker user guest" in caplog.text


def test_a_principal_from_a_broker_user_other_than_the_gateways_is_refused(assignments,
                                                                            config, caplog):
    identities = identities_of(config)
    stolen = callers.sign_principal(identities.signing_key, ADMIN)  # even a real signature
    result, error = raw_rpc(config, "imports", "assignments.change_unit_details",
                            ["vp", {"locality": "Bị đổi"}, ADMIN],
                            headers={"nameko.principal_assertion": stolen})
    assert isinstance(error, Forbidden) and "only the gateway" in error.message
    assert "refused RPC assignments.change_unit_details from broker user imports" in caplog.text
    assert assignments.get_unit("vp")["locality"] is None  # nothing changed


@pytest.mark.parametrize("forged", ["unsigned", "wrong_key", "expired", "another_principal",
                                    "claimed_caller"])
def test_a_forged_principal_from_the_gateways_user_is_refused(assignments, config, forged,
                                                              caplog):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    key = identities_of(config).signing_key
    headers = {
        "unsigned": {},
        "wrong_key": {"nameko.principal_assertion": callers.sign_principal(
            Ed25519PrivateKey.generate(), ADMIN)},
        "expired": {"nameko.principal_assertion": callers.sign_principal(
            key, ADMIN, now=time.time() - 120)},
        "another_principal": {"nameko.principal_assertion": callers.sign_principal(
            key, {**ADMIN, "user_id": "u-other"})},
        # a context header claiming to be someone is dropped, never believed
        "claimed_caller": {"nameko.caller": "loader"},
    }[forged]
    result, error = raw_rpc(config, callers.GATEWAY, "assignments.change_unit_details",
                            ["vp", {"locality": "Bị đổi"}, ADMIN], headers=headers)
    assert isinstance(error, (Unauthorized, Forbidden)), error
    assert "refused RPC assignments.change_unit_details from broker user gateway" in caplog.text
    assert assignments.get_unit("vp")["locality"] is None


def test_the_gateway_with_its_signed_principal_is_obeyed(assignments, config):
    signed = callers.sign_principal(identities_of(config).signing_key, ADMIN)
    result, error = raw_rpc(config, callers.GATEWAY, "assignments.change_unit_details",
                            ["vp", {"locality": "Vĩnh Yên"}, ADMIN],
                            headers={"nameko.principal_assertion": signed})
    assert error is None and result["locality"] == "Vĩnh Yên"


def test_a_reply_is_encoded_once_and_sent_without_waiting_for_a_confirm(assignments, config,
                                                                        monkeypatch):
    # nameko encoded each reply twice (a check, then the publish) and waited for the broker's
    # confirm of a message into the caller's own reply queue (issue 27: CPU per request)
    replies, sent = [], []
    json_codec = serialization.registry._encoders["json"]

    def counting(data):
        if isinstance(data, dict) and data.keys() == {"result", "error"}:
            replies.append(data["result"])
        elif isinstance(data, dict) and data.get("unit_id") == "vp":  # the result alone
            replies.append(data)
        return json_codec.encoder(data)

    publish = messaging.Producer.publish

    def recording(producer, body, routing_key=None, **kwargs):
        if routing_key and "." not in routing_key:  # a reply's key: the caller's uuid
            sent.append(getattr(producer.channel, "_confirm_selected", None))
        return publish(producer, body, routing_key=routing_key, **kwargs)

    monkeypatch.setitem(serialization.registry._encoders, "json",
                        json_codec._replace(encoder=counting))
    monkeypatch.setattr(messaging.Producer, "publish", recording)
    signed = callers.sign_principal(identities_of(config).signing_key, ADMIN)
    result, error = raw_rpc(config, callers.GATEWAY, "assignments.change_unit_details",
                            ["vp", {"locality": "Phúc Yên"}, ADMIN],
                            headers={"nameko.principal_assertion": signed})
    assert error is None and result["locality"] == "Phúc Yên"
    assert [reply["locality"] for reply in replies] == ["Phúc Yên"]
    assert sent == [False]


class GatewayCaller:
    name = callers.GATEWAY
    assignments = BoundedRpcProxy("assignments")

    @dummy
    def change(self, unit_id, changes, principal):
        return self.assignments.change_unit_details(unit_id, changes, principal)


class ImportsCaller(GatewayCaller):
    name = "imports"
    assignments = IdentifiedRpcProxy("assignments")  # a service's own proxy, as imports has

    @dummy
    def change(self, unit_id, changes, principal):  # a service acts for nobody: no principal
        return self.assignments.change_unit_details(unit_id, changes, None)


@pytest.mark.parametrize("caller, confirmed", [(GatewayCaller, False), (ImportsCaller, True)])
def test_the_gateways_requests_wait_for_their_reply_not_for_a_confirm_nor_ack_the_reply(
        assignments, container_factory, config, monkeypatch, rabbit_manager, caller,
        confirmed):
    # a person waits for the reply, which comes once the call was carried out; the confirm of
    # a request into a quorum queue cost a disk write's time and a frame each way, and the ack
    # of the reply a frame (issue 27). A service's own calls keep both.
    requests = []
    publish = messaging.Producer.publish

    def recording(producer, body, routing_key=None, **kwargs):
        if routing_key == "assignments.change_unit_details":
            requests.append((bool(producer.connection.transport_options.get("confirm_publish")),
                             kwargs.get("mandatory")))
        return publish(producer, body, routing_key=routing_key, **kwargs)

    monkeypatch.setattr(messaging.Producer, "publish", recording)
    container = container_factory(caller, config)
    container.start()
    with entrypoint_hook(container, "change") as change:
        answered = change("vp", {"locality": "Tam Đảo"}, ADMIN)
    assert answered["locality"] == "Tam Đảo"
    assert requests == [(confirmed, confirmed)]
    # as the broker sees the caller's reply queue: acknowledged by the caller, or not at all
    prefix = f"rpc.reply-{caller.name}-"

    def reply_consumers():
        return [consumer["ack_required"]
                for consumer in rabbit_manager._get("consumers", config["vhost"])
                if consumer["queue"]["name"].startswith(prefix)]
    assert wait_for(reply_consumers, what="the reply queue's consumer") == [confirmed]


def test_an_event_published_by_the_wrong_broker_user_is_dead_lettered(container_factory,
                                                                      config):
    container_factory(VisitsService, config).start()
    sub = topology.subscription("visits", "unit_registered")
    forged = contracts.UNIT_REGISTERED.new({**UNIT, "path": ["vp"]})
    # the vhost's administrator (guest) writes straight into visits' queue, as an attacker
    # holding guest would
    with Connection(config["AMQP_URI"]) as connection:
        connection.Producer().publish(forged, exchange="", routing_key=sub.queue_name,
                                      serializer="json", user_id="guest")
    dead_queue = topology.dead_letter_queue_name(sub)

    def dead_letters():
        with Connection(config["AMQP_URI"]) as connection:
            message = connection.channel().basic_get(dead_queue, no_ack=True)
            return message and message.properties["application_headers"]
    headers = wait_for(dead_letters, what="the forged event dead-lettered")
    assert "published by broker user 'guest', not by 'assignments" in headers[ERROR_HEADER]
    assert headers[PUBLISHED_BY_HEADER] == "guest"
    with ServiceRpcProxy("visits", config, timeout=15) as visits, pytest.raises(NotFound):
        visits.get_unit("vp")
    # the same event from assignments' own broker user is believed
    publish(config, contracts.UNIT_REGISTERED.new({**UNIT, "path": ["vp"]}))
    with ServiceRpcProxy("visits", config, timeout=15) as visits:
        wait_for(lambda: _known(visits, "vp"), what="the unit from assignments")


def _known(visits, unit_id):
    try:
        return visits.get_unit(unit_id)
    except NotFound:
        return None
