"""The whole system under supervisord, started by deploy/services.sh on a vhost, data folder,
supervisord socket and gateway port of its own: a service killed with SIGKILL comes back by
itself with a new pid, `status` never calls a dead or hung process healthy, a concern posted
while a service is killed and restarted is routed exactly once, and `stop` leaves nothing."""
import collections
import os
import random
import signal
import socket
import subprocess
import threading
import time
from urllib.parse import unquote, urlsplit

import pytest
import requests

from shared import contracts
from shared.config import ROOT
from tests.integration.fixtures import SystemOptions
from tests.integration.system import free_port
from tests.integration.test_concern_path import COMMUNE_PEOPLES_COMMITTEE, visit
from tooling import supervise
from tooling.supervisor_config import Layout, discover_services

pytestmark = pytest.mark.integration

RESTART_BOUND_SECONDS = 40  # polled, not asserted as a speed: supervisord takes about 2 s
HEALTH_RESTART_SECONDS = 12
SERVICES = discover_services()  # what supervisord runs: every services/<name>/service.py


def free_operations_base(services=SERVICES, attempts=50):
    """A base port whose ``base + 20 * place`` is free for every service (the operations
    ports deploy/services.sh gives), away from the default any other system may hold."""
    for _ in range(attempts):
        base = random.randrange(20000, 60000 - 20 * len(services))
        probes = []
        try:
            for place in range(len(services)):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", base + 20 * place))
            return base
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise AssertionError("no free block of operations ports")


