"""Branch meetings planned, through the real processes under the test clock, in a real browser
(issue 28):

- a committee member makes their calendar feed's address (the phone's calendar reads it) and
  revokes it (no longer read);
- the branch's secretary changes its dates on its page: a day no month of the coming year
  refuses beside its field, nothing changed; a rule that holds is kept, with who changed it;
- a committee member holding a leading seat plans last month's meetings of the committee's
  branches on its page: the meeting someone else planned a moment before is refused beside its
  field ("already planned"), another is planned;
- at the lead time the reminder is mailed (the SMTP catcher); its link, followed in a browser
  not signed in, leads through sign-in to the meeting on the cadre's page, and from there to
  the visit form prefilled with its branch and day; the visit is logged;
- the committee's page then counts it attended as planned, and the administrator's coverage
  page counts both branches planned that quarter (imports learns the plan from its event).

It shares the desk modules' system (``test_pages_desk.SYSTEM``: a test clock, the demo data);
the clock goes back where it was when the module ends.
"""
import datetime as dt
import io
import pathlib
import re

import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import expect

from services.gateway.pages.report_xlsx import figure
from shared.clock import VIETNAM, Clock
from tests.english import english_in
from tests.integration import test_pages_desk
from tests.integration.browser import PHONE, screenshot, signed_in
from tests.integration.system import poll
from tests.integration.test_pages_desk import CADRE_MAIL, NOI_PHAT, YEN_LAN, api
from tests.integration.test_pages_phone import serious_violations

pytestmark = pytest.mark.integration

SYSTEM = test_pages_desk.SYSTEM
DISTRICT = "vinh-phuc.binh-xuyen"
BINH = "tran-thi-binh"
MAI = "nguyen-thi-mai-ke-hoach"
LINK = re.compile(r"Xem buổi sinh hoạt và ghi biên bản \(đăng nhập nếu được hỏi\): (\S+)")


def move_clock_to(system, moment):
    Clock.move(system.env["TEST_CLOCK_FILE"],
               (moment - dt.datetime.now(dt.timezone.utc)).total_seconds())


def last_month():
    first = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


def meeting_of(system, unit_id, period):
    [found] = [m["day"] for m in api(system, "cadre", "GET",
                                     f"/units/{unit_id}/meetings?period={period}")["meetings"]
               if m["kind"] == "regular"]
    return found


@pytest.fixture(scope="module")
def seated(system):
    """Bình on the district committee's standing committee and Yên Lan's secretary; the
    clock put back when the module ends."""
    seats = [{"unit_id": DISTRICT, "role": "standing_member", "starts_on": "2025-01-01"},
             {"unit_id": YEN_LAN, "role": "secretary", "starts_on": "2025-01-01"}]
    api(system, "administrator", "PATCH", f"/cadres/{BINH}", {"memberships": seats})
    # another member of the district committee, assigned to Nội Phật too
    api(system, "administrator", "POST", "/cadres", {
        "cadre_id": MAI, "full_name": "Nguyễn Thị Mai", "home_unit_id": DISTRICT,
        "positions": ["district_committee_member"]})
    api(system, "administrator", "POST", "/assignments",
        {"cadre_id": MAI, "unit_id": NOI_PHAT, "starts_on": "2026-01-01"})
    yield
    Clock.move(system.env["TEST_CLOCK_FILE"], 0)


