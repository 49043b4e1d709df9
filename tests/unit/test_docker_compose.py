"""The promises of docker-compose.yml and deploy/rabbitmq/definitions.json, checked without Docker.

The compose file is read with PyYAML (anchors and ``<<`` merges resolved); its
``${VAR:-default}`` values are taken at their defaults and each required ``${VAR:?…}`` (every
secret: none has a default) at a value of its own (:func:`given`), as an operator sets them.
The RabbitMQ permissions of definitions.json are checked in test_broker_permissions.py. Where
a ``docker compose`` or ``docker-compose`` that can run ``config`` is installed, the file is
also validated by it.
"""
import importlib
import json
import os
import pathlib
import re
import shutil
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from shared import broker_uri
from tooling import rabbitmq_setup

ROOT = pathlib.Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DEFINITIONS_FILE = ROOT / "deploy" / "rabbitmq" / "definitions.json"
SERVICES = ("assignments", "visits", "escalations", "gateway", "monitor",
            "notifications", "accounts", "imports", "members")
ONE_SHOTS = ("rabbitmq-users", "topology", "mongo-init")
RABBITMQ_NODES = ("rabbitmq1", "rabbitmq2", "rabbitmq3")

COMPOSE = yaml.safe_load(COMPOSE_FILE.read_text())
DEFINITIONS = json.loads(DEFINITIONS_FILE.read_text())

_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET")


def given(name):
    """The value the tests set a required variable to: URL-safe, long, one per name."""
    return f"given-{name.lower().replace('_', '-')}-7f3a9c"


def default(value):
    """A compose value with every ``${VAR:-default}`` at its default, each required
    ``${VAR:?…}`` at :func:`given` (``${VAR}`` alone: empty)."""
    def one(match):
        if match.group(0) == "$$":
            return "$"
        if match.group(2) and match.group(2).endswith("?"):
            return given(match.group(1))
        return match.group(3) or ""
    return _VARIABLE.sub(one, str(value))


def variables(value):
    return {m.group(1) for m in _VARIABLE.finditer(str(value)) if m.group(1)}


def service(name):
    return COMPOSE["services"][name]


def env(name):
    return {key: default(value) for key, value in (service(name).get("environment") or {}).items()}


def raw_env(name):
    return service(name).get("environment") or {}


# --- the stack ---------------------------------------------------------------------------------

