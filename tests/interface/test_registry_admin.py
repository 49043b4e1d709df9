"""The registry as the administrator's pages read and change it (issue 24): units and cadres
searched and read a page at a time however many there are, a unit's children, its details
changed as one ``unit_details_changed`` naming who and what (nothing when nothing changed),
and a committee membership ending before it began refused beside its day."""
import pytest

from shared.errors import InvalidInput
from tests.interface import test_registry_history
from tests.interface.helpers import drain, wait_for

registry = test_registry_history.registry  # the same small tree and cadres


def every_page(call, query, key):
    """Every row of a list read ``limit`` at a time, following ``next_cursor``."""
    rows, cursor = [], None
    for _ in range(100):
        page = call({**query, **({"cursor": cursor} if cursor else {})})
        rows += page[key]
        cursor = page["next_cursor"]
        if cursor is None:
            return rows
    raise AssertionError("the list never ended")


def test_units_and_cadres_are_searched_and_paged_by_the_registry(registry):
    branches = [{"unit_id": f"np-{n:03}", "name": f"Chi bộ tổ {n:03}", "level": "branch",
                 "parent_id": "th"} for n in range(12)]
    results = registry.register_many({"kind": "units", "items": branches})["results"]
    assert all("registered" in result for result in results)
    found = every_page(registry.list_units, {"q": "CHI BO TO 0", "limit": 5}, "units")
    assert [u["unit_id"] for u in found] == [b["unit_id"] for b in branches]
    assert [u["unit_id"] for u in registry.list_units({"q": "to 011"})["units"]] == ["np-011"]
    under = every_page(registry.list_units, {"parent_id": "th", "limit": 4}, "units")
    assert {u["unit_id"] for u in under} == {"np", *(b["unit_id"] for b in branches)}
    assert [u["unit_id"] for u in registry.list_units({"level": "grassroots"})["units"]] == [
        "hc", "th"]
    assert [c["cadre_id"] for c in registry.list_cadres({"q": "tran thi"})["cadres"]] == ["binh"]
    with pytest.raises(InvalidInput) as nothing:
        registry.list_units({"q": "!!"})
    assert "q" in nothing.value.fields


def test_a_units_details_change_is_told_once_naming_what_changed(registry, config):
    schedule = {"frequency": "quarterly", "day_of_month": 10, "note": "tại nhà văn hóa"}
    changed = registry.change_unit_details("np", {"meeting_schedule": schedule})
    assert changed["meeting_schedule"] == schedule and changed["locality"] == "thôn Nội Phật"
    again = registry.change_unit_details("np", {"meeting_schedule": schedule,
                                                "locality": "thôn Nội Phật"})
    assert again == changed  # nothing new: nothing told
    registry.change_unit_details("np", {"locality": "xóm Nội Phật"})
    told = []
    wait_for(lambda: told.extend(body for body, _ in drain(config, "monitor.audit")
                                 if body["event_type"] == "unit_details_changed")
             or len(told) >= 2, what="unit_details_changed events")
    assert [body["payload"] for body in told] == [
        {"unit_id": "np", "changed": ["meeting_schedule"]},
        {"unit_id": "np", "changed": ["locality"]}]
    with pytest.raises(InvalidInput) as bad:
        registry.change_unit_details("np", {"meeting_schedule": {**schedule,
                                                                 "day_of_month": 32}})
    assert "meeting_schedule" in bad.value.fields
    assert registry.get_unit("np")["locality"] == "xóm Nội Phật"


def test_a_membership_ending_before_it_began_is_refused_beside_its_day(registry):
    secretary = {"unit_id": "th", "role": "secretary", "starts_on": "2025-10-01"}
    registry.change_cadre("binh", {"memberships": [secretary]})
    with pytest.raises(InvalidInput) as refused:
        registry.change_cadre("binh", {"memberships": [{**secretary,
                                                        "ends_on": "2025-09-30"}]})
    assert set(refused.value.fields["memberships"]["0"]) == {"ends_on"}
    assert registry.get_cadre("binh")["memberships"] == [{**secretary, "ends_on": None}]


def test_a_pages_cadres_are_named_by_id_in_one_call_names_only(registry):
    named = registry.cadre_names({"cadre_ids": ["binh", "an", "nobody", "binh"]})["cadres"]
    assert sorted(named, key=lambda c: c["cadre_id"]) == [
        {"cadre_id": "an", "name": "Nguyễn Văn An"},
        {"cadre_id": "binh", "name": "Trần Thị Bình"}]  # unknown left out, no contact
    for bounded in ([], [f"c{n}" for n in range(201)]):
        with pytest.raises(InvalidInput) as refused:
            registry.cadre_names({"cadre_ids": bounded})
        assert "cadre_ids" in refused.value.fields
