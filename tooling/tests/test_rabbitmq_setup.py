"""deploy/rabbitmq.sh's generated broker config and user set-up (tooling/rabbitmq_setup.py):
nothing listens beyond loopback, every definitions user gets its own secret, nobody but
sausat-admin is an administrator, and guest goes only when asked."""
import json
import os
import pathlib
import re
import subprocess

import pytest

from tooling import rabbitmq_setup

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_amqp_and_management_listen_on_loopback_only():
    conf = rabbitmq_setup.conf(5673, 15673)
    assert "listeners.tcp.1 = 127.0.0.1:5673" in conf.splitlines()
    assert "management.tcp.ip = 127.0.0.1" in conf.splitlines()
    assert "management.tcp.port = 15673" in conf.splitlines()
    assert "loopback_users.guest = true" in conf.splitlines()
    assert not re.search(r"0\.0\.0\.0|::", conf)


def test_epmd_and_the_distribution_bind_loopback():
    env = rabbitmq_setup.env(25673)
    assert "export ERL_EPMD_ADDRESS=127.0.0.1" in env
    assert "inet_dist_use_interface {127,0,0,1}" in env
    assert "inet_dist_listen_min 25673" in env and "inet_dist_listen_max 25673" in env
    # the lines are what rabbitmq.sh evaluates: a shell must read them back unchanged
    shown = subprocess.run(["bash", "-c", env + 'echo "$RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"'],
                           capture_output=True, text=True, check=True).stdout
    assert shown.strip().startswith("-kernel inet_dist_use_interface {127,0,0,1}")


@pytest.fixture
def secrets(tmp_path):
    definitions = json.loads(rabbitmq_setup.DEFINITIONS.read_text())
    for name in [u["name"] for u in definitions["users"]] + [rabbitmq_setup.ADMIN]:
        (tmp_path / name).write_text(f"secret-of-{name}-0123456789abcdef\n")
    return definitions, tmp_path


def test_every_user_gets_its_own_secret_on_stdin_never_on_the_command_line(secrets):
    definitions, folder = secrets
    commands = rabbitmq_setup.user_commands(definitions, folder)
    added = {argv[1]: stdin for argv, stdin in commands if argv[0] == "add_user"}
    assert set(added) == {u["name"] for u in definitions["users"]} | {"sausat-admin"}
    assert added["gateway"] == "secret-of-gateway-0123456789abcdef"
    assert not any("secret-of" in part for argv, _ in commands for part in argv)


def test_only_sausat_admin_is_an_administrator_and_guest_stays_unless_asked(secrets):
    definitions, folder = secrets
    commands = rabbitmq_setup.user_commands(definitions, folder)
    tags = {argv[1]: argv[2:] for argv, _ in commands if argv[0] == "set_user_tags"}
    assert [name for name, given in tags.items() if "administrator" in given] == ["sausat-admin"]
    assert not any("impersonator" in given for given in tags.values())
    assert ["delete_user", "guest"] not in [argv for argv, _ in commands]
    deleting = rabbitmq_setup.user_commands(definitions, folder, delete_guest=True)
    assert deleting[-1] == (["delete_user", "guest"], None)
    granted = [argv for argv, _ in commands if argv[0] == "set_topic_permissions"]
    assert len(granted) == len(definitions["topic_permissions"])


def test_a_missing_or_weak_secret_stops_before_anything_runs(secrets):
    definitions, folder = secrets
    (folder / "visits").write_text("short")
    with pytest.raises(SystemExit, match="visits .* too short"):
        rabbitmq_setup.user_commands(definitions, folder)
    (folder / "visits").unlink()
    with pytest.raises(SystemExit, match="no password for broker user visits"):
        rabbitmq_setup.user_commands(definitions, folder)


def test_an_impersonator_or_extra_administrator_in_the_definitions_is_refused(secrets):
    definitions, folder = secrets
    definitions["users"][0]["tags"] = "impersonator"
    with pytest.raises(SystemExit, match="may not have tags"):
        rabbitmq_setup.user_commands(definitions, folder)


