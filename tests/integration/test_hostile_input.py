"""Hostile input at both edges of the running system (separate processes, real RabbitMQ).

Messages: into EVERY consumer queue of ``shared.topology.SUBSCRIPTIONS`` (new ones included
untouched), straight through the default exchange, go a body that is not JSON, JSON that is
not an envelope, an envelope breaking its payload's contract, an event the queue did not
subscribe to, the wrong content type, no content type, a body over ``MAX_EVENT_BYTES``, a
foreign serializer (pickle, msgpack), bytes that are not UTF-8 and JSON nested past the
parser's depth. Each must end in that queue's dead-letter queue, its bytes unchanged, with the
queue and the reason in its headers; then a valid event sent to the same queue is handled
(recorded as handled in the service's own store); no service died or restarted (same pids) and
the queue still has its consumer.

Requests: every route's query and path parameters (``services.gateway.routes.ROUTES``) broken
in one field are refused 400 at the edge naming that field, whoever asks; every route's body
broken in one field, sent as every demo role, is refused 400/422 naming it, or refused as
not this role's (401/403) before it is read; and for every body route some role gets as far
as the field-named refusal.
"""
import contextlib
import json
import pickle
import re
import time
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kombu import Connection
from kombu.utils import json as kombu_json
from marshmallow import fields

import tests.properties.profiles  # noqa: F401  (the hypothesis profile)
from services.gateway.routes import ROUTES
from shared import topology
from shared.contracts import EVENT_TYPES, MAX_EVENT_BYTES
from shared.messaging import ATTEMPT_HEADER, ERROR_HEADER, QUEUE_HEADER
from shared.storage import connect
from tests.identities import publish_as_source
from tests.integration.test_openapi_fuzz import ROLES
from tests.properties.profiles import examples
from tests.properties.strategies import breakable, names, refused, valid
from tests.unit.test_contracts import PAYLOADS

pytestmark = pytest.mark.integration

SUBSCRIPTIONS = list(topology.SUBSCRIPTIONS)


# --- messages --------------------------------------------------------------------------------

def wanted_types(sub):
    """The event types the subscription takes, and one it does not (None: it takes them all)."""
    types = sorted(EVENT_TYPES.values(), key=lambda t: t.routing_key)
    # bound ones only: a retired event is still handled if left in the queue, never routed;
    # a queue bound to nothing, draining what an older release left in it, takes its retired
    taken = [t for t in types
             if sub.wants(t) and (t not in sub.retired or not sub.binding_keys)]
    others = [t for t in types if not sub.wants(t)]
    return taken, (others[0] if others else None)


def envelope_bytes(event_type, **payload_overrides):
    payload = {**PAYLOADS[event_type](), **payload_overrides}
    if payload_overrides:  # a broken payload cannot pass EventType.new: build it by hand
        envelope = event_type.new(PAYLOADS[event_type]())
        envelope["payload"] = json.loads(json.dumps(payload, default=str))
    else:
        envelope = event_type.new(payload)
    return json.dumps(envelope).encode()


def hostile_messages(sub):
    """{kind: (body, content type, content encoding, what the error header must say)}."""
    taken, unwanted = wanted_types(sub)
    wanted = taken[0]
    # a field a list of words cannot fill (a list of ids could take one)
    first_field = next(name for name in sorted(wanted.schema.fields)
                       if not isinstance(wanted.schema.fields[name], fields.List))
    messages = {
        "not_json": (b"{this is not json", "application/json", "utf-8", "cannot be decoded"),
        "not_an_envelope": (b'{"hello": "world"}', "application/json", "utf-8",
                            "invalid event envelope"),
        "a_json_list": (b"[1, 2, 3]", "application/json", "utf-8", "must be a JSON object"),
        "payload_breaks_contract": (envelope_bytes(wanted, **{first_field: ["not", "this"]}),
                                    "application/json", "utf-8",
                                    f"invalid {wanted.routing_key} payload"),
        "wrong_content_type": (envelope_bytes(wanted), "text/plain", "utf-8", "text/plain"),
        "no_content_type": (envelope_bytes(wanted), None, None, "must be a JSON object"),
        "oversized": (json.dumps({"pad": "x" * MAX_EVENT_BYTES}).encode(), "application/json",
                      "utf-8", f"over the limit of {MAX_EVENT_BYTES} bytes"),
        "pickle": (pickle.dumps({"event_id": "e1"}), "application/x-python-serialize",
                   "binary", "application/x-python-serialize"),
        "msgpack": (b"\x81\xa8event_id\xa2e1", "application/x-msgpack", "binary",
                    "application/x-msgpack"),
        "not_utf8": (b'{"event_id": "\xff\xfe"}', "application/json", "utf-8",
                     "cannot be decoded"),
        "deeply_nested": (b"[" * 100_000 + b"]" * 100_000, "application/json", "utf-8",
                          "recursion"),
    }
    if unwanted is not None:
        messages["not_subscribed"] = (envelope_bytes(unwanted), "application/json", "utf-8",
                                      "is not part of subscription")
    return messages


