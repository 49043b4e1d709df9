"""The raiser protected, through the real processes (issue 26): a resident who spoke at Chi bộ
thôn Nội Phật, named in what the cadre typed, is absent from every answer UBND xã Tam Hợp can
get (the API, the pages, its mail, the audit trail the monitor exports), while the cadre keeps
the text as typed; a concern marked confidential is read only by the commune's head and the
officers the head names, and its text is in no mail; a deletion request from a member named in
a concern, or from a cadre with a user account, removes them from every service and from a
backup taken after it; personal details
typed into a summary, redacted by hand by the cadre or by the authority, go from everywhere the
text is kept (the record says who and when, never what)."""
import datetime as dt
import pathlib
import sqlite3

import pytest
import requests
from playwright.sync_api import expect

from shared import contracts
from tests.integration.browser import screenshot, signed_in
from tests.integration.fixtures import PLAIN_SHARED, audit_events
from tests.integration.system import poll

pytestmark = pytest.mark.integration

# the plain demo system, one for every module naming it (tests/integration/fixtures.py); this
# module must stay the last of them: its deletion request anonymises a demo user
SYSTEM = PLAIN_SHARED

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
COMMUNE, COMMUNE_MAIL = "ubnd-xa-tam-hop", "ubnd-xa-tam-hop@vinhphuc.example"
RAISER, PHONE = "Nguyễn Văn Hai", "0912 000 111"
SAID = f"Ông {RAISER} ({PHONE}) phản ánh đèn đường xóm 2 hỏng cả tháng"
SECRET = "Cán bộ địa chính thu tiền ngoài quy định khi làm sổ đỏ"


def call(system, method, path, headers, body=None, expect=200, **params):
    response = requests.request(method, f"{system.base_url}{path}", json=body, params=params,
                                headers=headers, timeout=15)
    assert response.status_code == expect, response.text
    return response


def log_concern(system, **concern):
    visit = {"submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
             "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
             "meeting_kind": "regular", "attendance": {"present": 25, "expected": 30},
             "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
             "concerns": [{"topic": "infrastructure", "raised_by": "resident", **concern}]}
    logged = call(system, "POST", "/visits", system.headers["cadre"], visit, 201).json()
    concern_id = logged["concerns"][0]["concern_id"]
    routed = poll(lambda: call(system, "GET", f"/concerns/{concern_id}",
                               system.headers["cadre"]).json(),
                  lambda c: c["status"] == "routed")
    return logged, concern_id, routed["case"]["case_id"]


def page(system, path, headers, expect=200):
    token = headers["Authorization"].split()[1]
    response = requests.get(f"{system.base_url}{path}", cookies={"sausat_session": token},
                            timeout=15, allow_redirects=True)
    assert response.status_code == expect, response.text[:500]
    return response.text


def mails_about(system, case_id):
    return [m for m in system.catcher.mail() if m["X-Sausat-Case"] == case_id]


def test_a_withheld_raiser_is_in_nothing_the_authority_gets(system):
    officer = system.headers["officer"]
    logged, concern_id, case_id = log_concern(
        system, summary=SAID, raised_by_name=RAISER, raised_by_contact=PHONE,
        raiser_consent=True)

    answers = [
        call(system, "GET", f"/concerns/{concern_id}", officer).text,
        call(system, "GET", f"/cases/{case_id}", officer).text,
        call(system, "GET", f"/authorities/{COMMUNE}/inbox", officer).text,
        page(system, "/app/inbox", officer),
        page(system, f"/app/cases/{case_id}", officer),
        page(system, f"/app/concerns/{concern_id}", officer),  # redirected to the case page
    ]
    [reached] = poll(lambda: [m for m in mails_about(system, case_id)
                              if m["X-RcptTo"] == COMMUNE_MAIL], bool)
    answers += [reached["Subject"], reached.get_body(("plain",)).get_content()]
    # what the monitor keeps and exports of the event that carried the concern
    answers += [str(e["payload"]) for e in poll(
        lambda: [e for e in audit_events(system, "visits.concern_raised")
                 if e["payload"]["concern_id"] == concern_id], bool)]
    assert len(answers) == 9
    for answer in answers:
        assert RAISER not in answer and "Văn Hai" not in answer and "0912" not in answer
    case = call(system, "GET", f"/cases/{case_id}", officer).json()
    assert "đèn đường xóm 2" in case["summary"] and "[đã ẩn]" in case["summary"]
    assert case["raiser_withheld"] is True
    # the cadre who carried it keeps what was said, and sees what was taken out
    [raised] = logged["concerns"]
    assert raised["summary"] == SAID and raised["withhold_raiser"] is True
    assert raised["redacted"] == ["contact", "name"]


