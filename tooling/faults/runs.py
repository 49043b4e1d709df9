"""The fault runs: what each injects while the load runs, and the run itself (start, load,
fault, drain, count). Each fault is a function ``(run, rng, seconds, stop)`` that injects and
undoes its fault within ``seconds`` (or as soon as ``stop`` is set), noting what it did with
``run.note``; a run gives back the :class:`~tooling.faults.tally.Tally` line.

| run                | fault                                                                |
|--------------------|----------------------------------------------------------------------|
| kill-services      | SIGKILL of every service in turn, twice, at random moments           |
| broker-restart     | RabbitMQ stopped and started again, twice                            |
| broker-kill        | RabbitMQ's VM SIGKILLed and started again, twice                     |
| handler-failing    | every handler fails for 20-25 s (TEST_FAIL_HANDLERS_FILE), twice     |
| duplicate-delivery | every event delivered twice (broker.Duplicator)                      |
| mail-down          | the SMTP catcher stopped for 15-25 s, twice                          |
| clock-jump         | the clock jumps 6, then 30 days ahead; escalations runs 2 instances |
| kill-one           | one SIGKILL of escalations mid-load (the suite's smoke run)          |
| cluster-kill-leader| the node leading most queues SIGKILLed, back 10-15 s later (cluster) |
| cluster-node-down  | a node stopped for a minute (cluster)                                |
| cluster-partition  | a node paused (SIGSTOP) for 30 s, then resumed (cluster)             |

The cluster runs (tooling/faults/cluster.py) need the three-node cluster (``--cluster``).
"""
import contextlib
import pathlib
import random
import shutil
import tempfile
import threading
import time
from logging import getLogger

from shared import broker_uri
from shared.clock import Clock
from shared.config import ROOT
from shared.storage import connect
from tooling.bench.broker import Vhost
from tooling.broker_users import RunUsers
from tooling.faults import tally as tallying
from tooling.faults.broker import Duplicator, publish_poison, queue_depths
from tooling.faults.cluster import CLUSTER_FAULTS, ClusterBroker
from tooling.faults.load import Cadre, Officers
from tooling.faults.system import SERVICES, FaultedSystem

_log = getLogger("faults")

DAY = 86400
PHONES = 3


def _at(stop, started, offset):
    """Wait until ``offset`` seconds after ``started``; False if ``stop`` came first."""
    return not stop.wait(max(0.0, started + offset - time.monotonic()))


def kill_services(run, rng, seconds, stop):
    started = time.monotonic()
    order = [name for _ in range(2) for name in rng.sample(SERVICES, len(SERVICES))]
    slot = seconds / len(order)
    for index, service in enumerate(order):
        if not _at(stop, started, slot * index + rng.uniform(0.1, 0.9) * slot):
            return
        killed = run.system.kill(service, rng)
        run.note(f"SIGKILL {killed[0]} (pid {killed[1]})" if killed
                 else f"{service}: no running process to kill")


def kill_one(run, rng, seconds, stop):
    """The smoke run's fault: one SIGKILL of the escalations service, mid-load."""
    if _at(stop, time.monotonic(), seconds / 2):
        killed = run.system.kill("escalations", rng)
        run.note(f"SIGKILL {killed[0]} (pid {killed[1]})" if killed else "nothing to kill")


def _broker_outages(run, rng, seconds, stop, how):
    started = time.monotonic()
    half = seconds / 2
    for index in range(2):
        if not _at(stop, started, half * index + rng.uniform(0.1, 0.4) * half):
            return
        down = rng.uniform(8, 15)
        if how == "kill":
            run.broker.kill()
        else:
            run.broker.stop()
        run.note(f"RabbitMQ {'SIGKILLed' if how == 'kill' else 'stopped'} for {down:.0f} s")
        time.sleep(down)  # not cut short: the broker always comes back
        run.broker.start()
        run.note("RabbitMQ started again")


def broker_restart(run, rng, seconds, stop):
    _broker_outages(run, rng, seconds, stop, "stop")


def broker_kill(run, rng, seconds, stop):
    _broker_outages(run, rng, seconds, stop, "kill")


def handler_failing(run, rng, seconds, stop):
    flag = pathlib.Path(run.system.env["TEST_FAIL_HANDLERS_FILE"])
    started = time.monotonic()
    first = rng.uniform(0.05, 0.2) * seconds
    # the second window starts after every message of the first recovered (retries: 60 s)
    for begin in (first, first + max(90, seconds / 2)):
        if begin > seconds or not _at(stop, started, begin):
            return
        length = rng.uniform(20, 25)
        flag.write_text("*\n")
        run.note(f"every handler failing for {length:.0f} s")
        time.sleep(length)
        flag.unlink()
        run.note("handlers recovered")


def duplicate_delivery(run, rng, seconds, stop):
    run.note(f"every event delivered twice from the start ({run.duplicator.copied} copied so "
             "far)")


