"""A committee member's phone, in a real browser (Debian's chromium) at 360×640, through the real
processes (issue 23, U1, U2, U8), and every page checked by axe-core as every role:

- after "Gửi biên bản" the outcome (sent, or kept on the phone) is in view, and the form keeps
  what was sent until the cadre starts a new one; no topic is chosen for the cadre;
- a meeting with no concerns is logged; a second log of the same meeting is warned of, with the
  way to amend the one logged; the amendment page saves a new version, and after the window
  says why it refuses, above the form;
- the branch brief reads at 360 px without scrolling sideways, even with text at 200 %, and
  prints without the page's frame;
- offline, the visit form and the last brief read open from the phone (the app shell's
  service worker, over http://127.0.0.1, a secure context);
- axe finds no serious or critical violation on any page, as any role.
"""
import base64
import datetime as dt
import re

import pytest
import requests
from axe_playwright_python.base import AXE_FILE_PATH
from playwright.sync_api import expect

from services.gateway.pages.session import SESSION_COOKIE
from shared import contracts
from shared.clock import Clock
from tests.answers import ANSWERED_BY_LETTER
from tests.integration.browser import DESKTOP, SMALL_PHONE, screenshot
from tests.integration.fixtures import SystemOptions
from tests.integration.system import poll

pytestmark = pytest.mark.integration

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
YEN_LAN = "vinh-phuc.binh-xuyen.tam-hop.yen-lan"
ANSWER = ("UBND xã đã bố trí kinh phí năm 2027 để nạo vét toàn tuyến mương thoát nước "
          "phía tây thôn Nội Phật, thi công xong trước ngày 31/03/2027.")
SEND = "Gửi biên bản"
# a concern of the same visit left open: it has a deadline on the brief
OPEN = "Đề nghị lắp đèn chiếu sáng và biển cảnh báo tại ngã ba đầu thôn Nội Phật"
# the amendment window is judged by the visits service's clock, which this module moves
SYSTEM = SystemOptions(settings={"RPC_TIMEOUT_SECONDS": "15"}, healthy_within=240,
                       test_clock=True)


def day(days_ago):
    return (dt.date.today() - dt.timedelta(days=days_ago)).isoformat()


def signed_in(browser, system, username, device=SMALL_PHONE):
    """A context holding ``username``'s session cookie: the token the module's system signed
    in with (signing in through the page is test_pages.py's; a password hash costs seconds)."""
    context = browser.new_context(**device, locale="vi-VN")
    token = system.headers[username]["Authorization"].split()[1]
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": system.base_url}])
    return context, context.new_page()


def api(system, who, method, path, body=None):
    answer = requests.request(method, f"{system.base_url}{path}", json=body, timeout=15,
                              headers=system.headers[who])
    assert answer.status_code in (200, 201, 202), answer.text
    return answer.json()


@pytest.fixture(scope="module")
def answered(system):
    """A concern of Nội Phật answered by UBND xã Tam Hợp: the brief has an answer to read."""
    visit = api(system, "cadre", "POST", "/visits", {
        "submission_id": contracts.new_id(), "unit_id": NOI_PHAT, "meeting_date": day(20),
        "meeting_kind": "regular", "attendance": {"present": 25, "expected": 30},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 3},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident", "summary": summary}
                     for summary in ("Mương thoát nước phía tây thôn bị bồi lấp, ngập khi mưa",
                                     OPEN)]})
    concern_id = visit["concerns"][0]["concern_id"]
    concern = poll(lambda: api(system, "cadre", "GET", f"/concerns/{concern_id}"),
                   lambda c: c["status"] != "raised")
    case_id = concern["case"]["case_id"]
    for action, args in (("start", {}), ("answer", {"answer": ANSWER, **ANSWERED_BY_LETTER})):
        api(system, "officer", "POST", f"/cases/{case_id}/{action}", args)
    poll(lambda: api(system, "cadre", "GET", f"/units/{NOI_PHAT}/brief"),
         lambda b: any(a["case_id"] == case_id for a in b["answers_to_read_out"]) and
         any(c["summary"] == OPEN and c["due_on"] for c in b["open_concerns"]))
    return {"visit_id": visit["visit_id"], "concern_id": concern_id, "case_id": case_id}