def test_a_members_identity_reaches_the_authority_unless_withheld(system):
    said = "Đồng chí Lê Văn Cường đề nghị làm rõ kinh phí đường thôn"
    _, concern_id, case_id = log_concern(system, raised_by="party_member", summary=said)
    shown = call(system, "GET", f"/cases/{case_id}", system.headers["officer"]).json()
    assert shown["summary"] == said and shown["raiser_withheld"] is False
    _, _, withheld = log_concern(system, raised_by="party_member", summary=said,
                                 raised_by_name="Lê Văn Cường", withhold_raiser=True)
    shown = call(system, "GET", f"/cases/{withheld}", system.headers["officer"]).json()
    assert "Cường" not in shown["summary"]


def test_a_confidential_case_is_the_heads_and_the_named_officers_alone(system):
    admin = system.headers["administrator"]
    # a second officer of the commune, and the demo officer made its head
    password = "Mật-khẩu-đủ-dài-2026!"
    other = call(system, "POST", "/users", admin, {
        "username": f"tamhop-{contracts.new_id()[:6]}", "display_name": "Phạm Thị Lan",
        "password": password, "role": "authority_officer", "authority_id": COMMUNE},
        201).json()
    other_headers = system.sign_in(other["username"], password)
    head = call(system, "GET", "/me", system.headers["officer"]).json()
    made = call(system, "PATCH", f"/users/{head['user_id']}", admin,
                {"authority_head": True}).json()
    assert made["authority_head"] is True and made["authority_id"] == COMMUNE
    head_headers = system.sign_in("tamhop-officer", system.passwords["tamhop-officer"])

    _, concern_id, case_id = log_concern(system, summary=SECRET, confidential=True)
    # another officer of the holder: as if it did not exist, everywhere
    call(system, "GET", f"/cases/{case_id}", other_headers, expect=404)
    call(system, "GET", f"/concerns/{concern_id}", other_headers, expect=404)
    inbox = call(system, "GET", f"/authorities/{COMMUNE}/inbox", other_headers).text
    assert case_id not in inbox and SECRET not in inbox
    assert SECRET not in page(system, "/app/inbox", other_headers)
    assert SECRET not in page(system, f"/app/cases/{case_id}", other_headers, expect=404)
    call(system, "POST", f"/cases/{case_id}/acknowledge", other_headers, {}, expect=404)
    # the head reads and acts; only the head names who else may
    shown = call(system, "GET", f"/cases/{case_id}", head_headers).json()
    assert shown["summary"] == SECRET and shown["confidential"] is True
    assert case_id in call(system, "GET", f"/authorities/{COMMUNE}/inbox", head_headers).text
    call(system, "PUT", f"/cases/{case_id}/named-officers", other_headers,
         {"user_ids": [other["user_id"]]}, expect=404)
    named = call(system, "PUT", f"/cases/{case_id}/named-officers", head_headers,
                 {"user_ids": [other["user_id"]]}).json()
    assert named["named_officer_ids"] == [other["user_id"]]
    assert named["timeline"][-1]["action"] == "name_officers"
    assert call(system, "GET", f"/cases/{case_id}", other_headers).json()["summary"] == SECRET
    named_view = call(system, "GET", f"/authorities/{COMMUNE}/inbox", other_headers,
                      view="named").json()
    assert [c["case_id"] for c in named_view["cases"]] == [case_id]
    assert SECRET in page(system, "/app/inbox?view=named", other_headers)
    # its mail tells the commune a case came, never what it says
    reached = poll(lambda: mails_about(system, case_id), bool)
    for mail in reached:
        assert SECRET not in mail["Subject"]
        assert SECRET not in mail.get_body(("plain",)).get_content()
    # an ordinary case is still every officer's
    _, _, ordinary = log_concern(system, summary="Mương thoát nước xóm 3 tắc")
    call(system, "GET", f"/cases/{ordinary}", other_headers)


def backup_holds(system, text):
    """Which stores a backup taken now (SQLite's online backup of every service's file, as a
    backup tool does) holds ``text`` in, free pages included."""
    folder = pathlib.Path(system.env["STORE_URI"].removeprefix("embedded:"))
    holding = []
    for path in sorted(folder.rglob("*.sqlite3")):
        copy = path.with_suffix(".backup")
        with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        if text.encode() in copy.read_bytes():
            holding.append(path.name)
        copy.unlink()
    return holding


