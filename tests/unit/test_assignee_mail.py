"""The officer a case is assigned to hears of it (issue 24): "a case reached you" when its
head assigns it to them, and beside the authority, a deadline near, the information provided
and a rejected answer; each in Vietnamese with a link to the case page. Addresses come from
accounts' events (the directory); an officer taking a case themself is not mailed."""
import datetime as dt

import pytest

from services.notifications import cases, directory
from shared import contracts
from shared.contracts import parse_event
from tests.english import english_in
from tests.stores import MONGOMOCK_URI, open_store
from tests.unit.event_payloads import concern_raised, unit_registered

PAGES = "https://sausat.example.vn"
CASE = {"case_id": "a" * 32, "concern_id": "c1", "authority_id": "ubnd-xa-tam-hop"}


def learn(db, event_type, payload):
    directory.learn(db, parse_event(event_type.new(payload)))


@pytest.fixture
def db():
    _, database = open_store(MONGOMOCK_URI, "notifications")
    learn(database, contracts.AUTHORITY_REGISTERED, {
        "authority_id": "ubnd-xa-tam-hop", "name": "UBND xã Tam Hợp", "kind": "peoples_committee",
        "level": "grassroots", "unit_id": "vp.bx.th", "parent_authority_id": None,
        "email": "ubnd@tamhop.example.vn"})
    unit = unit_registered()
    learn(database, contracts.UNIT_REGISTERED, unit)
    learn(database, contracts.CONCERN_RAISED, concern_raised(
        concern_id="c1", unit_id=unit["unit_id"], summary="Đường thôn xuống cấp"))
    for user_id, name, email in (("u-head", "Trần Văn Trưởng", "truong@tamhop.example.vn"),
                                 ("u-hung", "Nguyễn Văn Hùng", None)):
        learn(database, contracts.USER_CREATED, {
            "user_id": user_id, "username": user_id, "display_name": name,
            "role": "authority_officer", "cadre_id": None, "authority_id": "ubnd-xa-tam-hop",
            "email": email})
    learn(database, contracts.USER_CONTACT_CHANGED, {"user_id": "u-hung",
                                                     "email": "hung@tamhop.example.vn"})
    return database


def told(db, event_type, **payload):
    return [message for _, message in cases.TELLINGS[event_type](
        db, parse_event(event_type.new({**CASE, **payload})), PAGES)]


def test_the_officer_the_head_assigns_is_mailed_in_vietnamese_with_the_case_link(db):
    [mail] = told(db, contracts.CASE_ASSIGNED, assignee_user_id="u-hung", assigned_by="u-head")
    assert (mail.recipient.kind, mail.recipient.email) == ("officer", "hung@tamhop.example.vn")
    assert mail.subject.startswith("[Sâu Sát] Vụ việc được giao cho đồng chí")
    assert "Trần Văn Trưởng giao đồng chí" in mail.body
    assert f"{PAGES}/app/cases/{'a' * 32}" in mail.body
    assert not english_in(mail.body)
    # taking it oneself: nobody to tell
    assert told(db, contracts.CASE_ASSIGNED, assignee_user_id="u-hung", assigned_by=None) == []


@pytest.mark.parametrize("event_type, payload", [
    (contracts.CASE_REOPENED, {"reason": "Chưa sửa", "answer_by": dt.date(2026, 12, 30)}),
    (contracts.CASE_INFORMATION_PROVIDED, {"information": "Đoạn 300 m",
                                           "answer_by": dt.date(2026, 12, 18)}),
    (contracts.CASE_DEADLINE_NEAR, {"deadline": "answer", "due_on": dt.date(2099, 12, 16)}),
])
def test_the_officer_working_on_it_is_told_beside_the_authority(db, event_type, payload):
    mails = told(db, event_type, assignee_user_id="u-hung", **payload)
    assert [(m.recipient.kind, m.recipient.email) for m in mails] == [
        ("authority", "ubnd@tamhop.example.vn"), ("officer", "hung@tamhop.example.vn")]
    assert mails[0].subject == mails[1].subject
    assert mails[1].body.startswith("Kính gửi Nguyễn Văn Hùng")
    assert [m.recipient.kind for m in told(db, event_type, **payload)] == ["authority"]


def test_an_officer_this_service_never_heard_of_is_listed_without_an_address(db):
    [mail] = told(db, contracts.CASE_ASSIGNED, assignee_user_id="u-unknown", assigned_by="u-head")
    assert (mail.recipient.recipient_id, mail.recipient.email) == ("u-unknown", None)
