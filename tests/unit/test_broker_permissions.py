"""The RabbitMQ users and permissions of deploy/rabbitmq/definitions.json, checked against what
the code actually does: the subscriptions in ``shared.topology``, the event sources in
``shared.contracts`` and the RPC entrypoints and proxies of each service class (found through
docker-compose.yml's command for it). Each service may reach what it needs and nothing more.
"""
import importlib
import inspect
import re
import uuid

import pytest

from tests.unit.test_docker_compose import DEFINITIONS, SERVICES, env, raw_env, service


def permissions(user):
    [entry] = [p for p in DEFINITIONS["permissions"] if p["user"] == user and p["vhost"] == "/"]
    return entry


def allowed(user, kind, resource):
    """RabbitMQ's check: the regex is searched (not matched) in the resource name."""
    return re.search(permissions(user)[kind], resource) is not None


def topic_allowed(user, exchange, kind, routing_key):
    entries = [t for t in DEFINITIONS["topic_permissions"]
               if t["user"] == user and t["exchange"] == exchange]
    return all(re.search(t[kind], routing_key) for t in entries)  # no entry: no restriction


def can_publish(user, exchange, routing_key):
    return allowed(user, "write", exchange or "amq.default") and \
        topic_allowed(user, exchange, "write", routing_key)


def can_bind(user, queue, exchange, binding_key):
    return allowed(user, "write", queue) and allowed(user, "read", exchange) and \
        topic_allowed(user, exchange, "read", binding_key)


def service_class(name):
    command = service(name)["command"][4]
    module, _, class_name = command.partition(":")
    return getattr(importlib.import_module(module), class_name)


def rpc_server(name):
    from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
    from nameko.rpc import Rpc
    return any(isinstance(entrypoint, Rpc)
               for _, member in inspect.getmembers(service_class(name))
               for entrypoint in getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, ()))


def rpc_targets(name):
    from nameko.rpc import RpcProxy
    return {dependency.target_service for _, dependency in inspect.getmembers(service_class(name))
            if isinstance(dependency, RpcProxy)}


def test_one_rabbitmq_user_per_service_plus_deploy_and_no_administrator():
    names = [user["name"] for user in DEFINITIONS["users"]]
    assert sorted(names) == sorted(SERVICES + ("deploy", "loader"))
    for user in DEFINITIONS["users"]:
        assert "password" not in user and "password_hash" not in user, "no secrets in the file"
        assert "administrator" not in user["tags"]
        permissions(user["name"])  # exactly one entry on vhost /
    users_env = raw_env("rabbitmq-users")
    for name in names:
        assert f"RABBITMQ_{name.upper()}_PASSWORD" in users_env


def test_every_permission_regex_is_anchored():
    for entry in DEFINITIONS["permissions"] + DEFINITIONS["topic_permissions"]:
        for kind in ("configure", "write", "read"):
            if kind in entry:
                assert entry[kind].startswith("^") and entry[kind].endswith("$"), entry


def test_deploy_user_can_declare_the_whole_topology_and_nothing_else():
    from shared import topology
    delays = [float(d) for d in env("topology")["EVENT_RETRY_DELAYS"].split(",")]
    for exchange in (topology.EVENTS_EXCHANGE.name, topology.DEAD_LETTER_EXCHANGE.name):
        assert allowed("deploy", "configure", exchange)
        assert allowed("deploy", "read", exchange)
    for queue in topology.queues(delays):
        assert allowed("deploy", "configure", queue.name)
        assert allowed("deploy", "write", queue.name)  # bind
        assert allowed("deploy", "read", queue.name)  # declare with a dead-letter exchange
        dead_letter_exchange = (queue.queue_arguments or {}).get("x-dead-letter-exchange")
        if dead_letter_exchange is not None:
            assert allowed("deploy", "write", dead_letter_exchange or "amq.default")
    for other in ("nameko-rpc", "rpc-visits", f"rpc.reply-gateway-{uuid.uuid4()}"):
        assert not allowed("deploy", "configure", other)


def test_subscribers_may_consume_retry_and_dead_letter_only_their_own_queues():
    from shared import topology
    for sub in topology.SUBSCRIPTIONS:
        user = sub.service
        assert allowed(user, "configure", sub.queue_name)
        assert allowed(user, "read", sub.queue_name)
        assert allowed(user, "configure", topology.EVENTS_EXCHANGE.name)  # kombu re-declares it
        for key in sub.binding_keys:
            assert can_bind(user, sub.queue_name, topology.EVENTS_EXCHANGE.name, key), (user, key)
        # retries go through the default exchange, failures to the dead-letter exchange
        assert can_publish(user, "", topology.retry_queue_name(sub, 1))
        assert can_publish(user, topology.DEAD_LETTER_EXCHANGE.name, sub.queue_name)
        for other in SERVICES:
            if other != user:
                assert not allowed(other, "configure", sub.queue_name), (other, sub.queue_name)
                assert not allowed(other, "read", sub.queue_name), (other, sub.queue_name)
        # only the topology declares (or deletes) the wait and dead-letter queues
        for queue in (topology.retry_queue_name(sub, 1), topology.dead_letter_queue_name(sub)):
            assert not allowed(user, "configure", queue)