class SupervisedSystem:
    """The system as deploy/services.sh runs it; started and stopped as the demo system is."""

    def __init__(self, amqp_uri, var, service_uris=None, **settings):
        self.layout = Layout(var)
        # each service's broker password where deploy/secrets.sh keeps it: services.sh then
        # runs each as its own user (tooling/supervisor_config.py), in production mode
        secrets = var / "secrets"
        (secrets / "rabbitmq").mkdir(parents=True, mode=0o700)
        for name, uri in (service_uris or {}).items():
            (secrets / "rabbitmq" / name).write_text(unquote(urlsplit(uri).password) + "\n")
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "VAR_DIR": str(var),
            "SAUSAT_SECRETS_DIR": str(secrets),
            "AMQP_URI": amqp_uri,
            "STORE_URI": f"embedded:{var / 'data'}",
            "GATEWAY_ADDRESS": f"127.0.0.1:{self.port}",
            "EVENT_RETRY_DELAYS": "0.2,0.5",
            "OUTBOX_POLL_SECONDS": "0.05",
            "RPC_TIMEOUT_SECONDS": "2",
            "PYTHONWARNINGS": "ignore",
            "OPERATIONS_BASE_PORT": str(free_operations_base()),
            # short, so the watch test takes seconds; still longer than any kill test's outage
            "HEALTH_RESTART_SECONDS": str(HEALTH_RESTART_SECONDS),
            **settings,
        }

    def start_all(self, healthy_within=60):
        started = self.services_sh("start")
        assert started.returncode == 0, started.stdout + started.stderr
        self.wait_healthy(healthy_within)

    def stop_all(self):
        stopped = self.services_sh("stop")
        print(stopped.stdout, stopped.stderr)

    def services_sh(self, *args):
        return subprocess.run(["bash", "deploy/services.sh", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=180)

    def processes(self):
        """{process name: (state, pid)} as supervisord knows them."""
        return {info["name"]: (info["statename"], info["pid"])
                for info in supervise.processes(self.layout)}

    def pid(self, name):
        state, pid = self.processes()[name]
        assert state == "RUNNING", (name, state)
        return pid

    def supervisord_pid(self):
        return supervise.supervisord_pid(self.layout)

    def health(self):
        return requests.get(f"{self.base_url}/health", timeout=10)

    def sign_in(self, username, password):
        """Headers that carry a fresh access token of this user."""
        response = requests.post(f"{self.base_url}/sessions", timeout=30,
                                 json={"username": username, "password": password})
        assert response.status_code == 201, f"sign-in of {username}: {response.text}"
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def wait_healthy(self, timeout=60):
        def healthy():
            try:
                return self.health().status_code == 200
            except requests.RequestException:
                return False
        if not supervise.wait_for(healthy, timeout, 0.2):
            raise AssertionError("not healthy:\n" + self.services_sh("status").stdout + "\n"
                                 + "\n".join(self.log_tail(name) for name in SERVICES))

    def log_tail(self, name):
        log = self.layout.log_dir / f"{name}.log"
        return f"--- {name}\n" + (log.read_text()[-1500:] if log.exists() else "(no log)")

    def wait_restarted(self, name, old_pid):
        """The new pid once supervisord reports the process RUNNING again."""
        def restarted():
            state, pid = self.processes()[name]
            return state == "RUNNING" and pid != old_pid
        assert supervise.wait_for(restarted, RESTART_BOUND_SECONDS, 0.1), (
            f"{name} not running again within {RESTART_BOUND_SECONDS} s: {self.processes()}\n"
            + self.log_tail(name))
        return self.processes()[name][1]


SYSTEM = SystemOptions(cls=SupervisedSystem)


@pytest.mark.parametrize("name", SERVICES)
def test_a_killed_service_runs_again_with_a_new_pid_and_the_system_is_healthy(system, name):
    old_pid = system.pid(name)
    killed_at = time.monotonic()
    os.kill(old_pid, signal.SIGKILL)
    new_pid = system.wait_restarted(name, old_pid)
    running_after = time.monotonic() - killed_at
    system.wait_healthy()
    print(f"{name}: SIGKILL -> RUNNING (pid {old_pid} -> {new_pid}) in {running_after:.1f} s, "
          f"healthy after {time.monotonic() - killed_at:.1f} s")


def test_status_one_second_after_a_sigkill_does_not_claim_the_old_process(system):
    old_pid = system.pid("monitor")
    os.kill(old_pid, signal.SIGKILL)
    time.sleep(1)
    status = system.services_sh("status", "monitor")
    [line] = [line for line in status.stdout.splitlines() if line.startswith("monitor ")]
    assert f"pid {old_pid}," not in line, status.stdout
    assert line.split()[1] in ("STARTING", "RUNNING", "BACKOFF"), status.stdout
    if line.split()[1] != "RUNNING":
        assert status.returncode == supervise.NOT_RUNNING
    system.wait_restarted("monitor", old_pid)
    system.wait_healthy()


def test_status_tells_a_hung_service_from_a_healthy_one(system):
    system.wait_healthy()
    healthy = system.services_sh("status")
    assert healthy.returncode == 0, healthy.stdout
    assert all(f"{name}" in healthy.stdout for name in SERVICES)
    assert f"gateway {system.base_url}/health: 200 ok" in healthy.stdout

    hung = system.pid("escalations")
    os.kill(hung, signal.SIGSTOP)  # alive to supervisord, answering nobody
    try:
        status = system.services_sh("status")
    finally:
        os.kill(hung, signal.SIGCONT)
    [line] = [line for line in status.stdout.splitlines() if line.startswith("escalations ")]
    assert line.split()[1] == "RUNNING" and "health not answering" in line, status.stdout
    assert "503 degraded" in status.stdout
    assert status.returncode == supervise.NOT_HEALTHY
    system.wait_healthy()


def test_a_service_hung_for_longer_than_the_watch_allows_is_restarted(system):
    hung = system.pid("monitor")
    stopped_at = time.monotonic()
    os.kill(hung, signal.SIGSTOP)  # alive to supervisord, answering nobody, ignoring TERM
    try:
        new_pid = system.wait_restarted("monitor", hung)
    finally:
        if supervise.alive(hung):
            os.kill(hung, signal.SIGCONT)
    print(f"monitor hung (SIGSTOP) -> killed and RUNNING again (pid {hung} -> {new_pid}) after "
          f"{time.monotonic() - stopped_at:.1f} s; the watch waits {HEALTH_RESTART_SECONDS} s")
    log = (system.layout.log_dir / "health_watch.log").read_text()
    assert "monitor has not answered /health for" in log
    system.wait_healthy()


def test_a_stopped_service_fails_status_until_started_again(system):
    assert system.services_sh("stop", "monitor").returncode == 0
    status = system.services_sh("status")
    assert status.returncode == supervise.NOT_RUNNING
    assert any(line.split()[:2] == ["monitor", "STOPPED"] for line in status.stdout.splitlines())
    before = {name: pid for name, (_, pid) in system.processes().items() if name != "monitor"}
    again = system.services_sh("start")  # harmless for the others: they keep their pids
    assert again.returncode == 0, again.stdout + again.stderr
    assert "supervisord: started" not in again.stdout
    after = system.processes()
    assert after["monitor"][0] == "RUNNING"
    assert {name: after[name][1] for name in before} == before
    system.wait_healthy()


def cases_by_concern(system):
    """{concern_id: number of cases} in the inbox the demo routes infrastructure to; None while
    escalations cannot answer (restarting)."""
    response = requests.get(f"{system.base_url}/authorities/{COMMUNE_PEOPLES_COMMITTEE}/inbox",
                            params={"limit": 500}, headers=system.headers["officer"], timeout=10)
    if response.status_code != 200:
        return None
    return collections.Counter(case["concern_id"] for case in response.json()["cases"])


def post_until_accepted(system, body, refusals, attempts=40):
    """Post a visit the way a phone does: the same submission again until it is accepted."""
    for _ in range(attempts):
        try:
            response = requests.post(f"{system.base_url}/visits", json=body,
                                     headers=system.headers["cadre"], timeout=10)
            if response.status_code in (200, 201):
                return response.json()
            refusals.append(response.status_code)
        except requests.RequestException as error:
            refusals.append(type(error).__name__)
        time.sleep(0.25)
    raise AssertionError(f"visit {body['submission_id']} never accepted")


@pytest.mark.parametrize("name", ["visits", "escalations"])
def test_concerns_posted_while_a_service_is_killed_are_routed_exactly_once(system, name):
    bodies = [visit(concerns=[{"topic": "infrastructure", "raised_by": "resident",
                               "summary": f"Cống thoát nước, phiếu {contracts.new_id()}"}])
              for _ in range(8)]
    accepted, refusals = [], []

    def post_all():
        for body in bodies:
            accepted.append(post_until_accepted(system, body, refusals))
    poster = threading.Thread(target=post_all)
    old_pid = system.pid(name)
    poster.start()
    supervise.wait_for(lambda: len(accepted) >= 2 or not poster.is_alive(), 30, 0.02)
    os.kill(old_pid, signal.SIGKILL)
    left = len(bodies) - len(accepted)
    poster.join(timeout=120)
    assert not poster.is_alive()
    system.wait_restarted(name, old_pid)
    print(f"{name} killed with {left} of {len(bodies)} visits left to post; "
          f"refused on the way: {refusals}")

    concern_ids = [logged["concerns"][0]["concern_id"] for logged in accepted]
    assert len(set(concern_ids)) == len(bodies)
    assert supervise.wait_for(
        lambda: all((cases_by_concern(system) or {}).get(c) for c in concern_ids), 60, 0.2)
    time.sleep(1)  # time enough for a second case of any concern, were there one
    cases = cases_by_concern(system)
    assert [cases[concern_id] for concern_id in concern_ids] == [1] * len(bodies)


def test_stop_leaves_no_process_behind(system):
    # last in this module: the fixture's own stop then finds nothing to do
    pids = [pid for _, pid in system.processes().values()] + [system.supervisord_pid()]
    assert all(supervise.alive(pid) for pid in pids)
    stopped = system.services_sh("stop")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert [pid for pid in pids if supervise.alive(pid)] == []
    assert not system.layout.socket.exists()
    status = system.services_sh("status")
    assert status.returncode == supervise.NOT_RUNNING
    assert "supervisord: not running" in status.stdout
