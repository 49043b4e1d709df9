"""The duty roster's and the early warnings' mails (issue 25), worded from the catalogue in
Vietnamese with a link to the case: the officer on duty given a new case, the deputy and the
head a case nobody accepted in time; half the time gone to the holder and the assignee, three
quarters to the authority's head alone."""
import datetime as dt

from shared import contracts
from tests.english import english_in
from tests.unit.test_assignee_mail import PAGES, db, told  # noqa: F401 (db: a fixture)

DUE = dt.date(2099, 12, 10)  # never too late to warn, whenever the test runs
LINK = f"{PAGES}/app/cases/{'a' * 32}"


def test_the_officer_on_duty_then_the_deputy_and_the_head_are_told_in_vietnamese(db):  # noqa: F811
    [on_duty] = told(db, contracts.CASE_ASSIGNED, assignee_user_id="u-hung", rung="receiving")
    assert on_duty.recipient.email == "hung@tamhop.example.vn"
    assert on_duty.subject.startswith("[Sâu Sát] Ý kiến mới giao đồng chí trực tiếp nhận")
    [head] = told(db, contracts.CASE_ASSIGNED, assignee_user_id="u-head", rung="head")
    assert head.recipient.email == "truong@tamhop.example.vn"
    assert head.subject.startswith(
        "[Sâu Sát] Ý kiến chưa được tiếp nhận đúng hạn, chuyển thủ trưởng")
    assert "(thủ trưởng)" in head.body
    for mail in (on_duty, head):
        assert LINK in mail.body and not english_in(mail.subject + mail.body)


def test_half_the_time_warns_the_holder_and_three_quarters_the_head_alone(db):  # noqa: F811
    half = told(db, contracts.CASE_DEADLINE_NEAR, deadline="acknowledge", due_on=DUE,
                assignee_user_id="u-hung", share=0.5)
    assert [m.recipient.email for m in half] == ["ubnd@tamhop.example.vn",
                                                 "hung@tamhop.example.vn"]
    assert half[0].subject.startswith(
        "[Sâu Sát] Đã qua một nửa thời hạn tiếp nhận (10/12/2099)")
    [three] = told(db, contracts.CASE_DEADLINE_NEAR, deadline="answer", due_on=DUE,
                   assignee_user_id="u-hung", share=0.75, head_user_id="u-head")
    assert three.recipient.email == "truong@tamhop.example.vn"
    assert three.subject.startswith("[Sâu Sát] Đã qua ba phần tư thời hạn trả lời")
    # no head known (no roster, nobody flagged): the holder is warned instead, not nobody
    unheaded = told(db, contracts.CASE_DEADLINE_NEAR, deadline="answer", due_on=DUE,
                    share=0.75)
    assert [m.recipient.email for m in unheaded] == ["ubnd@tamhop.example.vn"]
    for mail in (*half, three):
        assert LINK in mail.body and not english_in(mail.subject + mail.body)
    # the reminder without a share is as before: "Sắp đến hạn"
    [reminder, _] = told(db, contracts.CASE_DEADLINE_NEAR, deadline="answer", due_on=DUE,
                         assignee_user_id="u-hung")
    assert reminder.subject.startswith("[Sâu Sát] Sắp đến hạn trả lời")