def mail_down(run, rng, seconds, stop):
    started = time.monotonic()
    half = seconds / 2
    for index in range(2):
        if not _at(stop, started, half * index + rng.uniform(0.1, 0.4) * half):
            return
        down = rng.uniform(15, 25)
        run.system.catcher.stop()
        run.note(f"mail server down for {down:.0f} s")
        time.sleep(down)
        run.system.catcher.start()
        run.note("mail server back")


def clock_jump(run, rng, seconds, stop):
    clock_file = run.system.env["TEST_CLOCK_FILE"]
    started = time.monotonic()
    for fraction, days in ((1 / 3, 6), (2 / 3, 30)):
        if not _at(stop, started, seconds * fraction + rng.uniform(-5, 5)):
            return
        Clock.move(clock_file, days * DAY)
        run.note(f"clock jumped to {days} days ahead")


FAULTS = {
    "kill-services": kill_services,
    "broker-restart": broker_restart,
    "broker-kill": broker_kill,
    "handler-failing": handler_failing,
    "duplicate-delivery": duplicate_delivery,
    "mail-down": mail_down,
    "clock-jump": clock_jump,
    "kill-one": kill_one,
    **CLUSTER_FAULTS,
}
BROKER_FAULTS = ("broker-restart", "broker-kill")
CLUSTER_RUNS = tuple(CLUSTER_FAULTS)


def held_messages(vhost):
    """``{queue: messages}`` of the vhost's queues still holding any (the management API's
    figures, a few seconds old). A passive declare counts ready messages only, so a message a
    consumer holds unacknowledged, or a quorum queue keeps while its at-least-once
    dead-lettering waits to forward it (a retry queue after a node was lost), would otherwise
    pass for drained."""
    return {queue["name"]: queue["messages"] for queue in vhost.manager.get_queues(vhost.name)
            if queue.get("messages") and not queue["name"].endswith(".dead")  # counted apart
            and not is_orphan_reply_queue(queue["name"])}


def is_orphan_reply_queue(name):
    """A caller's RPC reply queue (nameko's ``rpc.reply-<service>-<uuid>``): a reply to a caller
    killed while it waited stays there until the queue expires (5 minutes unused); the caller's
    request was answered or refused already, so nothing accepted is held there."""
    return name.startswith("rpc.reply-")


