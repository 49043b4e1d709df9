"""Party members through the running system (issue 29), on the shared plain demo system: an
administrator gives a branch its organisation code and imports its members; the cadre assigned
to it logs a meeting with attendance member by member, the visit getting the derived counts and
the list kept by the members service; a list naming a non-member, or counts disagreeing with
the list, are refused by name and change nothing; a members sheet's import job reports each
row's outcome, on its page and in its CSV download. The cadre logs a visit to a member's
family: the concern raised there reaches its case at escalations like a meeting's, and the
pages say where it was raised; a member of a branch the cadre cannot see is not found, a
future day or an unknown kind is refused by name, nothing written. The branch's secretary, on a
phone, finds the members nobody cares for, takes one into their care from the member's page (a
stale choice refused beside it, nothing changed), and finds them among the members in their
care."""
import base64
import datetime as dt

import pytest
import requests
from playwright.sync_api import expect

from shared import clock, contracts
from tests.integration.browser import SMALL_PHONE, screenshot, sign_in, signed_in
from tests.integration.endpoints import HUONG_CANH_1, NOI_PHAT, visit_body
from tests.integration.fixtures import PLAIN_SHARED, assert_described
from tests.integration.system import poll
from tests.integration.test_imports_path import follow
from tests.integration.test_pages_phone import serious_violations

pytestmark = pytest.mark.integration

# the plain demo system, one for every module naming it (tests/integration/fixtures.py)
SYSTEM = PLAIN_SHARED
CODE, OTHER_CODE = "0101.0031", "0102.0001"


def call(system, who, method, path, body=None):
    return requests.request(method, system.base_url + path, json=body, timeout=30,
                            headers=system.headers[who])


@pytest.fixture(scope="module")
def roll(system):
    """Nội Phật's organisation code and three members, the oldest with leading zeros."""
    answer = call(system, "administrator", "PATCH", f"/units/{NOI_PHAT}",
                  {"organisation_code": CODE})
    assert answer.status_code == 200, answer.text
    members = [{"member_code": code, "organisation_code": CODE,
                "full_name": f"Đảng viên {code}", "since": "2020-01-01"}
               for code in ("000711", "000712", "000713")]
    answer = call(system, "administrator", "POST", "/members/imports", {"items": members})
    assert answer.status_code == 200, answer.text
    assert {r["outcome"] for r in answer.json()["results"]} <= {"joined", "unchanged"}
    return [m["member_code"] for m in members]


@pytest.fixture(scope="module")
def family_contact(system, roll):
    """The cadre's visit to the first member's family, where a concern was raised."""
    body = {"submission_id": contracts.new_id(), "contacted_on": dt.date.today().isoformat(),
            "kind": "family_visit", "raised": "Hỏi thăm sức khỏe, gia đình nêu chế độ",
            "concerns": [{"topic": "social_policy", "raised_by": "party_member",
                          "summary": "Gia đình chưa nhận trợ cấp người có công"}]}
    logged = call(system, "cadre", "POST", f"/members/{roll[0]}/contacts", body)
    assert logged.status_code == 201, logged.text
    assert_described(system, "POST", "/members/<member_code>/contacts", logged)
    return body, logged.json()


def marks(present, excused=(), absent=()):
    return ([{"member_code": c, "mark": "present"} for c in present]
            + [{"member_code": c, "mark": "absent_excused", "reason": "đi công tác"}
               for c in excused] + [{"member_code": c, "mark": "absent"} for c in absent])


def test_a_meeting_logged_member_by_member_gets_the_counts_and_the_list_is_kept(system, roll):
    listed = call(system, "cadre", "GET", f"/units/{NOI_PHAT}/members")
    assert [m["member_code"] for m in listed.json()["members"]] == roll
    body = visit_body(attendance={"members": marks(roll[:1], roll[1:2], roll[2:])})
    logged = call(system, "cadre", "POST", "/visits", body)
    assert logged.status_code == 201, logged.text
    assert_described(system, "POST", "/visits", logged)
    assert logged.json()["attendance"] == {"present": 1, "expected": 3, "by_member": True}
    again = call(system, "cadre", "POST", "/visits", body)  # the phone resends: nothing new
    assert (again.status_code, again.json()["visit_id"]) == (200, logged.json()["visit_id"])
    kept = call(system, "cadre", "GET", f"/visits/attendance/{body['submission_id']}").json()
    assert (kept["visit_id"], kept["present"], kept["expected"]) == (
        logged.json()["visit_id"], 1, 3)


