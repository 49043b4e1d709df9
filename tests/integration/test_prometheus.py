"""A real Prometheus (Debian's) and Alertmanager against the system as deploy/up.sh starts it:
deploy/services.sh with its default operations ports (here a free block of them), the
scrape configuration and rules it writes, deploy/prometheus.sh to run both. Every query
docs/operations.md gives operators answers; an alert reaches the mail catcher as mail.

The broker's own metrics come from rabbitmq_prometheus: the system's broker when it serves
them (a node deploy/rabbitmq.sh started, as in CI), else a node of this module's own
started by deploy/rabbitmq.sh on free ports (a shared node started before the plugin was
enabled here). About a minute: one system, Prometheus scraping every second."""
import os
import re
import subprocess
import time

import pytest
import requests

from shared.config import ROOT
from tests.integration.fixtures import SystemOptions
from tests.integration.system import free_port
from tests.integration.test_concern_path import visit
from tests.integration.test_supervised import SERVICES, SupervisedSystem
from tests.mail import MailCatcher

pytestmark = pytest.mark.integration

DOCS = ROOT / "docs" / "operations.md"
SYSTEM_BROKER_METRICS = "127.0.0.1:15692"


def documented_queries():
    section = re.search(r"<!-- queries -->\s*```promql\n(.*?)```", DOCS.read_text(), re.S)
    return [line for line in section.group(1).splitlines()
            if line.strip() and not line.startswith("#")]


def serves_metrics(address):
    try:
        return requests.get(f"http://{address}/metrics", timeout=3).status_code == 200
    except requests.RequestException:
        return False


class BrokerMetricsNode:
    """A RabbitMQ node of our own, only to be scraped (deploy/rabbitmq.sh on free ports)."""

    def __init__(self, base):
        self.env = {"RABBITMQ_BASE": str(base), "RABBITMQ_NODENAME": f"prom{free_port()}@localhost",
                    "RABBITMQ_NODE_PORT": str(free_port()),
                    "RABBITMQ_MANAGEMENT_PORT": str(free_port()),
                    "RABBITMQ_DIST_PORT": str(free_port()),
                    "RABBITMQ_PROMETHEUS_PORT": str(free_port())}
        self.address = f"127.0.0.1:{self.env['RABBITMQ_PROMETHEUS_PORT']}"

    def rabbitmq_sh(self, command):
        return subprocess.run(["bash", "deploy/rabbitmq.sh", command], cwd=ROOT,
                              env={**os.environ, **self.env}, capture_output=True, text=True,
                              timeout=180)


class WatchedSystem(SupervisedSystem):
    """The supervised system, its mail catcher, and Prometheus with Alertmanager watching."""

    def __init__(self, amqp_uri, var, service_uris=None, **settings):
        self.catcher = MailCatcher(var / "mail")
        self.node = None
        if not serves_metrics(SYSTEM_BROKER_METRICS):
            self.node = BrokerMetricsNode(var / "rabbitmq")
        broker_metrics = self.node.address if self.node else SYSTEM_BROKER_METRICS
        self.prometheus_address = f"127.0.0.1:{free_port()}"
        super().__init__(amqp_uri, var, service_uris, **{
            "SMTP_PORT": str(self.catcher.port),
            "ALERTMANAGER_ADDRESS": f"127.0.0.1:{free_port()}",
            "PROMETHEUS_ADDRESS": self.prometheus_address,
            "RABBITMQ_PROMETHEUS_PORT": broker_metrics.rsplit(":", 1)[1],
            "PROMETHEUS_SCRAPE_SECONDS": "1",
            "ALERT_INTERVAL_SECONDS": "1",  # the monitor's queue figures, every second
            "ALERT_HOLD_SECONDS": "2",
            "RPC_TIMEOUT_SECONDS": "10",  # argon2 sign-ins on a busy two-core machine
            **settings})

    def start_all(self, healthy_within=60):
        self.catcher.start()
        if self.node:
            started = self.node.rabbitmq_sh("start")
            assert started.returncode == 0, started.stderr
        super().start_all(healthy_within)
        started = self.prometheus_sh("start")
        assert started.returncode == 0, started.stdout + started.stderr

    def stop_all(self):
        print(self.prometheus_sh("stop").stderr)
        super().stop_all()
        self.catcher.stop()
        if self.node:
            print(self.node.rabbitmq_sh("stop").stderr)

    def prometheus_sh(self, command):
        return subprocess.run(["bash", "deploy/prometheus.sh", command], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=120)

    def query(self, promql):
        answer = requests.get(f"http://{self.prometheus_address}/api/v1/query",
                              params={"query": promql}, timeout=10).json()
        assert answer["status"] == "success", (promql, answer)
        return answer["data"]["result"]


