"""What the members service keeps of a person (issue 29; docs/members.md): a request finds the
member, the attendance lists marking them and the access log's reads naming them; a deletion
keeps a member on a roll (the Party organisation's record) and erases a former one; the
retention sweep erases former members past their period, on a hand-made set of dates, and
finishes an erasure a crash cut short. Both stores (the embedded one and mongomock)."""
import datetime as dt

import pytest

from services.members import people, store
from services.members.retention import FORMER_MEMBERS
from shared import data_subjects
from shared.personal_data import COLLECTION as READS

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone.utc)
KEPT_FOR = 730


def member(code, name, status="active", ended_on=None):
    return {"_id": code, "member_code": code, "full_name": name, "organisation_code": "0101.003",
            "unit_id": "np", "status": status, "since": "2020-01-01", "ended_on": ended_on,
            "end_note": "chuyển sinh hoạt" if ended_on else None,
            "history": [{"unit_id": "np", "since": "2020-01-01", "until": ended_on}]}


@pytest.fixture
def branch(database):
    """Nội Phật's roll: Dũng on it, Hà who moved away in 2026, Tâm who died in 2023; a meeting
    marking all three, another without Tâm; reads of the roll."""
    db = database
    for held in (member("00123", "Trần Văn Dũng"),
                 member("00124", "Nguyễn Thị Hà", "left", "2026-03-31"),
                 member("00125", "Lê Văn Tâm", "died", "2023-05-10")):
        db.members.insert_one(held)
    db.attendance.insert_one({"_id": "s-jan", "unit_id": "np", "meeting_date": "2023-01-05",
                              "visit_id": "v1", "marks": [
                                  {"member_code": "00123", "mark": "present"},
                                  {"member_code": "00124", "mark": "absent_excused",
                                   "reason": "ốm"},
                                  {"member_code": "00125", "mark": "absent"}]})
    db.attendance.insert_one({"_id": "s-jun", "unit_id": "np", "meeting_date": "2023-06-05",
                              "visit_id": "v2", "marks": [
                                  {"member_code": "00123", "mark": "present"},
                                  {"member_code": "00124", "mark": "present"}]})
    db[READS].insert_one({"_id": "read-1", "user_id": "u-binh", "purpose": "members.list",
                          "read_at": NOW, "record_ids": ["00123", "00124", "00125"]})
    db[READS].insert_one({"_id": "read-2", "user_id": "u-hoa", "purpose": "members.get",
                          "read_at": NOW, "record_ids": ["00124"]})
    return db


def request(kind, name, request_id=None):
    return {"request_id": request_id or f"r-{kind}", "kind": kind, "name": name,
            "contact": None, "user_id": None, "cadre_id": None}


def answer_of(db, request_id):
    stored = list(db[data_subjects.ANSWERS].find({"_id": request_id}))
    [event] = stored[0]["outbox"]
    return event["payload"], len(stored)


def marks_of(db, submission_id):
    return db.attendance.find_one({"_id": submission_id})["marks"]


def test_an_access_request_finds_the_member_the_lists_marking_them_and_the_reads(branch):
    db = branch
    people.answer_request(db, request("access", "NGUYEN THI HA"))  # without diacritics
    answer, _ = answer_of(db, "r-access")
    member_found = answer["found"][-1]
    assert answer == {"request_id": "r-access", "removed": False, "found": [
        {"kind": "attendance", "id": "s-jan"}, {"kind": "attendance", "id": "s-jun"},
        {"kind": "personal_data_read", "id": "read-1"},
        {"kind": "personal_data_read", "id": "read-2"}, member_found]}
    # the member named by a reference of this answer, never the code (an event carries it)
    assert member_found["kind"] == "member" and "00124" not in member_found["id"]
    assert member_found["id"].startswith(people.MEMBER_REFERENCE)
    assert db.members.count_documents({}) == 3
    assert marks_of(db, "s-jan")[1] == {"member_code": "00124", "mark": "absent_excused",
                                        "reason": "ốm"}


