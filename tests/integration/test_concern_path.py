"""One concern from the gateway to an authority's inbox, through the real processes and the real
RabbitMQ, driven over HTTP the way a phone client and an authority would, each signed in as a
demo user — including a crash of the visits service between storing a visit and publishing its
events, and a redelivered event."""
import datetime as dt
import signal
import subprocess
import time

import pytest
import requests

from shared import contracts
from shared.config import ROOT
from tests.identities import publish_as_source
from tests.integration.fixtures import audit_events
from tests.integration.system import poll

pytestmark = pytest.mark.integration

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
COMMUNE_PEOPLES_COMMITTEE = "ubnd-xa-tam-hop"


def visit(**overrides):
    body = {
        "submission_id": contracts.new_id(),
        "unit_id": NOI_PHAT,
        "meeting_date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
        "meeting_kind": "regular",
        "attendance": {"present": 27, "expected": 31},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 3},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                      "summary": "Hệ thống thoát nước thải thôn Nội Phật chưa hoàn thành"}],
    }
    body.update(overrides)
    return body



def post_visit(system, body):
    return requests.post(f"{system.base_url}/visits", json=body, headers=system.headers["cadre"],
                         timeout=10)


def concern_status(system, concern_id):
    """The concern as the cadre who carried it sees it."""
    return requests.get(f"{system.base_url}/concerns/{concern_id}", headers=system.headers["cadre"],
                        timeout=10).json()


def inbox(system):
    return requests.get(f"{system.base_url}/authorities/{COMMUNE_PEOPLES_COMMITTEE}/inbox",
                        params={"limit": 500}, headers=system.headers["officer"], timeout=10).json()


def event_metadata(system):
    return requests.get(f"{system.base_url}/monitor/events", params={"limit": 500},
                        headers=system.headers["operator"], timeout=10).json()["events"]


def inbox_cases_for(system, concern_id):
    inbox_ = inbox(system)
    return [case for case in inbox_["cases"] if case["concern_id"] == concern_id]


def test_concern_reaches_the_authority_inbox_and_its_status_names_the_holder(system):
    response = post_visit(system, visit())
    assert response.status_code == 201, response.text
    logged = response.json()
    concern_id = logged["concerns"][0]["concern_id"]

    status = poll(lambda: concern_status(system, concern_id), lambda s: s["status"] == "routed")
    assert status["held_by"] == {"authority_id": COMMUNE_PEOPLES_COMMITTEE,
                                 "name": "UBND xã Tam Hợp"}
    assert status["unit_name"] == "Chi bộ thôn Nội Phật, xã Tam Hợp"
    [case] = inbox_cases_for(system, concern_id)
    assert case["rule_id"] == "infrastructure-tam-hop"
    rules = requests.get(f"{system.base_url}/routing-rules", headers=system.headers["officer"],
                         timeout=10).json()["routing_rules"]
    [rule] = [r for r in rules if r["rule_id"] == case["rule_id"]]
    assert (rule["topic"], rule["authority_id"]) == ("infrastructure", COMMUNE_PEOPLES_COMMITTEE)
    assert case["acknowledge_by"] > dt.date.today().isoformat()

    fetched = requests.get(f"{system.base_url}/visits/{logged['visit_id']}",
                           headers=system.headers["cadre"], timeout=10).json()
    assert fetched["cadre_id"] == "tran-thi-binh"  # the signed-in cadre, never the client's
    assert fetched["concerns"] == logged["concerns"]


