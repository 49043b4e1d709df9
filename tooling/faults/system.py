"""The system under fault: every service under supervisord (``deploy/services.sh``, so a killed
service comes back by itself), on a vhost of the private broker, with a data folder, a
supervisord socket, a gateway port and a mail catcher of its own.

Example::

    system = FaultedSystem(broker, workdir, instances=2, TEST_CLOCK_FILE="/tmp/clock")
    system.start()                 # topology declared, services RUNNING, demo data loaded
    system.kill("visits")          # SIGKILL of one process of the service (a random one)
    system.stop()
"""
import os
import pathlib
import random
import secrets
import signal
import subprocess
import time

import requests
import yaml

from shared.config import ROOT
from shared.services import BACKEND_SERVICES
from tooling import supervise
from tooling.launcher import MailCatcher, free_port
from tooling.load_demo import DEMO_DATA, load_demo
from tooling.supervisor_config import Layout, discover_services

SERVICES = discover_services()  # the gateway last
BACK_END = list(BACKEND_SERVICES)

# quick retries and polls so that a run drains in seconds; retries long enough in total (about
# a minute) that a handler failing for a while recovers before its messages are dead-lettered
RUN_SETTINGS = {
    "EVENT_RETRY_DELAYS": "1,2,4,8,15,30",
    "OUTBOX_POLL_SECONDS": "0.1",
    "RPC_TIMEOUT_SECONDS": "5",
    "MAIL_RETRY_DELAYS": "0.5,1,2,4",
    "MAIL_POLL_SECONDS": "0.2",
    "SMTP_TIMEOUT_SECONDS": "5",
    "SWEEP_INTERVAL_SECONDS": "0.5",
    "PYTHONWARNINGS": "ignore",
    "LOG_LEVEL": "WARNING",
}


class FaultedSystem:
    def __init__(self, amqp_uri, workdir, instances=1, users=None, **settings):
        """``users``: the run's broker users (tooling.broker_users.RunUsers); each service
        then connects as its own (deploy/services.sh reads their passwords from
        SAUSAT_SECRETS_DIR), in production mode."""
        self.workdir = pathlib.Path(workdir)
        self.broker_users = users
        self.layout = Layout(self.workdir / "var")
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.catcher = MailCatcher(self.workdir / "mail")
        self.store_folder = self.workdir / "data"
        self.env = {
            **os.environ,
            "VAR_DIR": str(self.layout.var),
            "AMQP_URI": amqp_uri,
            "STORE_URI": f"embedded:{self.store_folder}",
            "GATEWAY_ADDRESS": f"127.0.0.1:{self.port}",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.catcher.port),
            # production (deploy/config.yml's default): the token key is this system's own
            "TOKEN_SECRET": secrets.token_urlsafe(32),
            **({"SAUSAT_SECRETS_DIR": str(users.write_secrets(self.workdir / "secrets")),
                **users.settings()} if users else {}),
            **RUN_SETTINGS,
            **{f"INSTANCES_{name.upper()}": str(instances) for name in BACK_END},
            **settings,
        }
        self.instances = instances
        self.users = {}

    # --- life ---------------------------------------------------------------------------------

    def services_sh(self, *args, timeout=240):
        return subprocess.run(["bash", "deploy/services.sh", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def start(self):
        self.catcher.start()
        started = self.services_sh("start")
        if started.returncode != 0:
            raise RuntimeError(f"services did not start:\n{started.stdout}{started.stderr}\n"
                               + self.log_tails())
        self.wait_healthy(120)
        with open(DEMO_DATA, encoding="utf-8") as handle:
            demo = yaml.safe_load(handle)
        loader = self.broker_users.uri("loader") if self.broker_users else self.env["AMQP_URI"]
        self.passwords = load_demo({"AMQP_URI": loader}, demo).passwords

    def stop(self):
        try:
            self.services_sh("stop")
        finally:
            self.catcher.stop()

    # --- processes ----------------------------------------------------------------------------

    def processes(self):
        """``{process name: (service, state, pid)}`` as supervisord knows them."""
        return {info["name"]: (info["group"], info["statename"], info["pid"])
                for info in supervise.processes(self.layout)}

    def kill(self, service, rng=random):
        """SIGKILL one running process of ``service``; returns ``(process name, pid)``."""
        running = [(name, pid) for name, (group, state, pid) in self.processes().items()
                   if group == service and state == "RUNNING" and pid]
        if not running:
            return None
        name, pid = rng.choice(sorted(running))
        os.kill(pid, signal.SIGKILL)
        return name, pid

    def all_running(self):
        return all(state == "RUNNING" for _, state, _ in self.processes().values())

    def log_tails(self, chars=1500):
        tails = []
        for log in sorted(self.layout.log_dir.glob("*.log")):
            tails.append(f"--- {log.name}\n{log.read_text(errors='replace')[-chars:]}")
        return "\n".join(tails)

    # --- HTTP ---------------------------------------------------------------------------------

    def health(self):
        try:
            response = requests.get(f"{self.base_url}/health", timeout=10)
            return response.status_code, response.json()
        except (requests.RequestException, ValueError):
            return 0, {}

    def wait_healthy(self, timeout):
        return supervise.wait_for(lambda: self.health()[0] == 200, timeout, 0.5)

    def sign_in(self, username, timeout=120):
        """Headers with a fresh token of ``username`` (retried while the system recovers)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                response = requests.post(f"{self.base_url}/sessions", timeout=15, json={
                    "username": username, "password": self.passwords[username]})
                if response.status_code == 201:
                    return {"Authorization": f"Bearer {response.json()['access_token']}"}
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"could not sign in as {username}")
            time.sleep(1)
