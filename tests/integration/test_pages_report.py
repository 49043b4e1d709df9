"""The periodic report in a real browser through the real processes (issue 28): a visit with
one concern logged at Yên Lan in April 2026, the commune committee's April report asked for on
its page, followed until made, and its workbook downloaded and read back; a cadre without a
seat on the committee is refused (403 asking, 404 reading). On the plain shared system: the
module makes its own visit, in a month no other module logs at that branch."""
import datetime as dt
import re
import time

import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import expect

from services.gateway.pages.session import SESSION_COOKIE
from shared import contracts
from tests.integration.browser import DESKTOP
from tests.integration.fixtures import PLAIN_SHARED
from tests.integration.system import poll

pytestmark = pytest.mark.integration

SYSTEM = PLAIN_SHARED
TAM_HOP = "vinh-phuc.binh-xuyen.tam-hop"
YEN_LAN = f"{TAM_HOP}.yen-lan"
MONTH = "2026-04"


def api(system, who, method, path, body=None):
    return requests.request(method, f"{system.base_url}{path}", json=body, timeout=15,
                            headers=system.headers[who])


@pytest.fixture(scope="module")
def april_logged(system):
    """Bình's visit to Yên Lan on 14 April, with one land concern, learnt by the report."""
    logged = api(system, "cadre", "POST", "/visits", {
        "submission_id": contracts.new_id(), "unit_id": YEN_LAN, "meeting_date": "2026-04-14",
        "meeting_kind": "regular", "attendance": {"present": 25, "expected": 30},
        "assessment": {"leadership": 4, "education": 3, "combativeness": 5},
        "concerns": [{"topic": "land", "raised_by": "resident",
                      "summary": "Ranh giới đất giữa hai xóm chưa rõ"}]})
    assert logged.status_code == 201, logged.text

    def reported():  # one job at a time, asked again until it counts the concern
        job = api(system, "administrator", "POST", f"/committees/{TAM_HOP}/reports",
                  {"period": MONTH}).json()
        return poll(lambda: api(system, "administrator", "GET",
                                f"/reports/{job['job_id']}").json(),
                    lambda job: job["status"] != "pending", timeout=20)
    deadline = time.monotonic() + 40
    while not (reported()["result"] or {}).get("topics"):
        assert time.monotonic() < deadline, "the concern never reached the report"
        time.sleep(0.5)


def test_the_committee_asks_for_the_months_report_and_downloads_it(
        browser, system, april_logged, tmp_path):
    context = browser.new_context(**DESKTOP, locale="vi-VN", accept_downloads=True)
    token = system.headers["administrator"]["Authorization"].split()[1]
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": system.base_url}])
    page = context.new_page()
    page.goto(f"{system.base_url}/app/committees/{TAM_HOP}/report")
    page.fill("#report-period", MONTH)
    page.get_by_role("button", name="Lập báo cáo").click()
    expect(page.locator("#report-download")).to_be_visible(timeout=20_000)  # made meanwhile
    expect(page.locator("#report-committee")).to_have_text("Đảng bộ xã Tam Hợp")
    page.goto(f"{system.base_url}/app/committees/{TAM_HOP}/report")   # listed there too
    expect(page.locator("#report-list li").first).to_contain_text(f"{MONTH} · đã xong")
    page.go_back()
    expect(page.locator("#report-period")).to_have_text("2026-04 (01/04/2026 – 30/04/2026)")
    expect(page.locator("#report-generated")).not_to_be_empty()
    expect(page.locator("#report-topics tbody tr")).to_have_text(re.compile(r"^Đất đai\s*1"))
    with page.expect_download() as downloading:
        page.locator("#report-download").click()
    path = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(path)
    context.close()

    book = load_workbook(path)
    summary = dict(book["Tổng hợp"].iter_rows(min_row=2, values_only=True))
    assert (summary["Cấp ủy"], summary["Kỳ báo cáo"], summary["Từ ngày"]) == (
        "Đảng bộ xã Tam Hợp", MONTH, dt.datetime(2026, 4, 1))
    assert (summary["Số buổi sinh hoạt"], summary["Đảng viên có mặt"],
            summary["Đảng viên phải dự"], summary["Tỷ lệ dự"],
            summary["Tính chiến đấu (điểm bình quân)"]) == (1, 25, 30, 0.833, 5)
    branches = {row[1]: row for row in book["Chi bộ"].iter_rows(min_row=2, values_only=True)}
    yen_lan = "Chi bộ thôn Yên Lan, xã Tam Hợp"   # right under the commune: its own part
    assert branches[YEN_LAN][:5] == (yen_lan, YEN_LAN, yen_lan, 1, 0)
    assert list(book["Kiến nghị"].iter_rows(min_row=2, values_only=True)) == [
        ("Đất đai", 1, 0, 0, 0, 1, 0)]


def test_a_cadre_without_a_seat_on_the_committee_is_refused(system, april_logged):
    asked = api(system, "cadre", "POST", f"/committees/{TAM_HOP}/reports", {"period": MONTH})
    assert asked.status_code == 403, asked.text
    job = api(system, "administrator", "POST", f"/committees/{TAM_HOP}/reports",
              {"period": MONTH}).json()
    assert api(system, "cadre", "GET", f"/reports/{job['job_id']}").status_code == 404
    cookie = {SESSION_COOKIE: system.headers["cadre"]["Authorization"].split()[1]}
    for path in (f"/app/committees/{TAM_HOP}/report", f"/app/reports/{job['job_id']}"):
        page = requests.get(f"{system.base_url}{path}", cookies=cookie, timeout=15,
                            allow_redirects=False)
        assert page.status_code == (403 if "committees" in path else 404), path
    bad = api(system, "administrator", "POST", f"/committees/{TAM_HOP}/reports",
              {"period": "2026-13"})
    assert bad.status_code in (400, 422) and "period" in bad.text
