"""The authority's desk, part 3: the duty roster and the warnings before a breach, through the
real processes under the test clock (issue 25):

- the head of UBND xã Tam Hợp keeps its duty roster (API, and its page in a real browser); a
  roster naming an officer of another authority, leaving a working day with nobody
  receiving, or with the head as deputy, is refused by name and changes nothing; an officer
  who is not the head gets 403 (and a page without the form);
- a routed case goes to the officer on duty, who is mailed; at half the time to accept it the
  holder and that officer are warned, at three quarters the head;
- the inbox's "sắp quá hạn" lists it once half its time is gone, and the officer's daily
  digest of what falls due within two working days;
- nobody accepting it: past the deadline the deputy is given it, four office hours later the
  head, four more and it escalates one level up; each step on the timeline and mailed, every
  mail read from the SMTP catcher, in Vietnamese, with a link to the case.
"""
import datetime as dt

import pytest
import requests
from playwright.sync_api import expect

from services.escalations import early_warnings, sla
from services.escalations.acceptance_chain import RUNG_WORKING_HOURS
from shared.clock import Clock, vietnam_midnight
from shared.words import say
from shared.working_calendar import WorkingCalendar
from tests.english import english_in
from tests.integration import test_pages_desk
from tests.integration.browser import screenshot
from tests.integration.system import poll
from tests.integration.test_pages_desk import (
    COMMUNE_MAIL,
    DISTRICT_MAIL,
    NOI_PHAT,
    api,
    mail_for,
    raise_concerns,
    signed_in,
)
from tests.integration.test_pages_phone import serious_violations

pytestmark = pytest.mark.integration

# the same running system as the desk's modules before it (each test makes its own users and
# concerns, and reads only its own case's mails)
SYSTEM = test_pages_desk.SYSTEM
AUTHORITY = "ubnd-xa-tam-hop"
# username, name, password, e-mail, head?
PEOPLE = {"on_duty": ("truc-an", "Lê Văn An", "an-pass-2026", "an@tamhop.example.vn", False),
          "deputy": ("pho-dung", "Phạm Văn Dũng", "dung-pass-2026", "dung@tamhop.example.vn",
                     False),
          "head": ("truong-giang", "Hồ Thị Giang", "giang-pass-2026",
                   "giang@tamhop.example.vn", True)}
CALENDAR = WorkingCalendar()  # the national calendar, as the demo policy's (no extra days)


@pytest.fixture(scope="module")
def people(system):
    made = {}
    for role, (username, name, password, email, head) in PEOPLE.items():
        made[role] = api(system, "administrator", "POST", "/users", {
            "username": username, "display_name": name, "password": password,
            "role": "authority_officer", "authority_id": AUTHORITY, "email": email,
            "authority_head": head})["user_id"]
        system.passwords[username] = password
    system.headers["head"] = system.sign_in(PEOPLE["head"][0], PEOPLE["head"][2])
    poll(lambda: {o["user_id"] for o in api(system, "head", "GET",
                                             f"/authorities/{AUTHORITY}/officers")["officers"]},
         lambda found: set(made.values()) <= found)
    return made


def put_roster(system, who, body):
    return requests.put(f"{system.base_url}/authorities/{AUTHORITY}/roster", json=body,
                        headers=system.headers[who], timeout=15)


def move_clock_to(system, moment):
    Clock.move(system.env["TEST_CLOCK_FILE"],
               (moment - dt.datetime.now(dt.timezone.utc)).total_seconds())


def one_mail(system, case_id, address, subject):
    """The one mail of that kind, in Vietnamese, linking to the case page."""
    [mail] = poll(lambda: mail_for(system, case_id, address, subject), bool, timeout=30)
    body = mail.get_body(("plain",)).get_content()
    assert not english_in(mail["Subject"] + "\n" + body), english_in(body)
    assert f"/app/cases/{case_id}" in body
    return body