def test_a_deletion_request_removes_the_person_from_every_service_and_the_next_backup(system):
    admin = system.headers["administrator"]
    # signed in afresh: making the officer the head (above) ended their earlier tokens
    officer = system.sign_in("tamhop-officer", system.passwords["tamhop-officer"])
    said = "Đồng chí Trần Văn Dũng (0987 654 321) đề nghị công khai kinh phí làm đường thôn"
    _, concern_id, case_id = log_concern(system, raised_by="party_member", summary=said,
                                         raised_by_name="Trần Văn Dũng",
                                         raised_by_contact="0987 654 321",
                                         raiser_consent=True)
    assert "Dũng" in call(system, "GET", f"/cases/{case_id}", officer).json()["summary"]
    poll(lambda: mails_about(system, case_id), bool)
    # what the cadre typed, and the contact: in the visit, the case, the mail, the trail
    typed, contact = "Đồng chí Trần Văn Dũng", "0987 654 321"
    assert backup_holds(system, typed) and backup_holds(system, contact)

    # as the person wrote it, found whatever its case or diacritics
    recorded = call(system, "POST", "/data-subject-requests", admin, {
        "kind": "deletion", "name": "TRAN VAN DUNG", "received_on": dt.date.today().isoformat()},
        201).json()
    # DATA_SUBJECT_DELETION_DAYS (deploy/config.yml)
    assert recorded["due_on"] == (dt.date.today() + dt.timedelta(days=10)).isoformat()
    request = poll(lambda: call(system, "GET", f"/data-subject-requests/"
                                f"{recorded['request_id']}", admin).json(),
                   lambda r: r["state"] == "answered")
    assert request["answers"]["visits"]["found"] == [{"kind": "concern", "id": concern_id}]
    assert request["answers"]["visits"]["removed"] is True

    concern = call(system, "GET", f"/concerns/{concern_id}", system.headers["cadre"]).json()
    assert (concern["raised_by_name"], concern["raised_by_contact"]) == (None, None)
    assert concern["summary"] == ("Đồng chí [đã ẩn] ([đã ẩn]) đề nghị công khai kinh phí "
                                  "làm đường thôn")
    poll(lambda: call(system, "GET", f"/cases/{case_id}", officer).json()["summary"],
         lambda summary: "Dũng" not in summary)
    poll(lambda: call(system, "GET", "/notifications", admin, case_id=case_id).text,
         lambda mails: "Dũng" not in mails and case_id in mails)
    poll(lambda: [str(e["payload"]) for e in audit_events(system, "visits.concern_raised")
                  + audit_events(system, "monitor.data_subject_request_recorded")],
         lambda payloads: payloads and not any("Dũng" in p for p in payloads))
    assert backup_holds(system, typed) == [] and backup_holds(system, contact) == []
    # the administrator closes it with what the person was told
    closed = call(system, "POST", f"/data-subject-requests/{recorded['request_id']}/outcome",
                  admin, {"outcome": "Đã xóa; đã báo đồng chí Dũng ngày nhận yêu cầu"}).json()
    assert closed["state"] == "closed"


def test_a_deletion_request_about_a_cadre_user_anonymises_them_everywhere_and_in_a_backup(
        system):
    """Through the API: the request names the user only, the gateway adds their cadre; every
    service (imports' copy of the cadre too) lets go of the name, mail and telephone."""
    admin = system.headers["administrator"]
    name, mail, phone = "Hoàng Thị Xuân", "xuan.hoang@vinhphuc.example", "0977 123 456"
    call(system, "POST", "/cadres", admin, {
        "cadre_id": "hoang-thi-xuan", "full_name": name, "home_unit_id": "vinh-phuc",
        "positions": ["province_committee_member"], "email": mail, "phone": phone}, 201)
    user = call(system, "POST", "/users", admin, {
        "username": "xuan", "display_name": name, "password": "xuan-password-2026",
        "role": "cadre", "cadre_id": "hoang-thi-xuan", "email": mail}, 201).json()
    poll(lambda: backup_holds(system, mail), lambda stores: "imports.sqlite3" in stores)
    # a user that does not exist: refused, nothing recorded
    refused = call(system, "POST", "/data-subject-requests", admin, {
        "kind": "deletion", "name": name, "received_on": dt.date.today().isoformat(),
        "user_id": "khong-co-ai"}, expect=400).json()
    assert "user_id" in refused["fields"]

    recorded = call(system, "POST", "/data-subject-requests", admin, {
        "kind": "deletion", "name": name, "received_on": dt.date.today().isoformat(),
        "user_id": user["user_id"]}, 201).json()
    assert recorded["cadre_id"] == "hoang-thi-xuan"
    request = poll(lambda: call(system, "GET", f"/data-subject-requests/"
                                f"{recorded['request_id']}", admin).json(),
                   lambda r: r["state"] == "answered")
    assert request["answers"]["assignments"]["found"][0] == {"kind": "cadre",
                                                             "id": "hoang-thi-xuan"}
    refused = requests.post(f"{system.base_url}/sessions", json={
        "username": "xuan", "password": "xuan-password-2026"}, timeout=15)
    assert refused.status_code == 401
    # the request's page: its legal deadline and each service's answer
    shown = page(system, f"/app/admin/data-subject-requests/{recorded['request_id']}", admin)
    assert "Hạn trả lời theo luật" in shown and 'id="close-request"' in shown
    assert 'id="answer-accounts"' in shown and "Tài khoản" in shown
    assert "Đang chờ" not in shown and "Chưa trả lời" not in shown  # every one answered
    call(system, "POST", f"/data-subject-requests/{recorded['request_id']}/outcome", admin,
         {"outcome": "Đã xóa; đã báo đồng chí Xuân"})
    shown = page(system, f"/app/admin/data-subject-requests/{recorded['request_id']}", admin)
    assert "Đã xóa; đã báo đồng chí Xuân" in shown and name not in shown
    assert recorded["request_id"] in page(system, "/app/admin/data-subject-requests", admin)
    for detail in (name, mail, phone):
        poll(lambda: backup_holds(system, detail), lambda stores: stores == [])


