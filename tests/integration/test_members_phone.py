"""The visit form member by member on a phone (issue 29; docs/members.md), on the shared plain
demo system after test_members_path.py: the cadre marks each member of Nội Phật, the counts
derived on the form and on the visit, the list held by the members service; offline the roll
kept on the phone serves, the visit goes once when the signal returns (a member the phone still
listed refused by the server beside that member, in Vietnamese); signing out forgets the roll;
the members page linked from "my units" for a branch the cadre is assigned to today only."""
import datetime as dt
import json

import pytest
import requests
from playwright.sync_api import expect

from services.gateway.pages.session import SESSION_COOKIE
from shared import contracts
from tests.integration.browser import SMALL_PHONE, screenshot
from tests.integration.endpoints import HUONG_CANH_1, NOI_PHAT
from tests.integration.fixtures import PLAIN_SHARED
from tests.integration.test_members_path import call, roll  # noqa: F401  (the fixture)
from tests.integration.test_pages_phone import serious_violations

pytestmark = pytest.mark.integration

SYSTEM = PLAIN_SHARED
YEN_LAN = "vinh-phuc.binh-xuyen.tam-hop.yen-lan"
ROLLS = "sausat.members.rolls"  # where the form keeps the rolls (static/outbox.js)
SEND = "Gửi biên bản"


def day(days_ago):
    return (dt.date.today() - dt.timedelta(days=days_ago)).isoformat()


def on_phone(browser, system, headers):
    """A 360 px phone holding the session of ``headers``' token (no password hash to pay)."""
    context = browser.new_context(**SMALL_PHONE, locale="vi-VN")
    token = headers["Authorization"].split()[1]
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": system.base_url}])
    return context, context.new_page()


def member(page, code):
    return page.locator(f"#roll-members li[data-member='{code}']")


def mark(page, code, words):
    member(page, code).locator("label", has_text=words).click()


def kept_rolls(page):
    return json.loads(page.evaluate(f"localStorage.getItem('{ROLLS}')") or "null")


@pytest.fixture(scope="module")
def newcomer(system, roll):  # noqa: F811
    """A cadre of their own (signing out ends their tokens, nobody else's): assigned to Nội
    Phật, and to Yên Lan until yesterday; the secretary of Hương Canh's first branch."""
    cadre_id = f"phone29-{contracts.new_id()[:8]}"
    admin = system.headers["administrator"]
    for path, body in (
            ("/cadres", {"cadre_id": cadre_id, "full_name": "Đỗ Văn Thắng",
                         "home_unit_id": "vinh-phuc.binh-xuyen",
                         "positions": ["district_committee_member"]}),
            ("/assignments", {"cadre_id": cadre_id, "unit_id": NOI_PHAT,
                              "starts_on": "2026-01-01"})):
        answer = requests.post(system.base_url + path, json=body, headers=admin, timeout=30)
        assert answer.status_code == 201, answer.text
    ended = requests.post(system.base_url + "/assignments", headers=admin, timeout=30, json={
        "cadre_id": cadre_id, "unit_id": YEN_LAN, "starts_on": "2026-01-01"}).json()
    answer = requests.post(f"{system.base_url}/assignments/{ended['assignment_id']}/end",
                           headers=admin, timeout=30,
                           json={"ends_on": day(1), "reason": "chuyển công tác"})
    assert answer.status_code == 200, answer.text
    seat = {"unit_id": HUONG_CANH_1, "role": "secretary", "starts_on": "2026-01-01"}
    answer = requests.patch(f"{system.base_url}/cadres/{cadre_id}", headers=admin, timeout=30,
                            json={"memberships": [seat]})
    assert answer.status_code == 200, answer.text
    username, password = cadre_id, f"{cadre_id}-pass-2026"
    answer = requests.post(system.base_url + "/users", headers=admin, timeout=30, json={
        "username": username, "display_name": "Đỗ Văn Thắng", "password": password,
        "role": "cadre", "cadre_id": cadre_id})
    assert answer.status_code == 201, answer.text
    return lambda: system.sign_in(username, password)  # afresh: a sign-out ends the last


