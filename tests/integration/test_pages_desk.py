"""The authority's desk in a real browser (Debian's chromium), through the real processes (issue
24, U3, U6, U7, U9):

- the inbox names each case's branch and commune and the kind of raiser (no name), filters by
  state, topic, branch or commune and received days, finds a case by its code, and says its
  deadline the way people say it: "trước 15:30 ngày 09/12/2026" (acceptance, in office hours);
- the holder's officer changes a case's severity tier with a reason, and an administrator's
  day off on the working calendar moves the case's answer deadline (issue 25);
- the concern page offers the raising side what it may do: no outcome chosen in advance, the
  question asked shown above the answer to it;
- every kind of mail a step sends arrives in the mail catcher, in Vietnamese, with a link
  that, followed in a browser not signed in, leads through the sign-in page to the case's page
  (an officer) or the concern's (the cadre).
"""
import datetime as dt
import re

import pytest
import requests
from playwright.sync_api import expect

from services.escalations.policy import load_policy_file
from shared import clock, contracts
from shared.clock import Clock
from shared.words import say
from tests.answers import ANSWERED_BY_LETTER, fill_answer_record
from tests.english import english_in
from tests.integration.browser import DESKTOP, screenshot, sign_in
from tests.integration.fixtures import SystemOptions
from tests.integration.system import poll

pytestmark = pytest.mark.integration

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
YEN_LAN = "vinh-phuc.binh-xuyen.tam-hop.yen-lan"
COMMUNE_MAIL = "ubnd-xa-tam-hop@vinhphuc.example"
DISTRICT_MAIL = "ubnd-huyen-binh-xuyen@vinhphuc.example"
CADRE_MAIL = "tran-thi-binh@vinhphuc.example"
# who reads each address's mail, by username
READERS = {COMMUNE_MAIL: "tamhop-officer", DISTRICT_MAIL: "binhxuyen-officer",
           CADRE_MAIL: "binh"}
# a routed case's running deadline is its acceptance, a moment in office hours (issue 25)
DEADLINE = re.compile(r"trước \d\d:\d\d ngày \d\d/\d\d/\d{4}")
LINK = re.compile(r"Mở hồ sơ \(đăng nhập nếu được hỏi\): (\S+)")
# one system with test_pages_desk_head.py (which runs next)
SYSTEM = SystemOptions(settings={"RPC_TIMEOUT_SECONDS": "15"}, healthy_within=240,
                       test_clock=True, shared="desk")


def api(system, who, method, path, body=None):
    answer = requests.request(method, f"{system.base_url}{path}", json=body, timeout=15,
                              headers=system.headers[who])
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def raise_concerns(system, unit_id, *concerns, days_ago=2):
    """Log a visit to ``unit_id`` with ``concerns`` ((topic, summary), ...); their case ids."""
    visit = api(system, "cadre", "POST", "/visits", {
        "submission_id": contracts.new_id(), "unit_id": unit_id,
        "meeting_date": (dt.date.today() - dt.timedelta(days=days_ago)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 20, "expected": 25},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
        "concerns": [{"topic": topic, "raised_by": "resident", "summary": summary}
                     for topic, summary in concerns]})
    case_ids = []
    for concern in visit["concerns"]:
        found = poll(lambda: api(system, "cadre", "GET", f"/concerns/{concern['concern_id']}"),
                     lambda c: c["status"] != "raised")
        case_ids.append(found["case"]["case_id"])
    return case_ids


def signed_in(browser, system, username):
    context = browser.new_context(**DESKTOP, locale="vi-VN")
    page = context.new_page()
    sign_in(page, system.base_url, username, system.passwords[username])
    return context, page


