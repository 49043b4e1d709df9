"""Following a concern by its receipt code, through the real processes (issue 30): the code
given where the concern is recorded reaches its case; the public page ``/follow`` (no sign-in)
answers a published, an unpublished, an unknown and a mistyped code, never with a name, a
contact, the internal text or who acted; lookups are limited per client address under the
test clock; and on a 360 px phone without JavaScript a code read from the visit's
confirmation page is followed to its state."""
import datetime as dt
import re

import pytest
import requests
from playwright.sync_api import expect

from services.escalations.following import LOOKUPS_PER_WINDOW, WINDOW_SECONDS
from shared import contracts, receipts
from shared.clock import Clock
from tests.answers import ANSWERED_BY_LETTER
from tests.integration.browser import SMALL_PHONE, screenshot
from tests.integration.fixtures import SystemOptions, audit_events
from tests.integration.system import poll

pytestmark = pytest.mark.integration

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
RAISER, PHONE = "Nguyễn Văn Hai", "0912 000 111"
SAID = f"Ông {RAISER} ({PHONE}) phản ánh đèn đường xóm 2 hỏng cả tháng"
ANSWER = "Ông Hai đã được cán bộ Lê Văn Tư gọi điện; UBND xã thay đèn trong tuần"
PUBLIC_SUMMARY = "Đèn đường xóm 2 hỏng đã lâu"
PUBLIC_ANSWER = "UBND xã đã thay đèn đường xóm 2"
MISTYPED = "Mã không đúng, kiểm tra lại mã."
NOTHING_YET = "Chưa có thông tin công khai cho mã này"
# the page believes X-Forwarded-For from this host only: each test looks from an address of
# its own, so the lookups of one never count against another's
SYSTEM = SystemOptions(settings={"TRUSTED_PROXIES": "127.0.0.1", "RPC_TIMEOUT_SECONDS": "15"},
                       test_clock=True, healthy_within=240)


def call(system, method, path, who, body=None, expect=200):
    response = requests.request(method, f"{system.base_url}{path}", json=body, timeout=15,
                                headers=system.headers[who])
    assert response.status_code == expect, response.text
    return response.json()


def follow(system, code, address, expect=200):
    response = requests.get(f"{system.base_url}/follow", params={"code": code}, timeout=15,
                            headers={"X-Forwarded-For": address})
    assert response.status_code == expect, response.text[:500]
    return response


def log_concern(system, **concern):
    visit = call(system, "POST", "/visits", "cadre", {
        "submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
        "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 25, "expected": 30},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident", **concern}]},
        expect=201)
    [raised] = visit["concerns"]
    concern_id = raised["concern_id"]
    routed = poll(lambda: call(system, "GET", f"/concerns/{concern_id}", "cadre"),
                  lambda c: c["status"] == "routed")
    return raised["receipt_code"], routed["case"]["case_id"]


