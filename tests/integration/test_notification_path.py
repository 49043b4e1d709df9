"""Mail through the real processes: a concern raised at Chi bộ thôn Nội Phật and routed to UBND xã
Tam Hợp arrives as a "case reached you" mail in the mail catcher; once its acknowledge deadline
passes (the test clock moved, never slept through) UBND huyện Bình Xuyên is told it escalated to
them; their answer is mailed to Trần Thị Bình, who carried the concern. The gateway lists what
was sent to whom."""
import datetime as dt
import re

import pytest
import requests

from shared import contracts
from shared.clock import Clock
from tests.answers import ANSWERED_BY_LETTER
from tests.english import english_in
from tests.integration.fixtures import SystemOptions
from tests.integration.system import poll

pytestmark = pytest.mark.integration

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
COMMUNE_MAIL = "ubnd-xa-tam-hop@vinhphuc.example"
DISTRICT_MAIL = "ubnd-huyen-binh-xuyen@vinhphuc.example"
CADRE_MAIL = "tran-thi-binh@vinhphuc.example"
SUMMARY = "Cống thoát nước đầu thôn Nội Phật bị tắc"
SYSTEM = SystemOptions(test_clock=True)


def get(system, path, headers, **params):
    response = requests.get(f"{system.base_url}{path}", params=params, headers=headers,
                            timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def mail_for(system, case_id, address):
    return [m for m in system.catcher.mail()
            if m["X-Sausat-Case"] == case_id and m["X-RcptTo"] == address]


def test_routed_escalated_and_answered_cases_arrive_as_mail(system):
    cadre = system.headers["cadre"]
    district = system.headers["district_officer"]
    admin = system.headers["administrator"]
    visit = {
        "submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
        "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 25, "expected": 30},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident", "summary": SUMMARY}],
    }
    response = requests.post(f"{system.base_url}/visits", json=visit, headers=cadre, timeout=10)
    assert response.status_code == 201, response.text
    concern_id = response.json()["concerns"][0]["concern_id"]
    concern = poll(lambda: get(system, f"/concerns/{concern_id}", cadre),
                   lambda c: c["status"] == "routed")
    case_id = concern["case"]["case_id"]

    # a case reached you: UBND xã Tam Hợp
    [reached] = poll(lambda: mail_for(system, case_id, COMMUNE_MAIL), bool)
    assert reached["Subject"].startswith("[Sâu Sát] Ý kiến mới cần tiếp nhận trước ")
    assert reached["Subject"].endswith(SUMMARY)
    body = reached.get_body(("plain",)).get_content()
    assert body.startswith("Kính gửi UBND xã Tam Hợp,")
    assert "Nơi nêu ý kiến: Chi bộ thôn Nội Phật, xã Tam Hợp" in body

    # ten days on the acknowledge deadline has passed: the district is told it escalated
    Clock.move(system.env["TEST_CLOCK_FILE"], 10 * 86400)
    [escalated] = poll(lambda: mail_for(system, case_id, DISTRICT_MAIL), bool)
    assert escalated["Subject"].startswith("[Sâu Sát] Ý kiến quá hạn được chuyển lên đơn vị")
    escalated_body = escalated.get_body(("plain",)).get_content()
    assert "Chuyển lên từ: UBND xã Tam Hợp" in escalated_body
    # the sweep's reason travels as a code in the event and is worded here, not in English
    assert re.search(r"Lý do: quá hạn tiếp nhận \(\d\d/\d\d/\d{4}\)", escalated_body)
    for mail in (reached, escalated):
        assert not english_in(mail.get_body(("plain",)).get_content()), english_in(
            mail.get_body(("plain",)).get_content())

    # the district answers: the cadre who carried the concern reads it
    for action, body in (("acknowledge", {}), ("answer",
        {"answer": "Đã nạo vét xong cống.", **ANSWERED_BY_LETTER})):
        acted = requests.post(f"{system.base_url}/cases/{case_id}/{action}",
                              json=body, headers=district, timeout=10)
        assert acted.status_code == 200, acted.text
    [answered] = poll(lambda: mail_for(system, case_id, CADRE_MAIL), bool)
    assert answered["Subject"] == f"[Sâu Sát] Đã có trả lời ý kiến: {SUMMARY}"
    assert "Đã nạo vét xong cống." in answered.get_body(("plain",)).get_content()

    # operators see what went to whom, each once
    listed = poll(lambda: get(system, "/notifications", admin, case_id=case_id)["notifications"],
                  lambda found: sum(n["state"] == "sent" for n in found) >= 3)
    sent = {(n["cause"], n["recipient_id"]) for n in listed if n["state"] == "sent"}
    assert {("case_routed", "ubnd-xa-tam-hop"), ("case_escalated", "ubnd-huyen-binh-xuyen"),
            ("case_answered", "tran-thi-binh")} <= sent
    causes = [(n["cause"], n["recipient_id"]) for n in listed]
    assert len(causes) == len(set(causes))
    # the sweep's reminder came after the deadline (the clock jumped): no "deadline near" mail
    assert [m["Subject"] for m in mail_for(system, case_id, COMMUNE_MAIL)] == [reached["Subject"]]
    assert len(mail_for(system, case_id, CADRE_MAIL)) == 1
    print("mail in the catcher for this case:", *[
        f"{m['X-RcptTo']}: {m['Subject']}" for m in system.catcher.mail()
        if m["X-Sausat-Case"] == case_id], sep="\n  ")