def test_the_inbox_names_the_origin_filters_finds_a_code_and_says_deadlines_in_words(
        browser, system):
    drains, lights = raise_concerns(
        system, NOI_PHAT, ("infrastructure", "Cống thoát nước đầu thôn Nội Phật bị tắc"),
        ("environment", "Bãi rác tự phát cạnh đình Nội Phật"))
    [yen_lan] = raise_concerns(system, YEN_LAN,
                               ("infrastructure", "Đường bê tông thôn Yên Lan bị lún"))
    context, page = signed_in(browser, system, "tamhop-officer")
    try:
        page.goto(f"{system.base_url}/app/inbox")
        row = page.locator("tr", has_text="Cống thoát nước đầu thôn Nội Phật bị tắc")
        expect(row).to_contain_text("Chi bộ thôn Nội Phật")
        expect(row).to_contain_text("Đảng bộ xã Tam Hợp")
        expect(row).to_contain_text("Người nêu: Người dân")
        expect(row.locator(".deadline")).to_have_text(DEADLINE)
        expect(page.get_by_text("Thời hạn tính theo ngày làm việc").first).to_be_visible()
        assert "00:00" not in row.inner_text()
        screenshot(page, "officer-inbox-origin")

        # a topic: the environment concern alone of the three
        page.get_by_label("Lĩnh vực", exact=True).select_option("environment")
        page.locator("#inbox-filters").get_by_role("button", name="Xem").click()
        expect(page.locator("tbody tr", has_text="Bãi rác")).to_have_count(1)
        expect(page.locator("tbody tr", has_text="Cống thoát nước")).to_have_count(0)

        # a branch, by its name in a row: Yên Lan's case, not Nội Phật's
        page.goto(f"{system.base_url}/app/inbox")
        page.locator("tr", has_text="Đường bê tông thôn Yên Lan").get_by_role(
            "link", name="Chi bộ thôn Yên Lan, xã Tam Hợp").click()
        expect(page.locator("tbody tr", has_text="Đường bê tông")).to_have_count(1)
        expect(page.locator("tbody tr", has_text="Nội Phật")).to_have_count(0)
        expect(page.get_by_label("Chi bộ, xã (nơi nêu)")).to_have_value(YEN_LAN)

        # received since tomorrow, Vietnam's (from 17:00 UTC a day ahead of the machine's)
        tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
        page.goto(f"{system.base_url}/app/inbox?received_from={tomorrow}")
        expect(page.locator("tbody tr", has_text="Cống thoát nước")).to_have_count(0)

        # the code a mail gives opens the case, with its origin and deadline
        page.goto(f"{system.base_url}/app/inbox")
        page.get_by_label(say("search_cases")).fill(drains)
        page.get_by_role("button", name="Tìm").click()
        expect(page).to_have_url(re.compile(f".*/app/cases/{drains}$"))
        expect(page.locator("#case-origin")).to_have_text(
            re.compile("Chi bộ thôn Nội Phật.*Đảng bộ xã Tam Hợp"))
        expect(page.locator("#case-deadline")).to_contain_text(DEADLINE)
        screenshot(page, "officer-case-origin-deadline")
    finally:
        context.close()
    assert lights and yen_lan


def test_the_concern_page_offers_what_the_raising_side_may_do(browser, system):
    [case_id] = raise_concerns(system, NOI_PHAT, ("infrastructure",
                                                  "Đèn đường ngõ 3 thôn Nội Phật hỏng"))
    api(system, "officer", "POST", f"/cases/{case_id}/acknowledge", {})
    api(system, "officer", "POST", f"/cases/{case_id}/request_information",
        {"question": "Ngõ 3 có bao nhiêu cột đèn hỏng?"})
    concern_id = api(system, "officer", "GET", f"/cases/{case_id}")["concern_id"]
    context, page = signed_in(browser, system, "binh")
    try:
        page.goto(f"{system.base_url}/app/concerns/{concern_id}")
        expect(page.locator("#question-asked")).to_contain_text(
            "Ngõ 3 có bao nhiêu cột đèn hỏng?")
        page.get_by_label("Thông tin bổ sung").fill("Ba cột đèn")
        page.get_by_role("button", name="Bổ sung thông tin").click()
        expect(page.locator("#concern-status")).not_to_have_text("Chờ bổ sung thông tin")
        api(system, "officer", "POST", f"/cases/{case_id}/answer",
            {"answer": "Xã đã thay ba bóng đèn.", **ANSWERED_BY_LETTER})

        page.goto(f"{system.base_url}/app/concerns/{concern_id}")
        expect(page.locator("#read-out-at-meeting")).to_be_visible()
        close = page.locator("#action-close")
        radios = close.locator("input[name=outcome]")
        expect(radios).to_have_count(2)
        for index in range(2):
            expect(radios.nth(index)).not_to_be_checked()
        close.get_by_role("button").click()  # nothing chosen: the browser keeps the form
        expect(page).to_have_url(re.compile(f".*/app/concerns/{concern_id}$"))
        close.get_by_label("Chưa giải quyết").check()
        close.get_by_role("button").click()
        expect(page.locator("#concern-status")).to_have_text("Đã đóng – chưa giải quyết")
        screenshot(page, "cadre-concern-closed-unresolved")
    finally:
        context.close()


