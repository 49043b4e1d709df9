"""Who is calling (shared/callers.py, shared/rpc.py, shared/consumer.py): the broker's user_id
and the gateway's signed principal decide, never what a caller says about itself."""
import inspect
import logging
import time
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import callers, topology
from shared.consumer import EventSubscriber
from shared.errors import Forbidden, Unauthorized
from shared.messaging import ERROR_HEADER, PUBLISHED_BY_HEADER
from shared.rpc import GuardedRpcConsumer, IdentifiedMethodProxy, Rpc, principal_among
from tests.unit.test_contracts import envelope

KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()
CADRE = {"user_id": "u1", "role": "cadre", "cadre_id": "tran-thi-binh", "authority_id": None}
OFFICER = {"user_id": "u2", "role": "authority_officer", "cadre_id": None,
           "authority_id": "ubnd-xa-tam-hop"}


def test_the_broker_user_is_read_from_the_uri():
    assert callers.broker_user("amqp://visits:secret@localhost:5672/vh") == "visits"
    assert callers.broker_user("amqp://sausat%2Dx:p@h/") == "sausat-x"
    assert callers.broker_user("amqp://localhost/") == "guest"


def test_a_broker_user_names_a_service_only_with_the_sessions_suffix():
    assert callers.caller_service("gateway", "") == "gateway"
    assert callers.caller_service("gateway-t1", "-t1") == "gateway"
    assert callers.caller_service("gateway", "-t1") is None
    assert callers.caller_service("loader", "") == "loader"
    assert callers.caller_service("guest", "") is None
    assert callers.caller_service(None, "") is None


def test_the_table_of_calls_without_a_user_names_real_callers_and_rpcs():
    assert callers.may_call_without_user("accounts", "assignments.get_cadre")
    assert not callers.may_call_without_user("accounts", "visits.get_visit")
    assert not callers.may_call_without_user("imports", "accounts.create_user")
    assert callers.may_call_without_user("loader", "accounts.create_user")
    assert not callers.may_call_without_user("guest", "visits.get_unit")


# --- the principal assertion -----------------------------------------------------------------

def test_a_signed_principal_verifies():
    callers.verify_principal(KEY.public_key(), callers.sign_principal(KEY, CADRE), CADRE)


# signed when the test runs, not when it is collected: an assertion lives 60 s, and a whole
# suite runs longer than that between the two
@pytest.mark.parametrize("assertion, refusal, reason", [
    (lambda: None, Unauthorized, "not signed"),
    (lambda: "", Unauthorized, "not signed"),
    (lambda: "not.a.token", Unauthorized, "invalid"),
    (lambda: callers.sign_principal(OTHER_KEY, CADRE), Unauthorized, "invalid"),
    (lambda: callers.sign_principal(KEY, CADRE, now=time.time() - 120), Unauthorized, "expired"),
    (lambda: callers.sign_principal(KEY, OFFICER), Forbidden, "does not match"),
], ids=["missing", "empty", "garbage", "wrong-key", "expired", "another-principal"])
def test_a_forged_principal_is_refused(assertion, refusal, reason):
    with pytest.raises(refusal) as caught:
        callers.verify_principal(KEY.public_key(), assertion(), CADRE)
    assert reason in str(caught.value.fields["principal"])


# --- the RPC entrypoint ----------------------------------------------------------------------

class Visits:
    def get_visit(self, visit_id, principal):
        """an RPC acting for a user"""

    def get_unit(self, unit_id):
        """an RPC that takes no principal"""

    def list_cadres(self, query=None, principal=None):
        """(as assignments.list_cadres) an RPC that records who was shown personal data"""


def entrypoint(method_name, service="visits", suffix=""):
    rpc = Rpc()
    rpc.method_name = method_name
    rpc.signature = inspect.signature(getattr(Visits, method_name))
    rpc.rpc_name = f"{service}.{method_name}"
    rpc.public_key = KEY.public_key()
    rpc.user_suffix = suffix
    return rpc