def test_the_page_answers_published_unpublished_unknown_and_mistyped_codes(system):
    address = "203.0.113.10"
    code, case_id = log_concern(system, summary=SAID, raised_by_name=RAISER,
                                raised_by_contact=PHONE, raiser_consent=True)
    assert receipts.read(code) == code
    case = call(system, "GET", f"/cases/{case_id}", "officer")
    assert case["receipt_code"] == code  # the code the officer reads is the raiser's

    unpublished = follow(system, code.lower().replace("-", " "), address).text
    assert code in unpublished and "Hạ tầng" in unpublished and "UBND xã Tam Hợp" in unpublished
    assert "chờ cơ quan tiếp nhận" in unpublished
    pages = [unpublished]

    # written for publication but not marked publishable: still not shown
    call(system, "PUT", f"/cases/{case_id}/public-summary", "cadre",
         {"text": PUBLIC_SUMMARY, "publishable": False})
    pages.append(follow(system, code, address).text)
    assert PUBLIC_SUMMARY not in pages[-1]
    # the officer may not write the cadre's summary, nor an answer before there is one
    call(system, "PUT", f"/cases/{case_id}/public-summary", "officer",
         {"text": "x", "publishable": True}, expect=403)
    call(system, "PUT", f"/cases/{case_id}/public-answer", "officer",
         {"text": PUBLIC_ANSWER, "publishable": True}, expect=422)
    call(system, "PUT", f"/cases/{case_id}/public-summary", "cadre",
         {"text": PUBLIC_SUMMARY, "publishable": True})
    for action, args in (("start", {}), ("answer", {"answer": ANSWER, **ANSWERED_BY_LETTER})):
        call(system, "POST", f"/cases/{case_id}/{action}", "officer", args)
    pages.append(follow(system, code, address).text)
    assert PUBLIC_SUMMARY in pages[-1] and "Đã có trả lời" in pages[-1]
    assert PUBLIC_ANSWER not in pages[-1]
    shown = call(system, "PUT", f"/cases/{case_id}/public-answer", "officer",
                 {"text": PUBLIC_ANSWER, "publishable": True})
    assert shown["public_answer"]["publishable"] is True
    published = follow(system, code, address).text
    assert PUBLIC_SUMMARY in published and PUBLIC_ANSWER in published
    pages.append(published)

    # a code nobody was given, and a confidential case's: one and the same page
    unknown = receipts.new_code()
    secret_code, _ = log_concern(system, summary="Cán bộ thu tiền ngoài quy định",
                                 confidential=True)
    unknown_page = follow(system, unknown, address).text
    secret_page = follow(system, secret_code, address).text
    assert NOTHING_YET in unknown_page
    assert unknown_page.replace(unknown, "CODE") == secret_page.replace(secret_code, "CODE")
    pages += [unknown_page, secret_page]

    # mistyped: one neighbour swapped, one character wrong, nonsense: "kiểm tra lại mã"
    plain = code.replace("-", "")
    swapped = next(plain[:i] + plain[i + 1] + plain[i] + plain[i + 2:]
                   for i in range(len(plain) - 1) if plain[i] != plain[i + 1])
    wrong = plain[:3] + next(c for c in receipts.ALPHABET if c != plain[3]) + plain[4:]
    for typed in (swapped, wrong, "HELLO", "0" * 10):
        refused = follow(system, typed, address, expect=422).text
        assert MISTYPED in refused and NOTHING_YET not in refused
        pages.append(refused)

    internal = [RAISER, "Văn Hai", PHONE, "0912", "đèn đường xóm 2 hỏng cả tháng", ANSWER,
                "Lê Văn Tư", "Trần Thị Bình", "tamhop-officer", case_id, case["concern_id"],
                "Cán bộ thu tiền"]
    for page in pages:
        for private in internal:
            assert private not in page, private


def page_of(system, who, path):
    token = system.headers[who]["Authorization"].split()[1]
    return requests.get(f"{system.base_url}{path}", cookies={"sausat_session": token},
                        timeout=15, allow_redirects=False)


def test_the_code_names_the_case_in_its_mails_and_opens_it_from_the_officers_inbox(system):
    code, case_id = log_concern(system, summary="Cống thoát nước xóm 5 bị vỡ")
    # the authority's mail names the case by the code people can read out
    [mail] = poll(lambda: [m for m in system.catcher.mail() if m["X-Sausat-Case"] == case_id],
                  bool)
    body = mail.get_body(("plain",)).get_content()
    assert f"Mã tiếp nhận: {code}" in body and "Mã hồ sơ" not in body
    # the officer types it as read out on the phone: the case opens
    typed = code.lower().replace("-", " ")
    opened = page_of(system, "officer", f"/app/inbox?q={typed}")
    assert opened.status_code == 303 and opened.headers["Location"] == f"/app/cases/{case_id}"
    assert code in page_of(system, "officer", f"/app/cases/{case_id}").text
    # another authority's officer: as if no case had it; a mistyped code: check it again
    assert page_of(system, "binhxuyen-officer", f"/app/inbox?q={code}").status_code == 404
    wrong = code[:-1] + ("3" if code[-1] == "2" else "2")
    refused = page_of(system, "officer", f"/app/inbox?q={wrong}")
    assert refused.status_code == 422 and "kiểm tra lại mã" in refused.text


