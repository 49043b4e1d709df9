"""The broker users of deploy/rabbitmq/definitions.json, made for one run on a vhost of its own
(the benchmark, the fault runs), so that its system runs as production does: each service as
its own user with the definitions' permissions, in production mode, the gateway signing
principals with a key pair of the run's own. The run itself keeps the vhost's admin URI to
declare, inspect and drain (never given to a service).

Example::

    with Vhost(management_uri, amqp_uri) as vhost, \
            RunUsers(management_uri, vhost, workdir / "keys") as users:
        system = RunningSystem(vhost.amqp_uri, workdir, users.uris(), **users.settings())
"""
import json
import pathlib
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nameko.testing.rabbit import Client

from shared import broker_uri
from shared.config import ROOT

DEFINITIONS_FILE = ROOT / "deploy" / "rabbitmq" / "definitions.json"


class RunUsers:
    def __init__(self, management_uri, vhost, key_dir):
        self.manager = Client(management_uri)
        self.vhost = vhost  # tooling.bench.broker.Vhost: name and admin amqp_uri
        self.suffix = f"-r{secrets.token_hex(4)}"  # BROKER_USER_SUFFIX: never a real user's
        self.definitions = json.loads(DEFINITIONS_FILE.read_text())
        self.passwords = {user["name"]: secrets.token_urlsafe(24)
                          for user in self.definitions["users"]}
        self.key_dir = pathlib.Path(key_dir)

    def __enter__(self):
        for user in self.definitions["users"]:
            self.manager._put("users", user["name"] + self.suffix, json={
                "password": self.passwords[user["name"]], "tags": user["tags"]})
        for entry in self.definitions["permissions"]:
            self.manager._put("permissions", self.vhost.name, entry["user"] + self.suffix,
                              json={key: entry[key] for key in ("configure", "write", "read")})
        for entry in self.definitions["topic_permissions"]:
            self.manager._put("topic-permissions", self.vhost.name, entry["user"] + self.suffix,
                              json={key: entry[key] for key in ("exchange", "write", "read")})
        key = Ed25519PrivateKey.generate()
        self.key_dir.mkdir(parents=True, exist_ok=True)
        self.private_key_file = self.key_dir / "principal_key.pem"
        self.public_key_file = self.key_dir / "principal_key.pub"
        self.private_key_file.touch(mode=0o600)
        self.private_key_file.write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        self.public_key_file.write_bytes(key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        return self

    def __exit__(self, *exc):
        for name in self.passwords:
            try:
                self.manager._delete("users", name + self.suffix)
            except Exception:  # gone already: nothing to clean
                pass

    def uri(self, name):
        """The run's vhost as the run's user for ``name`` (a service, deploy or loader)."""
        return broker_uri.with_user(self.vhost.amqp_uri, name + self.suffix,
                                    self.passwords[name])

    def uris(self):
        return {name: self.uri(name) for name in self.passwords}

    def declare_topology(self, delays=None):
        """Exchanges and queues, as the deploy user (the services may only use them): for a
        system not started by deploy/services.sh, which declares them itself."""
        from kombu import Connection

        from shared import topology
        from shared.config import DelayList, defaults
        delays = DelayList().deserialize(delays or defaults()["EVENT_RETRY_DELAYS"])
        with Connection(self.uri("deploy")) as connection:
            topology.declare(connection, delays)

    def settings(self):
        return {"BROKER_USER_SUFFIX": self.suffix, "DECLARE_TOPOLOGY": "false",
                "PRINCIPAL_PUBLIC_KEY_FILE": str(self.public_key_file),
                "PRINCIPAL_PRIVATE_KEY_FILE": str(self.private_key_file)}

    def write_secrets(self, folder):
        """Each user's password where deploy/secrets.sh keeps it (``<folder>/rabbitmq/<name>``,
        owner-only), for a system run by deploy/services.sh with SAUSAT_SECRETS_DIR=folder."""
        users = pathlib.Path(folder) / "rabbitmq"
        users.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name, password in self.passwords.items():
            path = users / name
            path.touch(mode=0o600)
            path.write_text(password + "\n")
        return pathlib.Path(folder)
