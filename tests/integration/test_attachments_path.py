"""Photos and documents through the real processes (issue 31): each kind uploaded through the
gateway and downloaded back as an attachment with nosniff; malformed files refused with 400 and
their reason, never a 5xx; a visit naming its minutes and a concern's photo; the commune's
officer reading the photo of the case it holds, the district's answering 404; the cadre's visit
page and the officer's case page listing them, followed in a browser; and from the phone, in a
browser: a photo chosen offline sent once, downscaled, when the signal returns, and a file over
the limit refused beside its field while the visit goes without it."""
import base64
import datetime as dt
import hashlib
import io
import re

import pytest
import requests
from PIL import Image
from playwright.sync_api import expect

from shared import contracts
from tests import attachment_samples as samples
from tests.integration.browser import signed_in
from tests.integration.fixtures import PLAIN_SHARED
from tests.integration.system import poll
from tests.integration.test_pages_phone import signed_in as phone_signed_in

pytestmark = pytest.mark.integration

# the plain demo system, one for every module naming it (tests/integration/fixtures.py)
SYSTEM = PLAIN_SHARED
NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"


def call(system, method, path, who, body=None, expect=200):
    response = requests.request(method, f"{system.base_url}{path}", json=body, timeout=30,
                                headers=system.headers[who])
    assert response.status_code == expect, response.text[:500]
    return response


def upload(system, name, data, expect=201):
    return call(system, "POST", "/attachments", "cadre",
                {"filename": name, "content": base64.b64encode(data).decode()}, expect)


def assert_download(response, name):
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert name in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_each_kind_goes_up_and_comes_back_as_a_download(system):
    for name, (make, kind, media_type) in sorted(samples.KINDS.items()):
        stored = upload(system, name, make()).json()
        assert (stored["kind"], stored["media_type"]) == (kind, media_type)
        got = call(system, "GET", f"/attachments/{stored['attachment_id']}", "cadre")
        assert got.headers["Content-Type"].startswith(media_type)
        assert hashlib.sha256(got.content).hexdigest() == stored["sha256"]
        assert_download(got, name)
    again = upload(system, "reply.pdf", samples.pdf(), 200).json()
    assert again["replayed"] is True
    # not the cadre's: an officer asking by id alone gets what a missing id gets
    call(system, "GET", f"/attachments/{again['attachment_id']}", "officer", expect=403)
    call(system, "GET", "/attachments/no-such-attachment", "cadre", expect=404)


@pytest.mark.parametrize("name, data, field", [
    ("photo.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "file"),
    ("photo.jpg", samples.jpeg(size=(300, 200))[:400], "file"),
    ("bomb.png", samples.png_claiming(30_000, 30_000), "file"),
    ("minutes.docx", samples.zip_bomb_docx(), "file"),
    ("a/b.pdf", samples.pdf(), "filename"),
    ("b\x07.pdf", samples.pdf(), "filename"),
])
def test_a_malformed_file_is_refused_with_its_reason(system, name, data, field):
    refused = upload(system, name, data, 400).json()
    assert list(refused["fields"]) == [field]


def test_a_body_past_the_upload_limit_is_413_and_one_past_the_file_limit_400(system):
    huge = requests.post(f"{system.base_url}/attachments", data=b"{" + b" " * 14_100_000,
                         headers={**system.headers["cadre"], "Content-Type": "application/json"},
                         timeout=60)
    assert huge.status_code == 413
    over = upload(system, "reply.pdf", samples.pdf() + bytes(8_100_000), 400).json()
    assert over["fields"]["file"] == ["larger than 8000000 bytes"]


def test_the_officer_holding_the_case_reads_its_photo_and_the_pages_list_them(system, browser):
    minutes = upload(system, "bien-ban.pdf", samples.pdf() + b"% minutes\n").json()
    photo = upload(system, "duong-ngap.jpg", samples.jpeg(gps=True, size=(120, 90))).json()
    visit = {"submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
             "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
             "meeting_kind": "regular", "attendance": {"present": 25, "expected": 30},
             "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
             "attachments": [minutes["attachment_id"], "never-uploaded"],
             "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                           "summary": "Đường liên thôn ngập sâu sau mưa",
                           "attachments": [photo["attachment_id"]]}]}
    logged = call(system, "POST", "/visits", "cadre", visit, 201).json()
    assert [r["field"] for r in logged["attachments_refused"]] == ["attachments.1"]
    concern_id = logged["concerns"][0]["concern_id"]
    case = poll(lambda: call(system, "GET", f"/concerns/{concern_id}", "cadre").json(),
                lambda c: c["status"] == "routed")["case"]
    path = f"/concerns/{concern_id}/attachments/{photo['attachment_id']}"
    got = call(system, "GET", path, "officer")
    assert hashlib.sha256(got.content).hexdigest() == photo["sha256"]
    assert "duong-ngap" not in got.headers["Content-Disposition"]
    call(system, "GET", path, "district_officer", expect=404)
    thumbnail = call(system, "GET", f"{path}/thumbnail", "officer")
    assert thumbnail.headers["Content-Type"] == "image/jpeg"
    assert thumbnail.content.startswith(b"\xff\xd8")
    call(system, "GET", f"{path}/thumbnail", "district_officer", expect=404)
    call(system, "GET", f"/concerns/{concern_id}/attachments/{minutes['attachment_id']}",
         "officer", expect=404)  # the minutes are the visit's, not the concern's

    context, page = signed_in(browser, system, "binh")
    page.goto(f"{system.base_url}/app/visits/{logged['visit_id']}")
    link = page.get_by_role("link", name="bien-ban.pdf")
    expect(link).to_have_attribute("href", f"/app/attachments/{minutes['attachment_id']}")
    expect(page.get_by_role("link", name="duong-ngap.jpg")).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "bien-ban.pdf"
    context.close()
    context, page = signed_in(browser, system, "tamhop-officer")
    page.goto(f"{system.base_url}/app/cases/{case['case_id']}")
    # an officer sees a name that cannot name who raised it
    neutral = f"photo-{photo['attachment_id'][:8]}.jpg"
    expect(page.get_by_role("link", name=neutral)).to_have_attribute(
        "href", f"/app/concerns/{concern_id}/attachments/{photo['attachment_id']}")
    expect(page.get_by_role("link", name=neutral).locator("img.thumbnail")).to_be_visible()
    context.close()


