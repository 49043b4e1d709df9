"""Operations through the real processes: a concern's trace from concern_raised to closing, the
correlation id of the request that started it, metrics that parse and move, the probes each
service answers, alerts raised and cleared as events, and the ``sausat`` command line against
the running system, signed in as the demo operator."""
import datetime as dt
import json
import os
import pathlib
import stat
import subprocess
import sys

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from shared import contracts
from shared.messaging import ConfirmedPublisher
from tests.answers import ANSWERED_BY_LETTER
from tests.integration.fixtures import SystemOptions
from tests.integration.system import SERVICES, RunningSystem, free_port, poll

pytestmark = pytest.mark.integration

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
SAUSAT = pathlib.Path(sys.executable).with_name("sausat")
SUMMARY = "Cống thoát nước xóm Đình bị tắc"


class WithOperationsPorts(RunningSystem):
    """Each service with an operations port of its own, and alerts checked twice a second."""

    def __init__(self, *args, **kwargs):
        # a sign-in hashes a password: on a busy machine it takes more than the tests' 2 s
        super().__init__(*args, ALERT_INTERVAL_SECONDS="0.5", ALERT_HOLD_SECONDS="6",
                         RPC_TIMEOUT_SECONDS="15", **kwargs)
        self.ops_ports = {name: free_port() for name in SERVICES}

    def start(self, name, **env):
        super().start(name, OPERATIONS_ADDRESS=f"127.0.0.1:{self.ops_ports[name]}", **env)

    def ops(self, name, path):
        return requests.get(f"http://127.0.0.1:{self.ops_ports[name]}{path}", timeout=10)


SYSTEM = SystemOptions(cls=WithOperationsPorts)


def call(system, who, method, path, body=None, **headers):
    return requests.request(method, f"{system.base_url}{path}", json=body, timeout=15,
                            headers={**system.headers[who], **headers})


def metric(system, process, name, **labels):
    """The sample ``name`` with ``labels`` in the process's /metrics (0 when absent)."""
    response = system.ops(process, "/metrics")
    assert response.status_code == 200
    total = 0.0
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def log_visit(system, correlation_id=None):
    body = {
        "submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
        "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 20, "expected": 25},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident", "summary": SUMMARY}],
    }
    extra = {"X-Correlation-Id": correlation_id} if correlation_id else {}
    response = call(system, "cadre", "POST", "/visits", body, **extra)
    assert response.status_code == 201, response.text
    return response