def test_the_gateway_with_the_signed_principal_is_accepted():
    entrypoint("get_visit").verify_caller(
        "gateway", ["v1", CADRE], {}, callers.sign_principal(KEY, CADRE))
    entrypoint("get_visit", suffix="-t1").verify_caller(
        "gateway-t1", ["v1"], {"principal": CADRE}, callers.sign_principal(KEY, CADRE))


def test_a_principal_from_another_broker_user_is_refused_and_logged(caplog):
    signed = callers.sign_principal(KEY, CADRE)  # even one the gateway really signed
    for user in ("visits", "guest", "loader"):
        with pytest.raises(Forbidden, match="only the gateway"):
            entrypoint("get_visit").verify_caller(user, ["v1", CADRE], {}, signed)
    assert "refused RPC visits.get_visit from broker user guest" in caplog.text


@pytest.mark.parametrize("assertion", [
    None, callers.sign_principal(OTHER_KEY, CADRE),
    callers.sign_principal(KEY, CADRE, now=time.time() - 61),
    callers.sign_principal(KEY, OFFICER)], ids=["unsigned", "wrong-key", "expired", "other"])
def test_the_gateway_with_a_forged_principal_is_refused(assertion, caplog):
    with pytest.raises((Unauthorized, Forbidden)):
        entrypoint("get_visit").verify_caller("gateway", ["v1", CADRE], {}, assertion)
    assert "refused RPC visits.get_visit" in caplog.text


def test_a_service_passes_on_a_users_principal_only_where_forwards_lists_it(caplog):
    # imports' export of cadres: the registry records the administrator as the reader
    signed = callers.sign_principal(KEY, OFFICER)
    rpc = entrypoint("list_cadres", service="assignments")
    assert rpc.verify_caller("imports", [{}, OFFICER], {}, signed) is True
    with pytest.raises((Unauthorized, Forbidden)):  # still only the gateway's own signature
        rpc.verify_caller("imports", [{}, OFFICER], {}, callers.sign_principal(OTHER_KEY,
                                                                               OFFICER))
    with pytest.raises(Forbidden, match="only the gateway"):  # not listed for anyone else
        rpc.verify_caller("accounts", [{}, OFFICER], {}, signed)
    with pytest.raises(Forbidden, match="only the gateway"):  # nor for another RPC
        entrypoint("get_visit").verify_caller("imports", ["v1", OFFICER], {}, signed)


def test_a_forwarded_call_carries_the_assertion_its_worker_received():
    from shared.rpc import IdentifiedServiceProxy
    worker_ctx = SimpleNamespace(context_data={callers.RECEIVED_ASSERTION_KEY: "received"},
                                 container=SimpleNamespace(config={
                                     "AMQP_URI": "amqp://imports:secret@localhost:5672/"}))
    proxy = IdentifiedServiceProxy(worker_ctx, "assignments", None, {})
    method = proxy._method("list_cadres", ({}, OFFICER), {})
    assert method.assertion == "received"
    assert proxy._method("list_units", ({},), {}).assertion is None  # no principal: none


def test_no_principal_is_accepted_only_from_a_caller_the_table_lists(caplog):
    # today's hole: get_visit(id, None) as guest read the raiser's name and contact
    for user in ("guest", "gateway", "accounts", "loader"):
        with pytest.raises(Forbidden, match="without a signed-in user"):
            entrypoint("get_visit").verify_caller(user, ["v1", None], {}, None)
    entrypoint("get_unit").verify_caller("gateway", ["u1"], {}, None)
    entrypoint("get_unit").verify_caller("loader", ["u1"], {}, None)
    with pytest.raises(Forbidden):
        entrypoint("get_unit").verify_caller("guest", ["u1"], {}, None)
    with pytest.raises(Forbidden):  # another session's gateway
        entrypoint("get_unit", suffix="-t1").verify_caller("gateway", ["u1"], {}, None)


