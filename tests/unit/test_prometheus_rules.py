"""Prometheus's files: generated from the one set of thresholds the monitor reads, checked and
unit-tested by Debian's promtool (deploy/test.sh installs it), one target per supervised
process, and the broker's own metrics on loopback."""
import pathlib
import shutil
import subprocess

import pytest
import yaml

from services.monitor.alerts import Thresholds
from shared.config import alert_settings
from shared.services import SERVICES
from tooling import prometheus_config, rabbitmq_setup

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "rules.yml"
RULES_TEST = ROOT / "deploy" / "prometheus" / "rules_test.yml"
COMPOSE_ALERTMANAGER = ROOT / "deploy" / "prometheus" / "alertmanager.yml"


def promtool(*args):
    if shutil.which("promtool") is None:
        pytest.fail("promtool missing: deploy/test.sh installs Debian's prometheus")
    return subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=60)


def rules_of(path):
    return {rule["alert"]: rule for rule in yaml.safe_load(path.read_text())["groups"][0]["rules"]}


def test_the_committed_files_are_what_the_thresholds_generate():
    for path, text in prometheus_config.compose_files().items():
        assert path.read_text() == text, f"{path}: run python -m tooling.prometheus_config write"


def test_promtool_accepts_the_rules_and_every_rule_fires_and_resolves_in_its_test():
    checked = promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = promtool("test", "rules", str(RULES_TEST))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    cases = yaml.safe_load(RULES_TEST.read_text())["tests"]
    for name in rules_of(RULES):
        evaluations = [evaluation for case in cases for evaluation in case["alert_rule_test"]
                       if evaluation["alertname"] == name]
        firing = [e for e in evaluations if e["exp_alerts"]]
        assert firing, f"{name}: no case where it fires"
        last_firing = max(prometheus_seconds(e["eval_time"]) for e in firing)
        assert any(not e["exp_alerts"] and prometheus_seconds(e["eval_time"]) > last_firing
                   for e in evaluations), f"{name}: no case where it resolves"


def prometheus_seconds(duration):
    return float(duration.rstrip("s"))


def test_the_rules_and_the_monitor_read_the_same_thresholds():
    environ = {"ALERT_QUEUE_DEPTH": "7", "ALERT_HOLD_SECONDS": "3", "ALERT_OUTBOX_BACKLOG": "9",
               "ALERT_OLDEST_MESSAGE_SECONDS": "42", "ALERT_MAIL_FAILURES": "5",
               "ALERT_DEADLINE_UNESCALATED_SECONDS": "120"}
    thresholds = Thresholds.from_settings(alert_settings(environ))
    assert thresholds == Thresholds(queue_depth=7, oldest_message_seconds=42, outbox_backlog=9,
                                    hold_seconds=3, mail_failures=5,
                                    deadline_unescalated_seconds=120)
    rules = rules_of_dict(prometheus_config.alert_rules(thresholds))
    assert rules["QueueBackingUp"]["expr"].endswith("> 7")
    assert rules["QueueMessageTooOld"]["expr"].endswith("> 42")
    assert rules["OutboxNotDraining"]["expr"].endswith("> 9")
    assert rules["MailFailing"]["expr"].endswith(">= 5")
    assert rules["DeadlinesUnescalated"]["for"] == "120s"
    assert rules["ServiceDown"]["for"] == "3s"
    # the defaults: deploy/config.yml's, as the committed rules hold them
    assert rules_of(RULES)["QueueBackingUp"]["expr"].endswith(
        f"> {Thresholds.from_settings(alert_settings({})).queue_depth}")


def rules_of_dict(document):
    return {rule["alert"]: rule for rule in document["groups"][0]["rules"]}


def test_every_supervised_process_is_a_target_of_its_service_job(tmp_path):
    environ = {"OPERATIONS_BASE_PORT": "19000", "INSTANCES_VISITS": "3",
               "RABBITMQ_PROMETHEUS_PORT": "25692", "ALERTMANAGER_ADDRESS": "127.0.0.1:29093",
               "PROMETHEUS_SCRAPE_SECONDS": "1", "ALERT_QUEUE_DEPTH": "11"}
    written = prometheus_config.write_supervised(tmp_path, environ)
    config = yaml.safe_load(written.read_text())
    jobs = {job["job_name"]: job["static_configs"][0]["targets"]
            for job in config["scrape_configs"]}
    assert set(jobs) == {*SERVICES, "rabbitmq"}
    assert jobs["visits"] == ["127.0.0.1:19020", "127.0.0.1:19021", "127.0.0.1:19022"]
    assert all(len(jobs[name]) == 1 for name in SERVICES if name != "visits")
    assert jobs["rabbitmq"] == ["127.0.0.1:25692"]
    assert config["global"]["scrape_interval"] == "1s"
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == [
        "127.0.0.1:29093"]
    assert rules_of(pathlib.Path(config["rule_files"][0]))["QueueBackingUp"]["expr"].endswith(
        "> 11")
    checked = promtool("check", "config", str(written))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    off = yaml.safe_load(prometheus_config.write_supervised(
        tmp_path / "off", {"OPERATIONS_BASE_PORT": "off"}).read_text())
    assert [job["job_name"] for job in off["scrape_configs"]] == ["rabbitmq"]


def test_the_broker_serves_its_metrics_on_loopback_only():
    conf = rabbitmq_setup.conf(5672, 15672, 25692)
    assert "prometheus.tcp.ip = 127.0.0.1" in conf
    assert "prometheus.tcp.port = 25692" in conf
    script = (ROOT / "deploy" / "rabbitmq.sh").read_text()
    assert "enable --offline rabbitmq_management rabbitmq_prometheus" in script


def test_alertmanager_mails_the_operators_in_vietnamese_through_the_local_smtp(tmp_path):
    if shutil.which("amtool") is None:
        pytest.fail("amtool missing: deploy/test.sh installs Debian's prometheus-alertmanager")
    prometheus_config.write_supervised(tmp_path, {"SMTP_PORT": "2600",
                                                  "OPERATORS_EMAIL": "trucban@example.vn"})
    for config in (tmp_path / "alertmanager.yml", COMPOSE_ALERTMANAGER):
        checked = subprocess.run(["amtool", "check-config", str(config)], capture_output=True,
                                 text=True, timeout=60)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    [mail] = yaml.safe_load((tmp_path / "alertmanager.yml").read_text())["receivers"][0][
        "email_configs"]
    assert (mail["to"], mail["smarthost"], mail["send_resolved"]) == (
        "trucban@example.vn", "localhost:2600", True)
    assert "Cảnh báo" in mail["headers"]["Subject"] and "Đã hết" in mail["text"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert ("./deploy/prometheus/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro"
            in compose["alertmanager"]["volumes"])
    assert compose["alertmanager"]["ports"] == ["127.0.0.1:9093:9093"]
    scrape = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    assert scrape["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == [
        "alertmanager:9093"]


def test_a_threshold_that_cannot_work_is_refused_by_name_and_nothing_is_written(tmp_path):
    from tooling.supervisor_config import SettingError
    with pytest.raises(SettingError, match="ALERT_MAIL_FAILURES"):
        prometheus_config.write_supervised(tmp_path / "p", {"ALERT_MAIL_FAILURES": "0"})
    assert not (tmp_path / "p").exists()
