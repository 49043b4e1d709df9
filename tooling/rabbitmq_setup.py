"""What deploy/rabbitmq.sh writes and runs around the node: standard library only, so it runs
with the system's python3 before .venv exists.

- ``conf``: the node's ``rabbitmq.conf``: AMQP, management and the Prometheus metrics of
  ``rabbitmq_prometheus`` listen on loopback only, and ``guest`` (while it exists) may only
  connect from loopback;
- ``env``: the environment lines that keep epmd and the Erlang distribution on loopback too;
- ``users``: deploy/rabbitmq/definitions.json imported in one ``rabbitmqctl
  import_definitions``: its users (each with the hash of its password from
  ``var/secrets/rabbitmq/<user>``, see deploy/secrets.sh), their permissions and topic
  permissions on vhost ``/``, and ``sausat-admin`` (administrator, for tests and scripts
  over loopback, never for services); with ``--delete-guest``, then ``guest`` is deleted.

    python3 -m tooling.rabbitmq_setup conf --amqp-port 5672 --management-port 15672 \
        --prometheus-port 15692
    python3 -m tooling.rabbitmq_setup users --secrets var/secrets/rabbitmq [--delete-guest]
"""
import argparse
import base64
import hashlib
import json
import os
import pathlib
import secrets
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"
ADMIN = "sausat-admin"  # tests and scripts over loopback only; no service connects as it
LOOPBACK = "127.0.0.1"
RABBITMQCTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"


def conf(amqp_port, management_port, prometheus_port=15692, cluster_nodes=(),
         net_ticktime=None):
    """rabbitmq.conf: nothing listens beyond this machine. Given ``cluster_nodes``, the node
    finds its peers by classic-config discovery and pauses itself when it is in a minority
    (a partitioned node stops serving rather than diverging)."""
    lines = [
        f"listeners.tcp.1 = {LOOPBACK}:{int(amqp_port)}",
        f"management.tcp.ip = {LOOPBACK}",
        f"management.tcp.port = {int(management_port)}",
        # the broker's own metrics (alarms, queues) for Prometheus: /metrics
        f"prometheus.tcp.ip = {LOOPBACK}",
        f"prometheus.tcp.port = {int(prometheus_port)}",
        "loopback_users.guest = true",
    ]
    if cluster_nodes:
        lines += cluster_lines(cluster_nodes)
    if net_ticktime is not None:
        lines.append(f"net_ticktime = {_ticktime(net_ticktime)}")
    return "\n".join([*lines, ""])


def cluster_lines(nodes):
    """How a node finds its cluster (classic config: the peers named here) and behaves when cut
    off: a node in a minority pauses. The compose file's deploy/rabbitmq/cluster.conf holds
    these lines for rabbit@rabbitmq1..3."""
    return ["cluster_formation.peer_discovery_backend = classic_config",
            *(f"cluster_formation.classic_config.nodes.{number} = {_node_name(node)}"
              for number, node in enumerate(nodes, 1)),
            "cluster_partition_handling = pause_minority"]


def _node_name(node):
    name, at, host = node.partition("@")
    if not (at and name and host and (name + host).replace("-", "").replace(".", "")
            .replace("_", "").isalnum()):
        raise SystemExit(f"not a RabbitMQ node name (name@host): {node!r}")
    return node


def _ticktime(seconds):
    seconds = int(seconds)
    if not 1 <= seconds <= 600:
        raise SystemExit(f"net_ticktime must be 1-600 seconds, not {seconds}")
    return seconds


# a VM sized for a 2-core machine shared with the services: one scheduler of each kind, and
# no busy-waiting schedulers burning a core while idle
SMALL_VM_ARGS = "+S 1 +SDcpu 1 +sbwt none +sbwtdcpu none +sbwtdio none"


def env(dist_port, small_vm=False):
    """Shell lines for the node's environment: epmd and the distribution on loopback."""
    vm_args = f" {SMALL_VM_ARGS}" if small_vm else ""
    return "\n".join([
        f"export ERL_EPMD_ADDRESS={LOOPBACK}",
        # the kernel's distribution listener, bound to loopback (and its port pinned)
        "export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=\"-kernel inet_dist_use_interface "
        f"{{127,0,0,1}} -kernel inet_dist_listen_min {int(dist_port)} "
        f"-kernel inet_dist_listen_max {int(dist_port)}{vm_args}\"",
        "",
    ])


def password(secrets_dir, user):
    path = pathlib.Path(secrets_dir) / user
    try:
        secret = path.read_text().strip()
    except FileNotFoundError:
        raise SystemExit(f"no password for broker user {user} in {path}: run deploy/secrets.sh")
    if len(secret) < 20:
        raise SystemExit(f"the password of broker user {user} in {path} is too short")
    return secret