# the phone's side (static/attach.js, files.js, outbox.js): a branch and days no other module
# on the shared system logs, so that the visit found is this test's
YEN_LAN = "vinh-phuc.binh-xuyen.tam-hop.yen-lan"


def day(days_ago):
    return (dt.date.today() - dt.timedelta(days=days_ago)).isoformat()


def start_visit(browser, system, days_ago):
    context, page = phone_signed_in(browser, system, "binh")
    page.goto(f"{system.base_url}/app/visits/new?unit_id={YEN_LAN}")
    page.get_by_label("Ngày sinh hoạt").fill(day(days_ago))
    page.get_by_label("Có mặt").fill("20")
    page.get_by_label("Tổng số phải dự").fill("24")
    page.locator('[id="concerns.0.summary"]').fill("Cống thoát nước đầu thôn Yên Lan bị vỡ")
    page.locator('[id="concerns.0.topic"]').select_option("infrastructure")
    return context, page


def the_visit(system, days_ago):
    """The one visit logged for Yên Lân's meeting that day, as its cadre reads it."""
    listed = call(system, "GET", f"/visits?unit_id={YEN_LAN}&period_from={day(days_ago)}"
                                 f"&period_to={day(days_ago)}", "cadre").json()["visits"]
    assert len(listed) == 1, listed
    return call(system, "GET", f"/visits/{listed[0]['visit_id']}", "cadre").json()


def kept_on_phone(page):
    return page.evaluate("SausatFiles.all().then(records => records.length)")


def test_a_photo_chosen_offline_goes_once_downscaled_when_the_signal_returns(system, browser):
    context, page = start_visit(browser, system, 6)
    context.set_offline(True)
    photo = page.locator('[id="concerns.0.attachments"]')
    photo.set_input_files(files=[{"name": "cong-vo.jpg", "mimeType": "image/jpeg",
                                  "buffer": samples.jpeg(size=(4000, 3000))}])
    expect(page.locator("fieldset.concern [data-attach-list] li")).to_contain_text("cong-vo.jpg")
    expect(page.locator("#attach-budget")).to_contain_text("Tệp chờ gửi trên máy")
    page.get_by_role("button", name="Gửi biên bản").click()
    outcome = page.locator("#form-status")
    expect(outcome).to_contain_text("Mất kết nối")
    assert kept_on_phone(page) == 1
    context.set_offline(False)
    expect(outcome).to_contain_text("Đã gửi biên bản.")
    assert kept_on_phone(page) == 0  # sent: the photo left the phone

    visit = the_visit(system, 6)
    assert not visit.get("attachments")
    [sent] = visit["concerns"][0]["attachments"]
    assert sent["kind"] == "photo" and sent["filename"] == "cong-vo.jpg"
    stored = call(system, "GET", f"/attachments/{sent['attachment_id']}", "cadre").content
    assert Image.open(io.BytesIO(stored)).size == (1600, 1200)  # drawn smaller on the phone
    page.goto(f"{system.base_url}/app/visits/{visit['visit_id']}")
    thumbnail = page.get_by_role("link", name="cong-vo.jpg").locator("img.thumbnail")
    expect(thumbnail).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", thumbnail.element_handle()) == 320
    page.goto(f"{system.base_url}/app/concerns/{visit['concerns'][0]['concern_id']}")
    expect(page.get_by_role("link", name="cong-vo.jpg").locator("img.thumbnail")).to_be_visible()
    context.close()