def test_a_case_nobody_accepts_climbs_the_roster_inside_the_authority_then_escalates(
        system, people):
    today = dt.date.today()
    roster = {"rotation": [people["on_duty"]], "deputy_id": people["deputy"],
              "head_id": people["head"], "starts_on": today.isoformat(), "leave": []}
    before = requests.get(f"{system.base_url}/authorities/{AUTHORITY}/roster", timeout=15,
                          headers=system.headers["head"])
    # refused by name, nothing kept: another authority's officer, nobody on duty, not the head
    district = [u for u in api(system, "administrator", "GET", "/users?limit=500")["users"]
                if u["username"] == "binhxuyen-officer"][0]["user_id"]
    refused = put_roster(system, "head", {**roster, "deputy_id": district})
    assert refused.status_code == 400 and "not_of_this_authority" in str(refused.json())
    away = {"officer_id": people["on_duty"], "first_day": today.isoformat(),
            "last_day": (today + dt.timedelta(days=20)).isoformat()}
    refused = put_roster(system, "head", {**roster, "leave": [away]})
    assert refused.status_code == 400
    assert "everyone in turn is on leave" in refused.json()["fields"]["rotation"][0]
    assert put_roster(system, "officer", roster).status_code == 403
    after = requests.get(f"{system.base_url}/authorities/{AUTHORITY}/roster", timeout=15,
                         headers=system.headers["head"])
    assert (after.status_code, after.text) == (before.status_code, before.text)
    kept = put_roster(system, "head", roster)
    assert kept.status_code == 200, kept.text
    shown = api(system, "officer", "GET", f"/authorities/{AUTHORITY}/roster")
    assert shown["names"][people["deputy"]] == PEOPLE["deputy"][1]

    # received at 06:50 in Vietnam on a working day the system's clock has not reached yet:
    # that day's digest (compiled once, at the first sweep past 07:00) comes after the case,
    # whatever the hour the suite runs at (run after 07:00, the digest of the day the clock
    # stood on had gone out before the case existed, and the case was in none)
    day = CALENDAR.add_working_days(Clock(system.env["TEST_CLOCK_FILE"]).today(), 1)
    move_clock_to(system, vietnam_midnight(day) + dt.timedelta(hours=6, minutes=50))
    # routed: the officer on duty has it and is mailed
    summary = "Đèn đường trục chính thôn Nội Phật hỏng cả tuần"
    [case_id] = raise_concerns(system, NOI_PHAT, ("infrastructure", summary))
    case = poll(lambda: api(system, "head", "GET", f"/cases/{case_id}"),
                lambda c: c["assignee_user_id"] == people["on_duty"])
    one_mail(system, case_id, PEOPLE["on_duty"][3], "Ý kiến mới giao đồng chí trực tiếp nhận")

    # warnings: half the time (the holder and the officer on duty), three quarters (the head)
    received = dt.datetime.fromisoformat(case["received_at"])
    # a severity tier's moment in office hours, or (without tiers) the end of a day
    acknowledge_by = case["acknowledge_by"]
    passes = (dt.datetime.fromisoformat(acknowledge_by) if "T" in acknowledge_by
              else sla.deadline_at(dt.date.fromisoformat(acknowledge_by)))
    half, three = early_warnings.warnings_due(received, passes, CALENDAR)
    move_clock_to(system, half.at + dt.timedelta(minutes=1))
    for address in (COMMUNE_MAIL, PEOPLE["on_duty"][3]):
        one_mail(system, case_id, address, "Đã qua một nửa thời hạn tiếp nhận")
    # ... the officer's digest of the day lists it, with its link
    digest = poll(lambda: [m for m in system.catcher.mail()
                           if m["X-RcptTo"] == PEOPLE["on_duty"][3]
                           and m["Subject"].startswith("[Sâu Sát] Việc sắp đến hạn, ngày ")
                           and f"/app/cases/{case_id}" in m.get_body(("plain",)).get_content()],
                  bool, timeout=30)
    assert not english_in(digest[0].get_body(("plain",)).get_content())
    # ... and the inbox's "sắp quá hạn" lists it
    at_risk = api(system, "head", "GET", f"/authorities/{AUTHORITY}/inbox?due=at_risk")
    assert case_id in [listed["case_id"] for listed in at_risk["cases"]]
    move_clock_to(system, three.at + dt.timedelta(minutes=1))
    one_mail(system, case_id, PEOPLE["head"][3], "Đã qua ba phần tư thời hạn tiếp nhận")
    assert mail_for(system, case_id, COMMUNE_MAIL, "Đã qua ba phần tư") == []

    # the deadline passes: the deputy, then the head, then one level up
    step = passes + dt.timedelta(minutes=1)
    for role, subject in (("deputy", "chuyển cấp phó"), ("head", "chuyển thủ trưởng")):
        move_clock_to(system, step)
        body = one_mail(system, case_id, PEOPLE[role][3],
                        f"Ý kiến chưa được tiếp nhận đúng hạn, {subject}")
        assert summary in body
        case = poll(lambda: api(system, "head", "GET", f"/cases/{case_id}"),
                    lambda c, role=role: c["assignee_user_id"] == people[role])
        assert (case["authority_id"], case["status"]) == (AUTHORITY, "routed")
        step = CALENDAR.add_working_hours(step, RUNG_WORKING_HOURS) + dt.timedelta(minutes=5)
    move_clock_to(system, step)
    one_mail(system, case_id, DISTRICT_MAIL, "Ý kiến quá hạn được chuyển lên")
    lines = [(line["action"], line.get("assignee_user_id"))
             for line in api(system, "binhxuyen-officer", "GET", f"/cases/{case_id}")["timeline"]
             if line["action"] in ("assign", "escalate")]
    assert lines == [("assign", people["on_duty"]), ("assign", people["deputy"]),
                     ("assign", people["head"]), ("escalate", None)]