SYSTEM = SystemOptions(cls=WatchedSystem)


def test_prometheus_scrapes_one_target_per_process_and_every_documented_query_answers(system):
    def active_targets():
        return requests.get(f"http://{system.prometheus_address}/api/v1/targets",
                            timeout=10).json()["data"]["activeTargets"]
    # ready is not yet discovered: a busy Prometheus lists its targets a moment after
    deadline = time.monotonic() + 30
    while not (targets := active_targets()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert sorted(target["labels"]["job"] for target in targets) == sorted([*SERVICES,
                                                                           "rabbitmq"])
    for target in targets:  # what Prometheus's own linter says of each service's metrics
        if target["labels"]["job"] != "rabbitmq":
            text = requests.get(target["scrapeUrl"], timeout=10).text
            linted = subprocess.run(["promtool", "check", "metrics"], input=text,
                                    capture_output=True, text=True, timeout=60)
            assert linted.returncode == 0, (target["labels"]["job"], linted.stdout,
                                            linted.stderr)
    # work that moves the counters: a concern routed to an authority, who is mailed
    logged = requests.post(f"{system.base_url}/visits", json=visit(),
                           headers=system.headers["cadre"], timeout=30)
    assert logged.status_code == 201, logged.text
    queries = documented_queries()
    assert len(queries) >= 15

    def unanswered():
        return [query for query in queries if not system.query(query)]
    deadline = time.monotonic() + 60
    while unanswered() and time.monotonic() < deadline:
        time.sleep(1)
    assert unanswered() == []
    assert all(target["health"] == "up" for target in requests.get(
        f"http://{system.prometheus_address}/api/v1/targets", timeout=10
    ).json()["data"]["activeTargets"])
    # the mail the concern caused, counted where it was sent; the rpc label kept as it is
    def mail_sent():
        return float(system.query("sum(sausat_mail_sent_total)")[0]["value"][1])
    deadline = time.monotonic() + 30
    while mail_sent() < 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert mail_sent() >= 1, system.catcher.mail()
    logged_visit = 'sausat_rpc_seconds_count{service="visits", method="log_visit"}'
    deadline = time.monotonic() + 30
    while not system.query(logged_visit) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert system.query(logged_visit)
    assert not system.query("{exported_service!=\"\"}")


def test_a_service_down_reaches_the_operators_by_mail_through_alertmanager(system):
    assert system.services_sh("stop", "imports").returncode == 0
    try:
        def alert_mail():
            return [mail for mail in system.catcher.mail()
                    if "ServiceDown" in str(mail["Subject"])]
        deadline = time.monotonic() + 60
        while not alert_mail() and time.monotonic() < deadline:
            time.sleep(0.5)
        [mail] = alert_mail()
        assert mail["Subject"] == "[Sâu Sát] Cảnh báo: ServiceDown (1)"
        assert mail["To"] == "vanhanh@sausat.localhost"
        body = mail.get_body(("plain",)).get_content()
        assert "imports" in body and "không trả lời" in body
    finally:
        assert system.services_sh("start", "imports").returncode == 0