def test_logs_a_meeting_with_per_member_attendance_on_a_phone(system, roll, browser):  # noqa: F811
    context, page = on_phone(browser, system, system.headers["binh"])
    try:
        page.goto(f"{system.base_url}/app/visits/new?unit_id={NOI_PHAT}&meeting_date={day(11)}")
        expect(page.locator("#roll-members li.member")).to_have_count(len(roll))
        expect(page.locator('[id="attendance.present"]')).to_have_attribute("readonly", "")
        page.get_by_role("button", name="Tất cả có mặt").click()
        count = page.locator("#roll-count")
        expect(count).to_contain_text("Có mặt 3/3")
        mark(page, "000712", "Vắng có lý do")
        reason = member(page, "000712").get_by_label("Lý do vắng")
        reason.fill("ốm")
        mark(page, "000713", "Vắng không lý do")
        expect(member(page, "000713").get_by_label("Lý do vắng")).to_be_hidden()
        expect(count).to_contain_text("Có mặt 1/3")
        expect(page.locator('[id="attendance.present"]')).to_have_value("1")
        expect(page.locator('[id="attendance.expected"]')).to_have_value("3")
        screenshot(page, "phone-360-visit-member-by-member")
        assert not serious_violations(page)
        submission_id = page.locator('input[name="submission_id"]').input_value()
        page.get_by_role("button", name=SEND).click()
        expect(page.locator("#form-status")).to_contain_text("Đã gửi biên bản.")

        kept = call(system, "cadre", "GET", f"/visits/attendance/{submission_id}").json()
        assert {m["member_code"]: (m["mark"], m.get("reason")) for m in kept["marks"]} == {
            "000711": ("present", None), "000712": ("absent_excused", "ốm"),
            "000713": ("absent", None)}
        visit = call(system, "cadre", "GET", f"/visits/{kept['visit_id']}").json()
        assert visit["attendance"] == {"present": 1, "expected": 3, "by_member": True}
        page.locator(".sent-visit-link").click()
        expect(page.locator("main")).to_contain_text("1 / 3")

        # a branch without members known keeps the two counts, typed
        page.goto(f"{system.base_url}/app/visits/new?unit_id={YEN_LAN}")
        expect(page.locator("#roll")).to_be_hidden()
        expect(page.locator('[id="attendance.present"]')).to_be_editable()
        # "my units" leads to the members of a branch assigned today
        page.goto(f"{system.base_url}/app/units")
        card = page.locator("li.unit", has_text="Nội Phật")
        card.get_by_role("link", name="Đảng viên của chi bộ").click()
        expect(page.locator("#members tbody tr")).to_have_count(len(roll))
    finally:
        context.close()


