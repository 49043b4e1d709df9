"""``python -m tooling.bench.ab --base REV [--rounds 4] [--visits 2000] [--out FILE]``: the
sustained phase of the benchmark on a base commit's system and on this tree's, alternating
inside one run, so the machine's noise falls on both alike.

Both systems run at once, each on a vhost, data folder, broker users and key pair of its own
(the base's code exported with ``git archive``, its services started from there; the same
Python and packages). They stay up for the whole run: each round puts the sustained load
(``SystemBench.sustained``: ``--visits`` POSTs from 16 clients) on one, then on the other,
alternating which goes first, while the other is idle. A side's figures are those of its
rounds; each round's pair gives a ratio (this tree / base). What one side spends idle while the
other is loaded (its timers) falls on the broker's CPU of the loaded side's round only, and
alike on both sides.

``--together``: each round loads both systems at once (half the clients each), so the
machine's slow and fast seconds fall on both alike; each side's services' CPU per concern is
counted over the same window, and the broker, which serves both, is given per concern of the
two together (the ratio then counts the services only). Rounds in turn differed by up to a
quarter on this machine with the same code on both sides; rounds together do not have that
noise between the sides.

Printed, and written to ``--out`` (Markdown, with a JSON copy beside it): routed/s, accepted/s
and CPU per concern routed (each service, RabbitMQ, total) per round and their medians, the
pairs' ratios, the 1-minute load average at each round and the share of the machine's CPU time
the hypervisor gave to others during each side's load (stolen: the machine's own noise).
Needs the RabbitMQ of ``deploy/rabbitmq.sh``, idle but for this run. Example::

    .venv/bin/python -m tooling.bench.ab --base HEAD~1 --rounds 4
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")  # printed at import

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tarfile  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

import yaml  # noqa: E402

from shared.config import ROOT, load_config_file, settings  # noqa: E402
from tooling.bench import broker, machine, workload  # noqa: E402
from tooling.bench.__main__ import ScaledSystem  # noqa: E402
from tooling.bench.http_load import closed_loop, require_loopback  # noqa: E402
from tooling.bench.scenarios import BROKER, LOAD, SystemBench  # noqa: E402
from tooling.broker_users import RunUsers  # noqa: E402
from tooling.load_demo import DEMO_DATA, load_demo  # noqa: E402

_log = logging.getLogger("bench")

SIDES = ("base", "branch")
SUSTAINED_SECONDS = 60  # at most, per round (before waiting for the routing)
DRAIN_SECONDS = 60
# the topology as the side's own code declares it (its queues, bindings and retry delays)
DECLARE = ("from kombu import Connection; import sys; from shared import topology; "
           "from shared.config import DelayList, defaults; "
           "topology.declare(Connection(sys.argv[1]), "
           "DelayList().deserialize(defaults()['EVENT_RETRY_DELAYS']))")


def export(rev, into):
    """The tree of ``rev`` under ``into`` (what ``git archive`` gives: tracked files only)."""
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return pathlib.Path(into)


class Side:
    """One system, from the source tree ``root``, on a vhost of its own."""

    def __init__(self, name, root, config, stack, workdir):
        self.name, self.root = name, pathlib.Path(root)
        self.vhost = stack.enter_context(broker.Vhost(config["RABBIT_MANAGEMENT_URI"],
                                                      config["AMQP_URI"]))
        self.users = stack.enter_context(RunUsers(config["RABBIT_MANAGEMENT_URI"], self.vhost,
                                                  workdir / "keys"))
        subprocess.run([sys.executable, "-c", DECLARE, self.users.uri("deploy")], cwd=self.root,
                       check=True)
        self.system = ScaledSystem(self.vhost.amqp_uri, workdir, 1, self.users.uris(),
                                   **self.users.settings())
        self.system.root = self.root
        self.system.env["PYTHONPATH"] = str(self.root)  # its own code, whatever the caller's
        stack.callback(self.system.stop_all)
        self.system.start_all()
        with open(DEMO_DATA, encoding="utf-8") as handle:
            load_demo({"AMQP_URI": self.users.uri("loader"), "DEPLOYMENT_MODE": "development"},
                      yaml.safe_load(handle))
        self.headers = {"cadre": self.system.sign_in(*workload.CADRE_USER),
                        "officer": self.system.sign_in(*workload.OFFICER_USER)}
        self.watcher = stack.enter_context(broker.CaseRoutedWatcher(self.vhost.amqp_uri))
        self.bench = SystemBench(self.system, self.watcher)

    def sustained(self, visits):
        workload.HEADERS.update(self.headers)  # the requests carry this system's tokens
        # on a quiet machine, counted until it is quiet again (SystemBench.sustained)
        return self.bench.sustained(visits, SUSTAINED_SECONDS, DRAIN_SECONDS)

    def load(self, visits, clients):
        """``visits`` POSTs from ``clients`` with this system's tokens, until all were routed
        (``--together``: the other system loaded meanwhile)."""
        base, cadre = self.bench._next_numbers(), self.headers["cadre"]
        load = closed_loop(self.bench.host, self.bench.port,
                           lambda i: ("POST", "/visits", workload.visit(base + i), cadre),
                           clients=clients, count=visits, seconds=SUSTAINED_SECONDS,
                           keep_body=True)
        ids = [c for o in load.ok for c in workload.concern_ids(o.body)]
        routed = self.watcher.wait_for(ids, DRAIN_SECONDS)
        last = max(routed.values(), default=load.started)
        return {"accepted": len(load.ok), "routed": len(routed),
                "accepted_per_s": len(load.ok) / load.seconds,
                "routed_per_s": len(routed) / (last - load.started) if routed else 0.0}


def together(sides, visits, settle=machine.settle):
    """One round with both systems loaded at once (``--together``): each side's figures over
    the same window, from a quiet machine until it is quiet again."""
    settle()
    benches = {name: sides[name].bench for name in SIDES}
    before = {name: bench.cpu() for name, bench in benches.items()}
    loads, errors = {}, []

    def load(name):
        try:
            loads[name] = sides[name].load(visits, benches[name].clients // 2)
        except Exception as error:  # reported after the other side's load ended
            errors.append(error)
    threads = [threading.Thread(target=load, args=(name,)) for name in SIDES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    settle()
    after = {name: bench.cpu() for name, bench in benches.items()}
    return together_figures(before, after, loads)


def together_figures(before, after, loads):
    """Each side's run from CPU snapshots (``before``/``after``: per side, per process) and
    its load (``loads``: per side, {"accepted", "routed", "accepted_per_s",
    "routed_per_s"}): services per side, the broker per concern of both sides."""
    routed_both = sum(load["routed"] for load in loads.values())
    runs = {}
    for name, load in loads.items():
        spent = {process: after[name][process] - before[name][process]
                 for process in after[name] if process not in (BROKER, LOAD)}
        runs[name] = {**load, "cpu_per_concern": {
            process: seconds / load["routed"] for process, seconds in spent.items()}
            if load["routed"] else {}}
    broker = (after[SIDES[0]][BROKER] - before[SIDES[0]][BROKER]) / routed_both \
        if BROKER in after[SIDES[0]] and routed_both else None
    for run in runs.values():
        run["broker_per_concern_of_both"] = broker
    return runs


def cpu_of(run):
    """CPU per concern routed, each process: until the machine was quiet again after the load
    (what the concerns caused after routing included; a run from before this was measured
    gave it as ``cpu_per_concern_until_quiet``)."""
    return run.get("cpu_per_concern_until_quiet") or run["cpu_per_concern"]


def cpu_total(run):
    return sum(cpu_of(run).values())


def summary(rounds):
    """The Markdown report of ``rounds`` ([{"order", "load", "base": run, "branch": run}])."""
    lines = ["| round (first) | load | stolen, base / branch | base routed/s | branch routed/s | "
             "base CPU/concern | branch CPU/concern | ratio CPU (branch/base) |",
             "|---|---|---|---|---|---|---|---|"]
    for number, entry in enumerate(rounds, 1):
        base, branch = entry["base"], entry["branch"]
        lines.append(f"| {number} ({entry['order'][0]}) | {entry['load']:.1f} | "
                     f"{base.get('steal_share', 0):.0%} / {branch.get('steal_share', 0):.0%} | "
                     f"{base['routed_per_s']:.1f} | {branch['routed_per_s']:.1f} | "
                     f"{cpu_total(base) * 1e3:.2f} ms | {cpu_total(branch) * 1e3:.2f} ms | "
                     f"{_ratio(cpu_total(branch), cpu_total(base))} |")
    services = sorted({name for entry in rounds for side in SIDES
                       for name in cpu_of(entry[side])})
    lines += ["", "Medians over the rounds, CPU per concern routed (until the machine was quiet "
              "again after the load: what a concern causes after routing counted):", "",
              "| | base | branch | ratio |", "|---|---|---|---|"]
    for name in [*services, "total"]:
        def median(side):
            return statistics.median(
                cpu_total(entry[side]) if name == "total"
                else cpu_of(entry[side]).get(name, 0.0) for entry in rounds)
        base, branch = median("base"), median("branch")
        lines.append(f"| {name} | {base * 1e3:.2f} ms | {branch * 1e3:.2f} ms | "
                     f"{_ratio(branch, base)} |")
    for key, label in (("routed_per_s", "routed/s"), ("accepted_per_s", "accepted/s")):
        base = statistics.median(entry["base"][key] for entry in rounds)
        branch = statistics.median(entry["branch"][key] for entry in rounds)
        lines.append(f"| {label} | {base:.1f} | {branch:.1f} | {_ratio(branch, base)} |")
    return "\n".join(lines)


def _ratio(branch, base):
    return f"{branch / base:.2f}" if base else "–"  # a side that routed nothing


def run(base_rev, rounds, visits, at_once=False):
    config = settings({**load_config_file(), "DEPLOYMENT_MODE": "development"})
    for uri in (config["AMQP_URI"], config["RABBIT_MANAGEMENT_URI"]):
        require_loopback(urlparse(uri).hostname)
    results = []
    with contextlib.ExitStack() as stack:
        top = pathlib.Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sausat-ab-")))
        roots = {"base": export(base_rev, top / "tree"), "branch": ROOT}
        sides = {}
        for name in SIDES:
            _log.info("starting the %s system (%s)", name, roots[name])
            (top / name).mkdir()
            sides[name] = Side(name, roots[name], config, stack, top / name)
        for number in range(rounds):
            order = SIDES if number % 2 == 0 else SIDES[::-1]
            entry = {"order": order, "load": os.getloadavg()[0]}
            if at_once:
                _log.info("round %d: %d visits on each system at once", number + 1, visits)
                entry.update(together(sides, visits))
                for name in SIDES:
                    _log.info("  %s: routed %.1f/s, %.2f ms CPU per concern (services)", name,
                              entry[name]["routed_per_s"], cpu_total(entry[name]) * 1e3)
                results.append(entry)
                continue
            for name in order:
                _log.info("round %d: %d visits on the %s system", number + 1, visits, name)
                entry[name] = sides[name].sustained(visits)
                _log.info("  routed %.1f/s, %.2f ms CPU per concern", entry[name]["routed_per_s"],
                          cpu_total(entry[name]) * 1e3)
            results.append(entry)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tooling.bench.ab",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare this tree with")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--visits", type=int, default=2000, help="POSTs per side and round")
    parser.add_argument("--out", type=pathlib.Path, help="Markdown report (and .json beside)")
    parser.add_argument("--together", action="store_true",
                        help="load both systems at once each round (the services' CPU only)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s ab: %(message)s",
                        datefmt="%H:%M:%S")
    for noisy in ("kombu", "amqp", "nameko", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    rounds = run(args.base, args.rounds, args.visits, at_once=args.together)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                          capture_output=True).stdout.strip()
    text = (f"# Same-run A/B of the sustained phase: base {args.base} against this tree "
            f"({head}{', with changes' if _dirty() else ''})\n\n{args.visits} visits per side "
            f"and round, " + (TOGETHER if args.together else
                              f"16 clients; {BROKER} is the node's CPU") +
            f", the {LOAD} is left out.\n\n"
            + summary(rounds) + "\n")
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        args.out.with_suffix(".json").write_text(json.dumps(rounds, indent=1))


TOGETHER = (f"both systems loaded at once, 8 clients each; the services' CPU only ({BROKER} "
            "serves both: its CPU per concern of the two is in the JSON)")


def _dirty():
    return bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, text=True, capture_output=True).stdout.strip())


if __name__ == "__main__":
    main()