def test_a_file_over_the_limit_is_refused_beside_the_field_and_the_visit_goes_without_it(
        system, browser):
    context, page = start_visit(browser, system, 7)
    minutes = page.locator("#attachments")
    minutes.set_input_files(files=[
        {"name": "bien-ban.pdf", "mimeType": "application/pdf",
         "buffer": samples.pdf() + bytes(8_100_000)},
        {"name": "bien-ban-trang-2.pdf", "mimeType": "application/pdf",
         "buffer": samples.pdf() + b"% page 2\n"},
        # the phone cannot tell: the server reads the content and refuses it
        {"name": "ghi-chu.pdf", "mimeType": "application/pdf", "buffer": b"<html>ghi chu</html>"}])
    expect(page.locator("#attachments-error")).to_have_text(
        "bien-ban.pdf (8,1 MB) lớn quá 8 MB: không giữ, không gửi tệp này.")
    expect(page.locator("#minutes [data-attach-list] li")).to_have_count(2)
    page.get_by_role("button", name="Gửi biên bản").click()
    outcome = page.locator("#form-status")
    expect(outcome).to_contain_text("Đã gửi biên bản.")
    expect(outcome.locator(".file-refused")).to_contain_text(
        "Tệp ghi-chu.pdf không gửi được: Chỉ nhận ảnh (JPEG, PNG, WebP), PDF")
    assert [a["filename"] for a in the_visit(system, 7)["attachments"]] == [
        "bien-ban-trang-2.pdf"]
    page.locator(".sent-visit-link").click()  # the visit's page says it too
    expect(page.locator("#files-not-sent")).to_contain_text("Tệp ghi-chu.pdf không gửi được")
    expect(page.get_by_role("link", name="bien-ban-trang-2.pdf")).to_be_visible()
    context.close()


def test_the_amendment_page_adds_a_concern_with_its_photo_and_refuses_a_bad_file_beside_it(
        system, browser, tmp_path):
    logged = call(system, "POST", "/visits", "cadre", {
        "submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
        "meeting_date": dt.date.today().isoformat(), "meeting_kind": "regular",
        "attendance": {"present": 20, "expected": 24},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
        "concerns": []}, expect=201).json()
    photo, fake = tmp_path / "cong-ngap.jpg", tmp_path / "bien-ban.pdf"
    photo.write_bytes(samples.jpeg())
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    context, page = signed_in(browser, system, "binh")
    try:
        page.goto(f"{system.base_url}/app/visits/{logged['visit_id']}/amend")
        page.locator('[id="new.summary"]').fill("Cống thôn Nội Phật ngập sau mưa")
        page.locator('[id="new.topic"]').select_option("infrastructure")
        page.locator('[id="new.attachments"]').set_input_files([str(photo), str(fake)])
        page.locator("#amend-form button[type=submit]").click()
        # the disguised file: refused beside the field, nothing amended
        expect(page.locator('[id="new.attachments-error"]')).to_be_visible()
        assert call(system, "GET", f"/visits/{logged['visit_id']}", "cadre").json()[
            "version"] == 1
        page.locator('[id="new.attachments"]').set_input_files(str(photo))
        page.locator("#amend-form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"\?done=amended$"))
    finally:
        context.close()
    amended = call(system, "GET", f"/visits/{logged['visit_id']}", "cadre").json()
    [concern] = amended["concerns"]
    [attached] = concern["attachments"]
    got = call(system, "GET", f"/attachments/{attached['attachment_id']}", "cadre")
    assert got.headers["Content-Type"].startswith("image/jpeg")