def listed_as_mine_not_unassigned(page, system, summary):
    """The signed-in officer finds the case under "mine", not under "nobody took yet"."""
    page.goto(f"{system.base_url}/app/inbox")
    page.get_by_role("link", name="Vụ việc tôi xử lý").click()
    expect(page.locator("tbody tr", has_text=summary)).to_have_count(1)
    page.goto(f"{system.base_url}/app/inbox?assignee=unassigned")
    expect(page.locator("tbody tr", has_text=summary)).to_have_count(0)


def test_an_officer_takes_a_case_and_finds_it_under_mine_not_unassigned(browser, system):
    summary = "Nhà văn hóa thôn Yên Lan dột mái"
    [case_id] = raise_concerns(system, YEN_LAN, ("infrastructure", summary))
    context, page = signed_in(browser, system, "tamhop-officer")
    try:
        page.goto(f"{system.base_url}/app/inbox")
        page.get_by_role("link", name="Chưa có người nhận").click()
        expect(page.locator("tbody tr", has_text=summary)).to_have_count(1)
        page.get_by_role("link", name=summary).click()
        expect(page.locator("#case-assignee")).to_have_text("Chưa có cán bộ nhận xử lý")
        page.get_by_role("button", name="Nhận xử lý").click()
        expect(page.locator("#case-assignee")).to_have_text("Đồng chí đang xử lý")
        expect(page.locator("#action-take")).to_have_count(0)
        expect(page.get_by_text("nhận xử lý vụ việc")).to_be_visible()
        screenshot(page, "officer-case-taken")

        listed_as_mine_not_unassigned(page, system, summary)
    finally:
        context.close()
    case = api(system, "officer", "GET", f"/cases/{case_id}")
    assert case["assignee_user_id"] and case["timeline"][-1]["action"] == "take"


def test_an_answer_starts_from_a_reply_template_and_the_case_records_which(browser, system):
    summary = "Rãnh thoát nước ngõ 5 thôn Yên Lan bị lấp"
    [case_id] = raise_concerns(system, YEN_LAN, ("infrastructure", summary))
    api(system, "officer", "POST", f"/cases/{case_id}/start", {})
    context, page = signed_in(browser, system, "tamhop-officer")
    try:
        page.goto(f"{system.base_url}/app/templates")
        form = page.locator("#add-template")
        form.get_by_label("Dùng để").select_option("answer")
        form.get_by_label("Lĩnh vực").select_option("infrastructure")
        form.get_by_label("Tên mẫu").fill("Đã khắc phục")
        form.get_by_label("Nội dung mẫu").fill("UBND xã đã chỉ đạo khắc phục xong.")
        form.get_by_role("button", name="Thêm mẫu").click()
        expect(page.locator("#templates")).to_contain_text("Đã khắc phục")

        page.goto(f"{system.base_url}/app/cases/{case_id}")
        page.locator("#action-answer").get_by_role("link", name="Đã khắc phục").click()
        answer = page.locator("#action-answer textarea[name=answer]")
        expect(answer).to_have_value("UBND xã đã chỉ đạo khắc phục xong.")
        answer.fill("UBND xã đã chỉ đạo khắc phục xong, nạo vét ngày 05/12.")
        fill_answer_record(page.locator("#action-answer"))
        page.locator("#action-answer").get_by_role("button").click()
        expect(page.locator("#case-status")).to_have_text("Đã trả lời")
        expect(page.get_by_text("(theo mẫu «Đã khắc phục»)")).to_be_visible()
        screenshot(page, "officer-answer-from-template")
    finally:
        context.close()
    case = api(system, "officer", "GET", f"/cases/{case_id}")
    assert (case["timeline"][-1]["action"], case["timeline"][-1]["template_title"]) == (
        "answer", "Đã khắc phục")
    assert case["answer"] == "UBND xã đã chỉ đạo khắc phục xong, nạo vét ngày 05/12."