def test_a_feed_address_revoked_and_the_secretary_changes_the_dates(browser, system, seated):
    context, page = signed_in(browser, system, "binh", PHONE)
    try:
        page.goto(f"{system.base_url}/app/meetings")
        # the calendar feed: an address shown once, read by the phone's calendar, revoked
        page.get_by_role("button", name="Tạo địa chỉ lịch mới").click()
        address = page.get_by_label("Địa chỉ lịch của đồng chí").input_value()
        assert address.startswith(f"{system.base_url}/meeting-feeds/")
        assert not serious_violations(page)
        feed = requests.get(address, timeout=15)
        assert (feed.status_code, feed.text[:15]) == (200, "BEGIN:VCALENDAR")
        page.get_by_role("button", name="Thu hồi địa chỉ lịch").click()
        expect(page.locator("#done")).to_contain_text("Đã thu hồi địa chỉ lịch")
        assert requests.get(address, timeout=15).status_code == 404
        page.get_by_role("link", name="Lịch sinh hoạt của Chi bộ thôn Yên Lan, xã Tam Hợp").click()
        day = page.get_by_label("Ngày trong tháng")
        day.fill("31")
        page.get_by_label("Nếu trùng ngày nghỉ").select_option("previous")
        page.get_by_role("button", name="Lưu lịch sinh hoạt").click()
        expect(day).to_have_attribute("aria-invalid", "true")
        expect(page.locator('[id="schedule-meeting_schedule.day_of_month-error"]')).to_contain_text(
            "không có ngày 31")
        assert not serious_violations(page)
        assert api(system, "cadre", "GET", f"/units/{YEN_LAN}")["meeting_schedule"][
            "day_of_month"] == 5   # nothing changed
        day.fill("5")
        page.get_by_label("Ghi chú lịch sinh hoạt").fill("Hội trường thôn Yên Lan")
        page.get_by_role("button", name="Lưu lịch sinh hoạt").click()
        expect(page.locator("#done")).to_have_text("Đã lưu lịch sinh hoạt.")
        expect(page.locator(".schedule-change").first).to_contain_text("Trần Thị Bình")
        expect(page.locator(".schedule-change").first).to_contain_text(
            "Nếu trùng ngày nghỉ: — → Họp vào ngày làm việc liền trước")
        assert not english_in(page.locator("main").inner_text())
        screenshot(page, "meetings-secretary-schedule")
    finally:
        context.close()