class Run:
    """One fault run on its own vhost, data folder and mail catcher."""

    def __init__(self, name, seed, seconds, instances, broker, amqp_uri, management_uri,
                 rate=2.0, keep=None):
        self.name, self.seed, self.seconds, self.instances = name, seed, seconds, instances
        self.broker = broker  # None: an outside broker, not to be faulted
        self.amqp_uri, self.management_uri = amqp_uri, management_uri
        self.rate = rate
        self.keep = keep      # a folder to copy the services' logs to when the run fails
        self.notes = []
        self.started = None
        self.duplicator = None
        self.vhost_name = None
        self.recoveries = []  # cluster runs: seconds until every queue was whole again

    def note(self, what):
        line = f"t+{time.monotonic() - self.started:5.1f}s {what}"
        self.notes.append(line)
        _log.info("%s: %s", self.name, line)

    def settings(self, workdir):
        extra = {"TEST_FAIL_HANDLERS_FILE": str(workdir / "fail-handlers"),
                 "TEST_CLOCK_FILE": str(workdir / "clock")}
        if self.name == "clock-jump":
            extra["INSTANCES_ESCALATIONS"] = str(max(2, self.instances))
        return extra

    def execute(self):
        clustered = isinstance(self.broker, ClusterBroker)
        if self.name in BROKER_FAULTS and (self.broker is None or clustered):
            raise ValueError(f"{self.name} stops the broker: it runs on the private node only")
        if self.name in CLUSTER_RUNS and not clustered:
            raise ValueError(f"{self.name} stops a node of a cluster: it runs on --cluster only")
        rng = random.Random(self.seed)
        (ROOT / "var" / "faults").mkdir(parents=True, exist_ok=True)  # absent in a fresh clone
        with Vhost(self.management_uri, self.amqp_uri, prefix="faults_") as vhost, \
                tempfile.TemporaryDirectory(prefix=f"faults-{self.name}-",
                                            dir=ROOT / "var" / "faults") as folder, \
                RunUsers(self.management_uri, vhost, pathlib.Path(folder) / "keys") as users:
            workdir = pathlib.Path(folder)
            self.vhost_name = vhost.name
            # the monitor reads queues from this broker's management API (every node of it)
            management = broker_uri.with_user(
                getattr(self.broker, "management_uris", self.management_uri),
                "monitor" + users.suffix, users.passwords["monitor"])
            # each service as its own broker user, as in production (tooling/broker_users.py)
            system = self.system = FaultedSystem(vhost.amqp_uri, workdir, self.instances,
                                                 users=users, RABBIT_MANAGEMENT_URI=management,
                                                 **self.settings(workdir))
            try:
                return self._with_system(system, vhost, rng, workdir)
            except BaseException:
                self._keep_logs(system)
                raise
            finally:
                system.stop()

    def _with_system(self, system, vhost, rng, workdir):
        began = time.monotonic()
        system.start()
        _log.info("%s: system up in %.0f s", self.name, time.monotonic() - began)
        # several phones, so that one waiting on a lost answer does not hold the others back
        phones = [Cadre(system, random.Random(rng.random()), self.rate / PHONES)
                  for _ in range(PHONES)]
        officers = Officers(system, random.Random(rng.random()), self.rate / 2)
        publish_poison(vhost.amqp_uri)
        if self.name == "duplicate-delivery":
            self.duplicator = Duplicator(vhost.amqp_uri, system.broker_users)
            self.duplicator.start()
        stop = threading.Event()
        self.started = time.monotonic()
        threads = [threading.Thread(target=officers.run_until, args=(stop,), daemon=True)] + [
            threading.Thread(target=phone.run_until, args=(stop,), daemon=True)
            for phone in phones]
        for thread in threads:
            thread.start()
        fault = threading.Thread(target=FAULTS[self.name],
                                 args=(self, random.Random(rng.random()), self.seconds, stop),
                                 daemon=True)
        fault.start()
        fault.join(self.seconds)
        # the load runs its whole time even when the fault is done sooner
        time.sleep(max(0.0, self.started + self.seconds - time.monotonic()))
        stop.set()
        fault.join()  # a fault always undoes itself (broker back, catcher back, flag gone)
        for thread in threads:
            thread.join()
        self.note(f"load stopped: {sum(p.sent for p in phones)} visits sent, "
                  f"{sum(len(p.pending) for p in phones)} unanswered")
        settle_by = time.monotonic() + 180
        if not all([phone.settle(settle_by) for phone in phones]):
            self.note(f"{sum(len(p.pending) for p in phones)} visits never accepted")
        cadre = Cadre.merged(phones)
        if self.duplicator:
            self.duplicator.stop()
            self.note(f"duplicator stopped: {self.duplicator.copied} events delivered twice")
        drained = self.drain(system, vhost)
        self.note("drained" if drained else "NOT drained within the bound")
        held = held_messages(vhost)
        if held:  # neither lost nor delivered: stranded in the broker (docs/cluster.md)
            self.note(f"messages still held in queues: {held}")
        tally = tallying.count(system.store_folder, system.catcher.maildir, vhost.amqp_uri,
                               cadre, officers, system.env["TEST_CLOCK_FILE"])
        _log.info("%s: document sizes %s", self.name, tallying.document_sizes(system.store_folder))
        status, health = system.health()
        tally.recovered = bool(drained and system.all_running() and status == 200 and all(
            entry.get("status") == "ok" for entry in health.get("services", {}).values()))
        if isinstance(self.broker, ClusterBroker):
            whole = self.broker.replicated(vhost.name)
            if not whole:
                self.note("NOT every quorum queue has a member online on every node")
            tally.recovered = tally.recovered and whole and None not in self.recoveries
        if cadre.refused:
            tally.problems.append(f"refused visits (a bug of the harness?): {cadre.refused[:3]}")
        if tally.lost or tally.duplicated or not tally.recovered:
            self._keep_logs(system)
        return tally

    def drain(self, system, vhost, timeout=240, quiet=3.0):
        """Wait until no message waits in any queue, every outbox is empty, no mail waits and
        no deadline is overdue, for ``quiet`` seconds in a row."""
        clock = Clock(system.env["TEST_CLOCK_FILE"])
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            if self._idle(system, vhost, clock):
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= quiet:
                    return True
            else:
                quiet_since = None
            time.sleep(0.5)
        return False

    @staticmethod
    def _idle(system, vhost, clock):
        try:
            delays = [float(d) for d in system.env["EVENT_RETRY_DELAYS"].split(",")]
            if queue_depths(vhost.amqp_uri, delays) or held_messages(vhost):
                return False
        except Exception:
            return False
        status, health = system.health()
        if status != 200 or any(entry.get("outbox_pending") or entry.get("mail_waiting")
                                for entry in health.get("services", {}).values()):
            return False
        client, db = connect(system.env["STORE_URI"], "escalations")
        try:
            return db.cases.count_documents({"next_deadline_at": {"$lte": clock.now()}}) == 0
        finally:
            client.close()

    def _keep_logs(self, system):
        if self.keep is None:
            return
        target = pathlib.Path(self.keep) / f"{self.name}-seed{self.seed}"
        with contextlib.suppress(OSError):
            shutil.copytree(system.layout.log_dir, target, dirs_exist_ok=True)
            # the stores too: what was stored is what says where a message went missing
            shutil.copytree(system.store_folder, target / "data", dirs_exist_ok=True)
            _log.error("%s: services' logs and data kept in %s", self.name, target)