def test_an_interim_reply_and_an_answer_that_holds_up_from_the_case_page(browser, system):
    """Issue 25: the holder extends once to a committed day (a day before the deadline is
    refused beside the date), the cadre is mailed; an answer "not within our competence" is
    refused until it names the right body, then the page shows its outcome and letter."""
    summary = "Đường bê tông xóm 3 thôn Yên Lan bị lún"
    [case_id] = raise_concerns(system, YEN_LAN, ("infrastructure", summary))
    answer_by = dt.date.fromisoformat(
        api(system, "officer", "POST", f"/cases/{case_id}/start", {})["answer_by"])
    # a working day a week past the deadline, on the calendar the system runs on
    committed = load_policy_file().calendar.next_working_day(answer_by + dt.timedelta(days=7))
    context, page = signed_in(browser, system, "tamhop-officer")
    try:
        page.goto(f"{system.base_url}/app/cases/{case_id}")
        interim = page.locator("#action-interim_reply")
        interim.get_by_label("Hẹn trả lời trước hết ngày").fill(
            (answer_by - dt.timedelta(days=1)).isoformat())
        interim.get_by_label("Tiến độ giải quyết").fill("Đã khảo sát, chờ phân bổ kinh phí")
        interim.get_by_role("button").click()
        expect(page.locator("#interim-committed_on-error")).to_have_text(
            say("reason.interim_date_before_deadline"))
        interim.get_by_label("Hẹn trả lời trước hết ngày").fill(committed.isoformat())
        interim.get_by_role("button").click()
        expect(page.locator("#interim-committed")).to_contain_text(committed.strftime("%d/%m/%Y"))
        expect(page.locator("#interim-note")).to_have_text("Đã khảo sát, chờ phân bổ kinh phí")

        form = page.locator("#action-answer")
        form.locator("textarea[name=answer]").fill("Việc tranh chấp lối đi thuộc Tòa án.")
        fill_answer_record(form)
        form.get_by_label("Không thuộc thẩm quyền", exact=True).check()
        form.get_by_role("button").click()
        expect(page.locator("#answer-right_body-error")).to_have_text(
            say("reason.outcome_needs_right_body"))
        form.get_by_label("Cơ quan, kênh có thẩm quyền (nêu tên)").fill(
            "Tòa án nhân dân huyện Bình Xuyên")
        form.get_by_role("button").click()
        expect(page.locator("#case-status")).to_have_text("Đã trả lời")
        expect(page.locator(".answer-outcome")).to_have_text(
            "Không thuộc thẩm quyền: Tòa án nhân dân huyện Bình Xuyên")
        expect(page.locator(".answer-letter")).to_contain_text("125/UBND-VP")
        screenshot(page, "officer-case-answer-outcome")
    finally:
        context.close()
    case = api(system, "officer", "GET", f"/cases/{case_id}")
    assert case["interim_reply"]["committed_on"] == committed.isoformat()
    assert case["outcome"] == "not_competent"
    follow(browser, system, case_id, CADRE_MAIL, "Cơ quan giải quyết hẹn ngày trả lời", summary)


# --- a mail for every step, each with a link that works after sign-in ----------------------