def test_rabbitmq_sh_writes_the_generated_config_and_keeps_the_cookie_owner_only():
    script = (ROOT / "deploy" / "rabbitmq.sh").read_text()
    assert "tooling/rabbitmq_setup.py\" conf" in script
    assert "tooling/rabbitmq_setup.py\" env" in script
    assert 'chmod 600 "$HOME/.erlang.cookie"' in script


# A node started by deploy/rabbitmq.sh and set up by `deploy/rabbitmq.sh users --delete-guest`
# (a second node on ports of its own, never the shared one): SAUSAT_SECURED_BROKER=host:port
# and SAUSAT_SECRETS_DIR name it and its secrets.
SECURED = os.environ.get("SAUSAT_SECURED_BROKER")


@pytest.mark.skipif(not SECURED, reason="needs SAUSAT_SECURED_BROKER (a node set up by "
                                        "deploy/rabbitmq.sh users --delete-guest)")
def test_on_a_secured_node_guest_is_refused_and_each_user_has_its_secret():
    from amqp.exceptions import AccessRefused
    from kombu import Connection
    secrets = pathlib.Path(os.environ["SAUSAT_SECRETS_DIR"]) / "rabbitmq"
    with pytest.raises(AccessRefused), Connection(f"amqp://guest:guest@{SECURED}/") as guest:
        guest.connect()
    gateway = (secrets / "gateway").read_text().strip()
    with Connection(f"amqp://gateway:{gateway}@{SECURED}/") as connection:
        connection.connect()
    with pytest.raises(AccessRefused), \
            Connection(f"amqp://gateway:{gateway}x@{SECURED}/") as wrong:
        wrong.connect()


def test_the_imported_definitions_carry_hashes_rabbitmq_checks_never_the_secrets(secrets):
    import base64
    import hashlib
    definitions, folder = secrets
    imported = rabbitmq_setup.definitions_with_passwords(definitions, folder)
    text = json.dumps(imported)
    assert "secret-of" not in text
    [gateway] = [u for u in imported["users"] if u["name"] == "gateway"]
    raw = base64.b64decode(gateway["password_hash"])
    salt, digest = raw[:4], raw[4:]
    assert digest == hashlib.sha256(salt + b"secret-of-gateway-0123456789abcdef").digest()
    assert [u["name"] for u in imported["users"] if "administrator" in u["tags"]] == \
        ["sausat-admin"]
    assert imported["topic_permissions"] == definitions["topic_permissions"]


def test_a_cluster_nodes_config_names_its_peers_and_pauses_in_a_minority():
    nodes = ["sausat1@localhost", "sausat2@localhost", "sausat3@localhost"]
    conf = rabbitmq_setup.conf(5701, 15701, 15711, nodes, net_ticktime=10)
    assert "cluster_formation.peer_discovery_backend = classic_config" in conf
    for number, node in enumerate(nodes, 1):
        assert f"cluster_formation.classic_config.nodes.{number} = {node}" in conf
    assert "cluster_partition_handling = pause_minority" in conf
    assert "net_ticktime = 10" in conf
    assert "listeners.tcp.1 = 127.0.0.1:5701" in conf
    assert "cluster_formation" not in rabbitmq_setup.conf(5672, 15672)


def test_a_cluster_node_name_or_ticktime_that_rabbitmq_would_choke_on_is_refused():
    for bad in ("sausat1", "sausat1@", "a b@localhost", "x@host;rm"):
        with pytest.raises(SystemExit, match="not a RabbitMQ node name"):
            rabbitmq_setup.conf(5701, 15701, 15711, [bad])
    with pytest.raises(SystemExit, match="net_ticktime"):
        rabbitmq_setup.conf(5701, 15701, 15711, ["a@b"], net_ticktime=0)


def test_a_small_vm_has_one_scheduler_and_no_busy_waiting():
    assert "+S 1" in rabbitmq_setup.env(25701, small_vm=True)
    assert "+sbwt none" in rabbitmq_setup.env(25701, small_vm=True)
    assert "+S 1" not in rabbitmq_setup.env(25672)