def test_no_version_key_and_the_expected_containers():
    assert "version" not in COMPOSE, "compose v2 calls `version:` obsolete"
    assert set(SERVICES) | set(ONE_SHOTS) | {*RABBITMQ_NODES, "mongo"} <= set(
        COMPOSE["services"])
    names = [spec.get("container_name") for spec in COMPOSE["services"].values()]
    names = [n for n in names if n]
    assert len(names) == len(set(names)), "two services share a container name"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_its_own_nameko_service(name):
    spec = service(name)
    command = spec["command"]
    assert isinstance(command, list), "exec form, so nameko is PID 1 and gets SIGTERM"
    assert command[:4] == ["nameko", "run", "--config", "deploy/config.yml"]
    assert len(command) == 5
    module, _, class_name = command[4].partition(":")
    assert module == f"services.{name}.service"
    service_class = getattr(importlib.import_module(module), class_name)
    assert service_class.name == name
    assert spec["restart"] == "unless-stopped"
    assert spec["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (ROOT / spec["build"]["context"] / spec["build"]["dockerfile"]).is_file()


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_waits_for_healthy_infrastructure_and_the_one_shots(name):
    depends_on = service(name)["depends_on"]
    for node in RABBITMQ_NODES:
        assert depends_on[node]["condition"] == "service_healthy"
    assert depends_on["mongo"]["condition"] == "service_healthy"
    for one_shot in ONE_SHOTS:
        assert depends_on[one_shot]["condition"] == "service_completed_successfully"
    for one_shot in ONE_SHOTS:
        assert service(one_shot).get("restart") == "no"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_its_own_amqp_user_on_every_node(name):
    nodes = [urlsplit(node) for node in broker_uri.alternates(env(name)["AMQP_URI"])]
    assert [(n.scheme, n.hostname, n.port) for n in nodes] == [
        ("amqp", node, 5672) for node in RABBITMQ_NODES], "every node, so kombu fails over"
    assert len({(n.username, n.password, n.path) for n in nodes}) == 1
    uri = nodes[0]
    assert uri.username == name
    assert uri.password, "a password (from RABBITMQ_<SERVICE>_PASSWORD)"
    assert variables(raw_env(name)["AMQP_URI"]) == {f"RABBITMQ_{name.upper()}_PASSWORD"}
    # the password the service uses is the one rabbitmq-users gives its user
    users_env = raw_env("rabbitmq-users")[f"RABBITMQ_{name.upper()}_PASSWORD"]
    assert variables(users_env) == {f"RABBITMQ_{name.upper()}_PASSWORD"}
    assert default(users_env) == uri.password


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_store_is_its_own_database_with_its_own_user(name):
    uri = urlsplit(env(name)["STORE_URI"])
    query = parse_qs(uri.query)
    assert uri.scheme == "mongodb" and uri.hostname == "mongo" and uri.port == 27017
    assert uri.path == f"/{name}"
    assert uri.username == name and uri.password
    assert query["replicaSet"] == ["rs0"]
    assert query["authSource"] == [name]
    assert variables(raw_env(name)["STORE_URI"]) == {f"MONGO_{name.upper()}_PASSWORD"}
    init_env = raw_env("mongo-init")[f"MONGO_{name.upper()}_PASSWORD"]
    assert default(init_env) == uri.password


def test_no_secret_has_a_default():
    # issue 19 (S1): a fallback password is one every installation shares
    text = COMPOSE_FILE.read_text()
    secrets = [m for m in _VARIABLE.finditer(text) if m.group(1) and SECRET_NAME.search(m.group(1))
               and m.group(1) != "TOKEN_PREVIOUS_SECRETS"]  # empty is right: no rotation
    assert len(secrets) >= 40
    for match in secrets:
        assert match.group(2) == ":?", f"{match.group(0)} must be ${{{match.group(1)}:?…}}"
    assert "dev-only" not in text
    for name in ("accounts", "gateway"):
        assert variables(raw_env(name)["TOKEN_SECRET"]) == {"TOKEN_SECRET"}
        assert "DEPLOYMENT_MODE" not in raw_env(name)  # production, deploy/config.yml's default


def test_no_two_services_share_a_password():
    for key in ("AMQP_URI", "STORE_URI"):
        passwords = [urlsplit(env(name)[key]).password for name in SERVICES]
        assert len(set(passwords)) == len(SERVICES), key


def test_principal_keys_public_for_every_service_private_for_the_gateway_only():
    # issue 19: only the gateway signs principals (shared/rpc.py); every service checks them
    files = COMPOSE["secrets"]
    assert variables(files["principal_public_key"]["file"]) == {"PRINCIPAL_PUBLIC_KEY_PATH"}
    assert variables(files["principal_private_key"]["file"]) == {"PRINCIPAL_PRIVATE_KEY_PATH"}
    for name in SERVICES:
        mounted = set(service(name).get("secrets") or ())
        assert env(name)["PRINCIPAL_PUBLIC_KEY_FILE"] == "/run/secrets/principal_public_key"
        assert "principal_public_key" in mounted
        if name == "gateway":
            assert "principal_private_key" in mounted
            assert env(name)["PRINCIPAL_PRIVATE_KEY_FILE"] == "/run/secrets/principal_private_key"
        else:
            assert "principal_private_key" not in mounted, name
            assert "PRINCIPAL_PRIVATE_KEY_FILE" not in raw_env(name), name
    for name, spec in COMPOSE["services"].items():
        if name != "gateway":
            assert "principal_private_key" not in (spec.get("secrets") or ()), name


def test_services_and_topology_agree_on_the_retry_delays():
    delays = {env(name)["EVENT_RETRY_DELAYS"] for name in SERVICES + ("topology",)}
    assert len(delays) == 1


def test_every_setting_given_to_the_services_is_read_by_deploy_config():
    config_text = (ROOT / "deploy" / "config.yml").read_text()
    read = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):", config_text))
    for name in SERVICES + ("topology",):
        given = set(raw_env(name)) - {"PYTHONWARNINGS"}
        unread = given - read
        assert not unread, (
            f"docker-compose.yml gives {name} {sorted(unread)}, which deploy/config.yml never "
            f"reads as ${{NAME:default}}")


