"""Visits that close the loop, through the real processes and the real RabbitMQ, over HTTP as
the demo users:

- the same visit sent three times at the same moment on three connections makes one visit and
  exactly one case per concern in escalations;
- a visit's concern is answered by the authority, the branch brief shows the answer to read
  out, the next visit records the members "not satisfied", and the case is reopened at the same
  authority with their comment;
- a concern withdrawn in an amendment ends its case, which records the reason; a concern added
  in it is routed as usual."""
import datetime as dt
import threading

import pytest
import requests

from shared import contracts
from tests.answers import ANSWERED_BY_LETTER
from tests.integration.system import poll

pytestmark = pytest.mark.integration

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
COMMUNE = "ubnd-xa-tam-hop"


def get(system, who, path, **params):
    response = requests.get(f"{system.base_url}{path}", params=params, timeout=10,
                            headers=system.headers[who])
    assert response.status_code == 200, response.text
    return response.json()


def post(system, who, path, body):
    return requests.post(f"{system.base_url}{path}", json=body, timeout=10,
                         headers=system.headers[who])


def a_visit(days_ago, *summaries, **overrides):
    return {
        "submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
        "meeting_date": (dt.date.today() - dt.timedelta(days=days_ago)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 25, "expected": 30},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 3},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident", "summary": summary,
                      "raised_by_name": "Nguyễn Văn Hai", "raised_by_contact": "0912 000 111",
                      "raiser_consent": True}
                     for summary in summaries],
        **overrides}


def routed_case(system, concern_id):
    concern = poll(lambda: get(system, "cadre", f"/concerns/{concern_id}"),
                   lambda c: c["status"] != "raised")
    return concern["case"]


