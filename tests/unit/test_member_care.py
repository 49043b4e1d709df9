"""Who is in whose care (issue 29; services/members/care.py), on an in-process store
(mongomock) and a hand-made registry: Hòa sits on Nội Phật's committee, Lan on the commune's
(the grassroots committee above Nội Phật and Nam Tiến); Bình is assigned to Nội Phật without a
seat; Dũng sees nothing. A carer holds a seat on the branch's committee or the one above; who
else is named is refused by name, nothing written; the carer sees the members in their care
across branches while they hold the seat, and may log contacts with them."""
import datetime as dt

import pytest

from services.members import care, contacts, store
from shared.authorisation import Principal
from shared.contracts.rpc.contacts import LogContact
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.stores import MONGOMOCK_URI, open_store

TODAY = dt.date(2026, 12, 7)
ADMIN = Principal("u-admin", "administrator")
HOA, LAN = Principal("u-hoa", "cadre", cadre_id="hoa"), Principal("u-lan", "cadre", cadre_id="lan")
BINH = Principal("u-binh", "cadre", cadre_id="binh")
DUNG = Principal("u-dung", "cadre", cadre_id="dung")


class Registry:
    def __init__(self):
        self.seats = {"hoa": [{"unit_id": "np", "starts_on": "2025-01-01"}],
                      "lan": [{"unit_id": "th", "starts_on": "2025-01-01", "ends_on": None}],
                      "binh": [], "dung": []}

    def list_unit_assignments(self, unit_id, day):
        return [{"cadre_id": "binh"}] if unit_id == "np" else []

    def get_cadre(self, cadre_id):
        if cadre_id not in self.seats:
            raise NotFound("cadre not found", {"cadre_id": [cadre_id]})
        return {"cadre_id": cadre_id, "memberships": self.seats[cadre_id]}

    def get_unit(self, unit_id):
        return {"unit_id": unit_id, "parent_id": "th", "level": "branch"}

    def committee_seats(self, query):  # as the registry answers: seats on those committees
        return {"cadres": [
            {"cadre_id": cadre_id, "name": cadre_id.title(), "memberships": [
                {"role": "member", **seat} for seat in seats
                if seat["unit_id"] in query["unit_ids"]]}
            for cadre_id, seats in sorted(self.seats.items())
            if any(seat["unit_id"] in query["unit_ids"] for seat in seats)]}


@pytest.fixture
def db():
    client, database = open_store(MONGOMOCK_URI, "members_care")
    for code, unit in (("00123", "np"), ("00200", "nt")):
        database.members.insert_one({
            "_id": code, "member_code": code, "unit_id": unit, "status": "active",
            "full_name": f"Đảng viên {code}", "since": "2026-01-01",
            "history": [{"unit_id": unit, "since": "2026-01-01", "until": None}]})
    yield database
    client.close()


def test_a_carer_sits_on_the_branchs_committee_or_the_one_above_and_history_is_kept(db):
    registry = Registry()
    assert care.put(db, "00123", "hoa", ADMIN, registry, TODAY)["cadre_id"] == "hoa"
    moved = care.put(db, "00123", "lan", HOA, registry, TODAY)  # a committee member shares out
    assert (moved["cadre_id"], [h["cadre_id"] for h in moved["history"]]) == ("lan", ["hoa"])
    for named in ("binh", "ghost"):  # assigned without a seat; no such cadre
        with pytest.raises(InvalidInput) as refused:
            care.put(db, "00123", named, ADMIN, registry, TODAY)
        assert refused.value.reasons["cadre_id"][0]["code"] == "not_on_committee"
    assert store.care_of(db, "00123")["cadre_id"] == "lan"  # nothing written
    assert care.with_carers(db, [{"_id": "00123"}, {"_id": "00200"}]) == [
        {"_id": "00123", "in_care_of": {"cadre_id": "lan", "since": "2026-12-07"}},
        {"_id": "00200", "in_care_of": None}]


def test_only_an_administrator_or_a_committee_member_puts_someone_in_care(db):
    registry = Registry()
    with pytest.raises(Forbidden):  # sees the branch, sits on no committee of it
        care.put(db, "00123", "hoa", BINH, registry, TODAY)
    with pytest.raises(NotFound):  # does not even see it
        care.put(db, "00123", "hoa", DUNG, registry, TODAY)
    assert store.care_of(db, "00123") is None


