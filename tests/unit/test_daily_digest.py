"""Each officer's daily digest (issue 25), under a fixed clock on an in-process store: from the
policy's local hour on a working day, one digest per officer of the cases they work on that
fall due within two working days, once per day however often the sweep runs; and its mail,
one list in Vietnamese with a link to each case."""
import datetime as dt
from types import SimpleNamespace

from services.escalations import digests, store
from shared import contracts
from tests.english import english_in
from tests.unit.test_acceptance_chain import CALENDAR, POLICY, db, new_case, vn  # noqa: F401
from tests.unit.test_assignee_mail import PAGES, told
from tests.unit.test_assignee_mail import db as directory  # noqa: F401

# Monday 5 October 2026: "due" is acknowledged-by Wednesday (2 working days on), "later" by
# Thursday, "nobody's" has no assignee
CASES = (("due", "an", "2026-10-07"), ("later", "an", "2026-10-08"),
         ("binh-due", "binh", "2026-10-06"), ("nobodys", None, "2026-10-06"))


def rules_at(moment):
    return SimpleNamespace(policy=POLICY, clock=SimpleNamespace(now=lambda: moment))


def stored(db):  # noqa: F811
    for case_id, assignee, due in CASES:
        store.open_case(db, new_case(vn(2026, 10, 2, 9, 0), _id=case_id, concern_id=case_id,
                                     assignee_user_id=assignee, acknowledge_by=due))


def test_one_digest_per_officer_from_the_local_hour_once_a_day(db):  # noqa: F811
    stored(db)
    assert digests.send_digests(db, rules_at(vn(2026, 10, 5, 6, 59)), vn(2026, 10, 5, 6, 59)) == 0
    seven = vn(2026, 10, 5, 7, 0)
    assert digests.send_digests(db, rules_at(seven), seven) == 2
    assert digests.send_digests(db, rules_at(seven), vn(2026, 10, 5, 9, 0)) == 0
    # a crash before the day was marked done: the sweep runs again, no digest twice
    db.digest_days.delete_many({})
    assert digests.send_digests(db, rules_at(seven), seven) == 0
    found = {doc["_id"]: doc for doc in db.digests.find()}
    assert sorted(found) == ["an:2026-10-05", "binh:2026-10-05"]
    [event] = found["an:2026-10-05"]["outbox"]
    assert event["event_type"] == "digest_compiled"
    assert [line["case_id"] for line in event["payload"]["cases"]] == ["due"]
    # Tuesday: "later" falls due within two working days now
    tuesday = vn(2026, 10, 6, 7, 30)
    assert digests.send_digests(db, rules_at(tuesday), tuesday) == 2
    [event] = db.digests.find_one({"_id": "an:2026-10-06"})["outbox"]
    assert [line["case_id"] for line in event["payload"]["cases"]] == ["due", "later"]


def test_no_digest_on_a_day_off(db):  # noqa: F811
    stored(db)
    sunday = vn(2026, 10, 4, 8, 0)
    assert digests.send_digests(db, rules_at(sunday), sunday) == 0
    assert db.digests.count_documents({}) == 0


def test_the_digest_mail_lists_each_case_with_its_link(directory):  # noqa: F811
    [mail] = told(directory, contracts.DIGEST_COMPILED, user_id="u-hung",
                  day=dt.date(2026, 10, 5),
                  cases=[{"case_id": "a" * 32, "concern_id": "c1", "deadline": "answer",
                          "due_on": dt.date(2026, 10, 7)}])
    assert mail.recipient.email == "hung@tamhop.example.vn"
    assert mail.subject == ("[Sâu Sát] Việc sắp đến hạn, ngày 05/10/2026: "
                            "1 vụ việc trong 2 ngày làm việc tới")
    assert "- Đường thôn xuống cấp: hạn trả lời hết ngày 07/10/2026" in mail.body
    assert f"{PAGES}/app/cases/{'a' * 32}" in mail.body
    assert not english_in(mail.subject + mail.body)