# axe-core's WCAG 2.x A and AA rules (its best practices are advice, not the standard)
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}, "resultTypes": ["violations"]}


def serious_violations(page):
    """axe-core's serious and critical findings on the page as it stands, as readable lines
    (the engine axe-playwright-python bundles, injected unless the page has it already)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_FILE_PATH.read_text(encoding="utf-8"))
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert results["testEngine"]["name"] == "axe-core"
    path = page.url.removeprefix(page.url.split("/app")[0])
    return [f"{path}: {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']]}"
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def send(page):
    page.get_by_role("button", name=SEND).click()


def start_visit(page, system, unit_id, days_ago, present, expected):
    page.goto(f"{system.base_url}/app/visits/new?unit_id={unit_id}")
    page.get_by_label("Ngày sinh hoạt").fill(day(days_ago))
    page.get_by_label("Có mặt").fill(str(present))
    page.get_by_label("Tổng số phải dự").fill(str(expected))


def test_after_sending_on_a_small_phone_the_outcome_is_in_view_and_the_form_kept(browser,
                                                                                 system):
    context, page = signed_in(browser, system, "binh", SMALL_PHONE)
    start_visit(page, system, YEN_LAN, 1, 18, 22)
    topic = page.locator('[id="concerns.0.topic"]')
    expect(topic).to_have_value("")  # nobody's topic chosen for them (land goes elsewhere)
    summary = page.locator('[id="concerns.0.summary"]')
    summary.fill("Đề nghị nâng cấp đường trục thôn Yên Lan")
    page.get_by_role("button", name="Thêm ý kiến").click()
    page.locator('[id="concerns.1.summary"]').fill("Xin lắp thêm đèn đường ngõ 3")
    page.locator('[id="concerns.1.topic"]').select_option("infrastructure")
    send(page)
    expect(page.locator('[id="concerns.0.topic-error"]')).to_have_text("Bắt buộc nhập.")
    topic.select_option("infrastructure")
    submission_id = page.locator('input[name="submission_id"]').input_value()

    context.set_offline(True)
    send(page)
    outcome = page.locator("#form-status")
    expect(outcome).to_contain_text("Mất kết nối")
    expect(outcome).to_be_in_viewport()  # not off-screen at the top: the visit is not lost
    expect(summary).to_have_value("Đề nghị nâng cấp đường trục thôn Yên Lan")
    expect(summary).to_be_disabled()
    screenshot(page, "phone-360-visit-kept-offline", full_page=False)
    assert not serious_violations(page)  # the form locked, the outcome shown
    context.set_offline(False)
    expect(outcome).to_contain_text("Đã gửi biên bản.")
    expect(outcome).to_be_in_viewport()
    expect(summary).to_have_value("Đề nghị nâng cấp đường trục thôn Yên Lan")
    screenshot(page, "phone-360-visit-sent", full_page=False)

    page.get_by_role("button", name="Ghi biên bản mới").click()
    expect(page.locator('[id="concerns.0.summary"]')).to_have_value("")
    expect(page.get_by_label("Có mặt")).to_be_enabled()
    assert page.locator('input[name="submission_id"]').input_value() != submission_id
    context.close()


def test_a_meeting_without_concerns_and_a_second_log_of_it_warned_of(browser, system):
    context, page = signed_in(browser, system, "binh", SMALL_PHONE)
    start_visit(page, system, YEN_LAN, 2, 15, 20)  # the concern row left empty
    send(page)
    expect(page.locator("#form-status")).to_contain_text("Đã gửi biên bản.")
    visits = api(system, "cadre", "GET", f"/visits?unit_id={YEN_LAN}&period_from={day(2)}"
                                         f"&period_to={day(2)}")["visits"]
    assert [v["concern_count"] for v in visits] == [0]

    page.get_by_role("button", name="Ghi biên bản mới").click()
    for reload in (False, True):  # known from this phone, then from the server's list
        if reload:
            page.reload()
        page.get_by_label("Ngày sinh hoạt").fill(day(2))
        page.get_by_label("Có mặt").fill("16")
        page.get_by_label("Tổng số phải dự").fill("20")
        send(page)
        warning = page.locator("#same-meeting")
        expect(warning).to_contain_text("Bạn đã ghi biên bản buổi sinh hoạt này")
        expect(warning).to_be_in_viewport()
        assert page.evaluate("SausatOutbox.pending()") == []  # nothing sent yet
    screenshot(page, "phone-360-same-meeting", full_page=False)
    assert not serious_violations(page)

    page.get_by_role("link", name="Sửa biên bản đã ghi").click()
    expect(page).to_have_url(re.compile(rf"/app/visits/{visits[0]['visit_id']}/amend$"))
    page.get_by_label("Có mặt").fill("16")
    page.get_by_label("Nội dung").fill("Đề nghị sửa mái nhà văn hóa thôn")
    page.get_by_label("Lĩnh vực").select_option("public_service")
    screenshot(page, "phone-360-amend-visit")
    page.get_by_role("button", name="Lưu bản sửa").click()
    expect(page.get_by_role("status")).to_have_text("Đã lưu bản sửa của biên bản.")
    amended = api(system, "cadre", "GET", f"/visits/{visits[0]['visit_id']}")
    assert (amended["version"], amended["attendance"]["present"]) == (2, 16)
    assert [c["summary"] for c in amended["concerns"]] == ["Đề nghị sửa mái nhà văn hóa thôn"]
    context.close()


FITS = """() => document.documentElement.scrollWidth <= window.innerWidth &&
  [...document.querySelectorAll('section.card')].every(s => s.scrollWidth <= s.clientWidth)"""


def test_the_brief_reads_at_360_px_even_at_double_text_size_and_prints(browser, system,
                                                                       answered):
    context, page = signed_in(browser, system, "binh", SMALL_PHONE)
    page.goto(f"{system.base_url}/app/units/{NOI_PHAT}/brief")
    row = page.locator(f'#answers-to-read-out tr[data-case-id="{answered["case_id"]}"]')
    still_open = page.locator("#open-concerns tr", has_text=OPEN)
    for text_size in ("100%", "200%"):
        page.evaluate(f"document.documentElement.style.fontSize = '{text_size}'")
        assert page.evaluate(FITS), f"something scrolls sideways at {text_size}"
        for cell in (row.locator("td.answer"), still_open.locator("td.deadline")):
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360, (text_size, box)
    expect(row.locator("td.answer")).to_have_text(ANSWER)
    expect(still_open.locator("td.deadline")).to_have_text(re.compile(r"^\d\d/\d\d/\d{4}"))
    page.evaluate("document.documentElement.style.fontSize = ''")
    screenshot(page, "phone-360-brief")
    page.emulate_media(media="print")  # on paper: the answers, not the page's frame
    expect(page.locator("nav.menu")).to_be_hidden()
    expect(page.locator("a.button")).to_be_hidden()
    expect(row.locator("td.answer")).to_be_visible()
    context.close()


def test_offline_the_visit_form_and_the_last_brief_open_from_the_phone(browser, system,
                                                                       answered):
    context, page = signed_in(browser, system, "binh", SMALL_PHONE)
    page.goto(f"{system.base_url}/app/units")
    assert page.evaluate("""Promise.race([navigator.serviceWorker.ready.then(() => true),
        new Promise(settle => setTimeout(() => settle(false), 10000))])"""), "no app shell"
    brief = f"{system.base_url}/app/units/{NOI_PHAT}/brief"
    page.goto(brief)  # read through the worker, kept by it
    poll(lambda: page.evaluate("caches.match(location.href).then(found => !!found)"),
         lambda kept: kept)

    cut = []

    def no_signal(route):  # the worker's own requests too (see browser.py)
        if route.request.service_worker:
            cut.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.set_offline(True)
    context.route("**/*", no_signal)
    page.goto(f"{system.base_url}/app/visits/new?unit_id={YEN_LAN}")
    expect(page.get_by_role("heading", name="Ghi buổi dự sinh hoạt chi bộ")).to_be_visible()
    expect(page.get_by_label("Có mặt")).to_be_editable()
    page.goto(brief)
    expect(page.locator(f'#answers-to-read-out tr[data-case-id="{answered["case_id"]}"] '
                        f'td.answer')).to_have_text(ANSWER)
    assert f"/app/units/{NOI_PHAT}/brief" in " ".join(cut)  # it came from the phone
    screenshot(page, "phone-360-brief-offline")
    context.close()


PAGES = {
    "binh": ("/app/units", "/app/units/{unit}/brief", "/app/visits/new?unit_id={unit}",
             "/app/visits", "/app/visits/{visit_id}", "/app/visits/{visit_id}/amend",
             "/app/concerns/{concern_id}", "/app/inbox"),
    "tamhop-officer": ("/app/inbox", "/app/inbox?view=escalated_past", "/app/cases/{case_id}",
                       "/app/statistics"),
    "admin": ("/app/admin/statistics?authority_id=ubnd-xa-tam-hop", "/app/admin/users",
              "/app/admin/units", "/app/admin/authorities", "/app/admin/routing-rules",
              "/app/admin/notifications", "/app/admin/personal-data", "/app/admin/imports",
              "/app/admin/imports/{import_id}", "/app/admin/coverage"),
    "operator": ("/app/operator/queues", "/app/operator/events", "/app/operator/dead-letters",
                 "/app/operator/alerts", "/app/operator/trace?subject_id={concern_id}"),
}


def test_axe_finds_nothing_serious_on_any_page_as_any_role(browser, system, answered):
    def with_axe(context):  # the engine in every page before it loads: one injection less
        context.add_init_script(path=str(AXE_FILE_PATH))
        return context

    found = []
    # an import with a row refused: its page has the row report
    rows = ("Mã đơn vị,Tên đơn vị,Cấp,Loại hình,Mã đơn vị cấp trên\n"
            "vinh-phuc.moi,,district,,vinh-phuc\n")
    import_id = api(system, "admin", "POST", "/imports", {
        "filename": "don-vi.csv",
        "content_base64": base64.b64encode(rows.encode("utf-8")).decode()})["import_id"]
    poll(lambda: api(system, "admin", "GET", f"/imports/{import_id}")["state"],
         lambda state: state == "rejected")  # finished: the page no longer reloads itself
    context = with_axe(browser.new_context(**SMALL_PHONE, locale="vi-VN"))
    page = context.new_page()
    page.goto(f"{system.base_url}/app/sign-in")
    found += serious_violations(page)
    context.close()
    for username, paths in PAGES.items():
        device = SMALL_PHONE if username == "binh" else DESKTOP
        context, page = signed_in(browser, system, username, device)
        with_axe(context)
        for path in paths:
            path = path.format(unit=NOI_PHAT, import_id=import_id, **answered)
            page.goto(f"{system.base_url}{path}")
            found += serious_violations(page)
        context.close()
    assert not found, "\n".join(found)


def test_an_amendment_after_the_window_is_refused_with_the_reason_above_the_form(browser,
                                                                                  system,
                                                                                  answered):
    Clock.move(system.env["TEST_CLOCK_FILE"], 49 * 3600)  # the visits service's 48 h passed
    context, page = signed_in(browser, system, "binh", SMALL_PHONE)
    page.goto(f"{system.base_url}/app/visits/{answered['visit_id']}/amend")
    page.get_by_label("Có mặt").fill("26")
    page.get_by_role("button", name="Lưu bản sửa").click()
    refused = page.locator("#amend-refused")
    expect(refused).to_have_text(
        "Đã quá hạn sửa: biên bản chỉ được sửa trong 48 giờ sau khi ghi.")
    expect(page.get_by_label("Có mặt")).to_have_value("26")  # what was typed is kept
    screenshot(page, "phone-360-amend-refused")
    assert not serious_violations(page)
    visit = api(system, "cadre", "GET", f"/visits/{answered['visit_id']}")
    assert (visit["version"], visit["attendance"]["present"]) == (1, 25)  # nothing changed
    context.close()
