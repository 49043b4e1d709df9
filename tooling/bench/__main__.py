"""``python -m tooling.bench [--quick] [--out DIR]``: measure, then write DIR/REPORT.md with plots.

Brings the system up on a vhost and a data folder of its own, measures the baselines and the
system's figures (see tooling/bench/__init__.py and docs/benchmark.md), stops everything, and
deletes the vhost and the data, whatever happens in between.
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")  # printed at import

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

import yaml  # noqa: E402

from shared.config import ROOT, load_config_file, settings  # noqa: E402
from tooling.bench import broker, cases, report, sign_in_storm, workload  # noqa: E402
from tooling.bench.http_load import closed_loop, require_loopback  # noqa: E402
from tooling.bench.machine import describe_machine, settle  # noqa: E402
from tooling.bench.message_scenarios import Caller, count_each  # noqa: E402
from tooling.bench.profiles import FlameGraphs  # noqa: E402
from tooling.bench.scenarios import SystemBench  # noqa: E402
from tooling.bench.stats import percentile  # noqa: E402
from tooling.broker_users import RunUsers  # noqa: E402
from tooling.launcher import SERVICES, RunningSystem  # noqa: E402
from tooling.load_demo import DEMO_DATA, load_demo  # noqa: E402

_log = logging.getLogger("bench")

DEFAULT_OUT = ROOT / "docs" / "reports" / "benchmark"
ESCALATIONS_RPC_QUEUE = "rpc-escalations"  # nameko's RPC queue of the escalations service


@dataclass(frozen=True)
class Scale:
    repetitions: int
    round_trips: int              # raw broker messages timed one by one, per repetition
    publish_seconds: float        # each confirmed-publish rate is measured this long
    publish_window: int           # outstanding confirms in the windowed rate
    hello_seconds: float
    one_at_a_time: int            # concerns, per repetition
    one_at_a_time_seconds: float  # at most, per repetition
    sustained_visits: int         # per repetition
    sustained_seconds: float      # at most, per repetition (before waiting for the routing)
    offered_rate: float           # concerns/s, the headline offered load
    offered_seconds: float
    sweep_rates: tuple            # further offered loads, once each, for the plot
    sweep_seconds: float
    drain_seconds: float          # longest wait for the routing of a phase's concerns
    inbox_seconds: float          # per repetition and number of cases
    inbox_bulk_cases: tuple       # extra inbox measurements after bulk-loading to these counts
    store_cases: tuple            # inbox query cost straight on the store at these counts
    store_load_seconds: float     # bound on bulk-loading the store
    store_query_budget: float     # a query slower than this is timed once, not per repetition


SCALES = {
    "quick": Scale(repetitions=3, round_trips=100, publish_seconds=1, publish_window=100,
                   hello_seconds=1, one_at_a_time=10, one_at_a_time_seconds=10,
                   sustained_visits=150, sustained_seconds=15, offered_rate=20,
                   offered_seconds=4, sweep_rates=(10, 40), sweep_seconds=3, drain_seconds=20,
                   inbox_seconds=1, inbox_bulk_cases=(2_000,), store_cases=(1_000, 5_000),
                   store_load_seconds=10, store_query_budget=2),
    "full": Scale(repetitions=3, round_trips=1000, publish_seconds=3, publish_window=100,
                  hello_seconds=5, one_at_a_time=100, one_at_a_time_seconds=40,
                  sustained_visits=2000, sustained_seconds=45, offered_rate=100,
                  offered_seconds=30, sweep_rates=(25, 50, 200), sweep_seconds=8,
                  drain_seconds=30, inbox_seconds=5, inbox_bulk_cases=(20_000,),
                  store_cases=(10_000, 100_000, 1_000_000), store_load_seconds=120,
                  store_query_budget=10),
}


LOAD_SAMPLES = []  # the 1-minute load average at each step: how busy the machine was


def step(message):
    LOAD_SAMPLES.append(os.getloadavg()[0])
    _log.info(message)


# --- baselines ------------------------------------------------------------------------------

def measure_broker(amqp_uri, scale):
    reps = []
    samples = []
    for rep in range(scale.repetitions):
        step(f"raw broker, repetition {rep + 1}: round trip, confirmed publishes")
        latencies = broker.round_trip_latencies(amqp_uri, scale.round_trips)
        samples.extend(latencies)
        reps.append({
            "round_trip_p50": percentile(latencies, 50),
            "round_trip_p99": percentile(latencies, 99),
            "publish_one_per_s": broker.confirmed_publish_rate(amqp_uri, scale.publish_seconds, 1),
            "publish_window_per_s": broker.confirmed_publish_rate(
                amqp_uri, scale.publish_seconds, scale.publish_window),
        })
    return {"repetitions": reps, "round_trip_samples": samples,
            "publish_window": scale.publish_window}


def measure_hello(scale, clients):
    step("hello world on the gateway's WSGI server")
    process = subprocess.Popen([sys.executable, "-m", "tooling.bench.hello", "127.0.0.1:0"],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline().strip().rsplit(":", 1)[1])
        reps = []
        for _ in range(scale.repetitions):
            load = closed_loop("127.0.0.1", port, lambda i: ("GET", "/", None, None),
                               clients=clients,
                               seconds=scale.hello_seconds)
            reps.append({"per_s": load.rate, "p99": load.latency_percentile(99),
                         "failed": load.errors})
        return {"repetitions": reps}
    finally:
        process.terminate()
        process.wait(10)


# --- the system -----------------------------------------------------------------------------

def measure_inbox(bench, scale, cases_now, vhost):
    step(f"inbox reads at {cases_now:,} cases")
    repetitions = []
    for _ in range(scale.repetitions):
        repetitions.append(bench.inbox(scale.inbox_seconds))
        # requests the gateway gave up on still wait in escalations' queue: drop them, so
        # that the next repetition or phase does not pay for them
        vhost.purge(ESCALATIONS_RPC_QUEUE)
    return {"cases": cases_now, "repetitions": repetitions}


def bulk_load_escalations(system, up_to, seconds):
    """Stop escalations, add cases straight into its store, start it again."""
    system.stop("escalations", timeout=30)
    client, db = cases.open_escalations_store(system.env["STORE_URI"])
    try:
        reached, _ = cases.load_cases(db, workload.AUTHORITY, up_to,
                                      time.monotonic() + seconds)
    finally:
        client.close()
    system.start("escalations")
    system.wait_healthy()
    return reached


class Phases:
    """Runs the phases of the run one after another; a phase that fails is logged and noted in
    ``errors``, and the run goes on with the next, so one failure loses one figure."""

    def __init__(self):
        self.errors = []

    def run(self, name, measure):
        try:
            measure()
        except Exception as error:
            _log.exception("phase %s failed", name)
            self.errors.append(f"{name}: {type(error).__name__}: {error}")


def measure_system(system, watcher, scale, clients, vhost, phases, profile_dir=None):
    bench = SystemBench(system, watcher, clients=clients)
    out = {"inbox": [], "one_at_a_time": [], "sustained": [], "offered": [], "sweep": []}

    def one_at_a_time():
        for rep in range(scale.repetitions):
            step(f"one concern at a time, repetition {rep + 1}: {scale.one_at_a_time} concerns")
            out["one_at_a_time"].append(bench.one_at_a_time(scale.one_at_a_time,
                                                            scale.one_at_a_time_seconds))

    def sustained():
        for rep in range(scale.repetitions):
            step(f"sustained, repetition {rep + 1}: {scale.sustained_visits} visits "
                 f"from {clients} clients")
            out["sustained"].append(bench.sustained(
                scale.sustained_visits, scale.sustained_seconds, scale.drain_seconds))

    def profiled():
        # one more sustained repetition, with py-spy on every service: its figures stay out of
        # the medians, the samplers compete for the same cores
        step(f"sustained, profiled with py-spy: {scale.sustained_visits} visits")
        settle()  # before the samplers start: with them the machine is never quiet
        with FlameGraphs(bench.pids(), profile_dir) as graphs:
            run = bench.sustained(scale.sustained_visits, scale.sustained_seconds,
                                  scale.drain_seconds, settle=None)
        out["profiled"] = {**run, "flame_graphs": graphs.written, "failed": graphs.failed}

    def offered():
        for rep in range(scale.repetitions):
            step(f"offered load, repetition {rep + 1}: {scale.offered_rate:g} concerns/s "
                 f"for {scale.offered_seconds:g} s")
            out["offered"].append(bench.offered(scale.offered_rate, scale.offered_seconds,
                                                scale.drain_seconds))
        for rate in scale.sweep_rates:
            step(f"offered load sweep: {rate:g} concerns/s for {scale.sweep_seconds:g} s")
            result = bench.offered(rate, scale.sweep_seconds, scale.drain_seconds)
            result.pop("latencies")
            out["sweep"].append(result)

    def inbox(cases_now=None):
        out["inbox"].append(measure_inbox(
            bench, scale, bench.cases_routed() if cases_now is None else cases_now, vhost))

    def bulk_inbox():
        for target in scale.inbox_bulk_cases:
            step(f"bulk-loading escalations' store up to {target:,} cases")
            inbox(bulk_load_escalations(system, target, scale.store_load_seconds))

    phases.run("one concern at a time", one_at_a_time)
    phases.run("inbox", inbox)
    phases.run("sustained", sustained)
    if profile_dir is not None:
        phases.run("sustained, profiled", profiled)
    phases.run("offered load", offered)
    out["rss_after_load"] = bench.rss()
    phases.run("inbox", inbox)
    phases.run("inbox after bulk loading", bulk_inbox)
    out["rss_at_end"] = bench.rss()
    return out


def measure_store(store_uri, scale):
    """The inbox query straight on an escalations store, as it grows in bulk."""
    client, db = cases.open_escalations_store(store_uri)
    levels = []
    deadline = time.monotonic() + scale.store_load_seconds
    try:
        for target in scale.store_cases:
            step(f"store: bulk-loading up to {target:,} cases")
            reached, insert_rate = cases.load_cases(db, workload.AUTHORITY, target, deadline)
            step(f"store: inbox query at {reached:,} cases")
            timings = [cases.inbox_query_seconds(db, workload.AUTHORITY)]
            if timings[0] < scale.store_query_budget:
                timings += [cases.inbox_query_seconds(db, workload.AUTHORITY)
                            for _ in range(scale.repetitions - 1)]
            levels.append({"target": target, "reached": reached, "insert_per_s": insert_rate,
                           "query_seconds": timings})
            if reached < target:
                step(f"store: stopped at {reached:,} cases, the time bound "
                     f"({scale.store_load_seconds:g} s) passed")
                break
    finally:
        client.close()
    return {"levels": levels, "load_seconds_bound": scale.store_load_seconds}


class ScaledSystem(RunningSystem):
    """The system with ``instances`` processes of each service but the gateway (it binds one
    port), competing for the same queues and sharing each service's data folder; a process
    after the first is named ``<service>-<n>``. ``start``/``stop`` act on all of a service's."""

    def __init__(self, amqp_uri, workdir, instances=1, service_uris=None, **settings):
        super().__init__(amqp_uri, workdir, service_uris, **settings)
        self.instances = instances

    def _names(self, name):
        count = 1 if name == "gateway" else self.instances
        return [name] + [f"{name}-{n}" for n in range(2, count + 1)]

    def start(self, name, **env):
        for process_name in self._names(name):
            self._start_one(name, process_name, env)

    def _start_one(self, name, process_name, env):
        command = [sys.executable, "-m", "nameko", "run", "--config", "deploy/config.yml",
                   f"services.{name}.service:{name.capitalize()}Service"]
        with open(self.log_path(process_name), "a") as log:
            self.processes[process_name] = subprocess.Popen(
                command, cwd=self.root, env={**self.env, **self._own_user(name), **env},
                stdout=log,
                stderr=subprocess.STDOUT)

    def stop(self, name, timeout=15):
        for process_name in self._names(name):
            super().stop(process_name, timeout)

    def wait_healthy(self, timeout=60):
        # more processes start more slowly on the same cores
        super().wait_healthy(timeout * self.instances)


