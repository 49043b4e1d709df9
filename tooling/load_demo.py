"""Load the demo registry (deploy/demo_data.yml) through the services' RPC, then wait until the
visits service has heard of every unit and assignment, and create the demo users (one per role).
Loading twice changes nothing: registration is idempotent and a user already there is left as it
is, password included.

Outside development (``DEPLOYMENT_MODE``) each demo user gets a random password, printed once
and kept owner-only in ``var/secrets/demo_passwords`` (``username password`` lines); the
published ones of deploy/demo_data.yml would open every installation to anyone who read it.
In development the data's passwords are kept (and written there too, so the walk-through reads
the same file either way).

    python -m tooling.load_demo [--config deploy/config.yml] [--data deploy/demo_data.yml]
                                [--reorganise] [--random-passwords]
                                [--passwords-file var/secrets/demo_passwords]

``--reorganise`` also carries out the data's ``reorganisations`` (the 2025 two-level local
government), once each (each has its operation_id), and waits until visits follows them.

It calls as the ``loader`` broker user (``AMQP_URI`` names it, with the password from
``var/secrets/rabbitmq/loader``): the services take registry writes and user creation from it
without a signed-in user, and nothing else (shared/callers.py ``SERVICE_CALLS``).
"""
import argparse
import collections
import os
import pathlib
import secrets
import time

import yaml

from shared.config import DEFAULT_CONFIG_FILE, ROOT, load_config_file
from shared.errors import Conflict, NotFound
from shared.rpc import IdentifiedClusterRpcProxy

DEMO_DATA = ROOT / "deploy" / "demo_data.yml"
STEPS = (  # (section, service, method), in dependency order
    ("units", "assignments", "register_unit"),
    ("cadres", "assignments", "register_cadre"),
    ("assignments", "assignments", "assign_cadre"),
    ("authorities", "escalations", "register_authority"),
    ("routing_rules", "escalations", "add_routing_rule"),
)
USER_FIELDS = ("username", "display_name", "password", "role", "cadre_id", "authority_id")
PASSWORDS_FILE = ROOT / "var" / "secrets" / "demo_passwords"
Loaded = collections.namedtuple("Loaded", "counts passwords")  # passwords: of users created now


def demo_password(user, random_password):
    return secrets.token_urlsafe(18) if random_password else user["password"]


def load_demo(config, data, wait_seconds=60, reorganise=False, random_passwords=None):
    """Load ``data``; a :class:`Loaded` with the counts and the passwords of the users this
    call created (a user already there keeps the password it has). The data's passwords only
    in development, and only unless ``random_passwords``; anywhere else ones nobody else knows."""
    if random_passwords is None:
        random_passwords = config.get("DEPLOYMENT_MODE") != "development"
    counts, passwords = {}, {}
    with IdentifiedClusterRpcProxy(config, timeout=30) as cluster:
        for section, service, method in STEPS:
            call = getattr(getattr(cluster, service), method)
            for item in data.get(section, []):
                call(item)
            counts[section] = len(data.get(section, []))
        for user in data.get("users", []):
            password = demo_password(user, random_passwords)
            try:
                cluster.accounts.create_user({**{k: v for k, v in user.items()
                                                 if k in USER_FIELDS}, "password": password})
                passwords[user["username"]] = password
            except Conflict:
                pass  # created by an earlier load: its password may have been changed since
        counts["users"] = len(data.get("users", []))
        # visits learns units from unit_registered events: wait until it knows them all
        deadline = time.monotonic() + wait_seconds
        for unit in data.get("units", []):
            while True:
                try:
                    cluster.visits.get_unit(unit["unit_id"])
                    break
                except NotFound:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"visits has not heard of {unit['unit_id']} "
                                         f"after {wait_seconds} s") from None
                    time.sleep(0.2)
        # ... and of every assignment, which decides where a cadre may log visits
        for assignment in data.get("assignments", []):
            while not cluster.visits.knows_assignment(assignment["cadre_id"],
                                                      assignment["unit_id"]):
                if time.monotonic() > deadline:
                    raise SystemExit(f"visits has not heard of the assignment of "
                                     f"{assignment['cadre_id']} after {wait_seconds} s")
                time.sleep(0.2)
        if reorganise:
            _reorganise(cluster, data.get("reorganisations", []), deadline, wait_seconds)
            counts["reorganisations"] = len(data.get("reorganisations", []))
    return Loaded(counts, passwords)


def keep_passwords(path, passwords):
    """Record ``passwords`` (of users just created: theirs now) in the owner-only file at
    ``path``; the other lines stay. Everything the file now holds."""
    path = pathlib.Path(path)
    kept = {**read_passwords(path), **passwords}
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.writelines(f"{name} {password}\n" for name, password in kept.items())
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    return kept


def read_passwords(path):
    """``{username: password}`` of a demo passwords file; empty if there is none."""
    try:
        lines = pathlib.Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    return dict(line.split(" ", 1) for line in lines if " " in line)


def _reorganise(cluster, operations, deadline, wait_seconds):
    for operation in operations:
        done = cluster.assignments.reorganise(operation)
        # visits learns the new units and paths from unit_reorganised: wait until it has
        for unit in done["units"]:
            while True:
                try:
                    if unit["ended"] or cluster.visits.get_unit(unit["unit_id"])["path"] == \
                            unit["path"]:
                        break
                except NotFound:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"visits has not followed {operation['operation_id']} "
                                     f"after {wait_seconds} s")
                time.sleep(0.2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(DEFAULT_CONFIG_FILE))
    parser.add_argument("--data", default=str(DEMO_DATA))
    parser.add_argument("--reorganise", action="store_true",
                        help="also carry out the data's reorganisations (2025)")
    parser.add_argument("--random-passwords", action="store_true",
                        help="random passwords even in development (deploy/up.sh)")
    parser.add_argument("--passwords-file", default=str(PASSWORDS_FILE),
                        help="where the demo users' passwords are kept (owner-only)")
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    config = load_config_file(args.config)
    counts, created = load_demo(config, data, reorganise=args.reorganise,
                                random_passwords=args.random_passwords or None)
    print("demo data loaded: " + ", ".join(f"{n} {section}" for section, n in counts.items()))
    kept = keep_passwords(args.passwords_file, created)
    if created:  # printed once, when set; afterwards only the file has them
        published = any(created[u["username"]] == u["password"] for u in data["users"]
                        if u["username"] in created)
        which = "DEVELOPMENT-ONLY passwords" if published else "random passwords, shown once"
        print(f"demo users ({which}; kept in {args.passwords_file}):")
        for user in data["users"]:
            if user["username"] in created:
                scope = user.get("cadre_id") or user.get("authority_id") or ""
                print(f"  {user['username']:<18} {created[user['username']]:<26} "
                      f"{user['role']} {scope}")
    elif data.get("users"):
        missing = [u["username"] for u in data["users"] if u["username"] not in kept]
        print(f"demo users already there; their passwords are in {args.passwords_file}"
              + (f" (except {', '.join(missing)}: set before it was kept)" if missing else ""))


if __name__ == "__main__":
    main()