@pytest.mark.parametrize("attendance, field", [
    ({"members": marks(["000711", "000712", "000713", "999999"])},
     "attendance.members.3.member_code"),
    ({"members": marks(["000711", "000712"], absent=["000713"]), "present": 3}, "attendance")])
def test_a_list_naming_a_non_member_or_disagreeing_counts_are_refused_changing_nothing(
        system, roll, attendance, field):
    body = visit_body(attendance=attendance)
    refused = call(system, "cadre", "POST", "/visits", body)
    assert refused.status_code == 400, refused.text
    assert field in refused.json()["fields"], refused.json()
    assert call(system, "cadre", "GET", f"/visits/attendance/{body['submission_id']}"
                ).status_code == 404
    # no visit was logged under that submission: sent with counts only, it is new
    counted = {**body, "attendance": {"present": 2, "expected": 3}}
    assert call(system, "cadre", "POST", "/visits", counted).status_code == 201


def test_older_visits_keep_their_counts(system, roll):
    body = visit_body(submission_id=contracts.new_id(),
                      meeting_date=(dt.date.today() - dt.timedelta(days=2)).isoformat())
    logged = call(system, "cadre", "POST", "/visits", body)
    assert logged.status_code == 201, logged.text
    assert logged.json()["attendance"] == {"present": 20, "expected": 25}


def test_a_members_sheet_imported_through_the_imports_jobs_and_again_without_duplicates(
        system, browser):
    answer = call(system, "administrator", "PATCH", f"/units/{HUONG_CANH_1}",
                  {"organisation_code": OTHER_CODE})
    assert answer.status_code == 200, answer.text
    head = "Mã đảng viên,Mã tổ chức đảng,Họ và tên,Ngày vào chi bộ,Tình trạng,Ngày thôi sinh hoạt"
    first = [f"000811,{OTHER_CODE},Nguyễn Văn Tám,2020-01-01,Đang sinh hoạt,",
             f"000812,{OTHER_CODE},Lê Thị Chín,2020-01-01,,", "000813,9999.999,Trần Văn Mười,,,"]
    then = first[:1] + [f"000812,{OTHER_CODE},Lê Thị Chín,2020-01-01,Từ trần,2026-10-01",
                        first[2]]
    jobs = []
    for rows in (first, then, then):  # the last: the same sheet again, nothing doubles
        sheet = "\n".join([head, *rows, ""]).encode()
        answer = call(system, "administrator", "POST", "/imports", {
            "filename": "dang-vien.csv", "accept_valid_rows": True,
            "content_base64": base64.b64encode(sheet).decode()})
        assert answer.status_code == 202, answer.text
        job, _ = follow(system, answer.json()["import_id"])
        assert job["state"] == "done_with_errors", job  # the unknown code's row
        assert [f["because"]["code"] for f in job["failures"]] == ["unknown_organisation_code"]
        jobs.append(job)
    # each row's outcome, as POST /members/imports answers it
    assert [[(o["line"], o["outcome"]) for o in job["outcomes"]] for job in jobs] == [
        [(2, "joined"), (3, "joined")], [(2, "unchanged"), (3, "ended")],
        [(2, "unchanged"), (3, "unchanged")]]
    context, page = signed_in(browser, system, "admin")
    try:  # the import's page and its download say them in Vietnamese
        page.goto(f"{system.base_url}/app/admin/imports/{jobs[1]['import_id']}")
        expect(page.locator("#row-outcomes tbody tr").nth(1)).to_contain_text("Thôi sinh hoạt")
        report = page.request.get(
            f"{system.base_url}/app/admin/imports/{jobs[1]['import_id']}/report.csv")
        assert report.status == 200
        assert report.text().splitlines()[1:] == [
            "dang-vien.csv,2,Không đổi,,", "dang-vien.csv,3,Thôi sinh hoạt,,",
            "dang-vien.csv,4,Không ghi được,Mã tổ chức đảng,"
            "Không có đơn vị nào trong sổ đăng ký mang mã tổ chức đảng 9999.999."]
    finally:
        context.close()
    def members_on(day):
        return [m["member_code"] for m in call(
            system, "administrator", "GET",
            f"/units/{HUONG_CANH_1}/members?as_of={day}").json()["members"]]
    assert members_on("2026-09-30") == ["000811", "000812"]
    assert members_on(dt.date.today().isoformat()) == ["000811"]
    died = call(system, "administrator", "GET", "/members/000812").json()
    assert (died["status"], died["ended_on"]) == ("died", "2026-10-01")