def test_the_head_keeps_the_roster_on_its_page_and_a_colleague_reads_it(browser, system,
                                                                         people):
    context, page = signed_in(browser, system, PEOPLE["head"][0])
    try:
        page.goto(f"{system.base_url}/app/roster")
        form = page.locator("#roster-form")
        form.get_by_label(say("roster_turn", turn=1)).select_option(label=PEOPLE["on_duty"][1])
        form.get_by_label(say("roster_deputy")).select_option(label=PEOPLE["head"][1])
        form.get_by_label(say("roster_head")).select_option(label=PEOPLE["head"][1])
        form.get_by_label(say("roster_starts_on")).fill(dt.date.today().isoformat())
        form.get_by_role("button", name=say("roster_save")).click()
        # the head as deputy too: refused beside the field, nothing kept
        expect(page.locator("#roster-head_id-error")).to_have_text(
            say("reason.roster_chain_incomplete"))
        assert not serious_violations(page)  # axe-core, the form with its refusal
        page.locator("#roster-form").get_by_label(say("roster_deputy")).select_option(
            label=PEOPLE["deputy"][1])
        page.locator("#roster-form").get_by_role("button", name=say("roster_save")).click()
        expect(page.locator("#done")).to_have_text(say("roster_saved"))
        expect(page.locator("#roster-rotation li")).to_have_text([PEOPLE["on_duty"][1]])
        expect(page.locator("#roster-deputy")).to_have_text(PEOPLE["deputy"][1])
        screenshot(page, "duty-roster")
        page.goto(f"{system.base_url}/app/inbox")
        page.get_by_role("link", name=say("due_filter.at_risk")).click()
        expect(page.locator("#at-risk")).to_have_attribute("aria-current", "true")
    finally:
        context.close()
    context, page = signed_in(browser, system, PEOPLE["deputy"][0])
    try:
        page.goto(f"{system.base_url}/app/roster")
        expect(page.locator("#roster-head")).to_have_text(PEOPLE["head"][1])
        expect(page.locator("#roster-form")).to_have_count(0)
    finally:
        context.close()