def test_offline_the_kept_roll_serves_the_visit_goes_once_and_sign_out_forgets_it(
        system, roll, newcomer, browser):  # noqa: F811
    headers = newcomer()
    context, page = on_phone(browser, system, headers)
    try:
        # "my units": the members link for Nội Phật, none for Yên Lan (assigned until yesterday)
        page.goto(f"{system.base_url}/app/units")
        expect(page.locator("li.unit", has_text="Nội Phật").locator(".members-link")
               ).to_have_count(1)
        expect(page.locator("li.unit", has_text="Yên Lan").locator(".members-link")
               ).to_have_count(0)
        assert page.goto(f"{system.base_url}/app/units/{YEN_LAN}/members").status == 404

        page.goto(f"{system.base_url}/app/visits/new?unit_id={NOI_PHAT}&meeting_date={day(12)}")
        expect(page.locator("#roll-members li.member")).to_have_count(len(roll))
        kept = kept_rolls(page)["rolls"]
        assert list(kept) == [NOI_PHAT]  # only the branch opened, only code and name
        assert [sorted(m) for m in kept[NOI_PHAT]["members"]] == [
            ["full_name", "member_code"]] * len(roll)
        # a member who left since the phone kept the list: the server will say so
        page.evaluate(f"""() => {{ const all = JSON.parse(localStorage.getItem('{ROLLS}'));
            all.rolls['{NOI_PHAT}'].members.push({{member_code: '000799',
                                                  full_name: 'Đảng viên đã chuyển đi'}});
            localStorage.setItem('{ROLLS}', JSON.stringify(all)); }}""")

        context.set_offline(True)
        page.locator("#meeting_date").fill(day(13))  # read again: from the phone, no signal
        expect(page.locator("#roll-kept")).to_contain_text("Danh sách lấy từ máy này")
        expect(page.locator("#roll-members li.member")).to_have_count(len(roll) + 1)
        page.get_by_role("button", name=SEND).click()  # nobody marked yet
        expect(page.locator('[id="attendance.members-error"]')).to_contain_text(
            "Còn 4 đảng viên chưa đánh dấu")
        page.get_by_role("button", name="Tất cả có mặt").click()
        mark(page, "000711", "Vắng không lý do")
        submission_id = page.locator('input[name="submission_id"]').input_value()
        page.get_by_role("button", name=SEND).click()
        expect(page.locator("#form-status")).to_contain_text("Mất kết nối")

        context.set_offline(False)  # sent, refused beside the member who left
        expect(page.locator('[id="attendance.members.3.member_code-error"]')).to_contain_text(
            "000799 không phải đảng viên của chi bộ")
        assert not serious_violations(page)
        page.reload()  # online: the server's roll replaces the kept one, the marks kept
        expect(page.locator("#roll-members li.member")).to_have_count(len(roll))
        expect(page.locator("#roll-count")).to_contain_text("Có mặt 2/3")
        page.get_by_role("button", name=SEND).click()
        expect(page.locator("#form-status")).to_contain_text("Đã gửi biên bản.")
        listed = call(system, "administrator", "GET", f"/visits/attendance/{submission_id}")
        assert listed.json()["present"] == 2, listed.text
        logged = requests.get(f"{system.base_url}/visits", headers=headers, timeout=30,
                              params={"unit_id": NOI_PHAT, "period_from": day(13),
                                      "period_to": day(13)}).json()["visits"]
        assert len(logged) == 1  # once
        assert page.evaluate("localStorage.getItem('sausat.visit.outbox')") == "[]"

        page.get_by_role("button", name="Ghi biên bản mới").click()  # the next one, begun
        page.get_by_role("button", name="Tất cả có mặt").click()
        assert "000711" in page.evaluate("localStorage.getItem('sausat.visit.draft')")
        page.get_by_role("button", name="Đăng xuất").click()
        expect(page).to_have_url(f"{system.base_url}/app/sign-in")
        assert kept_rolls(page) is None
        stored = page.evaluate("JSON.stringify(localStorage)")  # all the phone keeps here
        assert "sausat.visit.draft" in stored  # the draft stays, without its marks
        assert "000711" not in stored and "Đảng viên 0007" not in stored, stored
    finally:
        context.close()


def test_the_members_page_is_linked_for_a_branch_secretary_and_an_administrator(
        system, newcomer, browser):
    for headers, page_path, unit_id in (
            (newcomer(), "/app/meetings", HUONG_CANH_1),  # the secretary's seats
            (system.headers["administrator"], f"/app/admin/units/{NOI_PHAT}", NOI_PHAT)):
        context, page = on_phone(browser, system, headers)
        try:
            page.goto(system.base_url + page_path)
            page.locator(".members-link").click()
            expect(page).to_have_url(f"{system.base_url}/app/units/{unit_id}/members")
            expect(page.locator("#members")).to_be_visible()
        finally:
            context.close()