def test_a_name_on_no_roll_finds_nothing(branch):
    people.answer_request(branch, request("deletion", "Trần Văn Hai"))
    assert answer_of(branch, "r-deletion")[0] == {"request_id": "r-deletion", "found": [],
                                                  "removed": False}


def test_a_deletion_keeps_a_member_on_a_roll_and_says_why(branch):
    db = branch
    people.answer_request(db, request("deletion", "Trần Văn Dũng"))
    answer, _ = answer_of(db, "r-deletion")
    assert (answer["removed"], answer["kept_because"]) == (False, "member_record_kept")
    assert [f["kind"] for f in answer["found"]].count("member") == 1
    assert db.members.find_one({"_id": "00123"})["full_name"] == "Trần Văn Dũng"
    assert marks_of(db, "s-jun")[0] == {"member_code": "00123", "mark": "present"}
    assert "00123" in db[READS].find_one({"_id": "read-1"})["record_ids"]


def test_a_deletion_erases_a_former_member_everywhere_once(branch):
    db = branch
    people.answer_request(db, request("deletion", "nguyễn thị hà"))
    answer, _ = answer_of(db, "r-deletion")
    assert answer["removed"] is True and "kept_because" not in answer
    assert db.members.find_one({"_id": "00124"}) is None
    jan, jun = marks_of(db, "s-jan"), marks_of(db, "s-jun")
    # the meeting's marks stay (its counts), without the code or the reason
    erased = jan[1]["member_code"]
    assert erased.startswith("da-xoa-") and jan[1] == {"member_code": erased,
                                                       "mark": "absent_excused"}
    assert jun[1] == {"member_code": erased, "mark": "present"}
    assert jan[0] == {"member_code": "00123", "mark": "present"}  # the others as they were
    assert db[READS].find_one({"_id": "read-1"})["record_ids"] == ["00123", erased, "00125"]
    assert db[READS].find_one({"_id": "read-2"})["record_ids"] == [erased]
    # nothing names her any more: a second request finds nothing
    people.answer_request(db, request("access", "Nguyễn Thị Hà", "r-again"))
    assert answer_of(db, "r-again")[0]["found"] == []
    # the same request redelivered is answered once
    people.answer_request(db, request("deletion", "Nguyễn Thị Hà"))
    assert answer_of(db, "r-deletion")[1] == 1


def test_a_name_two_members_bear_erases_nobody(branch):
    db = branch
    db.members.insert_one(member("00900", "Nguyen Thi Ha", "left", "2025-01-01"))
    people.answer_request(db, request("deletion", "Nguyễn Thị Hà"))
    answer, _ = answer_of(db, "r-deletion")
    assert (answer["removed"], answer["kept_because"]) == (False, "member_namesakes")
    named = [f["id"] for f in answer["found"] if f["kind"] == "member"]
    assert len(set(named)) == 2 and not {"00124", "00900"} & set(named)
    assert db.members.count_documents({}) == 4
    assert marks_of(db, "s-jun")[1]["member_code"] == "00124"


def sweep(db, now=NOW):
    return FORMER_MEMBERS.due(db, now, {"RETENTION_FORMER_MEMBER_DAYS": KEPT_FOR})


def test_the_sweep_erases_former_members_past_their_period_and_no_one_else(branch):
    db = branch
    # Tâm died 2023-05-10: past 730 days; Hà left 2026-03-31: within; Dũng is on the roll
    db.members.insert_one(member("00126", "Phạm Văn Lộc", "left", "2024-12-07"))  # 730 days
    db.members.insert_one(member("00127", "Đỗ Thị Mai", "left", "2024-12-06"))    # 731 days
    assert sweep(db) == 2
    assert sorted(m["_id"] for m in db.members.find()) == ["00123", "00124", "00126"]
    jan = marks_of(db, "s-jan")
    assert jan[2]["member_code"].startswith("da-xoa-") and jan[2]["mark"] == "absent"
    assert db[READS].find_one({"_id": "read-1"})["record_ids"][:2] == ["00123", "00124"]
    assert sweep(db) == 0  # run again: nothing more
    # a day later Lộc's period is over too
    assert sweep(db, NOW + dt.timedelta(days=1)) == 1
    assert db.members.find_one({"_id": "00126"}) is None


