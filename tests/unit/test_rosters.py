"""Keeping an authority's duty roster (issue 25), on an in-process store: its head or an
administrator replaces it; anyone else, or a roster that names an officer of another
authority, leaves a working day with nobody receiving, or lacks a distinct deputy and head, is
refused by name and nothing is kept."""
import datetime as dt

import pytest

from services.escalations import rosters, store
from shared.authorisation import Principal
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.unit.test_acceptance_chain import CALENDAR, COMMUNE, DISTRICT, db, vn  # noqa: F401

HEAD = Principal("giang", "authority_officer", authority_id=COMMUNE, authority_head=True)
OFFICER = Principal("an", "authority_officer", authority_id=COMMUNE)
ADMIN = Principal("admin", "administrator")
NOW = vn(2026, 10, 5, 9, 0)
ROSTER = {"rotation": ["an", "binh"], "deputy_id": "dung", "head_id": "giang",
          "starts_on": dt.date(2026, 10, 5), "leave": []}


def kept(db):  # noqa: F811
    return store.find_roster(db, COMMUNE)


@pytest.fixture
def bare(db):  # noqa: F811
    db.rosters.delete_many({})
    db.officers.insert_one({"_id": "tuan", "display_name": "Vũ Tuấn", "enabled": True,
                            "role": "authority_officer", "authority_id": DISTRICT})
    return db


def test_the_head_or_an_administrator_keeps_it_and_officers_read_it(bare):
    saved = rosters.set_roster(bare, COMMUNE, ROSTER, HEAD, NOW, CALENDAR)
    assert (saved["rotation"], saved["changed_by"]) == (["an", "binh"], "giang")
    assert saved["names"]["dung"] == "Phạm Dũng"
    rosters.set_roster(bare, COMMUNE, {**ROSTER, "rotation": ["binh"]}, ADMIN, NOW, CALENDAR)
    assert rosters.get_roster(bare, COMMUNE, OFFICER)["rotation"] == ["binh"]
    with pytest.raises(NotFound):  # another authority's officer: like a missing one
        rosters.get_roster(bare, COMMUNE, Principal("tuan", "authority_officer",
                                                    authority_id=DISTRICT))


@pytest.mark.parametrize("change, field, code", [
    ({"deputy_id": "tuan"}, "deputy_id", "not_of_this_authority"),
    ({"rotation": ["an", "nobody"]}, "rotation", "unknown_user"),
    ({"leave": [{"officer_id": "an", "first_day": dt.date(2026, 10, 5),
                 "last_day": dt.date(2026, 10, 30)},
                {"officer_id": "binh", "first_day": dt.date(2026, 10, 7),
                 "last_day": dt.date(2026, 10, 7)}]}, "rotation", "roster_nobody_on_duty"),
    ({"deputy_id": "giang"}, "head_id", "roster_chain_incomplete"),
    ({"leave": [{"officer_id": "an", "first_day": dt.date(2026, 10, 9),
                 "last_day": dt.date(2026, 10, 8)}]}, "leave", "leave_ends_before_it_starts"),
])
def test_a_roster_that_cannot_hold_is_refused_by_name_and_nothing_is_kept(bare, change, field,
                                                                           code):
    with pytest.raises(InvalidInput) as refused:
        rosters.set_roster(bare, COMMUNE, {**ROSTER, **change}, HEAD, NOW, CALENDAR)
    [why] = refused.value.fields[field]
    assert why.code == code
    assert kept(bare) is None


def test_only_the_head_or_an_administrator_changes_it(bare):
    with pytest.raises(Forbidden):
        rosters.set_roster(bare, COMMUNE, ROSTER, OFFICER, NOW, CALENDAR)
    assert kept(bare) is None