def dead_letters(amqp_uri, queue_name):
    """{body bytes: headers} of what is now in the queue, taken off it."""
    found = {}
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        while (message := channel.basic_get(queue_name, no_ack=True)) is not None:
            body = message.body  # py-amqp decodes a body it can per its content encoding
            if isinstance(body, str):
                body = body.encode(message.properties.get("content_encoding") or "utf-8")
            found[body] = message.properties.get("application_headers", {})
    return found


def handled(db, sub, event_id):
    """Whether the subscription recorded the event as handled, in its service's store."""
    return db.processed_events.find_one({"_id": f"{sub.queue_name}:{event_id}"}) is not None


def waiting_in(amqp_uri, queue_name):
    with Connection(amqp_uri) as connection:
        return connection.channel().queue_declare(queue_name, passive=True).message_count


def system_retry_delays(system):
    return system.env["EVENT_RETRY_DELAYS"].split(",")


def consumers_of(amqp_uri, queue_name):
    with Connection(amqp_uri) as connection:
        return connection.channel().queue_declare(queue_name, passive=True).consumer_count


@contextlib.contextmanager
def bound_as_before(amqp_uri, sub):
    """A queue bound to nothing (it only drains what an older release left in it) bound again,
    for a while, to the events it had then, as an installed system's still was."""
    keys = () if sub.binding_keys else sub.retired_keys
    with Connection(amqp_uri) as connection:
        for key in keys:
            connection.default_channel.queue_bind(sub.queue_name, topology.EVENTS_EXCHANGE.name,
                                                  key)
        try:
            yield
        finally:
            for key in keys:
                topology.unbind_retired(connection, sub.queue_name, key)


@pytest.mark.parametrize("sub", SUBSCRIPTIONS, ids=[s.queue_name for s in SUBSCRIPTIONS])
def test_hostile_messages_end_in_the_dead_letter_queue_and_the_service_goes_on(system, sub):
    amqp = system.env["AMQP_URI"]
    pids = {name: process.pid for name, process in system.processes.items()}
    sent = {}  # body -> (kind, reason): the dead letter keeps the body's bytes
    # confirmed publishing: each message is in the queue before the next is sent
    with Connection(amqp, transport_options={"confirm_publish": True}) as connection:
        producer = connection.Producer()
        for kind, (body, content_type, encoding, reason) in hostile_messages(sub).items():
            producer.publish(body, exchange="", routing_key=sub.queue_name,
                             content_type=content_type, content_encoding=encoding,
                             serializer=None)
            sent[body] = (kind, reason)
    # then one valid event of each type the queue takes, published as its source service
    # would (an event from any other broker user is dead-lettered unread); confirmed too
    good = {}
    with bound_as_before(amqp, sub):
        for event_type in wanted_types(sub)[0]:
            envelope = event_type.new(PAYLOADS[event_type]())
            publish_as_source(system.rpc_config, envelope)
            good[kombu_json.dumps(envelope).encode()] = envelope["event_id"]  # as kombu sent it
    assert len(sent) == len(hostile_messages(sub)), "two kinds share a body"

    client, db = connect(system.env["STORE_URI"], sub.service)

    def settled():
        """Every hostile body dead; every good event handled, or parked by its handler."""
        dead.update(dead_letters(amqp, topology.dead_letter_queue_name(sub)))
        done = {body for body, event_id in good.items()
                if body in dead or handled(db, sub, event_id)}
        return not (set(sent) - set(dead)) and done == set(good)

    dead, deadline = {}, time.monotonic() + 30
    try:
        while not settled():
            assert time.monotonic() < deadline, (
                f"not dead-lettered: {sorted(sent[b][0] for b in set(sent) - set(dead))}; "
                f"valid events unsettled: {len(good) - len(set(good) & set(dead))}; "
                f"in the queue: {waiting_in(amqp, sub.queue_name)}")
            time.sleep(0.2)
        handled_ids = {event_id for event_id in good.values() if handled(db, sub, event_id)}
    finally:
        client.close()

    # (other dead letters may be there too: the system's own events that an earlier test's
    # valid event caused, and that the demo data cannot satisfy; they are not judged here)
    for body, (kind, reason) in sent.items():
        headers = dead[body]
        assert headers[QUEUE_HEADER] == sub.queue_name
        assert headers[ERROR_HEADER].startswith("InvalidEvent: "), (kind, headers[ERROR_HEADER])
        assert reason.lower() in headers[ERROR_HEADER].lower(), (kind, headers[ERROR_HEADER])
    # the valid events reached the handler: handled, or refused by the handler itself (an
    # event the demo data cannot satisfy, such as a case of a visit it never heard of)
    assert handled_ids, "no valid event was handled after the hostile ones"
    for body in set(good) & set(dead):
        assert not dead[body][ERROR_HEADER].startswith("InvalidEvent"), dead[body]
        assert dead[body][ATTEMPT_HEADER] == 1 + len(system_retry_delays(system))
    assert {name: process.pid for name, process in system.processes.items()} == pids
    assert all(process.poll() is None for process in system.processes.values())
    assert consumers_of(amqp, sub.queue_name) >= 1