def test_a_sweep_cut_short_by_a_crash_is_finished_by_the_next(branch, monkeypatch):
    db = branch
    real = store.erase_naming

    def crash_at_the_member(db, naming, code, erased_code):
        if naming.collection == "members":
            raise RuntimeError("the process was killed")
        real(db, naming, code, erased_code)

    monkeypatch.setattr(store, "erase_naming", crash_at_the_member)
    with pytest.raises(RuntimeError):
        sweep(db)
    assert db.members.find_one({"_id": "00125"}) is not None  # found again next time
    monkeypatch.setattr(store, "erase_naming", real)
    assert sweep(db) == 1
    assert db.members.find_one({"_id": "00125"}) is None
    assert all(m["member_code"] != "00125" for m in marks_of(db, "s-jan"))


def test_the_monitor_files_the_answer_with_why_it_kept_the_records(branch):
    """The answer as the monitor files it on the request (what the request's page shows)."""
    import json
    from types import SimpleNamespace

    from services.monitor import requests as monitor_requests
    from shared.contracts.envelope import parse_event
    from shared.contracts.rpc.operations import DataSubjectRequest
    db = branch
    recorded = monitor_requests.record_request(
        db, {"kind": "deletion", "name": "Trần Văn Dũng", "contact": None, "note": "",
             "received_on": NOW.date()}, SimpleNamespace(user_id="u-admin"), NOW,
        {"DATA_SUBJECT_DELETION_DAYS": 10})
    people.answer_request(db, request("deletion", "Trần Văn Dũng", recorded["_id"]))
    [event] = db[data_subjects.ANSWERS].find_one({"_id": recorded["_id"]})["outbox"]
    monitor_requests.file_answer(db, parse_event(json.loads(json.dumps(event))))
    filed = DataSubjectRequest().dump(monitor_requests.get_request(db, recorded["_id"]))
    assert (filed["answers"]["members"]["removed"],
            filed["answers"]["members"]["kept_because"]) == (False, "member_record_kept")


def test_an_erased_former_members_absences_flag_no_one(branch):
    from services.members import absence, queries
    db = branch
    for month in (2, 3):  # Tâm missed three months of 2023 before he died
        db.attendance.insert_one({"_id": f"s-{month}", "unit_id": "np", "visit_id": f"v{month}",
                                  "meeting_date": f"2023-0{month}-05",
                                  "marks": [{"member_code": "00125", "mark": "absent"}]})

    def flagged():
        found = queries.absence_flags(db, "np", 2023, "2026-12-07", None, None, absence.load())
        return [flag["member_code"] for flag in found["flags"]]
    assert flagged() == ["00125"]
    sweep(db)
    assert flagged() == []


def test_a_former_members_care_and_contacts_are_found_and_erased_with_them(branch):
    db = branch
    db.contacts.insert_one({"_id": "s-contact", "member_code": "00124", "unit_id": "np",
                            "day": "2026-02-10", "kind": "family_visit",
                            "raised": "Mẹ đảng viên ốm, cần hỗ trợ", "cadre_id": "c-binh"})
    db.care.insert_one({"_id": "00124", "cadre_id": "c-binh", "since": "2025-01-01",
                        "history": []})
    db.care.insert_one({"_id": "00123", "cadre_id": "c-binh", "since": "2025-01-01",
                        "history": []})
    people.answer_request(db, request("access", "Nguyễn Thị Hà"))
    found = answer_of(db, "r-access")[0]["found"]
    assert {"kind": "member_contact", "id": "s-contact"} in found
    care = [f["id"] for f in found if f["kind"] == "member_care"]
    assert len(care) == 1 and care[0] != "00124"  # keyed by the code: named by a reference
    people.answer_request(db, request("deletion", "Nguyễn Thị Hà"))
    assert db.contacts.find_one({"_id": "s-contact"}) is None
    assert db.care.find_one({"_id": "00124"}) is None
    assert db.care.find_one({"_id": "00123"})["cadre_id"] == "c-binh"  # the others kept