def test_the_same_visit_three_times_at_once_makes_one_visit_and_one_case_per_concern(system):
    body = a_visit(3, "Cống thoát nước đầu thôn bị tắc", "Đường vào trường xuống cấp")
    barrier = threading.Barrier(3)
    answers = [None] * 3

    def send(i):
        with requests.Session() as connection:  # a connection of its own
            barrier.wait()
            answers[i] = connection.post(f"{system.base_url}/visits", json=body, timeout=30,
                                         headers=system.headers["cadre"])

    senders = [threading.Thread(target=send, args=(i,)) for i in range(3)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sorted(a.status_code for a in answers) == [200, 200, 201], [a.text for a in answers]
    visit_ids = {a.json()["visit_id"] for a in answers}
    assert len(visit_ids) == 1
    concern_ids = [c["concern_id"] for c in answers[0].json()["concerns"]]
    assert len(concern_ids) == 2

    system.settle()
    mine = get(system, "cadre", "/visits", unit_id=NOI_PHAT, period_from=body["meeting_date"],
               period_to=body["meeting_date"])["visits"]
    assert [v["visit_id"] for v in mine] == list(visit_ids)
    cases = [routed_case(system, concern_id) for concern_id in concern_ids]
    inbox = get(system, "officer", f"/authorities/{COMMUNE}/inbox", limit=500)["cases"]
    for concern_id, case in zip(concern_ids, cases):
        assert [c["case_id"] for c in inbox if c["concern_id"] == concern_id] == [case["case_id"]]


def test_an_answer_read_out_and_not_accepted_reopens_the_case_at_the_same_authority(system):
    logged = post(system, "cadre", "/visits", a_visit(10, "Đèn đường thôn hỏng cả tháng"))
    assert logged.status_code == 201, logged.text
    concern_id = logged.json()["concerns"][0]["concern_id"]
    case = routed_case(system, concern_id)
    assert case["authority_id"] == COMMUNE
    # who raised it, by name and contact, is the carrying cadre's to see, not the authority's
    assert get(system, "cadre", f"/concerns/{concern_id}")["raised_by_name"] == "Nguyễn Văn Hai"
    officer_sees = get(system, "officer", f"/concerns/{concern_id}")
    assert officer_sees["raised_by_name"] is None and officer_sees["raised_by_contact"] is None

    for action, args in (("start", {}), ("answer",
        {"answer": "Đã thay bóng đèn ngày 20", **ANSWERED_BY_LETTER})):
        acted = post(system, "officer", f"/cases/{case['case_id']}/{action}", args)
        assert acted.status_code == 200, acted.text

    brief = poll(lambda: get(system, "cadre", f"/units/{NOI_PHAT}/brief"),
                 lambda b: any(a["case_id"] == case["case_id"]
                               for a in b["answers_to_read_out"]))
    [to_read] = [a for a in brief["answers_to_read_out"] if a["case_id"] == case["case_id"]]
    assert (to_read["answer"], to_read["holder_authority_id"]) == (
        "Đã thay bóng đèn ngày 20", COMMUNE)
    assert brief["last_visits"][0]["assessment"]["leadership"] == 4
    refused = requests.get(f"{system.base_url}/units/{NOI_PHAT}/brief", timeout=10,
                           headers=system.headers["officer"])
    assert refused.status_code == 403  # officers hold cases, not branches

    review = {"case_id": case["case_id"], "satisfied": False,
              "comment": "Đèn lại hỏng sau ba ngày"}
    next_visit = post(system, "cadre", "/visits", a_visit(1, answer_reviews=[review]))
    assert next_visit.status_code == 201, next_visit.text

    reopened = poll(lambda: get(system, "officer", f"/cases/{case['case_id']}"),
                    lambda c: c["status"] == "reopened")
    assert reopened["authority_id"] == COMMUNE and reopened["reopened_count"] == 1
    assert "Đèn lại hỏng sau ba ngày" in reopened["timeline"][-1]["why"]
    # the answer leaves the brief as the review is logged; the case's reopening reaches the
    # brief's read model with escalations' event, a moment later
    brief = poll(lambda: get(system, "cadre", f"/units/{NOI_PHAT}/brief"),
                 lambda b: all(a["case_id"] != case["case_id"]
                               for a in b["answers_to_read_out"])
                 and any(c["case_id"] == case["case_id"] and c["status"] == "reopened"
                         for c in b["open_concerns"]))
    [still_open] = [c for c in brief["open_concerns"] if c["case_id"] == case["case_id"]]
    assert still_open["status"] == "reopened"


def test_an_amendment_withdraws_a_concern_ending_its_case_and_raises_a_new_one(system):
    logged = post(system, "cadre", "/visits", a_visit(2, "Rác thải ven kênh"))
    assert logged.status_code == 201, logged.text
    visit = logged.json()
    concern_id = visit["concerns"][0]["concern_id"]
    case = routed_case(system, concern_id)
    amendment = {"submission_id": contracts.new_id(),
                 "concerns": [{"concern_id": concern_id},
                              {"topic": "environment", "raised_by": "party_member",
                               "summary": "Khói đốt rơm rạ gần trường học"}],
                 "withdrawals": [{"concern_id": concern_id,
                                  "reason": "Xã đã thu gom ngay sau cuộc họp"}]}
    amended = post(system, "cadre", f"/visits/{visit['visit_id']}/amendments", amendment)
    assert amended.status_code == 200, amended.text
    assert amended.json()["version"] == 2
    added = amended.json()["concerns"][1]
    assert added["added_in_version"] == 2
    assert routed_case(system, added["concern_id"])["authority_id"] == COMMUNE  # as usual
    first = get(system, "cadre", f"/visits/{visit['visit_id']}/versions/1")
    assert first["concerns"][0]["withdrawn"] is False
    withdrawn = poll(lambda: get(system, "officer", f"/cases/{case['case_id']}"),
                     lambda c: c["status"] == "withdrawn")
    assert withdrawn["timeline"][-1]["why"] == "Xã đã thu gom ngay sau cuộc họp"