def test_the_raiser_is_mailed_when_the_answer_arrives_and_unsubscribes_by_the_link(system):
    email = "nguyen.van.hai@example.vn"
    # an address only with the raiser's consent, refused beside the field otherwise
    refused = requests.post(f"{system.base_url}/visits", timeout=15,
                            headers=system.headers["cadre"], json={
                                "submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
                                "meeting_date": dt.date.today().isoformat(),
                                "meeting_kind": "regular",
                                "attendance": {"present": 20, "expected": 25},
                                "assessment": {"leadership": 4, "education": 4,
                                               "combativeness": 4},
                                "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                                              "summary": "Đường ngõ 7 lầy lội",
                                              "raiser_email": email}]})
    assert refused.status_code == 400
    assert "consent" in refused.json()["fields"]["concerns"]["0"]["raiser_email"][0]
    code, case_id = log_concern(system, summary=SAID, raised_by_name=RAISER,
                                raiser_email=email, raiser_consent=True)
    for action, args in (("start", {}), ("answer", {"answer": ANSWER, **ANSWERED_BY_LETTER})):
        call(system, "POST", f"/cases/{case_id}/{action}", "officer", args)
    [told] = poll(lambda: [m for m in system.catcher.mail() if m["X-RcptTo"] == email], bool)
    body = told.get_body(("plain",)).get_content()
    assert code in told["Subject"] and f"Mã tiếp nhận: {code}" in body
    assert f"{system.base_url}/follow?code={code}" in body
    # the mail tells that an answer came, not what the authority wrote, nor the typed text
    for private in (ANSWER, "Lê Văn Tư", SAID, case_id):
        assert private not in body and private not in told["Subject"]
    # the address never reached the audit trail (notification_sent keeps it out)
    assert email not in str(audit_events(system, "notifications.notification_sent"))

    link = re.search(r"(http\S+/follow/unsubscribe\?token=\S+)", body).group(1)
    confirm = requests.get(link, timeout=15)  # a mail scanner opening it changes nothing
    assert confirm.status_code == 200 and "Hủy nhận thư" in confirm.text
    token = re.search(r'name="token" value="([^"]+)"', confirm.text).group(1)
    done = requests.post(f"{system.base_url}/follow/unsubscribe", data={"token": token},
                         timeout=15)
    assert done.status_code == 200 and "Địa chỉ thư của ông/bà đã được xóa" in done.text
    again = requests.post(f"{system.base_url}/follow/unsubscribe", data={"token": token},
                          timeout=15)
    assert "Không còn địa chỉ thư nào" in again.text  # deleted: the token names nothing now


def publish_from_page(system, who, page_path, kind, text, publishable):
    """The publish form of ``page_path`` sent as a browser would (the session's CSRF token)."""
    page = page_of(system, who, page_path)
    assert page.status_code == 200 and f'id="publish-{kind}"' in page.text
    csrf = re.search(rf'id="publish-{kind}">\s*<input type="hidden" name="csrf" '
                     r'value="([^"]+)"', page.text).group(1)
    case_id = re.search(r'action="/app/cases/([0-9a-f]{32})/publish"', page.text).group(1)
    token = system.headers[who]["Authorization"].split()[1]
    form = {"csrf": csrf, "kind": kind, "text": text, **({"publishable": "yes"}
                                                          if publishable else {})}
    sent = requests.post(f"{system.base_url}/app/cases/{case_id}/publish", data=form,
                         cookies={"sausat_session": token}, timeout=15, allow_redirects=False)
    assert sent.status_code == 303, sent.text[:300]
    return sent.headers["Location"]


def test_the_public_texts_are_written_and_published_from_the_pages(system):
    address = "203.0.113.30"
    code, case_id = log_concern(system, summary=SAID, raised_by_name=RAISER)
    concern_id = call(system, "GET", f"/cases/{case_id}", "officer")["concern_id"]
    summary = "Đèn chiếu sáng xóm 2 không hoạt động"
    back = publish_from_page(system, "cadre", f"/app/concerns/{concern_id}", "summary",
                             summary, publishable=False)
    assert back == f"/app/concerns/{concern_id}#publish-summary"
    assert summary in page_of(system, "cadre", back).text  # kept, to publish later
    assert summary not in follow(system, code, address).text
    publish_from_page(system, "cadre", f"/app/concerns/{concern_id}", "summary", summary,
                      publishable=True)
    assert summary in follow(system, code, address).text
    # the officer's page offers the public answer once the case is answered
    assert 'id="publish-answer"' not in page_of(system, "officer", f"/app/cases/{case_id}").text
    for action, args in (("start", {}), ("answer", {"answer": ANSWER, **ANSWERED_BY_LETTER})):
        call(system, "POST", f"/cases/{case_id}/{action}", "officer", args)
    answer = "Đã thay bóng đèn xóm 2"
    back = publish_from_page(system, "officer", f"/app/cases/{case_id}", "answer", answer,
                             publishable=True)
    assert back == f"/app/cases/{case_id}#publish-answer"
    shown = follow(system, code, address).text
    assert answer in shown and summary in shown and ANSWER not in shown
    timeline = call(system, "GET", f"/cases/{case_id}", "officer")["timeline"]
    assert [e["action"] for e in timeline][-1] == "publish_answer"


