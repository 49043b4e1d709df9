"""The pages in a real browser (Debian's chromium), through the real processes: each user signs
in and does their main job. A committee member logs a visit with two concerns on a phone-sized
screen, once with the network cut during the submit and once with the reply lost and the page
reloaded: each visit is logged exactly once. An officer acknowledges and answers a concern; the
committee member sees the answer; administrators and operators see their pages; a page never
shows what the API would refuse. Screenshots of every page: var/test-artifacts/pages/."""
import datetime as dt
import re
import time

import pytest
import requests
from kombu.utils import json as kombu_json
from nameko.standalone.rpc import ClusterRpcProxy
from playwright.sync_api import expect

from shared import callers, contracts
from shared.messaging import PUBLISHED_BY_HEADER, ConfirmedPublisher
from shared.words import say
from tests.answers import fill_answer_record
from tests.english import english_in
from tests.identities import CONFIG_KEY
from tests.integration.browser import DESKTOP, PHONE, screenshot, signed_in
from tests.integration.fixtures import SystemOptions
from tests.integration.system import poll

pytestmark = pytest.mark.integration

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
WATER = "Hệ thống thoát nước thải thôn Nội Phật chưa hoàn thành, ngập khi mưa lớn"
LIGHTS = "Đề nghị lắp đèn chiếu sáng đường liên thôn"
# the gateway waits for a sign-in as long as a person would (a password hash takes seconds on a
# busy test machine), and the start may be slow: seven engineers share two cores
SYSTEM = SystemOptions(settings={"RPC_TIMEOUT_SECONDS": "15"}, healthy_within=240)


def cadre_visits(system, submission_id):
    """The cadre's stored visits with this submission_id, read from the visits service."""
    headers = system.sign_in("binh", system.passwords["binh"])
    me = requests.get(f"{system.base_url}/me", headers=headers, timeout=10).json()
    with ClusterRpcProxy(system.rpc_config) as cluster:
        visits = cluster.visits.visits_of_cadre({"limit": 500}, me)["visits"]
    return [v for v in visits if v["submission_id"] == submission_id]


def fill_visit(page, present, expected, concerns, days_ago=0):
    """The visit form filled; a meeting ``days_ago`` (each test its own meeting: the form
    warns before a second log of the same one)."""
    if days_ago:
        day = dt.date.today() - dt.timedelta(days=days_ago)
        page.get_by_label("Ngày sinh hoạt").fill(day.isoformat())
    page.get_by_label("Có mặt").fill(str(present))
    page.get_by_label("Tổng số phải dự").fill(str(expected))
    for index, (summary, topic) in enumerate(concerns):
        if index > 0:
            page.get_by_role("button", name="Thêm ý kiến").click()
        page.locator(f'[id="concerns.{index}.summary"]').fill(summary)
        page.locator(f'[id="concerns.{index}.topic"]').select_option(topic)
    return page.locator('input[name="submission_id"]').input_value()


def test_sign_in_is_vietnamese_first_and_says_what_is_wrong_beside_the_field(browser, system):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.goto(f"{system.base_url}/app/units")  # not signed in: to the sign-in page
    expect(page).to_have_url(re.compile(r"/app/sign-in\?next="))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    screenshot(page, "sign-in")
    page.get_by_label("Tên đăng nhập").fill("binh")
    page.get_by_label("Mật khẩu").fill("not-her-password")
    page.get_by_role("button", name="Đăng nhập").click()
    error = page.locator("#password-error")
    expect(error).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page.get_by_label("Mật khẩu")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "sign-in-refused")
    page.goto(f"{system.base_url}/app/sign-in?lang=en")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.goto(f"{system.base_url}/app/sign-in")  # the choice is remembered
    expect(page.locator("html")).to_have_attribute("lang", "en")
    context.close()


