"""The authority's desk, part 2, in a real browser through the real processes (issue 24):

- the head of UBND xã Tam Hợp (a user the administrator flags as its head, and gives an
  e-mail address on the user's page) assigns a case to a colleague chosen by name on the case
  page; the timeline says who assigned whom; the colleague finds it under "mine", not under
  "nobody took yet"; anyone else is refused by name (API), a non-head officer gets 403;
- the colleague is mailed "a case reached you", then "information provided" and "answer
  rejected"; each link, followed in a browser not signed in, leads through sign-in to the case;
- the inbox finds cases by words of their text (without diacritics) and its branch filter
  lists every branch the authority's cases came from, not those of the page shown;
- an officer changes a reply template (the change kept: who, which fields), answers from it,
  then deletes it: gone from the list, still named on the answered case's timeline.
"""
import re

import pytest
import requests
from playwright.sync_api import expect

from shared.words import say
from tests.answers import ANSWERED_BY_LETTER, fill_answer_record
from tests.integration import test_pages_desk
from tests.integration.browser import screenshot
from tests.integration.system import poll
from tests.integration.test_pages_desk import (
    NOI_PHAT,
    YEN_LAN,
    api,
    follow,
    listed_as_mine_not_unassigned,
    raise_concerns,
    signed_in,
)

pytestmark = pytest.mark.integration

SYSTEM = test_pages_desk.SYSTEM  # the same running system as the module before
AUTHORITY = "ubnd-xa-tam-hop"
HEAD = ("tamhop-head", "Trần Văn Trưởng", "head-pass-2026")
HUNG = ("tamhop-hung", "Nguyễn Văn Hùng", "hung-pass-2026")
HUNG_MAIL = "hung@tamhop.example.vn"


def create_user(system, username, name, password, **extra):
    return api(system, "administrator", "POST", "/users", {
        "username": username, "display_name": name, "password": password,
        "role": "authority_officer", "authority_id": AUTHORITY, **extra})


@pytest.fixture(scope="module")
def officers(system, browser):
    """The head (flagged by the administrator) and a colleague whose e-mail address the
    administrator gives on the user's page; escalations knows both (accounts' events)."""
    head = create_user(system, *HEAD, authority_head=True)
    hung = create_user(system, *HUNG)
    context, page = signed_in(browser, system, "admin")
    try:
        page.goto(f"{system.base_url}/app/admin/users/{hung['user_id']}")
        form = page.locator("#change-email")
        form.get_by_label("Thư điện tử").fill("không-phải-địa-chỉ")
        form.get_by_role("button").click()
        expect(form.locator(".field-error")).to_be_visible()
        expect(page.locator("#user-email")).to_have_text("—")
        form.get_by_label("Thư điện tử").fill(HUNG_MAIL)
        form.get_by_role("button").click()
        expect(page.locator("#user-email")).to_have_text(HUNG_MAIL)
        screenshot(page, "admin-user-email")
    finally:
        context.close()
    for username, _, password in (HEAD, HUNG):  # they sign in like the demo users
        system.passwords[username] = password
    system.headers["head"] = system.sign_in(HEAD[0], HEAD[2])
    names = poll(lambda: [o["display_name"] for o in api(
        system, "head", "GET", f"/authorities/{AUTHORITY}/officers")["officers"]],
        lambda found: {HEAD[1], HUNG[1]} <= set(found))
    assert names == sorted(names)
    return head, hung