def test_a_family_contacts_concern_reaches_its_case_and_a_resend_doubles_nothing(
        system, roll, family_contact):
    body, logged = family_contact
    concern_id = logged["concerns"][0]["concern_id"]
    concern = poll(lambda: call(system, "cadre", "GET", f"/concerns/{concern_id}").json(),
                   lambda c: c.get("case") is not None)
    case = call(system, "cadre", "GET", f"/cases/{concern['case']['case_id']}").json()
    assert (case["concern_id"], case["contact_kind"], case["raised_on"]) == (
        concern_id, "family_visit", body["contacted_on"])
    assert case["authority_id"]  # routed (or held by the triage office) with its deadlines
    again = call(system, "cadre", "POST", f"/members/{roll[0]}/contacts", body)
    assert (again.status_code, again.json()["concerns"]) == (200, logged["concerns"])
    listed = call(system, "cadre", "GET", f"/members/{roll[0]}/contacts")
    assert_described(system, "GET", "/members/<member_code>/contacts", listed)
    assert [c["submission_id"] for c in listed.json()["contacts"]] == [body["submission_id"]]


def test_contacts_out_of_sight_or_with_bad_input_are_refused_writing_nothing(system, roll):
    answer = call(system, "administrator", "PATCH", f"/units/{HUONG_CANH_1}",
                  {"organisation_code": OTHER_CODE})
    assert answer.status_code == 200, answer.text
    elsewhere = {"member_code": "000821", "organisation_code": OTHER_CODE,
                 "full_name": "Phạm Văn Hai", "since": "2020-01-01"}
    assert call(system, "administrator", "POST", "/members/imports",
                {"items": [elsewhere]}).status_code == 200
    def body(**changes):
        return {"submission_id": contracts.new_id(), "kind": "phone_call", "raised": "Hỏi thăm",
                "contacted_on": dt.date.today().isoformat(), **changes}
    before = call(system, "administrator", "GET", f"/members/{roll[1]}/contacts").json()
    assert call(system, "cadre", "POST", "/members/000821/contacts",
                body()).status_code == 404  # not Bình's branch: as for no such member
    assert call(system, "cadre", "GET", "/members/000821/contacts").status_code == 404
    # two of Vietnam's days ahead: one day of slack is allowed, and from 17:00 UTC the
    # machine's date is a day behind Vietnam's
    later = (clock.today() + dt.timedelta(days=2)).isoformat()
    for wrong, field in ((body(contacted_on=later), "contacted_on"),
                         (body(kind="meeting"), "kind")):
        refused = call(system, "cadre", "POST", f"/members/{roll[1]}/contacts", wrong)
        assert refused.status_code == 400 and field in refused.json()["fields"], refused.text
    assert call(system, "administrator", "GET", f"/members/{roll[1]}/contacts").json() == before
    # a carer sits on the branch's committee or the one above: Bình sits on neither
    refused = call(system, "administrator", "PUT", f"/members/{roll[1]}/care",
                   {"cadre_id": "tran-thi-binh"})
    assert refused.status_code == 400, refused.text
    assert "cadre_id" in refused.json()["fields"]
    assert call(system, "administrator", "GET", f"/members/{roll[1]}").json()[
        "in_care_of"] is None


