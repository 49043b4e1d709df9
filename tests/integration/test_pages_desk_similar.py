"""Similar open cases on the visit form (issue 25), in a real browser through the real processes,
on the authority desk's running system:

- a concern about the road is raised at Chi bộ thôn Nội Phật; at Chi bộ thôn Yên Lan (same
  commune) the cadre picks the same topic on the visit form, sees that open case with its
  holder and "Nêu tại 1 chi bộ" (offline, no list), attaches the concern to it and sends the
  visit;
- the officer of UBND xã Tam Hợp finds no second case: the case page says "Nêu tại 2 chi bộ"
  with both branches, and the inbox shows the count; Yên Lan's brief follows the case;
- refused by name, nothing logged: a case of another topic (422), a case that does not exist
  (404); the list for a branch not assigned to the cadre answers 404.
"""
import datetime as dt

import pytest
import requests
from playwright.sync_api import expect

from shared import contracts
from tests.integration import test_pages_desk
from tests.integration.browser import screenshot
from tests.integration.system import poll
from tests.integration.test_pages import fill_visit
from tests.integration.test_pages_desk import NOI_PHAT, YEN_LAN, api, raise_concerns, signed_in

pytestmark = pytest.mark.integration

SYSTEM = test_pages_desk.SYSTEM  # the desk's running system, shared with its modules
ROAD = "Đường liên thôn Nội Phật – Yên Lan xuống cấp, nhiều ổ gà"
TO_DAN_PHO = "vinh-phuc.binh-xuyen.huong-canh.to-dan-pho-1"  # not assigned to Bình


def refused_visit(system, joins_case_id, topic):
    return requests.post(f"{system.base_url}/visits", timeout=15, headers=system.headers["cadre"],
                         json={"submission_id": contracts.new_id(), "unit_id": YEN_LAN,
                               "meeting_date": dt.date.today().isoformat(),
                               "meeting_kind": "regular",
                               "attendance": {"present": 20, "expected": 25},
                               "assessment": {"leadership": 4, "education": 4,
                                              "combativeness": 4},
                               "concerns": [{"topic": topic, "raised_by": "resident",
                                             "summary": "Ổ gà", "joins_case_id": joins_case_id}]})


def test_a_concern_attached_to_an_open_case_of_the_commune_is_raised_at_two_branches(
        browser, system):
    [case_id] = raise_concerns(system, NOI_PHAT, ("infrastructure", ROAD))
    visits_before = len(api(system, "cadre", "GET", "/visits?limit=200")["visits"])
    for joins, topic, status, code in ((case_id, "land", 422, "case_other_topic"),
                                       ("0" * 32, "infrastructure", 404, "case_not_found")):
        refused = refused_visit(system, joins, topic)
        assert refused.status_code == status, refused.text
        assert list(refused.json()["fields"]) == ["concerns.0.joins_case_id"]
    assert len(api(system, "cadre", "GET", "/visits?limit=200")["visits"]) == visits_before

    context, page = signed_in(browser, system, "binh")
    try:
        page.goto(f"{system.base_url}/app/visits/new?unit_id={YEN_LAN}")
        not_mine = page.evaluate(
            """unit => fetch("/app/similar-cases?topic=infrastructure&unit_id=" + unit, {headers:
                 {"X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content}})
               .then(r => r.status)""", TO_DAN_PHO)
        assert not_mine == 404
        fill_visit(page, 18, 22, [("Đường liên thôn đoạn qua Yên Lan cũng hỏng", "land")],
                   days_ago=9)
        similar = page.locator('[id="concerns.0.joins_case_id"]')
        expect(similar).to_be_hidden()  # no open land case in the commune
        topic = page.locator('[id="concerns.0.topic"]')
        context.set_offline(True)  # in a hall without signal: no list, the form goes on
        topic.select_option("infrastructure")
        page.wait_for_timeout(300)
        expect(similar).to_be_hidden()
        context.set_offline(False)
        topic.select_option("land")
        topic.select_option("infrastructure")
        expect(similar).to_be_visible()
        option = similar.locator("option", has_text=ROAD)
        expect(option).to_contain_text("UBND xã Tam Hợp")
        expect(option).to_contain_text("Nêu tại 1 chi bộ")
        expect(page.locator("[data-similar-list] li", has_text=ROAD)).to_contain_text(
            "Nêu tại 1 chi bộ")  # in full too: a phone's select cuts long lines
        similar.select_option(case_id)
        screenshot(page, "cadre-visit-similar-case")
        page.get_by_role("button", name="Gửi biên bản").click()
        expect(page.locator("#form-status")).to_contain_text("Đã gửi biên bản.")
    finally:
        context.close()

    case = poll(lambda: api(system, "officer", "GET", f"/cases/{case_id}"),
                lambda c: c["branch_count"] == 2)
    assert [r["unit_id"] for r in case["raisings"]] == [YEN_LAN]
    context, page = signed_in(browser, system, "tamhop-officer")
    try:
        page.goto(f"{system.base_url}/app/cases/{case_id}")
        raised_at = page.locator("#case-raised-at")
        expect(raised_at.locator("h2")).to_have_text("Nêu tại 2 chi bộ")
        expect(raised_at).to_contain_text("Chi bộ thôn Nội Phật")
        expect(raised_at).to_contain_text("Chi bộ thôn Yên Lan")
        screenshot(page, "officer-case-raised-at-two-branches")
        page.goto(f"{system.base_url}/app/inbox")
        expect(page.locator("tr", has_text=ROAD)).to_contain_text("Nêu tại 2 chi bộ")
    finally:
        context.close()

    # Yên Lan's brief follows the case: its concern, the holder's state, the count
    brief = poll(lambda: api(system, "cadre", "GET", f"/units/{YEN_LAN}/brief?limit=100"),
                 lambda b: [c for c in b["open_concerns"]
                            if c["case_id"] == case_id and c["branch_count"] == 2])
    [mine] = [c for c in brief["open_concerns"] if c["case_id"] == case_id]
    assert mine["summary"] == "Đường liên thôn đoạn qua Yên Lan cũng hỏng"
    assert mine["holder_authority_id"] == "ubnd-xa-tam-hop"