def test_gateway_publishes_port_8000_and_checks_its_health_endpoint():
    gateway = service("gateway")
    assert any(str(port).split(":")[-2:] == ["8000", "8000"] for port in gateway["ports"])
    assert env("gateway")["GATEWAY_ADDRESS"].endswith(":8000")
    assert "/health" in " ".join(gateway["healthcheck"]["test"])


def test_monitor_reaches_the_management_api_of_any_node_as_itself():
    nodes = [urlsplit(n) for n in broker_uri.alternates(env("monitor")["RABBIT_MANAGEMENT_URI"])]
    assert [(n.hostname, n.port) for n in nodes] == [(node, 15672) for node in RABBITMQ_NODES]
    for uri in nodes:
        assert uri.username == "monitor"
        assert uri.password == broker_uri.password(env("monitor")["AMQP_URI"])


def test_topology_runs_once_as_the_deploy_user():
    topology = service("topology")
    assert topology["command"] == ["python", "-m", "shared.topology", "--config",
                                   "deploy/config.yml"]
    assert broker_uri.user(env("topology")["AMQP_URI"]) == "deploy"
    assert topology["depends_on"]["rabbitmq-users"]["condition"] == \
        "service_completed_successfully"


# --- infrastructure ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", RABBITMQ_NODES)
def test_each_rabbitmq_node_has_management_a_durable_volume_and_a_healthcheck(name):
    rabbitmq = service(name)
    assert rabbitmq["image"].startswith("rabbitmq:3.13-management")
    assert any(volume.split(":")[1] == "/var/lib/rabbitmq" and volume.split(":")[0]
               in COMPOSE["volumes"] for volume in rabbitmq["volumes"])
    assert "rabbitmq-diagnostics" in rabbitmq["healthcheck"]["test"]
    assert "ping" in rabbitmq["healthcheck"]["test"]
    assert rabbitmq["hostname"] == name, "a fixed node name, so the volume's data is found again"


def test_the_three_nodes_form_one_cluster_with_one_cookie_and_pause_in_a_minority():
    volumes = {name: service(name)["volumes"] for name in RABBITMQ_NODES}
    data = [v.split(":")[0] for vs in volumes.values() for v in vs if "/var/lib/rabbitmq" in v]
    assert len(set(data)) == 3, "a volume of its own per node"
    for name, mounts in volumes.items():
        assert "./deploy/rabbitmq/cluster.conf:/etc/rabbitmq/conf.d/20-cluster.conf:ro" in mounts
    lines = [line for line in (ROOT / "deploy" / "rabbitmq" / "cluster.conf").read_text()
             .splitlines() if line and not line.startswith("#")]
    assert lines == rabbitmq_setup.cluster_lines([f"rabbit@{n}" for n in RABBITMQ_NODES])
    cookies = {raw_env(name)["RABBITMQ_ERLANG_COOKIE"] for name in RABBITMQ_NODES}
    assert len(cookies) == 1 and variables(cookies.pop()) == {"RABBITMQ_ERLANG_COOKIE"}, \
        "one cookie, from the environment, with no default"