def test_a_cadre_logs_a_visit_with_two_concerns_on_a_phone(browser, system):
    context, page = signed_in(browser, system, "binh", PHONE)
    expect(page).to_have_url(re.compile(r"/app/units$"))
    expect(page.get_by_role("heading", name="Chi bộ thôn Nội Phật, xã Tam Hợp")).to_be_visible()
    screenshot(page, "cadre-units")
    page.locator(f'a[href="/app/visits/new?unit_id={NOI_PHAT}"]').click()
    # a refusal first: more present than expected, shown beside the field, in Vietnamese
    submission_id = fill_visit(page, 40, 31, [(WATER, "infrastructure")], days_ago=1)
    page.get_by_role("button", name="Gửi biên bản").click()
    expect(page.locator('[id="attendance.present-error"]')).to_have_text(
        "Không được lớn hơn tổng số phải dự.")
    screenshot(page, "cadre-visit-form-refused")
    # the same draft, corrected, goes with the same submission_id
    assert page.locator('input[name="submission_id"]').input_value() == submission_id
    page.get_by_label("Có mặt").fill("27")
    page.get_by_role("button", name="Thêm ý kiến").click()
    page.locator('[id="concerns.1.summary"]').fill(LIGHTS)
    page.locator('[id="concerns.1.topic"]').select_option("infrastructure")
    page.get_by_role("button", name="Gửi biên bản").click()
    expect(page.locator("#form-status")).to_contain_text("Đã gửi biên bản.")
    screenshot(page, "cadre-visit-sent")
    [visit] = cadre_visits(system, submission_id)
    assert [c["summary"] for c in visit["concerns"]] == [WATER, LIGHTS]
    page.locator(".sent-visit-link").click()
    expect(page.get_by_role("link", name=WATER)).to_be_visible()
    screenshot(page, "cadre-visit")
    context.close()


def test_a_cadre_names_the_raiser_with_consent_and_marks_a_concern_confidential(browser, system):
    context, page = signed_in(browser, system, "binh", PHONE)
    page.goto(f"{system.base_url}/app/visits/new?unit_id={NOI_PHAT}")
    summary = "Đề nghị công khai khoản thu quỹ xây dựng nhà văn hóa thôn"
    submission_id = fill_visit(page, 22, 30, [(summary, "public_service")], days_ago=9)
    page.locator('[id="concerns.0.raised_by"]').select_option("resident")
    page.locator('[id="concerns.0.raised_by_name"]').fill("Trần Văn Hải")
    page.locator('[id="concerns.0.raised_by_contact"]').fill("0912 345 678")
    page.locator('[id="concerns.0.confidential"]').select_option("true")
    # a contact without the raiser's consent is refused beside it, in Vietnamese
    page.get_by_role("button", name="Gửi biên bản").click()
    refused = page.locator('[id="concerns.0.raised_by_contact-error"]')
    expect(refused).to_have_text("Chỉ ghi liên hệ khi người nêu đồng ý được liên hệ (đọc thông "
                                 "báo cho họ trước).")
    assert cadre_visits(system, submission_id) == []
    page.locator('[id="concerns.0.raiser_consent"]').select_option("true")
    page.get_by_role("button", name="Gửi biên bản").click()
    expect(page.locator("#form-status")).to_contain_text("Đã gửi biên bản.")
    [visit] = cadre_visits(system, submission_id)
    [concern] = visit["concerns"]
    assert concern["confidential"] is True
    # a resident is withheld from the authority by default: kept in visits alone
    assert concern.get("withhold_raiser") in (True, None)
    headers = system.sign_in("binh", system.passwords["binh"])
    kept = requests.get(f"{system.base_url}/visits/{visit['visit_id']}", headers=headers,
                        timeout=10).json()["concerns"][0]
    assert (kept["raised_by_name"], kept["raised_by_contact"]) == ("Trần Văn Hải",
                                                                  "0912 345 678")
    context.close()