def test_the_processing_notice_is_open_to_all_and_linked_where_data_is_collected(system):
    notice = requests.get(f"{system.base_url}/app/notice", timeout=15)
    assert notice.status_code == 200 and "Thông báo xử lý dữ liệu cá nhân" in notice.text
    assert "91/2025/QH15" in notice.text and "yêu cầu xóa" in notice.text
    assert "Personal data processing notice" in requests.get(
        f"{system.base_url}/app/notice", params={"lang": "en"}, timeout=15).text
    assert 'href="/app/notice"' in page(system, "/app/visits/new", system.headers["cadre"])
    assert 'href="/app/notice"' in page(system, "/app/admin/imports",
                                        system.headers["administrator"])
    # a contact is kept only with the raiser's consent
    refused = call(system, "POST", "/visits", system.headers["cadre"], {
        "submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
        "meeting_date": dt.date.today().isoformat(), "meeting_kind": "regular",
        "attendance": {"present": 25, "expected": 30},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
        "concerns": [{"topic": "land", "raised_by": "resident", "summary": "Sổ đỏ chậm",
                      "raised_by_contact": PHONE}]}, expect=400).json()
    assert "consent" in refused["fields"]["concerns"]["0"]["raised_by_contact"][0]


# --- redaction by hand: the cadre's and the authority's ------------------------------------

MARK = "[đã ẩn]"


def officer_of(system):
    """Signed in afresh: another test may have ended the officer's earlier tokens."""
    return system.sign_in("tamhop-officer", system.passwords["tamhop-officer"])


def everywhere_else(system, case_id, officer, word):
    """Where the word must be gone from, polled until it is."""
    admin = system.headers["administrator"]
    poll(lambda: call(system, "GET", f"/cases/{case_id}", officer).json()["summary"],
         lambda summary: word not in summary and MARK in summary)
    poll(lambda: call(system, "GET", "/notifications", admin, case_id=case_id).text,
         lambda mails: word not in mails and case_id in mails)
    poll(lambda: [str(e["payload"]) for e in audit_events(system, "visits.concern_raised")],
         lambda payloads: payloads and not any(word in p for p in payloads))
    poll(lambda: backup_holds(system, word), lambda holding: holding == [])


def test_the_cadre_redacts_a_name_typed_into_the_summary_everywhere(system):
    cadre, officer = system.headers["cadre"], officer_of(system)
    said = "Nhà ông Lê Văn Tám số 12 ngõ 3 bị ngập mỗi khi mưa lớn"
    _, concern_id, case_id = log_concern(system, raised_by="party_member", summary=said)
    poll(lambda: mails_about(system, case_id), bool)
    assert backup_holds(system, "Lê Văn Tám")
    # refused, and nothing changes: a word not in the text, an officer on the cadre's route
    refused = call(system, "POST", f"/concerns/{concern_id}/redactions", cadre,
                   {"words": ["Lê Văn Tám", "Nguyễn Thị Bảy"]}, 400).json()
    assert set(refused["fields"]) == {"words.1"}
    call(system, "POST", f"/concerns/{concern_id}/redactions", officer,
         {"words": ["Lê Văn Tám"]}, 403)
    assert call(system, "GET", f"/concerns/{concern_id}", cadre).json()["summary"] == said

    concern = call(system, "POST", f"/concerns/{concern_id}/redactions", cadre,
                   {"words": ["lê văn tám", "số 12 ngõ 3"]}).json()
    assert concern["summary"] == f"Nhà ông {MARK} {MARK} bị ngập mỗi khi mưa lớn"
    [done] = concern["redactions"]
    assert (done["side"], done["words"]) == ("cadre", 2) and done["by"] and done["at"]
    everywhere_else(system, case_id, officer, "Lê Văn Tám")
    assert backup_holds(system, "số 12 ngõ 3") == []


