"""The authority's own documents on a case through the real processes (issue 31): the commune's
officer uploads a photo through the API (again: the same attachment) and downloads it as an
attachment with nosniff, the district's officer gets 404 and a malformed file a 400, never a
5xx; then, in a browser, the officer's answer with a web page named .pdf is refused beside the
file field with nothing changed, the answer with the PDF letter goes out, and the cadre
downloads the letter from the concern page and finds it on the branch's brief."""
import base64
import datetime as dt

import pytest
from playwright.sync_api import expect

from shared import contracts
from tests import attachment_samples as samples
from tests.answers import fill_answer_record
from tests.integration.browser import signed_in
from tests.integration.fixtures import PLAIN_SHARED
from tests.integration.system import poll
from tests.integration.test_attachments_path import NOI_PHAT, call

pytestmark = pytest.mark.integration

SYSTEM = PLAIN_SHARED  # the plain demo system, shared (tests/integration/fixtures.py)


def upload(system, case_id, name, data, expect=201, who="officer"):
    return call(system, "POST", f"/cases/{case_id}/attachments", who,
                {"filename": name, "content": base64.b64encode(data).decode()}, expect)


def routed_case(system):
    visit = {"submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
             "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
             "meeting_kind": "regular", "attendance": {"present": 25, "expected": 30},
             "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
             "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                           "summary": "Cống qua đường thôn bị vỡ"}]}
    logged = call(system, "POST", "/visits", "cadre", visit, 201).json()
    concern_id = logged["concerns"][0]["concern_id"]
    case = poll(lambda: call(system, "GET", f"/concerns/{concern_id}", "cadre").json(),
                lambda c: c["status"] == "routed")["case"]
    return concern_id, case["case_id"]


def test_the_officer_answers_with_its_letter_and_the_cadre_downloads_it(system, browser,
                                                                        tmp_path):
    concern_id, case_id = routed_case(system)
    photo = upload(system, case_id, "cong-da-sua.jpg", samples.jpeg(gps=True)).json()
    assert upload(system, case_id, "cong-da-sua.jpg", samples.jpeg(gps=True),
                  200).json()["attachment_id"] == photo["attachment_id"]
    got = call(system, "GET", f"/cases/{case_id}/attachments/{photo['attachment_id']}",
               "officer")
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    call(system, "GET", f"/cases/{case_id}/attachments/{photo['attachment_id']}",
         "district_officer", expect=404)
    refused = upload(system, case_id, "cong-van.docx", samples.zip_bomb_docx(), 400).json()
    assert list(refused["fields"]) == ["file"]
    upload(system, case_id, "anh.jpg", samples.jpeg(), 403, who="cadre")  # not the holder
    call(system, "POST", f"/cases/{case_id}/acknowledge", "officer", {})

    letter = tmp_path / "cong-van-125.pdf"
    letter.write_bytes(samples.pdf() + b"% 125/UBND-VP\n")
    disguised = tmp_path / "cong-van-that.pdf"  # a web page under a PDF's name
    disguised.write_bytes(b"<html><script>alert(1)</script></html>")
    context, page = signed_in(browser, system, "tamhop-officer")
    page.goto(f"{system.base_url}/app/cases/{case_id}")
    form = page.locator("#action-answer")
    form.get_by_label("Trả lời", exact=True).fill("Đã thay cống mới, thông xe từ 01/12.")
    fill_answer_record(form)
    form.get_by_text("Tệp đính kèm (công văn, ảnh, tài liệu)").click()  # folded until asked
    form.get_by_label("Chọn tệp đính kèm").set_input_files(str(disguised))
    page.get_by_role("button", name="Trả lời", exact=True).click()
    # refused beside the field, the answer not given; what was typed is still there
    expect(page.locator("#answer-attachments-error")).to_be_visible()
    expect(page.locator("#case-status")).to_have_text("Đã tiếp nhận")
    expect(form.get_by_label("Số công văn", exact=True)).to_have_value("125/UBND-VP")
    form.get_by_label("Chọn tệp đính kèm").set_input_files(str(letter))
    page.get_by_role("button", name="Trả lời", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("Đã trả lời")
    expect(page.get_by_role("link", name="cong-van-125.pdf")).to_be_visible()
    context.close()
    answered = call(system, "GET", f"/cases/{case_id}", "officer").json()["timeline"][-1]
    assert [ref["filename"] for ref in answered["attachments"]] == ["cong-van-125.pdf"]

    context, page = signed_in(browser, system, "binh")
    page.goto(f"{system.base_url}/app/concerns/{concern_id}")
    link = page.get_by_role("link", name="cong-van-125.pdf")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "cong-van-125.pdf"
    assert pathlib_bytes(download.value.path()) == letter.read_bytes()
    poll(lambda: call(system, "GET", f"/units/{NOI_PHAT}/brief", "cadre").json(),
         lambda brief: case_id in [c["case_id"] for c in brief["answers_to_read_out"]])
    page.goto(f"{system.base_url}/app/units/{NOI_PHAT}/brief")  # the answer read out with it
    expect(page.locator(f"#answers-to-read-out tr[data-case-id='{case_id}']").get_by_role(
        "link", name="cong-van-125.pdf")).to_have_attribute(
        "href", f"/app/cases/{case_id}/attachments/{answered['attachments'][0]['attachment_id']}")
    context.close()


def pathlib_bytes(path):
    with open(path, "rb") as handle:
        return handle.read()