def count_messages(config, system):
    """Publishes, deliveries and RPC round trips per service of one request of each kind
    (tooling/bench/message_scenarios.py), counted on the firehose of the run's vhost."""
    step("messages per request: one visit, one case action, one authenticated GET")
    caller = Caller(system.base_url, workload.HEADERS)
    # quiet for longer than the mail sender's poll: the mail a routed case sends is counted
    mail_poll = float(load_config_file().get("MAIL_POLL_SECONDS", 1))
    return count_each(config["RABBIT_MANAGEMENT_URI"], system.env["AMQP_URI"], caller,
                      quiet_seconds=mail_poll + 2)


def run(scale_name, out_dir, clients=16, instances=1, profiles=False):
    scale = SCALES[scale_name]
    # the run's own look at the loopback broker (its admin, guest by default), never a
    # service's: the services run in production mode as their own users (RunUsers)
    config = settings({**load_config_file(), "DEPLOYMENT_MODE": "development"})
    for uri in (config["AMQP_URI"], config["RABBIT_MANAGEMENT_URI"]):
        require_loopback(urlparse(uri).hostname)
    started = time.monotonic()
    results = {"scale": scale_name, "settings": asdict(scale), "clients": clients,
               "instances": instances,
               "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    with broker.Vhost(config["RABBIT_MANAGEMENT_URI"], config["AMQP_URI"]) as vhost, \
            tempfile.TemporaryDirectory(prefix="sausat-bench-") as workdir, \
            RunUsers(config["RABBIT_MANAGEMENT_URI"], vhost,
                     pathlib.Path(workdir) / "keys") as users:
        step(f"vhost {vhost.name}, data in {workdir}")
        results["machine"] = describe_machine(vhost.rabbitmq_version())
        results["broker"] = measure_broker(vhost.amqp_uri, scale)
        results["hello"] = measure_hello(scale, clients)
        # each service as its own broker user, in production mode (tooling/broker_users.py):
        # the topology first, as deploy
        users.declare_topology()
        system = ScaledSystem(vhost.amqp_uri, workdir, instances, users.uris(),
                              **users.settings())
        phases = Phases()
        try:
            step(f"starting the {len(SERVICES)} services, {instances} instance(s) of each "
                 "but the gateway")
            system.start_all()
            with open(DEMO_DATA, encoding="utf-8") as handle:
                # as the loader; the demo data's published passwords, on this throwaway
                # vhost only: the workload signs in with them
                load_demo({"AMQP_URI": users.uri("loader"), "DEPLOYMENT_MODE": "development"},
                          yaml.safe_load(handle))
            workload.sign_in(system)
            phases.run("messages per request",
                       lambda: results.update(messages=count_messages(config, system)))
            step(f"{sign_in_storm.SIGN_INS} sign-ins at once: the accounts process's peak RSS")
            phases.run("sign-ins at once", lambda: results.update(
                sign_in_storm=sign_in_storm.sign_in_storm(
                    system, workload.HEADERS["officer"], *workload.CADRE_USER)))
            with broker.CaseRoutedWatcher(vhost.amqp_uri) as watcher:
                results["system"] = measure_system(system, watcher, scale, clients, vhost,
                                                   phases, out_dir if profiles else None)
        finally:
            if phases.errors:  # keep the services' logs: the data folder goes away
                (out_dir / "logs").mkdir(parents=True, exist_ok=True)
                for log in pathlib.Path(workdir).glob("*.log"):
                    shutil.copy(log, out_dir / "logs")
                _log.error("services' logs copied to %s", out_dir / "logs")
            step("stopping the services")
            system.stop_all()
        phases.run("store", lambda: results.update(
            store=measure_store(f"embedded:{pathlib.Path(workdir) / 'bulk'}", scale)))
        results["errors"] = phases.errors
    results["seconds"] = time.monotonic() - started
    step("done")
    results["load_average"] = {"min": min(LOAD_SAMPLES), "max": max(LOAD_SAMPLES),
                               "mean": sum(LOAD_SAMPLES) / len(LOAD_SAMPLES)}
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tooling.bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="everything at small scale, in about a minute (a smoke run)")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT,
                        help=f"folder for REPORT.md, results.json and the plots "
                             f"(default {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--instances", type=int, default=1, choices=range(1, 5),
                        help="processes of each service but the gateway, competing for the "
                             "same queues on one data folder each (default 1)")
    parser.add_argument("--profiles", action=argparse.BooleanOptionalAction, default=None,
                        help="py-spy flame graphs of each service during one more sustained "
                             "repetition, flame-<service>.svg beside the report (default: in "
                             "the full run only; needs root)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s bench: %(message)s",
                        datefmt="%H:%M:%S")
    for noisy in ("kombu", "amqp", "nameko", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    profiles = not args.quick if args.profiles is None else args.profiles
    results = run("quick" if args.quick else "full", args.out, instances=args.instances,
                  profiles=profiles)
    path = report.write(results, args.out)
    print(f"report written to {path} in {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