def test_the_authority_redacts_its_case_and_the_concern_follows(system):
    cadre, officer = system.headers["cadre"], officer_of(system)
    said = "Bà Đỗ Thị Mai ở xóm Đình xin hỗ trợ sửa mái nhà dột"
    _, concern_id, case_id = log_concern(system, raised_by="party_member", summary=said)
    poll(lambda: mails_about(system, case_id), bool)
    call(system, "POST", f"/cases/{case_id}/redactions", cadre, {"words": ["Đỗ Thị Mai"]}, 403)
    call(system, "POST", f"/cases/{case_id}/redactions", officer, {"words": ["Hà Nội"]}, 400)

    case = call(system, "POST", f"/cases/{case_id}/redactions", officer,
                {"words": ["Đỗ Thị Mai"]}).json()
    assert case["summary"] == f"Bà {MARK} ở xóm Đình xin hỗ trợ sửa mái nhà dột"
    line = case["timeline"][-1]
    assert line["action"] == "redact" and "Mai" not in str(line)
    concern = poll(lambda: call(system, "GET", f"/concerns/{concern_id}", cadre).json(),
                   lambda c: c["summary"] != said)
    assert concern["summary"] == case["summary"]  # the text as typed too: kept nowhere
    assert [r["side"] for r in concern["redactions"]] == ["authority"]
    everywhere_else(system, case_id, officer, "Đỗ Thị Mai")


def redact_on_page(page, words, summary_after):
    """Send the page's redaction form; the summary it then shows."""
    page.fill("#redact-words", words)
    page.click("#redact-form button[type=submit]")
    expect(page.locator("p.lead")).to_have_text(summary_after)


def select_in_summary(page, summary_id, words):
    """Select ``words`` in the summary as a mouse drag would (a DOM range over them)."""
    page.evaluate("""([id, words]) => {
        const text = document.getElementById(id).firstChild;
        const start = text.data.indexOf(words);
        const range = document.createRange();
        range.setStart(text, start);
        range.setEnd(text, start + words.length);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
    }""", [summary_id, words])


def test_both_sides_redact_from_their_pages_in_a_browser(browser, system):
    said = "Ông Phạm Văn Chín ở số 5 ngõ Đình xin lắp đèn đường"
    once = f"Ông {MARK} ở số 5 ngõ Đình xin lắp đèn đường"
    twice = f"Ông {MARK} ở {MARK} xin lắp đèn đường"
    _, concern_id, case_id = log_concern(system, raised_by="party_member", summary=said)
    cadre_context, page = signed_in(browser, system, "binh")
    page.goto(f"{system.base_url}/app/concerns/{concern_id}")
    # a word the summary does not hold: refused beside the field, nothing changes
    redact_on_page(page, "Phạm Văn Khôi", said)
    expect(page.locator("#redact-words-error")).to_contain_text("Nội dung không có cụm từ này")
    redact_on_page(page, "Phạm Văn Chín", once)
    expect(page.locator("#concern-redactions")).to_contain_text("Cán bộ mang ý kiến che")
    screenshot(page, "concern-redacted-by-cadre")
    cadre_context.close()

    officer_context, page = signed_in(browser, system, "tamhop-officer")
    page.goto(f"{system.base_url}/app/cases/{case_id}")
    expect(page.locator("p.lead")).to_have_text(once)
    # the officer selects the address in the text: the button adds it to the form
    select_in_summary(page, "case-summary", "số 5 ngõ Đình")
    page.click("#redact-pick")
    expect(page.locator("#redact-words")).to_have_value("số 5 ngõ Đình")
    page.click("#redact-form button[type=submit]")
    expect(page.locator("p.lead")).to_have_text(twice)
    expect(page.locator("body")).to_contain_text("che thông tin cá nhân trong nội dung")
    screenshot(page, "case-redacted-by-officer")
    officer_context.close()
    concern = poll(lambda: call(system, "GET", f"/concerns/{concern_id}",
                                system.headers["cadre"]).json(),
                   lambda c: len(c["redactions"]) == 2)
    assert concern["summary"] == twice