def test_only_the_source_of_an_event_may_publish_it():
    from shared import contracts, topology
    exchange = topology.EVENTS_EXCHANGE.name
    for event_type in contracts.EVENT_TYPES.values():
        for user in SERVICES:
            expected = user == event_type.source
            assert can_publish(user, exchange, event_type.routing_key) == expected, \
                (user, event_type.routing_key)


def test_subscribers_may_bind_only_the_events_they_subscribe_to():
    from shared import contracts, topology
    exchange = topology.EVENTS_EXCHANGE.name
    for user in SERVICES:
        subs = [sub for sub in topology.SUBSCRIPTIONS if sub.service == user]
        wanted = {key for sub in subs for key in sub.binding_keys}
        queue = subs[0].queue_name if subs else f"{user}.anything"
        for key in set(contracts.EVENT_TYPES) | {"#", "*.*"}:
            assert can_bind(user, queue, exchange, key) == (key in wanted), (user, key)


def test_followers_bind_queues_of_their_own_to_their_events_only_and_declare_nothing_else():
    from shared import contracts, topology
    exchange = topology.EVENTS_EXCHANGE.name
    for follower in topology.FOLLOWERS:
        user, queue = follower.service, follower.queue(uuid.uuid4().hex)
        assert queue.exclusive and queue.auto_delete and not queue.durable
        assert queue.bindings and all(b.exchange.no_declare for b in queue.bindings)
        assert allowed(user, "configure", queue.name) and allowed(user, "read", queue.name)
        for key in contracts.EVENT_TYPES:
            assert can_bind(user, queue.name, exchange, key) == (key in follower.binding_keys)
        assert not allowed(user, "configure", exchange)  # the topology declares it
        assert not can_publish(user, exchange, follower.binding_keys[0])
        # another service's queue, or a durable one by that name, is not the follower's
        assert not allowed(user, "configure", f"{follower.service}.{follower.name}")
        for sub in topology.SUBSCRIPTIONS:
            assert not allowed(user, "read", sub.queue_name)


@pytest.mark.parametrize("name", SERVICES)
def test_rpc_permissions_follow_the_service_code(name):
    reply_queue = f"rpc.reply-{name}-{uuid.uuid4()}"
    reply_key = str(uuid.uuid4())
    if rpc_server(name):
        queue = f"rpc-{name}"
        assert allowed(name, "configure", "nameko-rpc")
        assert allowed(name, "configure", queue) and allowed(name, "read", queue)
        assert can_bind(name, queue, "nameko-rpc", f"{name}.*")
        assert can_publish(name, "nameko-rpc", reply_key)  # the reply
    for target in rpc_targets(name):
        assert allowed(name, "configure", reply_queue) and allowed(name, "read", reply_queue)
        assert can_bind(name, reply_queue, "nameko-rpc", reply_key)
        assert can_publish(name, "nameko-rpc", f"{target}.health")
    # nobody takes over another service's RPC queue or listens to all RPC traffic
    for other in SERVICES:
        if other != name:
            assert not allowed(other, "configure", f"rpc-{name}")
            assert not allowed(other, "read", f"rpc-{name}")
    own_queues = ([f"rpc-{name}"] if rpc_server(name) else []) + \
        ([reply_queue] if rpc_targets(name) else [])
    for queue in own_queues:
        for key in ["#", "*.*"] + [f"{other}.*" for other in SERVICES if other != name]:
            assert not can_bind(name, queue, "nameko-rpc", key), (name, queue, key)
    for target in set(SERVICES) - rpc_targets(name):
        assert not can_publish(name, "nameko-rpc", f"{target}.health"), (name, target)


def test_the_loader_may_only_call_the_rpcs_its_scripts_need():
    from shared.callers import LOADER, SERVICE_CALLS
    reply_queue = f"rpc.reply-standalone_rpc_proxy-{uuid.uuid4()}"
    assert allowed(LOADER, "configure", reply_queue) and allowed(LOADER, "read", reply_queue)
    for rpc in SERVICE_CALLS[LOADER]:
        assert can_publish(LOADER, "nameko-rpc", rpc), rpc
    for other in SERVICES:
        assert not allowed(LOADER, "read", f"rpc-{other}")
        assert not can_publish(LOADER, "sausat.events", f"{other}.unit_registered")
    assert not can_publish(LOADER, "nameko-rpc", "monitor.replay_dead_letters")
    assert not can_publish(LOADER, "", "escalations.concern_raised")


def test_the_monitor_may_take_every_dead_letter_and_replay_it_where_it_failed():
    from services.monitor import dead_letters
    from shared import topology
    for sub in topology.SUBSCRIPTIONS:
        dead = topology.dead_letter_queue_name(sub)
        assert dead in dead_letters.dead_letter_queues()
        assert allowed("monitor", "read", dead), dead  # basic_get and ack
        assert can_publish("monitor", "", sub.queue_name)  # the replay


def test_only_the_monitor_may_use_the_management_api():
    tags = {user["name"]: set(filter(None, re.split(r"[,\s]+", user["tags"])))
            for user in DEFINITIONS["users"]}
    assert tags["monitor"] & {"management", "monitoring"}
    for name in set(tags) - {"monitor"}:
        assert not tags[name], name