def test_a_concerns_trace_runs_from_raised_to_closed_in_order_with_its_request(system):
    handled_before = metric(system, "escalations", "sausat_events_handled_total",
                            queue="escalations.concern_raised")
    relayed_before = metric(system, "visits", "sausat_outbox_events_relayed_total")
    rpc_before = metric(system, "gateway", "sausat_rpc_seconds_count", service="visits",
                        method="log_visit", outcome="ok")

    response = log_visit(system, correlation_id="cadre-phone-0042")
    assert response.headers["X-Correlation-Id"] == "cadre-phone-0042"
    concern_id = response.json()["concerns"][0]["concern_id"]
    concern = poll(lambda: call(system, "cadre", "GET", f"/concerns/{concern_id}").json(),
                   lambda c: c.get("status") == "routed")
    case_id = concern["case"]["case_id"]
    for who, action, body in (("officer", "acknowledge", {}),
                              ("officer", "answer",
                                  {"answer": "Đã nạo vét xong", **ANSWERED_BY_LETTER}),
                              ("cadre", "close", {"outcome": "resolved", "note": ""})):
        acted = call(system, who, "POST", f"/cases/{case_id}/{action}", body)
        assert acted.status_code == 200, acted.text
    system.settle()

    traced = call(system, "operator", "GET", f"/monitor/trace/{concern_id}")
    assert traced.status_code == 200, traced.text
    steps = traced.json()["steps"]
    case_steps = [s["event_type"] for s in steps if s["source"] in ("visits", "escalations")]
    # the visit it was raised at, then the concern's whole life (mail sent in between)
    assert case_steps == ["visit_logged", "concern_raised", "case_routed", "case_acknowledged",
                          "case_answered", "case_closed"]
    times = [s["occurred_at"] for s in steps]
    assert times == sorted(times)
    assert [s["seconds_since_start"] for s in steps] == \
        sorted(s["seconds_since_start"] for s in steps)
    raised = next(s for s in steps if s["event_type"] == "concern_raised")
    routed = next(s for s in steps if s["event_type"] == "case_routed")
    # the request's correlation id, carried through RPC and the consumer; the cause named
    assert raised["correlation_id"] == routed["correlation_id"] == "cadre-phone-0042"
    assert routed["causation_id"] == raised["event_id"]
    assert routed["ids"]["case_id"] == case_id and routed["ids"]["concern_id"] == concern_id
    officer = call(system, "officer", "GET", "/me").json()["user_id"]
    assert [s["actor"] for s in steps if s["event_type"] in ("case_acknowledged",
                                                             "case_answered")] == [officer] * 2
    # ids, users and timings only: no concern text, no answer, no names
    assert SUMMARY not in traced.text and "nạo vét" not in traced.text
    assert "payload" not in traced.text
    # the case's trace is the same journey
    by_case = call(system, "operator", "GET", f"/monitor/trace/{case_id}").json()["steps"]
    assert [s["event_id"] for s in by_case] == [s["event_id"] for s in steps]
    # not for other roles
    assert call(system, "officer", "GET", f"/monitor/trace/{concern_id}").status_code == 403

    # the work moved the metrics
    assert metric(system, "escalations", "sausat_events_handled_total",
                  queue="escalations.concern_raised") == handled_before + 1
    assert metric(system, "visits", "sausat_outbox_events_relayed_total") >= relayed_before + 2
    assert metric(system, "gateway", "sausat_rpc_seconds_count", service="visits",
                  method="log_visit", outcome="ok") == rpc_before + 1
    assert metric(system, "gateway", "sausat_http_responses_total", method="POST",
                  route="/visits", status="201") >= 1
    assert metric(system, "escalations", "sausat_handler_seconds_count",
                  queue="escalations.concern_raised") >= 1


def test_a_client_correlation_id_that_is_not_well_formed_is_replaced():
    from shared import correlation
    assert correlation.from_client("Phone-7") == "phone-7"
    assert len(correlation.from_client("bad id\n")) == 32
    assert len(correlation.from_client(None)) == 32


def test_every_service_answers_its_probes_and_metrics(system):
    for name in SERVICES:
        assert system.ops(name, "/health/live").status_code == 200, name
        ready = system.ops(name, "/health/ready")
        assert ready.status_code == 200, (name, ready.text)
        assert ready.json()["checks"]["broker"] == "ok"
        families = list(text_string_to_metric_families(system.ops(name, "/metrics").text))
        assert any(f.name == "sausat_events_handled" for f in families), name
    checks = system.ops("escalations", "/health/ready").json()["checks"]
    assert checks["store"] == "ok" and checks["relay"] == "running"
    assert system.ops("visits", "/nothing").status_code == 404


def sausat(system, *args, cache):
    env = {**os.environ, "SAUSAT_URL": system.base_url, "SAUSAT_USERNAME": "operator",
           "SAUSAT_PASSWORD": system.passwords["operator"], "SAUSAT_CACHE_DIR": str(cache),
           "COLUMNS": "200"}
    return subprocess.run([str(SAUSAT), *args], capture_output=True, text=True, env=env,
                          timeout=60)


def poison(system, queue):
    ConfirmedPublisher(system.env["AMQP_URI"]).publish_raw(
        b"\x00 not an event", exchange="", routing_key=queue, content_type="application/json",
        content_encoding="utf-8", headers={})