def test_the_head_assigns_a_named_officer_who_finds_it_as_theirs_and_is_mailed(
        browser, system, officers):
    head, hung = officers
    summary = "Cống qua đường thôn Nội Phật bị sụt"
    [case_id] = raise_concerns(system, NOI_PHAT, ("infrastructure", summary))
    # not the head: 403; someone of another authority: refused by name, nothing changed
    refused = requests.post(f"{system.base_url}/cases/{case_id}/assign", timeout=15,
                            headers=system.headers["officer"], json={"user_id": hung["user_id"]})
    assert refused.status_code == 403, refused.text
    district = api(system, "administrator", "GET", "/users?limit=500")["users"]
    [other] = [u for u in district if u["username"] == "binhxuyen-officer"]
    refused = requests.post(f"{system.base_url}/cases/{case_id}/assign", timeout=15,
                            headers=system.headers["head"], json={"user_id": other["user_id"]})
    assert refused.status_code == 400, refused.text
    [why] = refused.json()["fields"]["user_id"]
    assert "officer_of_other_authority" in why and "Cán bộ UBND huyện Bình Xuyên" in why
    assert api(system, "head", "GET", f"/cases/{case_id}")["assignee_user_id"] is None

    context, page = signed_in(browser, system, HEAD[0])
    try:
        page.goto(f"{system.base_url}/app/cases/{case_id}")
        form = page.locator("#action-assign")
        form.get_by_label("Cán bộ giải quyết").select_option(label=HUNG[1])
        form.get_by_role("button", name="Giao việc").click()
        expect(page.locator("#case-assignee")).to_have_text(HUNG[1])
        expect(page.get_by_text(f"giao vụ việc cho {HUNG[1]}")).to_be_visible()
        screenshot(page, "head-assigns-case")
    finally:
        context.close()
    case = api(system, "head", "GET", f"/cases/{case_id}")
    line = case["timeline"][-1]
    assert (line["action"], line["user_id"], line["assignee_user_id"]) == (
        "assign", head["user_id"], hung["user_id"])
    assert case["status"] == "routed"  # not a change of state

    reader = (HUNG[0], HUNG[2])
    follow(browser, system, case_id, HUNG_MAIL, "Vụ việc được giao cho đồng chí", summary,
           reader)
    context, page = signed_in(browser, system, HUNG[0])
    try:
        listed_as_mine_not_unassigned(page, system, summary)
    finally:
        context.close()

    # what the holder is told, the officer working on it is told too
    api(system, "head", "POST", f"/cases/{case_id}/acknowledge", {})
    api(system, "head", "POST", f"/cases/{case_id}/request_information",
        {"question": "Cống sụt ở đoạn nào?"})
    api(system, "cadre", "POST", f"/cases/{case_id}/provide_information",
        {"information": "Đoạn trước nhà văn hóa"})
    follow(browser, system, case_id, HUNG_MAIL, "Đã có thông tin bổ sung", summary, reader)
    api(system, "head", "POST", f"/cases/{case_id}/answer",
        {"answer": "Xã đã đổ bê tông.", **ANSWERED_BY_LETTER})
    api(system, "cadre", "POST", f"/cases/{case_id}/close", {"outcome": "unresolved"})
    api(system, "cadre", "POST", f"/cases/{case_id}/reopen", {"reason": "Vẫn còn sụt"})
    follow(browser, system, case_id, HUNG_MAIL, "Trả lời chưa được chấp nhận", summary, reader)


def test_the_inbox_finds_words_of_the_text_and_lists_every_branch(browser, system):
    first, _ = raise_concerns(system, NOI_PHAT,
                              ("infrastructure", "Giếng nước chung xóm Giữa bị ô nhiễm"),
                              ("infrastructure", "Loa truyền thanh thôn Nội Phật mất tiếng"))
    raise_concerns(system, YEN_LAN, ("infrastructure", "Cầu khỉ thôn Yên Lan mục nát"))
    api(system, "officer", "POST", f"/cases/{first}/acknowledge", {})
    context, page = signed_in(browser, system, "tamhop-officer")
    try:
        page.goto(f"{system.base_url}/app/inbox")
        search = page.get_by_label(say("search_cases"))
        search.fill("GIENG nuoc")
        page.get_by_role("button", name="Tìm").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        expect(page.locator("tbody tr")).to_contain_text("Giếng nước chung xóm Giữa")
        expect(page.get_by_label(say("search_cases"))).to_have_value(
            "GIENG nuoc")
        screenshot(page, "officer-inbox-search")
        page.get_by_label(say("search_cases")).fill("cau khi yen")
        page.get_by_role("button", name="Tìm").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        expect(page.locator("tbody tr")).to_contain_text("Cầu khỉ thôn Yên Lan")

        # the acknowledged ones: Nội Phật's alone on the page, Yên Lan still a choice
        page.goto(f"{system.base_url}/app/inbox?status=acknowledged")
        expect(page.locator("tbody tr", has_text="Yên Lan")).to_have_count(0)
        choices = page.get_by_label("Chi bộ, xã (nơi nêu)").locator("option")
        expect(choices.filter(has_text="Chi bộ thôn Yên Lan")).to_have_count(1)
        expect(choices.filter(has_text="Chi bộ thôn Nội Phật")).to_have_count(1)
    finally:
        context.close()