def test_a_visit_sent_while_the_network_is_cut_is_logged_once_when_it_returns(browser, system):
    context, page = signed_in(browser, system, "binh", PHONE)
    page.goto(f"{system.base_url}/app/visits/new?unit_id={NOI_PHAT}")
    submission_id = fill_visit(page, 25, 30, [("Đường thôn xuống cấp", "infrastructure"),
                                              ("Rác thải chưa được thu gom", "environment")],
                               days_ago=2)
    context.set_offline(True)
    page.get_by_role("button", name="Gửi biên bản").click()
    expect(page.locator("#form-status")).to_contain_text("Mất kết nối")
    outbox = page.evaluate("SausatOutbox.pending()")
    assert [item["submission_id"] for item in outbox] == [submission_id]
    screenshot(page, "cadre-visit-offline")
    context.set_offline(False)  # the browser says "online": the outbox sends it
    expect(page.locator("#form-status")).to_contain_text("Đã gửi biên bản.")
    assert page.evaluate("SausatOutbox.pending()") == []
    [visit] = cadre_visits(system, submission_id)
    assert len(visit["concerns"]) == 2
    context.close()


def test_a_visit_whose_reply_was_lost_survives_a_reload_and_is_logged_once(browser, system):
    context, page = signed_in(browser, system, "binh", PHONE)
    page.goto(f"{system.base_url}/app/visits/new?unit_id={NOI_PHAT}")
    submission_id = fill_visit(page, 20, 28, [("Xin hỗ trợ sửa nhà văn hóa", "public_service"),
                                              ("Tranh chấp ranh giới đất", "land")],
                               days_ago=3)

    def lose_the_reply(route):  # the gateway logs it; the phone never hears back
        route.fetch()
        route.abort("internetdisconnected")

    page.route("**/app/visits", lose_the_reply)
    page.get_by_role("button", name="Gửi biên bản").click()
    expect(page.locator("#form-status")).to_contain_text("Mất kết nối")
    assert len(cadre_visits(system, submission_id)) == 1
    page.unroute("**/app/visits")
    page.route("**/app/visits", lambda route: route.abort("internetdisconnected"))
    page.reload()  # still no way through: kept on the phone across the reload
    assert [i["submission_id"] for i in page.evaluate("SausatOutbox.pending()")] == [
        submission_id]
    expect(page.locator("#outbox-status")).to_contain_text("Biên bản chờ gửi trên máy này: 1")
    page.unroute("**/app/visits")
    page.evaluate("SausatOutbox.flush()")  # what the next load or the timer does
    expect(page.locator("#outbox-status")).to_be_hidden()
    assert page.evaluate("SausatOutbox.pending()") == []
    assert len(cadre_visits(system, submission_id)) == 1  # sent twice, logged once
    context.close()