def test_a_contact_logged_on_a_phone_and_its_concern_page_says_where_it_was_raised(
        system, roll, browser):
    context, page = signed_in(browser, system, "binh", SMALL_PHONE)
    try:
        page.goto(f"{system.base_url}/app/units/{NOI_PHAT}/members")
        page.locator(f"#members tr[data-member='{roll[2]}'] a").click()
        page.select_option("#contact-kind", "member_visit")
        page.fill("#contact-raised", "Đồng chí ốm, hỏi thăm")
        page.select_option("#contact-topic", "public_service")
        page.fill("#contact-summary", "Trạm y tế xã thiếu thuốc")
        page.locator("#contact-form button[type=submit]").click()
        expect(page.locator("p.notice.ok")).to_be_visible()
        expect(page.locator("#contacts li")).to_have_count(1)
        page.locator("#contacts li a").click()
        expect(page.locator("#raised-at-contact")).to_contain_text("thăm đảng viên")
    finally:
        context.close()


def test_the_branchs_cadre_reads_its_members_on_a_phone_and_not_another_branchs(
        system, roll, browser):
    context, page = signed_in(browser, system, "binh", SMALL_PHONE)
    try:
        page.goto(f"{system.base_url}/app/units/{NOI_PHAT}/members")
        expect(page.locator("#members tbody tr")).to_have_count(len(roll))
        expect(page.locator("#members tr[data-member='000711'] td").first).to_have_text(
            "000711")  # the leading zeros as the office wrote them
        expect(page.locator("#absence-flags")).to_contain_text("ba tháng trong năm")
        answer = page.goto(f"{system.base_url}/app/units/{HUONG_CANH_1}/members")
        assert answer.status == 404
    finally:
        context.close()


def test_the_branchs_secretary_takes_a_member_into_their_care_on_a_phone(
        system, roll, browser):
    secretary = f"care29-{contracts.new_id()[:8]}"  # a cadre of their own, seated on Nội Phật
    for path, body in (
            ("/cadres", {"cadre_id": secretary, "full_name": "Đỗ Thị Thu",
                         "home_unit_id": "vinh-phuc.binh-xuyen.tam-hop",
                         "positions": ["district_committee_member"], "memberships": [
                             {"unit_id": NOI_PHAT, "role": "secretary",
                              "starts_on": "2025-01-01"}]}),
            ("/users", {"username": secretary, "display_name": "Đỗ Thị Thu",
                        "password": f"{secretary}-pass-2026", "role": "cadre",
                        "cadre_id": secretary})):
        answer = call(system, "administrator", "POST", path, body)
        assert answer.status_code == 201, answer.text
    context = browser.new_context(**SMALL_PHONE, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in(page, system.base_url, secretary, f"{secretary}-pass-2026")
        page.goto(f"{system.base_url}/app/units/{NOI_PHAT}/members")
        page.locator("#uncared a").click()  # "N đảng viên chưa có người phụ trách"
        expect(page.locator("#uncared")).to_contain_text("chưa có người phụ trách")
        page.locator(f"#members tr[data-member='{roll[2]}'] a").click()
        choice = page.locator("#care-cadre_id")
        expect(choice.locator(f"option[value='{secretary}']")).to_have_count(1)
        expect(choice.locator("option[value='tran-thi-binh']")).to_have_count(0)  # no seat
        assert not serious_violations(page)
        # a choice gone stale (Bình never sat on the committee): refused beside it, unchanged
        choice.evaluate("select => { select.options[1].value = 'tran-thi-binh'; }")
        choice.select_option("tran-thi-binh")
        page.get_by_role("button", name="Phân công", exact=True).click()
        expect(page.locator("#care-cadre_id-error")).to_contain_text("Không giữ ghế cấp ủy")
        expect(page.locator("#member-carer")).to_contain_text("Chưa phân công")
        screenshot(page, "phone-360-member-carer-refused")
        choice.select_option(secretary)
        page.get_by_role("button", name="Phân công", exact=True).click()
        expect(page.locator("p.notice.ok")).to_contain_text("Đã phân công cán bộ phụ trách.")
        expect(page.locator("#member-carer")).to_contain_text("Đỗ Thị Thu")
        page.goto(f"{system.base_url}/app/members-in-care")
        expect(page.locator(f"#in-care tr[data-member='{roll[2]}']")).to_have_count(1)
    finally:
        context.close()
    assert call(system, "cadre", "GET", f"/members/{roll[2]}").json()["in_care_of"][
        "cadre_id"] == secretary