def mail_for(system, case_id, address, subject):
    return [m for m in system.catcher.mail() if m["X-Sausat-Case"] == case_id
            and m["X-RcptTo"] == address and m["Subject"].startswith(f"[Sâu Sát] {subject}")]


def follow(browser, system, case_id, address, subject, shows, reader=None):
    """The one mail of that kind arrived, in Vietnamese; its link, opened in a browser not
    signed in, leads through the sign-in page back to the page that ``shows`` the case.
    ``reader``: (username, password) of who reads that address (else a demo user's)."""
    [mail] = poll(lambda: mail_for(system, case_id, address, subject), bool, timeout=30)
    body = mail.get_body(("plain",)).get_content()
    assert not english_in(mail["Subject"] + "\n" + body), english_in(body)
    link = LINK.search(body).group(1)
    assert link.startswith(system.base_url + "/app/")
    context = browser.new_context(**DESKTOP, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(link)
        expect(page).to_have_url(re.compile(r".*/app/sign-in\?next="))
        username, password = reader or (READERS[address], system.passwords[READERS[address]])
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page).to_have_url(link)
        expect(page.locator("p.lead")).to_have_text(shows)
    finally:
        context.close()
    return link


def test_the_holder_changes_the_tier_and_a_day_off_moves_the_answer_deadline(browser, system):
    summary = "Sạt lở bờ kênh tiêu thôn Yên Lan"
    [case_id] = raise_concerns(system, YEN_LAN, ("infrastructure", summary))
    routed = api(system, "officer", "GET", f"/cases/{case_id}")
    assert routed["tier"] == "normal" and "T" in routed["acknowledge_by"]
    context, page = signed_in(browser, system, "tamhop-officer")
    try:
        page.goto(f"{system.base_url}/app/inbox")
        expect(page.locator("tr", has_text=summary)).to_contain_text("Thông thường")
        page.get_by_role("link", name=summary).click()
        expect(page.locator("#case-tier")).to_have_text("Thông thường")
        expect(page.locator("#case-acknowledge-by")).to_have_text(DEADLINE)
        # a reason is required: refused beside the form, nothing changed
        page.locator("#tier-tier").select_option("complex")
        page.get_by_role("button", name="Đổi phân loại").click()
        expect(page.locator("#tier-reason-error")).to_be_visible()
        expect(page.locator("#case-tier")).to_have_text("Thông thường")
        page.get_by_label("Lý do đổi phân loại").fill("Cần khảo sát địa chất trước khi kè")
        page.get_by_role("button", name="Đổi phân loại").click()
        expect(page.locator("#case-tier")).to_have_text("Phức tạp")
        expect(page.get_by_text("đổi phân loại xử lý, từ Thông thường sang Phức tạp")
               ).to_be_visible()
        screenshot(page, "officer-case-tier-changed")
    finally:
        context.close()
    answer_by = api(system, "officer", "GET", f"/cases/{case_id}")["answer_by"]
    assert answer_by > routed["answer_by"]

    # an administrator gives the commune a day off on that day: the deadline moves on
    context, page = signed_in(browser, system, "admin")
    try:
        page.goto(f"{system.base_url}/app/admin/calendar")
        expect(page.locator("#calendar-entries")).to_contain_text("12729/VPCP-KGVX")
        form = page.locator("#form-calendar-entry")
        form.get_by_label("Ngày", exact=True).fill(answer_by)
        form.get_by_label("Loại ngày").select_option("day_off")
        form.get_by_label("Áp dụng cho").fill("ubnd xa tam hop")  # by name, any authority
        form.get_by_label("Lý do", exact=True).fill("Quyết định nghỉ lễ hội làng Tam Hợp")
        form.get_by_role("button", name="Thêm vào lịch").click()
        expect(page.locator("#calendar-done")).to_contain_text("vụ việc đang mở được tính lại")
        expect(page.locator("#calendar-entries")).to_contain_text("lễ hội làng Tam Hợp")
        expect(page.get_by_label("Lịch riêng của cơ quan")).to_have_value("UBND xã Tam Hợp")
        screenshot(page, "admin-calendar-day-off")
    finally:
        context.close()
    moved = api(system, "officer", "GET", f"/cases/{case_id}")
    assert moved["answer_by"] > answer_by
    assert moved["timeline"][-1]["action"] == "recompute_deadlines"