def user_commands(definitions, secrets_dir, delete_guest=False):
    """``[(argv, stdin), ...]`` for rabbitmqctl, passwords on stdin (never in a process list);
    each is harmless to run again (add_user is followed by change_password, so an existing
    user gets the current secret)."""
    commands = []
    users = [(u["name"], u["tags"]) for u in definitions["users"]] + [(ADMIN, "administrator")]
    for name, tags in users:
        if "administrator" in tags and name != ADMIN or "impersonator" in tags:
            raise SystemExit(f"broker user {name} may not have tags {tags!r}")
        secret = password(secrets_dir, name)
        commands += [(["add_user", name], secret), (["change_password", name], secret),
                     (["set_user_tags", name, *tags.split(",")] if tags else
                      ["set_user_tags", name], None)]
    for entry in definitions["permissions"]:
        commands.append((["set_permissions", "-p", entry["vhost"], entry["user"],
                          entry["configure"], entry["write"], entry["read"]], None))
    for entry in definitions["topic_permissions"]:
        commands.append((["set_topic_permissions", "-p", entry["vhost"], entry["user"],
                          entry["exchange"], entry["write"], entry["read"]], None))
    commands.append((["set_permissions", "-p", "/", ADMIN, ".*", ".*", ".*"], None))
    if delete_guest:
        commands.append((["delete_user", "guest"], None))
    return commands


def password_hash(secret, salt=None):
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = secrets.token_bytes(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + secret.encode()).digest()).decode()


def definitions_with_passwords(definitions, secrets_dir):
    """The definitions to import at once (users with password hashes, sausat-admin added):
    one rabbitmqctl call instead of three per user. Importing again updates, never duplicates."""
    users = []
    for user in [*definitions["users"], {"name": ADMIN, "tags": "administrator"}]:
        name, tags = user["name"], user["tags"]
        if "administrator" in tags and name != ADMIN or "impersonator" in tags:
            raise SystemExit(f"broker user {name} may not have tags {tags!r}")
        users.append({"name": name, "tags": tags, "password_hash": password_hash(
            password(secrets_dir, name)), "hashing_algorithm": "rabbit_password_hashing_sha256"})
    admin = {"user": ADMIN, "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}
    return {**definitions, "users": users, "permissions": [*definitions["permissions"], admin]}


def import_definitions(definitions, rabbitmqctl=RABBITMQCTL):
    """Hand the definitions to the node through an owner-only file removed at once."""
    handle, path = tempfile.mkstemp(suffix=".json")
    try:
        with os.fdopen(handle, "w") as file:
            json.dump(definitions, file)
        result = subprocess.run([rabbitmqctl, "-q", "import_definitions", path],
                                capture_output=True, text=True)
    finally:
        os.unlink(path)
    if result.returncode != 0:
        raise SystemExit(f"rabbitmqctl import_definitions failed: "
                         f"{(result.stderr + result.stdout).strip()}")


# what rabbitmqctl says when a step was done before: running again is harmless
_ALREADY = {"add_user": "already exists", "delete_user": "does not exist"}


def run(commands, rabbitmqctl=RABBITMQCTL):
    for argv, stdin in commands:
        result = subprocess.run([rabbitmqctl, "-q", *argv], input=stdin, capture_output=True,
                                text=True)
        said = result.stderr + result.stdout
        if result.returncode != 0 and not (argv[0] in _ALREADY and _ALREADY[argv[0]] in said):
            raise SystemExit(f"rabbitmqctl {' '.join(argv[:4])} failed: {said.strip()}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    conf_parser = commands.add_parser("conf")
    conf_parser.add_argument("--amqp-port", type=int, default=5672)
    conf_parser.add_argument("--management-port", type=int, default=15672)
    conf_parser.add_argument("--prometheus-port", type=int, default=15692)
    conf_parser.add_argument("--cluster-nodes", default="",
                             help="comma-separated node names of the cluster, this one included")
    conf_parser.add_argument("--net-ticktime", type=int, default=None)
    env_parser = commands.add_parser("env")
    env_parser.add_argument("--dist-port", type=int, required=True)
    env_parser.add_argument("--small-vm", action="store_true")
    users_parser = commands.add_parser("users")
    users_parser.add_argument("--secrets", default=str(ROOT / "var" / "secrets" / "rabbitmq"))
    users_parser.add_argument("--delete-guest", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "conf":
        nodes = [node for node in args.cluster_nodes.split(",") if node]
        sys.stdout.write(conf(args.amqp_port, args.management_port, args.prometheus_port,
                              nodes, args.net_ticktime))
    elif args.command == "env":
        sys.stdout.write(env(args.dist_port, args.small_vm))
    else:
        import_definitions(definitions_with_passwords(json.loads(DEFINITIONS.read_text()),
                                                      args.secrets))
        if args.delete_guest:
            run([(["delete_user", "guest"], None)])


if __name__ == "__main__":
    main()