def test_a_month_planned_reminded_followed_logged_and_counted(browser, system, seated):
    period = last_month()
    day = dt.date.fromisoformat(meeting_of(system, YEN_LAN, period))
    noi_phat_day = meeting_of(system, NOI_PHAT, period)
    # four days before the meeting: nothing is due for a reminder yet
    starts = dt.datetime.combine(day, dt.time(0), VIETNAM)
    move_clock_to(system, starts - dt.timedelta(days=4))
    context, page = signed_in(browser, system, "binh", PHONE)
    try:
        page.goto(f"{system.base_url}/app/meetings")
        page.get_by_role("link", name=re.compile("Lập kế hoạch dự sinh hoạt của .*Bình Xuyên")
                         ).click()
        page.get_by_role("link", name=re.compile(f"← {period}")).click()
        expect(page.locator("#period")).to_have_text(period)
        # somebody else plans Nội Phật's meeting while the page is open
        api(system, "administrator", "POST", f"/committees/{DISTRICT}/meeting-plan",
            {"unit_id": NOI_PHAT, "meeting_on": noi_phat_day, "cadre_id": MAI})
        noi_phat = page.locator(f'[id="meeting-{NOI_PHAT}-{noi_phat_day}"]')
        noi_phat.get_by_role("combobox").select_option(f"cadre:{BINH}")
        noi_phat.get_by_role("button", name="Phân công").click()
        field = page.locator(f'[id="meeting-{NOI_PHAT}-{noi_phat_day}-error"]')
        expect(field).to_contain_text("đã có người được phân công dự")
        screenshot(page, "meetings-plan-refused")
        assert not serious_violations(page)

        yen_lan = page.locator(f'[id="meeting-{YEN_LAN}-{day}"]')
        yen_lan.get_by_label(re.compile("Người dự buổi")).select_option(label="Trần Thị Bình")
        yen_lan.get_by_role("button", name="Phân công").click()
        expect(page.locator("#done")).to_have_text("Đã lưu phân công dự sinh hoạt.")
        expect(yen_lan).to_contain_text("Phân công dự: Trần Thị Bình")
        binh_row = page.locator("tr.per-cadre", has_text="Trần Thị Bình")
        expect(binh_row.locator("td").nth(1)).to_have_text("1")   # planned
        expect(binh_row.locator("td").nth(2)).to_have_text("0")   # attended as planned
        screenshot(page, "meetings-plan")
        # the quarter it falls in shows the same plan among the quarter's meetings
        page.get_by_role("link", name="Xem cả quý").click()
        expect(page.locator("#period")).to_have_text(re.compile(r"^\d{4}-Q[1-4]$"))
        expect(yen_lan).to_contain_text("Phân công dự: Trần Thị Bình")
    finally:
        context.close()

    # the day before the meeting: within the 48 hours, the reminder is mailed
    move_clock_to(system, starts - dt.timedelta(hours=20))
    shown = day.strftime("%d/%m/%Y")
    [mail] = poll(lambda: [m for m in system.catcher.mail() if m["X-RcptTo"] == CADRE_MAIL
                           and m["Subject"] == f"[Sâu Sát] Nhắc lịch dự sinh hoạt ngày {shown}: "
                                              "Chi bộ thôn Yên Lan, xã Tam Hợp"],
                  bool, timeout=30)
    body = mail.get_body(("plain",)).get_content()
    assert not english_in(body), english_in(body)
    link = LINK.search(body).group(1)

    # the meeting day: the mail's link, through sign-in, to the meeting and its visit form
    move_clock_to(system, starts + dt.timedelta(hours=10))
    context = browser.new_context(**PHONE, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(link)
        expect(page).to_have_url(re.compile(r".*/app/sign-in\?next="))
        page.get_by_label("Tên đăng nhập").fill("binh")
        page.get_by_label("Mật khẩu").fill(system.passwords["binh"])
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page).to_have_url(link)
        named = page.locator("#named-meeting")
        expect(named).to_contain_text("Chi bộ thôn Yên Lan")
        assert not serious_violations(page)
        named.get_by_role("link", name="Ghi biên bản buổi này").click()
        expect(page.get_by_label("Ngày sinh hoạt")).to_have_value(day.isoformat())
        expect(page.locator("#unit_id")).to_have_value(YEN_LAN)
        page.get_by_label("Có mặt").fill("17")
        page.get_by_label("Tổng số phải dự").fill("21")
        page.get_by_role("button", name="Gửi biên bản").click()
        expect(page.locator("#form-status")).to_contain_text("Đã gửi biên bản.")

        # plan against actual learns the visit from its event
        plan_page = f"{system.base_url}/app/committees/{DISTRICT}/plan?period={period}"
        binh_row = page.locator("tr.per-cadre", has_text="Trần Thị Bình")

        def counted():
            page.goto(plan_page)
            return binh_row.locator("td").nth(2).inner_text()
        poll(counted, lambda kept: kept == "1", timeout=30)
        expect(binh_row.locator("td").nth(3)).to_have_text("0")   # nothing planned missed
        mai_row = page.locator("tr.per-cadre", has_text="Nguyễn Thị Mai")
        expect(mai_row.locator("td").nth(3)).to_have_text("1")   # Nội Phật: not attended
        screenshot(page, "meetings-plan-against-actual")
        # the month's report filed upward: asked for from the plan, made, downloaded
        page.locator("#period-report").get_by_role("link").click()
        expect(page.locator("#report-period")).to_have_value(period)
        page.get_by_role("button", name="Lập báo cáo").click()
        expect(page.locator("#report-download")).to_be_visible(timeout=30_000)
        with page.expect_download() as downloading:
            page.locator("#report-download").click()
        book = load_workbook(io.BytesIO(pathlib.Path(downloading.value.path()).read_bytes()))
    finally:
        context.close()
    # (other modules on this system may log visits in the same month: at least ours)
    summary = dict(book["Tổng hợp"].iter_rows(min_row=2, values_only=True))
    assert summary["Kỳ báo cáo"] == period and summary["Số buổi sinh hoạt"] >= 1, summary
    assert summary["Đảng viên có mặt"] >= 17 and summary["Đảng viên phải dự"] >= 21, summary
    assert summary[figure("attended_as_planned", "vi")] == 1, summary
    plan = requests.get(f"{system.base_url}/committees/{DISTRICT}/meeting-plan?period={period}",
                        headers=system.headers["cadre"], timeout=15).json()
    assert plan["comparison"]["per_cadre"][BINH]["attended_as_planned"] == 1
    coverage_counts_the_plan(browser, system, day)


def coverage_counts_the_plan(browser, system, day):
    """The administrator's coverage of that quarter counts both branches planned (Yên Lan's
    visited too), learnt by imports from ``attendance_planned``."""
    def district():
        found = api(system, "administrator", "GET", f"/coverage/committees?on={day}")
        return next(c for c in found["committees"] if c["unit_id"] == DISTRICT)
    counted = poll(district, lambda c: c["planned"] >= 2 and c["planned_visited"] >= 1,
                   timeout=30)
    context, page = signed_in(browser, system, "admin", PHONE)
    try:
        page.goto(f"{system.base_url}/app/admin/coverage?on={day}")
        row = page.locator("tbody tr", has_text="Bình Xuyên")
        expect(row.locator("td").nth(4)).to_have_text(str(counted["planned"]))
        expect(row.locator("td").nth(5)).to_have_text(str(counted["planned_visited"]))
        expect(page.locator("#planned-note")).to_contain_text("Có kế hoạch dự")
    finally:
        context.close()