# --- requests --------------------------------------------------------------------------------

PARAMETERS = [(method, rule, part, schema, key)
              for (method, rule), route in sorted(ROUTES.items())
              for part, schema in (("query", route.query), ("path", route.path))
              if schema is not None for key in breakable(schema())
              if not (part == "path" and key not in schema().fields)]
# the pages' routes (/app) take the session cookie, not a bearer token: tests/integration/
# test_pages.py drives them in a browser, and the forms' refusals are checked there
BODIES = [(method, rule) for (method, rule), route in sorted(ROUTES.items())
          if route.body is not None and not rule.startswith("/app")]
PARAMETER_BUDGET = settings(max_examples=examples(2), deadline=None,
                            suppress_health_check=[HealthCheck.too_slow])
BODY_BUDGET = settings(max_examples=examples(4), deadline=None,
                       suppress_health_check=[HealthCheck.too_slow])


def url(system, rule, path_values):
    def fill(match):
        return quote(str(path_values[match.group(1)]), safe="")
    return system.base_url + re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", fill, rule)


def path_values(route):
    """Path parameters that pass (none for a route without them)."""
    return valid(route.path, query=True) if route.path is not None else st.just({})


def names_in_json(found, path):
    return names(found, tuple(str(part) for part in path))


@pytest.mark.parametrize("method, rule, part, schema, key", PARAMETERS,
                         ids=[f"{m} {r} {p}.{k}" for m, r, p, _, k in PARAMETERS])
def test_a_parameter_broken_in_one_field_is_refused_at_the_edge_naming_it(
        system, method, rule, part, schema, key):
    route = ROUTES[(method, rule)]

    @PARAMETER_BUDGET
    @given(refused(schema, query=True, key=key), path_values(route),
           valid(route.query, query=True))
    def refusal(broken, good_path, good_query):
        if part == "path":
            if "" in broken.payload.values() or len(broken.payload) < len(schema().fields):
                return  # an empty or absent path segment is another route: nothing to judge
            where, params = url(system, rule, broken.payload), good_query
        else:
            where, params = url(system, rule, good_path), broken.payload
        response = requests.request(method, where, params=params, timeout=30,
                                    headers=system.headers["administrator"])
        assert response.status_code == 400, (broken, response.status_code, response.text)
        body = response.json()
        assert names_in_json(body.get("fields", {}), broken.path[:1]), (broken, body)

    refusal()


@pytest.mark.parametrize("method, rule", BODIES, ids=[f"{m} {r}" for m, r in BODIES])
def test_a_body_broken_in_one_field_is_refused_naming_it_as_every_role(system, method, rule):
    route = ROUTES[(method, rule)]
    outcomes = []

    @BODY_BUDGET
    @given(refused(route.body), path_values(route))
    def refusal(broken, values):
        for role, who in ROLES.items():
            headers = system.headers[who]
            response = requests.request(method, url(system, rule, values),
                                        json=broken.payload, headers=headers, timeout=30)
            outcomes.append((role, response.status_code))
            if response.status_code in (401, 403):
                continue  # not this role's to send: refused before the body was judged
            assert response.status_code in (400, 422), (role, broken, response.text)
            found = response.json().get("fields", {})
            assert names_in_json(found, broken.path), (role, broken, found)

    refusal()
    assert any(status in (400, 422) for _, status in outcomes), (
        f"no role got as far as the body's refusal: {sorted(set(outcomes))}")