def test_retried_submission_returns_the_first_visit_and_raises_nothing_twice(system):
    body = visit()
    first = post_visit(system, body)
    again = post_visit(system, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["visit_id"] == first.json()["visit_id"]
    assert again.json()["replayed"] is True

    concern_id = first.json()["concerns"][0]["concern_id"]
    poll(lambda: inbox_cases_for(system, concern_id), bool)

    changed = post_visit(system, {**body, "attendance": {"present": 1, "expected": 31}})
    assert changed.status_code == 409
    assert changed.json()["fields"] == {"submission_id": [body["submission_id"]]}


@pytest.mark.parametrize("body, field", [
    (visit(attendance={"present": 40, "expected": 31}), "attendance"),
    (visit(concerns=[{"topic": "weather", "summary": "x", "raised_by": "resident"}]), "concerns"),
    ({k: v for k, v in visit().items() if k != "submission_id"}, "submission_id"),
    (visit(meeting_date="2099-01-01"), "meeting_date"),
])
def test_invalid_visit_is_refused_field_by_field(system, body, field):
    response = post_visit(system, body)
    assert response.status_code == 400
    assert response.json()["error"] == "INVALID_INPUT"
    assert field in response.json()["fields"]


def test_malformed_body_and_unknown_unit_change_nothing(system):
    system.settle()  # what earlier tests caused (mail sent, events recorded) has all happened
    before = event_metadata(system)
    not_json = requests.post(
        f"{system.base_url}/visits", data="{oops", timeout=10,
        headers={"Content-Type": "application/json", **system.headers["cadre"]})
    assert not_json.status_code == 400
    assert not_json.json()["message"] == "request body is not valid JSON"
    unknown = post_visit(system, visit(unit_id="no-such-unit"))
    assert unknown.status_code == 404
    assert unknown.json()["fields"] == {"unit_id": ["no-such-unit"]}

    nowhere = requests.get(f"{system.base_url}/no-such-page", timeout=10)
    assert (nowhere.status_code, nowhere.json()["error"]) == (404, "NOT_FOUND")
    wrong_method = requests.delete(f"{system.base_url}/visits", timeout=10)
    assert (wrong_method.status_code, wrong_method.json()["error"]) == (405, "METHOD_NOT_ALLOWED")

    time.sleep(1)  # time enough for any event to travel to the monitor
    system.settle()
    after = event_metadata(system)
    assert after == before


def test_visits_killed_after_storing_before_publishing_loses_nothing(system):
    system.kill("visits", signal.SIGTERM)
    system.start("visits", OUTBOX_RELAY="paused")
    system.wait_healthy()

    response = post_visit(system, visit())
    assert response.status_code == 201
    concern_id = response.json()["concerns"][0]["concern_id"]
    health = system.health().json()["services"]["visits"]
    assert health["outbox_pending"] == 2  # visit_logged and concern_raised, not yet published
    time.sleep(0.5)
    assert concern_status(system, concern_id)["status"] == "raised"

    system.kill("visits", signal.SIGKILL)
    system.start("visits")
    system.wait_healthy()

    status = poll(lambda: concern_status(system, concern_id), lambda s: s["status"] == "routed")
    assert status["held_by"]["authority_id"] == COMMUNE_PEOPLES_COMMITTEE
    assert len(inbox_cases_for(system, concern_id)) == 1
    assert system.health().json()["services"]["visits"]["outbox_pending"] == 0


def test_visits_down_answers_503_and_the_retry_is_never_doubled(system):
    summary = f"Đèn đường hỏng, phiếu {contracts.new_id()}"
    body = visit(concerns=[{"topic": "infrastructure", "raised_by": "party_member",
                            "summary": summary}])
    system.kill("visits", signal.SIGKILL)
    started = time.monotonic()
    refused = requests.post(f"{system.base_url}/visits", json=body, headers=system.headers["cadre"],
                            timeout=30)
    assert refused.status_code == 503
    assert refused.json()["error"] == "UNAVAILABLE"
    assert time.monotonic() - started < 10

    # the first attempt waited in visits' queue and is carried out once visits is back
    system.start("visits")
    system.wait_healthy()
    retried = post_visit(system, body)
    assert retried.status_code in (200, 201)
    concern_id = retried.json()["concerns"][0]["concern_id"]
    poll(lambda: inbox_cases_for(system, concern_id), bool)
    time.sleep(1)  # time enough for a second visit's concern, were there one, to be routed
    cases = inbox(system)["cases"]
    assert [case["summary"] for case in cases].count(summary) == 1


def test_redelivered_concern_raised_has_one_effect(system):
    response = post_visit(system, visit())
    concern_id = response.json()["concerns"][0]["concern_id"]
    poll(lambda: inbox_cases_for(system, concern_id), bool)
    # payloads: the monitor's store, which batches the audit (up to 50 ms behind the inbox)
    [raised] = poll(lambda: [e for e in audit_events(system, "visits.concern_raised")
                             if e["payload"]["concern_id"] == concern_id], bool)

    envelope = {"event_id": raised["event_id"], "event_type": "concern_raised",
                "source": "visits", "occurred_at": raised["occurred_at"],
                "payload": raised["payload"]}
    # redelivered as visits publishes it: events from another broker user are dead-lettered
    publish_as_source(system.rpc_config, envelope)
    publish_as_source(system.rpc_config, envelope)

    log = system.log_path("escalations")
    poll(lambda: log.read_text().count(f"already handled {raised['event_id']}"),
         lambda count: count == 2)
    assert len(inbox_cases_for(system, concern_id)) == 1
    queues = {q["queue"]: q for q in requests.get(f"{system.base_url}/monitor/queues",
                                                  headers=system.headers["operator"],
                                                  timeout=10).json()["queues"]}
    assert queues["escalations.concern_raised.dead"]["ready"] == 0


def rabbitmq(command):
    return subprocess.run(["bash", "deploy/rabbitmq.sh", command], cwd=ROOT,
                          capture_output=True, text=True, timeout=180)


def test_broker_outage_loses_no_accepted_visit_and_every_service_recovers(system):
    # last in this module: it stops and restarts the broker everything here shares
    if rabbitmq("status").returncode != 0:
        pytest.skip("the broker was not started by deploy/rabbitmq.sh from this checkout")
    system.kill("visits", signal.SIGTERM)
    system.start("visits", OUTBOX_RELAY="paused")
    system.wait_healthy()
    accepted = post_visit(system, visit())
    assert accepted.status_code == 201  # stored, its events still in the outbox
    concern_id = accepted.json()["concerns"][0]["concern_id"]
    refused_body = visit()

    assert rabbitmq("stop").returncode == 0
    try:
        refused = requests.post(f"{system.base_url}/visits", json=refused_body,
                                headers=system.headers["cadre"], timeout=30)
        assert refused.status_code == 503
        assert refused.json()["error"] == "UNAVAILABLE"
        system.kill("visits", signal.SIGKILL)
        system.start("visits")  # comes up while the broker is away, and waits for it
        time.sleep(2)
    finally:
        assert rabbitmq("start").returncode == 0
    system.wait_healthy(timeout=120)

    status = poll(lambda: concern_status(system, concern_id), lambda s: s["status"] == "routed",
                  timeout=60)
    assert status["held_by"]["authority_id"] == COMMUNE_PEOPLES_COMMITTEE
    again = post_visit(system, refused_body)
    assert again.status_code == 201  # the refused visit had not been stored
