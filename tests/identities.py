"""The broker users of deploy/rabbitmq/definitions.json, made for one test session.

Tests run on the same users and permissions as production: each user of the definitions is
created once per session as ``<name>-t<random>`` with a random password (so parallel sessions
never reset each other's), granted the definitions' permissions on each test's vhost, and each
service container connects as its own user (the root conftest's ``container_factory``). The
test itself keeps the vhost's admin URI (``config["AMQP_URI"]``) to declare, inspect and
drain; it calls RPCs through nameko's standalone proxies, which here act as the gateway (a
principal passed: signed with the session's key) or as the loader script (no principal), and
publishes events as their source service (:func:`publish_as_source`).
"""
import json
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import broker_uri, callers
from shared.config import ROOT
from shared.rpc import IdentifiedMethodProxy, principal_among

DEFINITIONS_FILE = ROOT / "deploy" / "rabbitmq" / "definitions.json"
CONFIG_KEY = "test_identities"  # where the config fixture keeps the session's identities
# the session's token key: production (the services' mode in tests) refuses a published one
TOKEN_SECRET = secrets.token_urlsafe(32)


def definitions():
    return json.loads(DEFINITIONS_FILE.read_text())


with_user = broker_uri.with_user


class BrokerIdentities:
    def __init__(self, manager, key_dir):
        self.manager = manager
        self.suffix = f"-t{secrets.token_hex(4)}"
        self.passwords = {}
        self.declared = set()  # the vhosts whose topology is declared
        self.definitions = definitions()
        for user in self.definitions["users"]:
            name = user["name"] + self.suffix
            self.passwords[user["name"]] = password = secrets.token_urlsafe(24)
            manager._put("users", name, json={"password": password, "tags": user["tags"]})
        self.signing_key = Ed25519PrivateKey.generate()
        self.private_key_file = key_dir / "principal_key.pem"
        self.public_key_file = key_dir / "principal_key.pub"
        self.private_key_file.write_bytes(self.signing_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        self.public_key_file.write_bytes(self.signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))

    def grant(self, vhost):
        """The definitions' permissions and topic permissions, on ``vhost``."""
        for entry in self.definitions["permissions"]:
            self.manager._put("permissions", vhost, entry["user"] + self.suffix, json={
                key: entry[key] for key in ("configure", "write", "read")})
        for entry in self.definitions["topic_permissions"]:
            self.manager._put("topic-permissions", vhost, entry["user"] + self.suffix, json={
                key: entry[key] for key in ("exchange", "write", "read")})

    def uri(self, amqp_uri, name):
        """``amqp_uri`` (the test's vhost) as the session's user for ``name``."""
        return with_user(amqp_uri, name + self.suffix, self.passwords[name])

    def settings(self):
        return {"BROKER_USER_SUFFIX": self.suffix,
                "PRINCIPAL_PUBLIC_KEY_FILE": str(self.public_key_file),
                "PRINCIPAL_PRIVATE_KEY_FILE": str(self.private_key_file)}

    def delete(self):
        for name in self.passwords:
            try:
                self.manager._delete("users", name + self.suffix)
            except Exception:  # gone already: nothing to clean
                pass


def identities_of(config):
    return config[CONFIG_KEY]


def service_config(config, service_name):
    """``config`` for a service container: connecting as the service's own user, the
    topology declared beforehand as the deploy step does (the services may only use it)."""
    identities = identities_of(config)
    if config.get("DECLARE_TOPOLOGY", True) and config["AMQP_URI"] not in identities.declared:
        declare_topology(config)
        identities.declared.add(config["AMQP_URI"])
    return {**config, "AMQP_URI": identities.uri(config["AMQP_URI"], service_name),
            "DECLARE_TOPOLOGY": False}


