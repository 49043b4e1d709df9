"""Where operations are deployed: every compose service probed on its operations port and
scraped by Prometheus; every supervised process with an operations port of its own."""
import pathlib
import re

import pytest
import yaml

from shared.config import settings
from tooling.supervisor_config import Layout, SettingError, render

ROOT = pathlib.Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
PROMETHEUS = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
# every service there is: a new one must be probed, scraped and given a port too
SERVICES = tuple(sorted(path.parent.name for path in (ROOT / "services").glob("*/service.py")))


def test_each_compose_service_answers_on_9100_and_is_probed_and_scraped():
    targets = {job["job_name"]: tuple(target for config in job["static_configs"]
                                      for target in config["targets"])
               for job in PROMETHEUS["scrape_configs"]}
    # one job per service, named as it: no target label for Prometheus to clash with a
    # metric's own (sausat_rpc_seconds has a service label), and the broker's own metrics
    # from each node of the cluster
    assert targets == {**{name: (f"{name}:9100",) for name in SERVICES},
                       "rabbitmq": tuple(f"rabbitmq{n}:15692" for n in (1, 2, 3))}
    assert not any("relabel_configs" in job for job in PROMETHEUS["scrape_configs"])
    for name in SERVICES:
        spec = COMPOSE["services"][name]
        assert spec["environment"]["OPERATIONS_ADDRESS"] == "0.0.0.0:9100"
        probe = " ".join(spec["healthcheck"]["test"])
        assert ("9100/health/ready" in probe) or (name == "gateway" and "/health" in probe)
    prometheus = COMPOSE["services"]["prometheus"]
    assert "./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]
    assert "./deploy/prometheus/rules.yml:/etc/prometheus/rules.yml:ro" in prometheus["volumes"]
    assert PROMETHEUS["rule_files"] == ["/etc/prometheus/rules.yml"]


def test_every_supervised_process_gets_a_port_of_its_own(tmp_path):
    text = render(Layout(tmp_path), {"OPERATIONS_BASE_PORT": "19100", "INSTANCES_VISITS": "3"})
    addresses = dict(re.findall(r'\[program:(\w+)\][^\[]*?OPERATIONS_ADDRESS="([^"]+)"', text))
    assert set(addresses) == set(SERVICES)
    ports = sorted(int(address.rsplit(":", 1)[1]) for address in addresses.values())
    assert all(b - a >= 16 for a, b in zip(ports, ports[1:]))  # room for 16 instances each
    assert text.count('OPERATIONS_PORT_OFFSET="%(process_num)d"') == len(SERVICES)
    # on by default, on loopback, clear of a node exporter's 9100; off when asked
    default = dict(re.findall(r'\[program:(\w+)\][^\[]*?OPERATIONS_ADDRESS="([^"]+)"',
                              render(Layout(tmp_path), {})))
    assert set(default) == set(SERVICES)
    assert all(address.startswith("127.0.0.1:") and address != "127.0.0.1:9100"
               for address in default.values())
    assert "OPERATIONS_ADDRESS" not in render(Layout(tmp_path), {"OPERATIONS_BASE_PORT": "off"})
    with pytest.raises(SettingError, match="OPERATIONS_BASE_PORT"):
        render(Layout(tmp_path), {"OPERATIONS_BASE_PORT": "80"})


def test_operations_settings_are_checked():
    base = {"AMQP_URI": "amqp://localhost", "DEPLOYMENT_MODE": "development"}
    assert settings(base)["OPERATIONS_ADDRESS"] == ""
    assert settings({**base, "OPERATIONS_ADDRESS": "0.0.0.0:9100"})["OPERATIONS_ADDRESS"]
    for bad in ({"OPERATIONS_ADDRESS": "9100"}, {"ALERT_QUEUE_DEPTH": 0},
                {"PROCESSED_EVENTS_RETENTION_DAYS": 0}):
        with pytest.raises(Exception) as refused:
            settings({**base, **bad})
        assert set(bad) <= set(refused.value.fields)