def message(user_id=None, headers=None, body=None, routing_key="visits.get_visit"):
    properties = {"reply_to": "r", "correlation_id": "c", "content_type": "application/json"}
    if user_id is not None:
        properties["user_id"] = user_id
    return SimpleNamespace(properties=properties, headers=headers or {}, body=body,
                           delivery_info={"routing_key": routing_key},
                           content_type="application/json", content_encoding="utf-8")


def test_an_rpc_request_without_user_id_is_answered_with_a_refusal_and_logged(caplog):
    consumer = GuardedRpcConsumer()
    answered = []
    consumer.handle_result = lambda message, result, exc_info: answered.append(exc_info[1])
    consumer.get_provider_for_method = lambda key: pytest.fail("the request went on")
    consumer.handle_message({"args": [], "kwargs": {}}, message())
    assert isinstance(answered[0], Unauthorized)
    assert "without user_id" in caplog.text


def test_identity_headers_a_caller_sends_are_dropped_and_the_verified_caller_set():
    rpc = entrypoint("get_unit")
    spawned = []
    rpc.container = SimpleNamespace(
        service_cls=Visits, service_name="visits",
        spawn_worker=lambda *args, **kwargs: spawned.append(kwargs["context_data"]))
    rpc.rpc_consumer = None
    rpc.handle_message({"args": ["u1"], "kwargs": {}}, message(
        "gateway", {"nameko.caller": "escalations", "nameko.correlation_id": "k1"}))
    assert spawned == [{"caller": "gateway", "correlation_id": "k1"}]
    # a received assertion is the entrypoint's to set, once verified: never a caller's
    spawned.clear()
    rpc.handle_message({"args": ["u1"], "kwargs": {}}, message(
        "gateway", {"nameko.received_principal_assertion": "forged"}))
    assert spawned == [{"caller": "gateway"}]


def test_an_outgoing_call_carries_only_its_own_assertion():
    method = IdentifiedMethodProxy.__new__(IdentifiedMethodProxy)
    method.assertion = "signed"
    worker_ctx = SimpleNamespace(context_data={"caller": "gateway", "principal_assertion": "old",
                                               "correlation_id": "k1"})
    assert method.get_message_headers(worker_ctx) == {
        "nameko.correlation_id": "k1", "nameko.principal_assertion": "signed"}


def test_the_principal_a_call_passes_is_found_wherever_it_is():
    assert principal_among(("v1", CADRE), {}) == CADRE
    assert principal_among(("v1",), {"principal": CADRE}) == CADRE
    assert principal_among(({"unit_id": "x"},), {}) is None


# --- events ----------------------------------------------------------------------------------

def concern_raised_body():
    return envelope()  # visits.concern_raised, event id e1


def subscriber(own_user="escalations"):
    sub = EventSubscriber("concern_raised")
    sub.subscription = topology.subscription("escalations", "concern_raised")
    sub.user_suffix = ""
    sub.republishers = {own_user, "monitor"}
    sub.retry_delays = [1]
    sub.parked = []
    sub.publisher = SimpleNamespace(
        to_dead_letters=lambda message, queue, headers: sub.parked.append(headers),
        to_queue=lambda *args: pytest.fail("retried"))
    sub.queue_consumer = SimpleNamespace(ack_message=lambda message: None)
    sub.store = SimpleNamespace(already_handled=lambda *args: pytest.fail("handled"))
    sub.method_name = "route_concern"
    sub.fail_flag_file, sub.batches = None, None  # set up by nameko in a running service
    return sub


