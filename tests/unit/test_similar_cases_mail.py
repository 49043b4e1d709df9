"""Mail for a case other branches raised too (issue 25): once another branch's concern is
attached to a case (``case_joined``), the cadre who carried it is mailed of the case's answer,
a question and an interim reply, each of their own concern, beside the cadre of the case's own;
whoever raised it and left an address is told of the answer too."""
import datetime as dt
from types import SimpleNamespace

import pytest

from services.notifications import cases, reactions
from shared import contracts
from shared.contracts import parse_event
from tests.stores import MONGOMOCK_URI, open_store
from tests.unit.event_payloads import authority_registered, concern_raised, unit_registered
from tests.unit.test_assignee_mail import learn

CASE = {"case_id": "a" * 32, "concern_id": "c1", "authority_id": "ubnd-xa-tam-hop"}
CADRES = {"c1": ("tran-thi-binh", "Trần Thị Bình"), "c2": ("le-van-an", "Lê Văn An")}


@pytest.fixture
def db():
    _, database = open_store(MONGOMOCK_URI, "notifications_similar")
    learn(database, contracts.AUTHORITY_REGISTERED, authority_registered())
    learn(database, contracts.UNIT_REGISTERED, unit_registered())
    for concern_id, (cadre_id, name) in CADRES.items():
        learn(database, contracts.CADRE_REGISTERED, {
            "cadre_id": cadre_id, "full_name": name, "home_unit_id": "vp.bx",
            "positions": ["district_committee_member"], "email": f"{cadre_id}@example.vn"})
        learn(database, contracts.CONCERN_RAISED, concern_raised(
            concern_id=concern_id, unit_id="vp.bx", summary=f"Đường hỏng ({concern_id})"))
        learn(database, contracts.VISIT_LOGGED, {
            "visit_id": f"v-{concern_id}", "unit_id": "vp.bx", "cadre_id": cadre_id,
            "meeting_date": dt.date(2026, 12, 5), "meeting_kind": "regular",
            "concern_ids": [concern_id]})
    return database


def told(db, event_type, **payload):
    return [message for _, message in cases.TELLINGS[event_type](
        db, parse_event(event_type.new({**CASE, **payload})), "https://sausat.example.vn")]


ANSWERED = {"answer": "Đã sửa đường", "answered_at": dt.datetime(2026, 12, 9, tzinfo=dt.UTC)}


def test_each_cadre_who_carried_it_is_told_of_their_own_concern_once_joined(db):
    assert [m.recipient.recipient_id for m in told(db, contracts.CASE_ANSWERED, **ANSWERED)] == [
        "tran-thi-binh"]
    learn(db, contracts.CASE_JOINED, {**CASE, "concern_id": "c2", "unit_id": "vp.bx",
                                      "status": "acknowledged", "due_on": None,
                                      "branch_count": 2})
    mails = told(db, contracts.CASE_ANSWERED, **ANSWERED)
    assert [(m.recipient.recipient_id, m.recipient.email) for m in mails] == [
        ("tran-thi-binh", "tran-thi-binh@example.vn"), ("le-van-an", "le-van-an@example.vn")]
    assert "Đường hỏng (c2)" in mails[1].body and "Đã sửa đường" in mails[1].body
    asked = told(db, contracts.CASE_INFORMATION_REQUESTED, question="Đoạn nào?")
    assert [m.recipient.recipient_id for m in asked] == ["tran-thi-binh", "le-van-an"]
    interim = told(db, contracts.CASE_INTERIM_REPLIED, committed_on=dt.date(2026, 12, 30),
                   original_answer_by=dt.date(2026, 12, 16), note="Chờ kinh phí")
    assert [m.recipient.recipient_id for m in interim] == ["tran-thi-binh", "le-van-an"]


def test_the_raiser_of_an_attached_concern_is_told_of_the_answer(db):
    learn(db, contracts.CASE_JOINED, {**CASE, "concern_id": "c2", "unit_id": "vp.bx",
                                      "status": "acknowledged", "due_on": None,
                                      "branch_count": 2})
    queued = []
    outbox = SimpleNamespace(settings={"PAGES_URL": "https://sausat.example.vn"},
                             enqueue=lambda event, message, case_id: queued.append(message))
    visits = SimpleNamespace(raiser_to_tell=lambda concern_id: {
        "email": "nguoi-dan@example.vn", "token": "t" * 32, "receipt_code": None}
        if concern_id == "c2" else None)
    event = parse_event(contracts.CASE_ANSWERED.new({**CASE, **ANSWERED}))
    reactions.tell_raiser(db, outbox, event, visits)
    assert [(m.recipient.kind, m.recipient.recipient_id, m.recipient.email) for m in queued] == [
        ("raiser", "c2", "nguoi-dan@example.vn")]