def test_the_carer_sees_the_members_in_their_care_across_branches_while_seated(db):
    registry = Registry()
    care.put(db, "00123", "lan", ADMIN, registry, TODAY)
    care.put(db, "00200", "lan", ADMIN, registry, TODAY)
    shown = care.in_care_of(db, LAN, registry, TODAY)["members"]
    assert [(m["_id"], m["unit_id"]) for m in shown] == [("00123", "np"), ("00200", "nt")]
    assert db.personal_data_reads.find_one({"user_id": "u-lan"})["record_ids"] == [
        "00123", "00200"]
    given = LogContact().load({"submission_id": "c-1", "contacted_on": "2026-12-06",
                               "kind": "phone_call", "raised": "Hỏi thăm"})
    kept = contacts.log(db, "00200", given, LogContact().dump(given), LAN, registry, None,
                        TODAY)  # no concern raised: visits is not asked
    assert kept["confirmed"]
    with pytest.raises(NotFound):
        contacts.of_member(db, "00200", DUNG, registry, TODAY)
    registry.seats["lan"] = [{"unit_id": "th", "starts_on": "2025-01-01",
                              "ends_on": "2026-12-01"}]  # off the committee since
    assert care.in_care_of(db, LAN, registry, TODAY)["members"] == []
    with pytest.raises(NotFound):
        contacts.of_member(db, "00200", LAN, registry, TODAY)


def test_the_choice_of_a_carer_is_offered_to_who_may_set_it_among_todays_seat_holders():
    registry = Registry()
    registry.seats["cuong"] = [{"unit_id": "np", "starts_on": "2025-01-01",
                                "ends_on": "2026-11-30"},  # left the seat last week
                               {"unit_id": "elsewhere", "starts_on": "2025-01-01"}]
    offered = care.choices(HOA, "np", registry, TODAY)
    assert offered["may_choose"] is True
    assert [(c["cadre_id"], [s["unit_id"] for s in c["seats"]])
            for c in offered["cadres"]] == [("hoa", ["np"]), ("lan", ["th"])]
    assert [c["cadre_id"] for c in care.choices(ADMIN, "np", registry, TODAY)["cadres"]] == [
        "hoa", "lan"]
    for unseated in (BINH, DUNG):  # sees the branch without a seat; sees nothing
        assert care.choices(unseated, "np", registry, TODAY) == {
            "unit_id": "np", "as_of": "2026-12-07", "may_choose": False, "cadres": []}
    registry.seats["hoa"] = [{"unit_id": "np", "starts_on": "2026-12-08"}]  # from tomorrow
    assert care.choices(HOA, "np", registry, TODAY)["may_choose"] is False
    def merged(unit_id):  # the branch no longer exists today: its member's page still reads
        raise NotFound("unit not found", {"unit_id": [unit_id]})
    registry.get_unit = merged
    assert care.choices(ADMIN, "np", registry, TODAY)["cadres"] == []


def test_a_members_carers_before_are_listed_the_latest_first(db):
    registry = Registry()
    assert care.history_of(db, "00123") == []
    care.put(db, "00123", "hoa", ADMIN, registry, dt.date(2026, 12, 1))
    care.put(db, "00123", "lan", ADMIN, registry, dt.date(2026, 12, 3))
    care.put(db, "00123", "hoa", ADMIN, registry, TODAY)
    assert [(h["cadre_id"], h["since"], h["until"]) for h in care.history_of(db, "00123")] == [
        ("lan", "2026-12-03", "2026-12-07"), ("hoa", "2026-12-01", "2026-12-03")]
    listed = contacts.of_member(db, "00123", ADMIN, registry, TODAY)
    assert [h["cadre_id"] for h in listed["care_history"]] == ["lan", "hoa"]


def test_the_registry_answers_who_sits_on_the_committees_asked_with_those_seats_alone():
    from services.assignments import queries
    client, registry_db = open_store(MONGOMOCK_URI, "registry_seats")
    try:
        registry_db.cadres.insert_many([
            {"_id": "hoa", "full_name": "Lê Thị Hòa", "email": "hoa@example.vn",
             "memberships": [{"unit_id": "np", "role": "secretary"},
                             {"unit_id": "bx", "role": "member"}]},
            {"_id": "lan", "full_name": "Phạm Thị Lan",
             "memberships": [{"unit_id": "th", "role": "member", "ends_on": "2026-01-01"}]},
            {"_id": "binh", "full_name": "Trần Thị Bình", "memberships": []}])
        found = queries.committee_seats(registry_db, {"unit_ids": ["np", "th"]})
        assert [(c["_id"], [s["unit_id"] for s in c["memberships"]]) for c in found] == [
            ("hoa", ["np"]), ("lan", ["th"])]  # ended seats too: the day is the caller's rule
        assert "email" not in found[0]  # names and seats only
    finally:
        client.close()
