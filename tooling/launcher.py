"""The whole system as separate processes, the way deploy/services.sh runs it, on a vhost and a
data folder of its own so it cannot disturb (or be disturbed by) a system already running.

The integration tests and the benchmark (``tooling.bench``) both start it from here. Settings
not given keep deploy/config.yml's defaults. Example::

    system = RunningSystem("amqp://guest:guest@localhost:5672/my-vhost", "/tmp/run",
                           OUTBOX_POLL_SECONDS="0.05")
    system.start_all()          # waits until GET /health answers 200
    ...
    system.stop_all()
"""
import os
import pathlib
import secrets
import signal
import socket
import subprocess
import sys
import time

import requests

from shared.config import ROOT
from shared.services import SERVICES


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailCatcher:
    """tooling/mailcatcher.py serving on ``port`` into ``maildir``; stop and start at will.
    ``pipelining=False`` serves as a server that does not offer PIPELINING."""

    def __init__(self, maildir, pipelining=True):
        self.maildir, self.pipelining = maildir, pipelining
        self.port = free_port()
        self.process = None

    def start(self, timeout=20):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tooling.mailcatcher", "serve", "--port", str(self.port),
             "--maildir", str(self.maildir)] + ([] if self.pipelining else ["--no-pipelining"]),
            cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not self._accepting():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the mail catcher did not accept SMTP within {timeout} s")
            time.sleep(0.05)

    def _accepting(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"the mail catcher exited with {self.process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None

    def mail(self):
        """Every mail caught so far, in the order it arrived (email.message.EmailMessage)."""
        from tooling.mailcatcher import read_messages
        return [message for _, message in read_messages(self.maildir)]


class RunningSystem:
    """``amqp_uri`` is the vhost as its administrator (the caller's own look at the broker);
    ``service_uris`` gives each service its own broker user's URI, as deployments do."""

    # the source tree the services run from (tooling.bench.ab runs a base commit's beside)
    root = ROOT

    def __init__(self, amqp_uri, workdir, service_uris=None, **settings):
        self.workdir = pathlib.Path(workdir)
        self.service_uris = dict(service_uris or {})
        self.port = free_port()
        # the notifications service mails into a catcher of this system's own
        self.catcher = MailCatcher(self.workdir / "mail")
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "AMQP_URI": amqp_uri,
            "STORE_URI": f"embedded:{self.workdir / 'data'}",
            "GATEWAY_ADDRESS": f"127.0.0.1:{self.port}",
            "PYTHONWARNINGS": "ignore",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.catcher.port),
            # the mails' links point at this system's own gateway
            "PAGES_URL": self.base_url,
            # production (deploy/config.yml's default): each service connects as its own
            # broker user (service_uris) and the token key is this system's own
            "TOKEN_SECRET": secrets.token_urlsafe(32),
            **settings,
        }
        self.processes = {}

    def log_path(self, name):
        return self.workdir / f"{name}.log"

    def start(self, name, **env):
        command = [sys.executable, "-m", "nameko", "run", "--config", "deploy/config.yml",
                   f"services.{name}.service:{name.capitalize()}Service"]
        with open(self.log_path(name), "a") as log:
            self.processes[name] = subprocess.Popen(
                command, cwd=self.root, env={**self.env, **self._own_user(name), **env},
                stdout=log,
                stderr=subprocess.STDOUT)

    def _own_user(self, name):
        return {"AMQP_URI": self.service_uris[name]} if name in self.service_uris else {}

    def start_all(self):
        self.catcher.start()
        for name in SERVICES:
            self.start(name)
        self.wait_healthy()

    def kill(self, name, sig=signal.SIGKILL):
        process = self.processes.pop(name)
        process.send_signal(sig)
        process.wait(timeout=30)

    def stop(self, name, timeout=15):
        """TERM, then KILL if the service has not stopped within ``timeout`` seconds (a
        graceful stop waits for every worker, and a busy service may have many)."""
        process = self.processes.pop(name)
        process.terminate()
        _wait_or_kill(process, time.monotonic() + timeout)

    def stop_all(self, timeout=15):
        # TERM to all first: their graceful stops then overlap instead of adding up
        deadline = time.monotonic() + timeout
        stopping = [self.processes.pop(name) for name in list(self.processes)]
        for process in stopping:
            process.terminate()
        for process in stopping:
            _wait_or_kill(process, deadline)
        self.catcher.stop()

    def sign_in(self, username, password):
        """Headers that carry a fresh access token of this user."""
        response = requests.post(f"{self.base_url}/sessions", timeout=30,
                                 json={"username": username, "password": password})
        if response.status_code != 201:
            raise AssertionError(f"sign-in of {username}: {response.status_code} {response.text}")
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def health(self):
        return requests.get(f"{self.base_url}/health", timeout=10)

    def wait_healthy(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}:\n"
                                       + self.log_path(name).read_text()[-3000:])
            try:
                if self.health().status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("the system did not become healthy:\n" + "\n".join(
            f"--- {name}\n{self.log_path(name).read_text()[-1500:]}" for name in self.processes))


def _wait_or_kill(process, deadline):
    try:
        process.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