def test_an_officer_changes_a_template_answers_from_it_then_deletes_it(browser, system):
    summary = "Đèn tín hiệu ngã ba thôn Yên Lan không sáng"
    [case_id] = raise_concerns(system, YEN_LAN, ("infrastructure", summary))
    api(system, "officer", "POST", f"/cases/{case_id}/start", {})
    template = api(system, "officer", "POST", f"/authorities/{AUTHORITY}/reply-templates", {
        "kind": "answer", "topic": "*", "title": "Đã sửa chữa", "text": "Xã đã sửa chữa."})
    context, page = signed_in(browser, system, "tamhop-officer")
    try:
        page.goto(f"{system.base_url}/app/templates")
        page.locator("#templates").get_by_role("link", name="Đã sửa chữa").click()
        form = page.locator("#change-template")
        form.get_by_label("Tên mẫu").fill("")
        form.get_by_role("button").click()
        expect(form.locator("#change-title-error")).to_be_visible()
        form.get_by_label("Tên mẫu").fill("Đã sửa chữa xong")
        form.get_by_label("Nội dung mẫu").fill("UBND xã đã sửa chữa xong.")
        form.get_by_role("button").click()
        expect(page.locator("#done")).to_be_visible()
        expect(page.locator("#template-changes")).to_contain_text(
            "sửa Nội dung mẫu, Tên mẫu")

        page.goto(f"{system.base_url}/app/cases/{case_id}")
        page.locator("#action-answer").get_by_role("link", name="Đã sửa chữa xong").click()
        expect(page.locator("#action-answer textarea[name=answer]")).to_have_value(
            "UBND xã đã sửa chữa xong.")
        fill_answer_record(page.locator("#action-answer"))
        page.locator("#action-answer").get_by_role("button").click()
        expect(page.locator("#case-status")).to_have_text("Đã trả lời")

        page.goto(f"{system.base_url}/app/templates/{template['template_id']}")
        delete = page.locator("#delete-template")
        delete.get_by_role("button").click()  # not confirmed: refused beside the box
        expect(delete.locator("#delete-confirm-error")).to_be_visible()
        delete.get_by_role("checkbox").check()
        delete.get_by_role("button").click()
        expect(page).to_have_url(re.compile(r".*/app/templates$"))
        expect(page.get_by_role("link", name="Đã sửa chữa xong")).to_have_count(0)
        page.goto(f"{system.base_url}/app/cases/{case_id}")
        expect(page.get_by_text("(theo mẫu «Đã sửa chữa xong»)")).to_be_visible()
    finally:
        context.close()
    listed = api(system, "officer", "GET", f"/authorities/{AUTHORITY}/reply-templates")
    assert template["template_id"] not in {t["template_id"] for t in listed["templates"]}
    gone = requests.patch(f"{system.base_url}/reply-templates/{template['template_id']}",
                          json={"title": "x"}, headers=system.headers["officer"], timeout=15)
    assert gone.status_code == 404


def test_an_officer_redirects_a_case_to_an_authority_chosen_by_typing_its_name(
        browser, system):
    summary = "Đường liên huyện qua thôn Yên Lan sạt lở"
    [case_id] = raise_concerns(system, YEN_LAN, ("infrastructure", summary))
    code = api(system, "officer", "GET", f"/cases/{case_id}")["receipt_code"]
    context, page = signed_in(browser, system, "tamhop-officer")
    try:
        page.goto(f"{system.base_url}/app/cases/{case_id}")
        form = page.locator("#action-redirect")
        field = form.get_by_label("Chuyển đến cơ quan")
        # a name several authorities hold: the choices beside it, nothing redirected
        field.fill("UBND")
        field.blur()
        form.get_by_label("Lý do").fill("Đường liên huyện do huyện quản lý")
        form.get_by_role("button").click()
        expect(page.locator("#redirect-authority_id-error")).to_contain_text("Nhiều mục khớp")
        expect(page.locator("#redirect-authority_id-candidates")).to_contain_text(
            "UBND huyện Bình Xuyên")
        assert api(system, "officer", "GET", f"/cases/{case_id}")["authority_id"] == AUTHORITY
        # typed without diacritics, the suggestion chosen: redirected there
        form = page.locator("#action-redirect")
        field = form.get_by_label("Chuyển đến cơ quan")
        field.fill("")
        field.press_sequentially("ubnd huyen binh", delay=30)
        page.get_by_role("listbox", name="Gợi ý").get_by_role(
            "option", name="UBND huyện Bình Xuyên").click()
        form.get_by_role("button").click()
        # no longer ours to open: the inbox says where it went, by its receipt code
        expect(page).to_have_url(re.compile(r"/app/inbox\?redirected="))
        expect(page.locator("#done")).to_contain_text(f"Đã chuyển vụ việc {code}")
    finally:
        context.close()
    case = api(system, "district_officer", "GET", f"/cases/{case_id}")
    assert case["authority_id"] == "ubnd-huyen-binh-xuyen", case["authority_id"]