def test_the_command_line_against_the_running_system(system, tmp_path):
    cache = tmp_path / "cache"
    status = sausat(system, "status", cache=cache)
    assert status.returncode == 0, status.stderr
    assert "escalations" in status.stdout and "ok" in status.stdout
    token_files = list(cache.iterdir())
    assert len(token_files) == 1 and stat.S_IMODE(token_files[0].stat().st_mode) == 0o600

    queues = json.loads(sausat(system, "queues", "--json", cache=cache).stdout)
    assert "escalations.concern_raised" in {q["queue"] for q in queues["queues"]}
    assert "visits.unit_registered" in sausat(system, "queues", cache=cache).stdout

    # a poisoned queue: the dead letter is listed, alerted, discarded with a reason, cleared
    poison(system, "notifications.directory")
    listed = poll(lambda: json.loads(sausat(system, "dead-letters", "list", "--json",
                                            "--queue", "notifications.directory.dead",
                                            cache=cache).stdout),
                  lambda found: found["queues"][0]["letters"])
    [letter] = listed["queues"][0]["letters"]
    assert letter["decodable"] is False and letter["failed_on"] == "notifications.directory"
    table = sausat(system, "dead-letters", "list", cache=cache)
    assert letter["letter_id"] in table.stdout and "(không đọc được)" in table.stdout
    shown = sausat(system, "dead-letters", "show", letter["letter_id"], cache=cache)
    assert shown.returncode == 0 and "cannot be decoded" in shown.stdout

    alert = "dead_letters:notifications.directory.dead"
    poll(lambda: json.loads(sausat(system, "alerts", "--json", cache=cache).stdout)["alerts"],
         lambda found: alert in {a["alert_id"] for a in found})
    assert alert in sausat(system, "alerts", cache=cache).stdout.replace("\n", "") or \
        "notifications.directory.dead" in sausat(system, "alerts", cache=cache).stdout

    refused = sausat(system, "dead-letters", "discard", letter["letter_id"], cache=cache)
    assert refused.returncode != 0 and "--reason" in refused.stderr
    discarded = sausat(system, "dead-letters", "discard", letter["letter_id"], "--reason",
                       "not an event; publisher fixed", "--json", cache=cache)
    assert discarded.returncode == 0, discarded.stderr
    assert json.loads(discarded.stdout)["done"][0]["letter_id"] == letter["letter_id"]
    recorded = json.loads(sausat(system, "dead-letters", "actions", "--json",
                                 cache=cache).stdout)["actions"]
    assert recorded[0]["action"] == "discarded"
    assert recorded[0]["reason"] == "not an event; publisher fixed"

    poll(lambda: json.loads(sausat(system, "alerts", "--all", "--json", cache=cache).stdout),
         lambda found: any(a["alert_id"] == alert and not a["active"]
                           for a in found["alerts"]))
    # both were events, recorded by the monitor like any other
    events = call(system, "operator", "GET", "/monitor/events", None).json()["events"]
    kinds = {e["routing_key"] for e in events}
    assert {"monitor.alert_raised", "monitor.alert_cleared"} <= kinds

    # a trace of the command line, by a correlation id nobody used: refused clearly
    missing = sausat(system, "trace", "no-such-thing", cache=cache)
    assert missing.returncode == 1 and "404" in missing.stderr
    stale = json.loads(sausat(system, "wait-queues", "--json", cache=cache).stdout)
    assert stale["stale"] == [] and stale["configured_delays"] == [0.2, 0.5]


def test_the_command_line_signs_in_again_when_its_token_is_refused(system, tmp_path):
    cache = tmp_path / "cache"
    assert sausat(system, "alerts", cache=cache).returncode == 0
    [token_file] = cache.iterdir()
    cached = json.loads(token_file.read_text())
    token_file.write_text(json.dumps({**cached, "access_token": "not-a-token"}))
    again = sausat(system, "alerts", "--json", cache=cache)
    assert again.returncode == 0, again.stderr
    assert json.loads(token_file.read_text())["access_token"] != "not-a-token"
    wrong = subprocess.run([str(SAUSAT), "--password", "wrong", "--cache-dir",
                            str(tmp_path / "other"), "status"], capture_output=True, text=True,
                           env={**os.environ, "SAUSAT_URL": system.base_url,
                                "SAUSAT_USERNAME": "operator"}, timeout=60)
    assert wrong.returncode == 1 and "401" in wrong.stderr
