"""Load the demo registry (deploy/demo_data.yml) through the services' RPC, then wait until the
visits service has heard of every unit and assignment, and create the demo users (one per role,
DEVELOPMENT-ONLY passwords, printed). Loading twice changes nothing: registration is idempotent
and a user already there is left as it is.

    python -m tooling.load_demo [--config deploy/config.yml] [--data deploy/demo_data.yml]
                                [--reorganise]

``--reorganise`` also carries out the data's ``reorganisations`` (the 2025 two-level local
government), once each (each has its operation_id), and waits until visits follows them.

It calls as the ``loader`` broker user (``AMQP_URI`` names it, with the password from
``var/secrets/rabbitmq/loader``): the services take registry writes and user creation from it
without a signed-in user, and nothing else (shared/callers.py ``SERVICE_CALLS``).
"""
import argparse
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


def load_demo(config, data, wait_seconds=60, reorganise=False):
    counts = {}
    with IdentifiedClusterRpcProxy(config, timeout=30) as cluster:
        for section, service, method in STEPS:
            call = getattr(getattr(cluster, service), method)
            for item in data.get(section, []):
                call(item)
            counts[section] = len(data.get(section, []))
        for user in data.get("users", []):
            try:
                cluster.accounts.create_user({k: v for k, v in user.items() if k in USER_FIELDS})
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
    return counts


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
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    counts = load_demo(load_config_file(args.config), data, reorganise=args.reorganise)
    print("demo data loaded: " + ", ".join(f"{n} {section}" for section, n in counts.items()))
    if data.get("users"):
        print("demo users (DEVELOPMENT-ONLY passwords; never use them in a real deployment):")
        for user in data["users"]:
            scope = user.get("cadre_id") or user.get("authority_id") or ""
            print(f"  {user['username']:<18} {user['password']:<24} {user['role']} {scope}")


if __name__ == "__main__":
    main()
