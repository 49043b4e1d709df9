"""A concern's whole life through the real processes and the real RabbitMQ, over HTTP: raised at
Chi bộ thôn Nội Phật, routed to UBND xã Tam Hợp, its acknowledge deadline passed by moving the
test clock (never by sleeping), escalated to UBND huyện Bình Xuyên exactly once, answered there,
and the answer found on the concern at the gateway. Everyone signs in as a demo user: the cadre
who logs the visit, the commune's and the district's officers, the administrator."""
import datetime as dt
import time

import pytest
import requests

from shared import contracts
from shared.clock import Clock
from tests.answers import ANSWERED_BY_LETTER
from tests.integration.fixtures import SystemOptions, audit_events
from tests.integration.system import RunningSystem, poll

pytestmark = pytest.mark.integration

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
COMMUNE = "ubnd-xa-tam-hop"
DISTRICT = "ubnd-huyen-binh-xuyen"
DAYS = 86400


class TwoEscalations(RunningSystem):
    """The system, and on demand a second escalations instance on the same store and queues."""

    def start_second_escalations(self):
        self.start("escalations")  # the first one's process is kept under another name
        self.processes["escalations-2"] = self.processes.pop("escalations")

    def restore_first(self, first):
        self.processes["escalations"] = first


SYSTEM = SystemOptions(cls=TwoEscalations, test_clock=True)


def get(system, who, path, **params):
    response = requests.get(f"{system.base_url}{path}", params=params, timeout=10,
                            headers=system.headers[who])
    assert response.status_code == 200, response.text
    return response.json()


def post(system, who, path, body):
    return requests.post(f"{system.base_url}{path}", json=body, timeout=10,
                         headers=system.headers[who])


def user_id(system, who):
    return get(system, who, "/me")["user_id"]


def raise_concern(system, summary):
    body = {
        "submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
        "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 25, "expected": 30},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident", "summary": summary}],
    }
    response = post(system, "cadre", "/visits", body)
    assert response.status_code == 201, response.text
    concern_id = response.json()["concerns"][0]["concern_id"]
    concern = poll(lambda: get(system, "cadre", f"/concerns/{concern_id}"),
                   lambda c: c["status"] == "routed")
    assert concern["held_by"]["authority_id"] == COMMUNE
    return concern_id, concern["case"]["case_id"]


def pass_the_acknowledge_deadline(system, extra_days):
    # 3 working days to acknowledge: ten days on, it has passed whatever weekend or holiday
    Clock.move(system.env["TEST_CLOCK_FILE"], extra_days * DAYS)


def escalated_events(system, case_id):
    # payloads are given to no caller (an operator sees metadata): read the monitor's store
    return [e for e in audit_events(system, "escalations.case_escalated")
            if e["payload"]["case_id"] == case_id]


def test_a_late_case_escalates_to_the_district_which_answers_back_to_the_branch(system):
    concern_id, case_id = raise_concern(system, "Hệ thống thoát nước thải thôn chưa hoàn thành")
    pass_the_acknowledge_deadline(system, 10)

    # the cadre who carried the concern follows its case wherever it goes
    case = poll(lambda: get(system, "cadre", f"/cases/{case_id}"),
                lambda c: c["authority_id"] == DISTRICT)
    assert case["status"] == "escalated" and case["escalated_past"] == [COMMUNE]
    past = get(system, "officer", f"/authorities/{COMMUNE}/inbox", view="escalated_past")
    assert case_id in [c["case_id"] for c in past["cases"]]
    time.sleep(1)  # five sweeps more: none may escalate it again
    timeline = get(system, "district_officer", f"/cases/{case_id}")["timeline"]
    assert [line["action"] for line in timeline].count("escalate") == 1
    poll(lambda: escalated_events(system, case_id), lambda found: len(found) == 1)

    # the commune no longer holds it: its officer finds it no more than a missing case
    gone = post(system, "officer", f"/cases/{case_id}/acknowledge", {})
    assert gone.status_code == 404, gone.text
    refused = post(system, "district_officer", f"/cases/{case_id}/answer",
        {"answer": "x", **ANSWERED_BY_LETTER})
    assert refused.status_code == 409 and refused.json()["fields"]["state"] == ["escalated"]
    named = post(system, "district_officer", f"/cases/{case_id}/acknowledge", {"actor": "bx-1"})
    assert named.status_code == 400 and named.json()["fields"] == {"actor": ["Unknown field."]}
    assert post(system, "district_officer", f"/cases/{case_id}/acknowledge", {}).status_code == 200
    answer = "Huyện đã bố trí vốn, thi công xong trong quý I/2027"
    answered = post(system, "district_officer", f"/cases/{case_id}/answer",
        {"answer": answer, **ANSWERED_BY_LETTER})
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered"
    officer = user_id(system, "district_officer")
    assert [(line["action"], line["user_id"]) for line in answered.json()["timeline"][-2:]] == [
        ("acknowledge", officer), ("answer", officer)]

    concern = poll(lambda: get(system, "cadre", f"/concerns/{concern_id}"),
                   lambda c: c.get("answer") is not None)
    assert concern["answer"]["answer"] == answer
    assert concern["answer"]["authority_id"] == DISTRICT
    assert concern["status"] == "answered" and concern["held_by"]["authority_id"] == DISTRICT

    today = dt.date.today()
    stats = get(system, "district_officer", f"/authorities/{DISTRICT}/statistics",
                period_from=today.isoformat(),
                period_to=(today + dt.timedelta(days=30)).isoformat())
    [row] = [r for r in stats["rows"] if r["topic"] == "infrastructure"]
    assert row["received"] >= 1 and row["answered_on_time"] >= 1
    assert get(system, "admin", "/cases/unrouted")["triage_authority_id"] == \
        "van-phong-tinh-uy-vinh-phuc"


def test_two_escalations_instances_escalate_a_late_case_exactly_once(system):
    first = system.processes["escalations"]
    system.start_second_escalations()
    system.restore_first(first)
    try:
        system.wait_healthy()
        _, case_id = raise_concern(system, "Đèn đường thôn Nội Phật hỏng")
        pass_the_acknowledge_deadline(system, 20)
        poll(lambda: get(system, "cadre", f"/cases/{case_id}"),
             lambda c: c["authority_id"] == DISTRICT)
        time.sleep(2)  # ten sweeps of each instance
        case = get(system, "district_officer", f"/cases/{case_id}")
        assert [line["action"] for line in case["timeline"]].count("escalate") == 1
        assert case["authority_id"] == DISTRICT
        poll(lambda: escalated_events(system, case_id), lambda found: len(found) >= 1)
        time.sleep(0.5)
        assert len(escalated_events(system, case_id)) == 1
    finally:
        system.kill("escalations-2")