def test_mongo_is_a_replica_set_with_authentication_and_a_healthcheck():
    mongo = service("mongo")
    assert mongo["image"] == "mongo:7"
    command = mongo["command"]
    assert command[command.index("--replSet") + 1] == "rs0"
    assert "--keyFile" in command, "authentication on a replica set needs a key file"
    assert env("mongo")["MONGO_INITDB_ROOT_USERNAME"] and env("mongo")["MONGO_INITDB_ROOT_PASSWORD"]
    assert any(volume.split(":")[1] == "/data/db" and volume.split(":")[0] in COMPOSE["volumes"]
               for volume in mongo["volumes"])
    assert "healthcheck" in mongo


def test_mongo_init_initiates_the_set_and_creates_one_user_per_service():
    init = service("mongo-init")
    assert init["depends_on"]["mongo"]["condition"] == "service_healthy"
    assert env("mongo-init")["SAUSAT_SERVICES"].split() == list(SERVICES)
    assert env("mongo-init")["MONGO_REPLICA_SET"] == "rs0"
    assert env("mongo-init")["MONGO_ROOT_PASSWORD"] == env("mongo")["MONGO_INITDB_ROOT_PASSWORD"]
    script = (ROOT / "deploy" / "mongo" / "init-replica-set.js").read_text()
    for needle in ("replSetInitiate", "createUser", "updateUser", '"readWrite"', "db: service"):
        assert needle in script
    for path in (init["entrypoint"][-1], service("mongo")["entrypoint"][-1]):  # mounted files
        assert (ROOT / "deploy" / "mongo" / pathlib.PurePath(path).name).is_file()


def test_image_is_slim_python_and_runs_unprivileged():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", dockerfile, re.M)
    assert "requirements.txt" in dockerfile
    for folder in ("docstore", "shared", "services", "deploy"):
        assert re.search(rf"^COPY {folder}/ ", dockerfile, re.M)
    for package in ("docstore", "shared", "services"):  # deploy/ holds no Python any more
        assert re.search(rf"^RUN python -m compileall .*\b{package}\b", dockerfile, re.M)
    assert not list((ROOT / "deploy").rglob("*.py")), "deploy/ is scripts and data only"
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    ignored = (ROOT / ".dockerignore").read_text().split()
    for needed in ("docstore", "shared", "services", "deploy", "requirements.txt"):
        assert needed not in ignored
    assert "**/tests" in ignored, "no tests/ folder (tests/, docstore/tests/) in the image"
    assert "tooling" in ignored, "no container runs the developers' and operators' tooling"


# --- validation by compose itself, where installed -------------------------------------------

def compose_commands():
    candidates = []
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True,
                                 timeout=60).returncode == 0:
        candidates.append([docker, "compose"])
    legacy = shutil.which("docker-compose")
    if legacy and subprocess.run([legacy, "version"], capture_output=True,
                                 timeout=60).returncode == 0:
        candidates.append([legacy])
    return candidates


def required_variables():
    return {m.group(1) for m in _VARIABLE.finditer(COMPOSE_FILE.read_text())
            if m.group(2) and m.group(2).endswith("?")}


def test_compose_config_accepts_the_file_once_every_secret_is_set():
    commands = compose_commands()
    if not commands:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    clean = {k: v for k, v in os.environ.items() if not SECRET_NAME.search(k)}
    secrets = {name: given(name) for name in required_variables()}
    for command in commands:
        result = subprocess.run(command + ["-f", str(COMPOSE_FILE), "config", "-q"], cwd=ROOT,
                                capture_output=True, text=True, timeout=120,
                                env={**clean, **secrets})
        assert result.returncode == 0, f"{' '.join(command)} config -q:\n{result.stderr}"
        # one missing: compose stops, naming it, rather than start with a known value
        missing = subprocess.run(command + ["-f", str(COMPOSE_FILE), "config", "-q"], cwd=ROOT,
                                 capture_output=True, text=True, timeout=120,
                                 env={**clean, **secrets, "TOKEN_SECRET": ""})
        assert missing.returncode != 0 and "set TOKEN_SECRET" in missing.stderr, missing.stderr