def test_an_officer_acknowledges_and_answers_and_the_cadre_sees_the_answer(browser, system):
    context, page = signed_in(browser, system, "tamhop-officer")
    expect(page).to_have_url(re.compile(r"/app/inbox$"))
    link = page.get_by_role("link", name=WATER)
    for _ in range(50):  # the concern is routed by events: reload until it arrives
        if link.count():
            break
        time.sleep(0.2)  # (Playwright's own waits hang under eventlet's monkey-patching)
        page.reload()
    expect(page.get_by_role("heading", name="Số việc theo trạng thái")).to_be_visible()
    screenshot(page, "officer-inbox")
    link.click()
    # only what the holder may do to a routed case
    buttons = page.locator("form.action button")
    expect(buttons).to_have_text(["Tiếp nhận", "Bắt đầu giải quyết",
                                  "Chuyển cơ quan có thẩm quyền", "Đánh dấu trùng",
                                  "Chuyển lên cấp trên"])
    screenshot(page, "officer-case-routed")
    page.get_by_role("button", name="Tiếp nhận").click()
    expect(page.locator("#case-status")).to_have_text("Đã tiếp nhận")
    answer = "UBND xã đã bố trí kinh phí, hoàn thành tuyến thoát nước trước 31/12/2026."
    page.get_by_label("Trả lời", exact=True).fill(answer)
    fill_answer_record(page.locator("#action-answer"))
    page.get_by_role("button", name="Trả lời", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("Đã trả lời")
    expect(page.locator("#answer-text")).to_have_text(answer)
    screenshot(page, "officer-case-answered")
    page.goto(f"{system.base_url}/app/inbox?view=escalated_past")
    screenshot(page, "officer-escalated-past")
    page.goto(f"{system.base_url}/app/statistics")
    screenshot(page, "officer-statistics")
    context.close()

    context, page = signed_in(browser, system, "binh", PHONE)
    page.goto(f"{system.base_url}/app/visits")
    screenshot(page, "cadre-visits")
    page.get_by_role("link", name=WATER).first.click()
    expect(page.locator("#answer-text")).to_have_text(answer)
    expect(page.locator("#concern-status")).to_have_text("Đã trả lời")
    expect(page.locator(".answer-outcome")).to_have_text("Đã giải quyết")
    screenshot(page, "cadre-concern-answered")
    # before the next visit, the branch's brief has the answer to read out at the meeting
    page.goto(f"{system.base_url}/app/units")
    page.locator(f'a[href="/app/units/{NOI_PHAT}/brief"]').click()
    read_out = page.locator("#answers-to-read-out tr[data-case-id]")
    for _ in range(50):  # the visits service learns of the answer from escalations' event
        if read_out.count():
            break
        time.sleep(0.2)
        page.reload()
    expect(read_out.locator("td.answer")).to_have_text([answer])
    # how it settled the matter and by which letter, to read out with it (issue 25)
    expect(read_out.locator(".answer-outcome")).to_have_text("Đã giải quyết")
    expect(read_out.locator(".answer-letter")).to_contain_text("125/UBND-VP")
    case_id = read_out.get_attribute("data-case-id")
    screenshot(page, "cadre-brief")
    # the next visit: the members are not satisfied with it
    page.locator(f'a.button[href="/app/visits/new?unit_id={NOI_PHAT}"]').click()
    fill_visit(page, 26, 31, [("Cống thoát nước vẫn ngập sau mưa", "infrastructure")])
    page.locator(f'[id="review-{case_id}-not_satisfied"]').check()
    page.get_by_label("Ý kiến của đảng viên", exact=True).fill("Cống vẫn ngập sau mưa")
    screenshot(page, "cadre-visit-answer-review")
    page.get_by_role("button", name="Gửi biên bản").click()
    expect(page.locator("#form-status")).to_contain_text("Đã gửi biên bản.")
    context.close()
    headers = system.sign_in("tamhop-officer", system.passwords["tamhop-officer"])
    for _ in range(100):  # reviewed by visits, reopened by escalations: events on their way
        case = requests.get(f"{system.base_url}/cases/{case_id}", headers=headers,
                            timeout=10).json()
        if case["status"] == "reopened":
            break
        time.sleep(0.2)
    assert (case["status"], case["authority_id"]) == ("reopened", "ubnd-xa-tam-hop")
    assert "Cống vẫn ngập sau mưa" in case["timeline"][-1]["why"]


def test_the_timeline_and_a_refused_form_read_in_vietnamese(browser, system):
    """U4: the reopened case of the test above, as its officer and its cadre read it: each
    timeline line a sentence (who did what, why), the routing rule by its topic and not its
    slug, the members' verdict in words; marshmallow's refusal of a field, crossing RPC,
    worded beside it from its code."""
    context, page = signed_in(browser, system, "tamhop-officer")
    page.get_by_role("link", name=WATER).first.click()
    lines = page.locator("ol.timeline li")
    expect(lines.first).to_contain_text(
        "Hệ thống chuyển ý kiến đến UBND xã Tam Hợp, theo quy tắc chuyển ý kiến lĩnh vực Hạ tầng")
    expect(lines.nth(1)).to_contain_text("Cán bộ UBND xã Tam Hợp tiếp nhận vụ việc")
    expect(lines.last).to_contain_text("Đảng viên chưa hài lòng với trả lời; vụ việc được mở "
                                       "lại tại UBND xã Tam Hợp")
    expect(lines.last.locator("q")).to_have_text("Cống vẫn ngập sau mưa")
    timeline = page.locator("ol.timeline").inner_text()
    assert not english_in(timeline), english_in(timeline)
    assert "infrastructure" not in timeline and "reject_answer" not in timeline
    screenshot(page, "officer-case-timeline")
    # a question longer than the contract allows: marshmallow refuses it in the service
    page.locator("#request_information-question").fill("x" * 2001)
    page.get_by_role("button", name="Đề nghị bổ sung thông tin").click()
    expect(page.locator("#request_information-question-error")).to_have_text(
        "Dài quá 2000 ký tự.")
    expect(page.get_by_role("alert")).to_have_text(
        "Thông tin chưa hợp lệ: vui lòng sửa các ô được đánh dấu.")
    page.locator("#request_information-question").fill("   ")  # the rule's own refusal
    page.get_by_role("button", name="Đề nghị bổ sung thông tin").click()
    expect(page.locator("#request_information-question-error")).to_have_text("Bắt buộc nhập.")
    screenshot(page, "officer-case-refused-field")
    shown = page.locator("main").inner_text()
    assert not english_in(shown), english_in(shown)
    context.close()

    context, page = signed_in(browser, system, "binh", PHONE)
    page.goto(f"{system.base_url}/app/visits")
    page.get_by_role("link", name=WATER).first.click()
    expect(page.locator("ol.timeline li").last).to_contain_text("Đảng viên chưa hài lòng")
    shown = page.locator("main").inner_text()
    assert not english_in(shown), english_in(shown)
    context.close()


def test_administrator_and_operator_pages(browser, system):
    context, page = signed_in(browser, system, "admin")
    expect(page.get_by_role("heading", name="Thống kê theo cơ quan và lĩnh vực")).to_be_visible()
    page.goto(f"{system.base_url}/app/admin/statistics?authority_id=ubnd-xa-tam-hop")
    expect(page.locator("figure.chart svg.bars").first).to_be_visible()
    screenshot(page, "admin-statistics")
    for path, name, seen in (("users", "admin-users", "tamhop-officer"),
                             ("units", "admin-units", "Chi bộ thôn Yên Lan, xã Tam Hợp"),
                             ("authorities", "admin-authorities", "UBND huyện Bình Xuyên"),
                             ("routing-rules", "admin-routing-rules", "infrastructure-tam-hop"),
                             ("notifications", "admin-notifications", "Thư thông báo đã gửi")):
        response = page.goto(f"{system.base_url}/app/admin/{path}")
        assert response.status == 200
        expect(page.get_by_text(seen).first).to_be_visible()
        screenshot(page, name)
    context.close()

    context, page = signed_in(browser, system, "operator")
    expect(page.get_by_text("monitor.audit").first).to_be_visible()
    screenshot(page, "operator-queues")
    page.goto(f"{system.base_url}/app/operator/events")
    expect(page.get_by_text("visits.visit_logged").first).to_be_visible()
    screenshot(page, "operator-events")
    context.close()


def test_a_page_refuses_what_the_api_refuses(browser, system):
    context, page = signed_in(browser, system, "binh")
    for path in ("/app/inbox", "/app/admin/users", "/app/operator/queues"):
        assert page.goto(f"{system.base_url}{path}").status == 403
        expect(page.get_by_role("alert")).to_have_text("Vai trò của bạn không được xem trang này.")
    screenshot(page, "refused-403")
    [cookie] = [c for c in context.cookies() if c["name"] == "sausat_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
    token = cookie["value"]
    # a form POST without this session's CSRF token changes nothing
    refused = requests.post(f"{system.base_url}/app/sign-out", data={"csrf": "forged"},
                            cookies={"sausat_session": token}, timeout=10,
                            allow_redirects=False)
    assert refused.status_code == 403
    me = requests.get(f"{system.base_url}/me", headers={"Authorization": f"Bearer {token}"},
                      timeout=10)
    assert me.status_code == 200
    page.goto(f"{system.base_url}/app/units")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/app/sign-in"))
    me = requests.get(f"{system.base_url}/me", headers={"Authorization": f"Bearer {token}"},
                      timeout=10)
    assert me.status_code == 401  # signing out ended the API's token too
    context.close()


def test_an_administrator_imports_a_workbook_from_the_page_and_follows_it(browser, system,
                                                                          tmp_path):
    from openpyxl import Workbook

    from tooling.bench.registry_workbook import COLUMNS, registry_rows

    sheets = registry_rows(prefix="pw", districts=1, communes=2, branches=3, province_members=2,
                           district_members=2, per_member=2, province_assignments=2)
    sheets["units"].append(["pw.bad", "Chi bộ ghi sai cấp", "galaxy", None, "pw"])
    book = Workbook(write_only=True)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in [COLUMNS[name], *rows]:
            sheet.append(row)
    workbook = tmp_path / "don-vi-moi.xlsx"
    book.save(workbook)
    rows = sum(len(rows) for rows in sheets.values())

    context, page = signed_in(browser, system, "admin")
    page.goto(f"{system.base_url}/app/admin/imports")
    page.get_by_role("button", name="Nhập", exact=True).click()  # no file: said beside it
    expect(page.locator("#file-error")).to_have_text("Hãy chọn một tệp.")
    page.get_by_label("Tệp dữ liệu (.csv, .xlsx)").set_input_files(str(workbook))
    page.get_by_label("Vẫn nhập các dòng hợp lệ nếu có dòng bị từ chối").check()
    screenshot(page, "admin-import-upload")
    page.get_by_role("button", name="Nhập", exact=True).click()
    expect(page).to_have_url(re.compile(r"/app/admin/imports/[0-9a-f]+$"))
    state = page.locator("#import-state")
    for _ in range(300):  # the page reloads itself every 2 s while the import runs
        if state.text_content() in [say(f"import_state.{ended}") for ended in
                                     ("done", "done_with_errors", "rejected", "refused")]:
            break
        time.sleep(0.2)
    expect(state).to_have_text("Xong, có dòng lỗi")
    expect(page.locator("#import-progress")).to_have_text(re.compile(rf"^{rows - 1} / "))
    expect(page.locator("table tbody tr")).to_have_count(1)  # the row report: the bad level
    expect(page.locator("table tbody tr td").nth(2)).to_have_text("Cấp")  # as the template
    report = page.locator("main").inner_text()  # the reason and the state in Vietnamese
    assert not english_in(report), english_in(report)
    screenshot(page, "admin-import-done")
    context.close()


def test_an_operator_replays_a_dead_letter_and_sees_it_recorded(browser, system):
    # a well-formed event the audit consumer gave up on, as its dead-letter queue holds it
    envelope = contracts.CONCERN_RAISED.new({
        "concern_id": contracts.new_id(), "visit_id": contracts.new_id(), "unit_id": NOI_PHAT,
        "unit_path": NOI_PHAT.split("."), "topic": "infrastructure", "summary": LIGHTS,
        "raised_by": "resident", "raised_on": dt.date(2026, 11, 20)})
    ConfirmedPublisher(system.env["AMQP_URI"]).publish_raw(
        kombu_json.dumps(envelope).encode(), exchange="", routing_key="monitor.audit.dead",
        content_type="application/json", content_encoding="utf-8",
        headers={"x-sausat-error": "audit store away", "x-sausat-attempt": 3,
                 # as the audit consumer keeps it: visits (its source) first published it
                 PUBLISHED_BY_HEADER: callers.service_user(
                     "visits", system.rpc_config[CONFIG_KEY].suffix)})
    context, page = signed_in(browser, system, "operator")
    page.goto(f"{system.base_url}/app/operator/dead-letters")
    letter = page.locator("article.letter", has_text="audit store away")
    for _ in range(100):  # the queue's depth comes from the broker's statistics
        if letter.count():
            break
        time.sleep(0.2)
        page.reload()
    expect(letter).to_have_count(1)
    screenshot(page, "operator-dead-letters")
    letter.get_by_role("button", name="Gửi lại").click()
    expect(page.locator("article.letter", has_text="audit store away")).to_have_count(0)
    expect(page.locator("table tbody tr").first).to_contain_text("Gửi lại")
    expect(page.locator("table tbody tr").first).to_contain_text("concern_raised")
    screenshot(page, "operator-dead-letter-replayed")
    context.close()
    # replayed, the audit consumer took it this time: it is in the trail
    headers = system.sign_in("operator", system.passwords["operator"])
    concern_id = envelope["payload"]["concern_id"]

    def trace():
        answer = requests.get(f"{system.base_url}/monitor/trace/{concern_id}", headers=headers,
                              timeout=10)
        return answer.json().get("steps", []) if answer.status_code == 200 else []

    poll(trace, lambda steps: [s["event_type"] for s in steps] == ["concern_raised"])