def declare_topology(config):
    """The deploy step, done by the test vhost's admin (guest on loopback: never a service).
    Only the retry delays are read, not the whole settings, whose production checks are for
    the services' own secrets."""
    from kombu import Connection

    from shared import topology
    from shared.config import DelayList, defaults
    delays = DelayList().deserialize(config.get("EVENT_RETRY_DELAYS")
                                     or defaults()["EVENT_RETRY_DELAYS"])
    with Connection(config["AMQP_URI"]) as connection:
        topology.declare(connection, delays)


def publish_as_source(config, envelope):
    """Publish an event as the broker user of its source service, as that service would."""
    from shared.messaging import ConfirmedPublisher
    uri = identities_of(config).uri(config["AMQP_URI"], envelope["source"])
    ConfirmedPublisher(uri).publish_event(envelope)


class ActingMethodProxy(IdentifiedMethodProxy):
    """A call published on a connection of its own, as the identity it acts as."""

    def __init__(self, acting_uri, *args, **kwargs):
        self._acting_uri = acting_uri
        super().__init__(*args, **kwargs)

    @property
    def amqp_uri(self):
        return self._acting_uri


def acting_as(rpc_name, principal):
    """The gateway for a signed-in user, and for what it calls without one (sign-in, registry
    reads); the loader for what only scripts call (registry writes); anything else as the
    gateway, which is refused as the real gateway would be."""
    if principal is None and not callers.may_call_without_user(callers.GATEWAY, rpc_name) and \
            callers.may_call_without_user(callers.LOADER, rpc_name):
        return callers.LOADER
    return callers.GATEWAY


class TestCallerProxy:
    """A standalone proxy's calls to one service: as the gateway with a signed principal when
    one is passed, as the loader script otherwise."""

    def __init__(self, worker_ctx, service_name, reply_listener, acting_as=None):
        self.worker_ctx = worker_ctx
        self.service_name = service_name
        self.reply_listener = reply_listener
        self.acting_as = acting_as

    def __getattr__(self, method_name):
        if method_name.startswith("_"):
            raise AttributeError(method_name)
        proxy = self

        class Method:
            def __call__(self, *args, **kwargs):
                return self.call_async(*args, **kwargs).result()

            def call_async(self, *args, **kwargs):
                return proxy.method(method_name, args, kwargs).call_async(*args, **kwargs)

        return Method()

    def method(self, method_name, args, kwargs):
        config = self.worker_ctx.container.config
        identities = identities_of(config)
        principal = principal_among(args, kwargs)
        user = self.acting_as or acting_as(f"{self.service_name}.{method_name}", principal)
        method = ActingMethodProxy(
            identities.uri(config["AMQP_URI"], user), self.worker_ctx, self.service_name,
            method_name, self.reply_listener, user_id=user + identities.suffix)
        if principal is not None and user == callers.GATEWAY:
            method.assertion = callers.sign_principal(identities.signing_key, principal)
        return method


def patch_standalone_proxies(monkeypatch):
    """nameko's ServiceRpcProxy and ClusterRpcProxy, in tests, call as a test identity."""
    from nameko.standalone import rpc as standalone

    def service_init(self, service_name, *args, **kwargs):
        standalone.StandaloneProxyBase.__init__(self, *args, **kwargs)
        self._proxy = TestCallerProxy(self._worker_ctx, service_name, self._reply_listener)

    class Cluster:
        def __init__(self, worker_ctx, reply_listener):
            self._worker_ctx, self._reply_listener = worker_ctx, reply_listener

        def __getattr__(self, name):
            if name.startswith("_"):
                raise AttributeError(name)
            return TestCallerProxy(self._worker_ctx, name, self._reply_listener)

        __getitem__ = __getattr__

    def cluster_init(self, *args, **kwargs):
        standalone.StandaloneProxyBase.__init__(self, *args, **kwargs)
        self._proxy = Cluster(self._worker_ctx, self._reply_listener)

    monkeypatch.setattr(standalone.ServiceRpcProxy, "__init__", service_init)
    monkeypatch.setattr(standalone.ClusterRpcProxy, "__init__", cluster_init)