@pytest.mark.parametrize("user_id, headers", [
    (None, {}), ("guest", {}), ("notifications", {}),
    # a forged "first published by" header counts only from this service or the monitor
    ("notifications", {PUBLISHED_BY_HEADER: "visits"}),
    ("escalations", {}), ("monitor", {PUBLISHED_BY_HEADER: "guest"}),
], ids=["none", "guest", "other-service", "forged-header", "own-no-header", "replay-of-forged"])
def test_an_event_from_the_wrong_broker_user_is_dead_lettered(user_id, headers, caplog):
    sub = subscriber()
    sub.handle_message(concern_raised_body(), message(user_id, dict(headers)))
    assert len(sub.parked) == 1
    assert "published by broker user" in sub.parked[0][ERROR_HEADER]
    assert "not by 'visits'" in sub.parked[0][ERROR_HEADER]
    assert sub.parked[0][PUBLISHED_BY_HEADER] != "visits"


@pytest.mark.parametrize("user_id, headers", [
    ("visits", {}), ("escalations", {PUBLISHED_BY_HEADER: "visits"}),
    ("monitor", {PUBLISHED_BY_HEADER: "visits"})], ids=["source", "retry", "replay"])
def test_an_event_from_its_source_or_its_retry_or_replay_is_handled(user_id, headers):
    sub = subscriber()
    handled = []
    sub.store = SimpleNamespace(already_handled=lambda queue, event_id: handled.append(event_id)
                                or True, retry_settled=lambda queue, event_id: None)
    sub.handle_message(concern_raised_body(), message(user_id, headers))
    assert handled == ["e1"] and sub.parked == []


def test_logging_is_not_silenced_here():
    assert logging.getLogger("shared.rpc").isEnabledFor(logging.WARNING)


def test_a_principal_signed_again_in_the_same_second_reuses_the_signature(monkeypatch):
    signatures = []
    real_encode = callers.jwt.encode
    monkeypatch.setattr(callers.jwt, "encode",
                        lambda *args, **kwargs: signatures.append(1) or real_encode(*args,
                                                                                  **kwargs))
    first = callers.sign_principal(KEY, CADRE, now=1_000_000.2)
    again = callers.sign_principal(KEY, dict(reversed(list(CADRE.items()))), now=1_000_000.9)
    assert again == first and len(signatures) == 1
    # what a fresh signature would be, byte for byte: Ed25519 is deterministic
    assert first == real_encode({"principal": CADRE, "iat": 1_000_000,
                                 "exp": 1_000_000 + callers.ASSERTION_SECONDS,
                                 "aud": callers.ASSERTION_AUDIENCE, "iss": callers.GATEWAY},
                                KEY, algorithm=callers.ASSERTION_ALGORITHM)
    assert callers.sign_principal(KEY, OFFICER, now=1_000_000.5) != first  # another principal
    assert callers.sign_principal(OTHER_KEY, CADRE, now=1_000_000.5) != first  # another key
    assert callers.sign_principal(KEY, CADRE, now=1_000_001.0) != first  # the next second
    assert len(signatures) == 4


def test_an_assertion_verified_again_in_the_same_second_is_not_checked_twice(monkeypatch):
    checks = []
    real_decode = callers.jwt.decode
    monkeypatch.setattr(callers.jwt, "decode",
                        lambda *args, **kwargs: checks.append(1) or real_decode(*args, **kwargs))
    now = time.time()
    monkeypatch.setattr(callers.time, "time", lambda: now)
    assertion, public = callers.sign_principal(KEY, CADRE), KEY.public_key()  # kept, as Rpc does
    callers.verify_principal(public, assertion, CADRE)
    callers.verify_principal(public, assertion, CADRE)
    assert len(checks) == 1
    with pytest.raises(Forbidden):  # the same assertion for another principal: still refused
        callers.verify_principal(public, assertion, OFFICER)
    with pytest.raises(Unauthorized):  # another key: checked, and refused
        callers.verify_principal(OTHER_KEY.public_key(), assertion, CADRE)
    now += 1  # the next second: checked again
    callers.verify_principal(public, assertion, CADRE)
    assert len(checks) == 3
