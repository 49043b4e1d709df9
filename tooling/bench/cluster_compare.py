"""``python -m tooling.bench.cluster_compare [--out DIR] [--repetitions N]``: the system on one
RabbitMQ node against the same system on the three-node cluster, in the same run.

Each repetition runs the quick benchmark (``tooling.bench``, its own vhost, data and services)
once on the single node of ``deploy/rabbitmq.sh`` (5672) and once on the cluster of
``deploy/rabbitmq-cluster.sh`` (5701-5703, every node in ``AMQP_URI``), alternating so that
the machine's other load falls on both alike. The cost of replication is read from:

- the raw broker: a persistent message's round trip through a quorum queue, confirmed
  publishes one at a time and with 100 outstanding (every quorum write is a Raft round to a
  majority of nodes);
- the system: visits accepted and routed per second under 16 clients;
- the broker's CPU: the Erlang VMs' CPU seconds over the whole run, per accepted visit (all
  three nodes' on the cluster).

Writes ``DIR/cluster-compare.md`` and ``DIR/cluster-compare.json``.
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")  # printed at import

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402

from shared.config import ROOT  # noqa: E402
from tooling.bench.__main__ import run  # noqa: E402
from tooling.faults.cluster import NODES, ClusterBroker  # noqa: E402

_log = logging.getLogger("bench")

SINGLE_BASE = pathlib.Path(os.environ.get("RABBITMQ_BASE") or ROOT / "var" / "rabbitmq")
SETUPS = {
    "one node": ("amqp://guest:guest@127.0.0.1:5672/", "http://guest:guest@127.0.0.1:15672",
                 [SINGLE_BASE / "rabbitmq.pid"]),
}


def cpu_seconds(pid_files):
    """User + system CPU seconds of the Erlang VMs named by ``pid_files``."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid_file in pid_files:
        pid = pid_file.read_text().strip()
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def accepted_visits(system):
    """Every visit accepted over the run's phases (each phase's ``accepted``)."""
    total = 0
    for phase in ("one_at_a_time", "sustained", "offered", "sweep"):
        for repetition in system.get(phase) or []:
            total += repetition.get("accepted", 0) or 0
    return total


def figures(results, cpu):
    broker = results["broker"]["repetitions"]
    sustained = results["system"]["sustained"]
    visits = accepted_visits(results["system"])
    return {
        "round_trip_p50_ms": 1000 * statistics.median(r["round_trip_p50"] for r in broker),
        "publish_one_per_s": statistics.median(r["publish_one_per_s"] for r in broker),
        "publish_window_per_s": statistics.median(r["publish_window_per_s"] for r in broker),
        "accepted_per_s": statistics.median(r["accepted_per_s"] for r in sustained),
        "routed_per_s": statistics.median(r["routed_per_s"] for r in sustained),
        "visits": visits,
        "broker_cpu_ms_per_visit": 1000 * cpu / visits if visits else None,
        "load_average": results["load_average"]["mean"],
        "errors": results["errors"],
    }


ROWS = [
    ("raw round trip p50 (quorum queue, persistent)", "round_trip_p50_ms", "{:.2f} ms"),
    ("confirmed publishes, one at a time", "publish_one_per_s", "{:,.0f}/s"),
    ("confirmed publishes, 100 outstanding", "publish_window_per_s", "{:,.0f}/s"),
    ("visits accepted/s, 16 clients (sustained)", "accepted_per_s", "{:.1f}/s"),
    ("visits routed/s (sustained)", "routed_per_s", "{:.1f}/s"),
    ("broker CPU per accepted visit, whole run", "broker_cpu_ms_per_visit", "{:.1f} ms"),
    ("machine load average during the run", "load_average", "{:.1f}"),
]


def markdown(runs, date):
    lines = [f"# One RabbitMQ node against a three-node cluster ({date})", "",
             "The quick benchmark, alternately on each, in one run (`python -m "
             "tooling.bench.cluster_compare`). Medians per repetition; each cell lists the "
             "repetitions in order.", "",
             "| figure | one node | three nodes | three / one |", "|---|---|---|---|"]
    for label, key, fmt in ROWS:
        cells, medians = [], []
        for setup in ("one node", "three nodes"):
            values = [r[key] for r in runs[setup] if r[key] is not None]
            medians.append(statistics.median(values) if values else None)
            cells.append(", ".join(fmt.format(v) for v in values) or "–")
        ratio = (f"{medians[1] / medians[0]:.2f}×" if None not in medians and medians[0]
                 else "–")
        lines.append(f"| {label} | {cells[0]} | {cells[1]} | {ratio} |")
    errors = [e for setup in runs.values() for r in setup for e in r["errors"]]
    lines += ["", "Errors during the runs: " + ("; ".join(map(str, errors)) if errors
                                                else "none."), ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tooling.bench.cluster_compare",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "docs" / "reports" / "benchmark")
    parser.add_argument("--repetitions", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s bench: %(message)s",
                        datefmt="%H:%M:%S")
    for noisy in ("kombu", "amqp", "nameko", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    cluster = ClusterBroker(base=ROOT / "var" / "bench" / "cluster")
    setups = {**SETUPS, "three nodes": (
        cluster.amqp_uri, cluster.management_uri,
        [cluster.base / f"node{n}" / "rabbitmq.pid" for n in NODES])}
    runs = {name: [] for name in setups}
    with cluster:
        for repetition in range(args.repetitions):
            for name, (amqp_uri, management_uri, pid_files) in setups.items():
                _log.info("repetition %d, %s", repetition + 1, name)
                os.environ.update(AMQP_URI=amqp_uri, RABBIT_MANAGEMENT_URI=management_uri)
                before = cpu_seconds(pid_files)
                results = run("quick", args.out / "cluster-compare-runs" / f"{name}-{repetition}")
                runs[name].append(figures(results, cpu_seconds(pid_files) - before))
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "cluster-compare.json").write_text(json.dumps(runs, indent=1) + "\n")
    path = args.out / "cluster-compare.md"
    path.write_text(markdown(runs, date), encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