def test_lookups_are_limited_per_address_under_the_test_clock(system):
    address, other = "198.51.100.20", "198.51.100.21"
    code = receipts.new_code()
    for _ in range(LOOKUPS_PER_WINDOW):
        follow(system, code, address)
    refused = follow(system, code, address, expect=429)
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW_SECONDS
    follow(system, "HELLO", address, expect=429)  # mistyped ones are counted alike
    follow(system, code, other)  # another address is not held back
    # the window ends on the services' clock, not by waiting
    Clock.move(system.env["TEST_CLOCK_FILE"], WINDOW_SECONDS + 1)
    follow(system, code, address)


def test_a_code_read_from_the_visits_confirmation_is_followed_on_a_phone_without_javascript(
        browser, system):
    # the cadre logs the visit from the phone's form and opens its confirmation
    context = browser.new_context(**SMALL_PHONE, locale="vi-VN")
    token = system.headers["cadre"]["Authorization"].split()[1]
    context.add_cookies([{"name": "sausat_session", "value": token, "url": system.base_url}])
    page = context.new_page()
    page.goto(f"{system.base_url}/app/visits/new?unit_id={NOI_PHAT}")
    page.get_by_label("Ngày sinh hoạt").fill((dt.date.today() - dt.timedelta(days=2)).isoformat())
    page.get_by_label("Có mặt").fill("20")
    page.get_by_label("Tổng số phải dự").fill("24")
    page.locator('[id="concerns.0.summary"]').fill("Đề nghị nạo vét mương xóm 4")
    page.locator('[id="concerns.0.topic"]').select_option("infrastructure")
    page.get_by_role("button", name="Gửi biên bản").click()
    expect(page.locator("#form-status")).to_contain_text("Mã tiếp nhận")
    page.locator(".sent-visit-link").click()
    expect(page).to_have_url(re.compile(r"/app/visits/[0-9a-z]+$"))
    code = page.locator(".receipt-code").first.inner_text()
    assert receipts.read(code) == code
    screenshot(page, "phone-360-visit-confirmation-receipt-code", full_page=False)
    context.close()

    # whoever raised it, on a basic phone: no sign-in, no JavaScript, 360 px
    phone = browser.new_context(**SMALL_PHONE, locale="vi-VN", java_script_enabled=False)
    page = phone.new_page()
    page.goto(f"{system.base_url}/follow")
    expect(page.get_by_role("heading", name="Theo dõi ý kiến theo mã tiếp nhận")).to_be_visible()
    page.get_by_label("Mã tiếp nhận").fill(code.lower().replace("-", ""))
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"/follow\?code="))
    followed = page.locator("#followed")
    expect(followed).to_contain_text(code)
    # until the case is recorded, "nothing yet"; then its state (a reload, as a person would)
    def reread():
        page.reload()
        return followed.inner_text()
    poll(reread, lambda text: "Hạ tầng" in text)
    expect(followed).to_contain_text("UBND xã Tam Hợp")
    expect(page.locator(".public-state")).to_have_text(re.compile(r"\w"))
    button = page.get_by_role("button", name="Xem")
    for box in (followed, page.get_by_label("Mã tiếp nhận"), button):
        edge = box.bounding_box()
        assert edge["x"] >= 0 and edge["x"] + edge["width"] <= 360, edge
    screenshot(page, "phone-360-follow-without-javascript")
    phone.close()