def test_every_step_a_person_must_know_is_mailed_with_a_link_that_works_after_sign_in(
        browser, system):
    summary = "Mương tưới tiêu xứ đồng Cửa Đình thôn Nội Phật bị vỡ"
    [case_id] = raise_concerns(system, NOI_PHAT, ("infrastructure", summary))
    concern_id = api(system, "officer", "GET", f"/cases/{case_id}")["concern_id"]
    officer_link = f"{system.base_url}/app/cases/{case_id}"
    cadre_link = f"{system.base_url}/app/concerns/{concern_id}"

    assert follow(browser, system, case_id, COMMUNE_MAIL, "Ý kiến mới cần tiếp nhận",
                  summary) == officer_link
    api(system, "officer", "POST", f"/cases/{case_id}/acknowledge", {})
    api(system, "officer", "POST", f"/cases/{case_id}/request_information",
        {"question": "Đoạn vỡ dài bao nhiêu mét?"})
    assert follow(browser, system, case_id, CADRE_MAIL, "Cơ quan giải quyết đề nghị bổ sung",
                  summary) == cadre_link
    api(system, "cadre", "POST", f"/cases/{case_id}/provide_information",
        {"information": "Khoảng 40 mét"})
    follow(browser, system, case_id, COMMUNE_MAIL, "Đã có thông tin bổ sung", summary)
    api(system, "officer", "POST", f"/cases/{case_id}/answer",
        {"answer": "Xã đã đắp tạm đoạn vỡ, sửa xong trong tháng.",
         **ANSWERED_BY_LETTER})
    follow(browser, system, case_id, CADRE_MAIL, "Đã có trả lời ý kiến", summary)
    api(system, "cadre", "POST", f"/cases/{case_id}/close", {"outcome": "unresolved"})
    api(system, "cadre", "POST", f"/cases/{case_id}/reopen",
        {"reason": "Mương vẫn vỡ sau trận mưa tuần trước"})
    follow(browser, system, case_id, COMMUNE_MAIL, "Trả lời chưa được chấp nhận", summary)

    # redirected: the district is told, and opens it
    redirected = "Cầu tràn thôn Nội Phật ngập sâu mùa mưa"
    [moved] = raise_concerns(system, NOI_PHAT, ("infrastructure", redirected))
    api(system, "officer", "POST", f"/cases/{moved}/redirect",
        {"authority_id": "ubnd-huyen-binh-xuyen", "reason": "Cầu do huyện quản lý"})
    follow(browser, system, moved, DISTRICT_MAIL, "Ý kiến được chuyển đến đúng thẩm quyền",
           redirected)

    # a deadline near (the clock ten minutes before the acceptance moment, past half the
    # office time allowed: the early warning tells the holder), then passed: the district is
    # told the case escalated to it
    late = "Trạm bơm thôn Nội Phật không hoạt động"
    [ignored] = raise_concerns(system, NOI_PHAT, ("infrastructure", late))
    due = dt.datetime.fromisoformat(api(system, "officer", "GET", f"/cases/{ignored}")[
        "acknowledge_by"])
    noon = due - dt.timedelta(minutes=10)
    Clock.move(system.env["TEST_CLOCK_FILE"],
               (noon - dt.datetime.now(dt.timezone.utc)).total_seconds())
    follow(browser, system, ignored, COMMUNE_MAIL, "Đã qua một nửa thời hạn tiếp nhận", late)
    Clock.move(system.env["TEST_CLOCK_FILE"],
               (noon - dt.datetime.now(dt.timezone.utc)).total_seconds() + 86400)
    follow(browser, system, ignored, DISTRICT_MAIL, "Ý kiến quá hạn được chuyển lên", late)
