"""A unit's and a cadre's forms read as the registry's calls (issue 24): moves, merges and
splits from a day, details, committee memberships; what the page refuses itself names the
field and sends nothing; and a list small by nature paged the way a service pages."""
import datetime as dt

import pytest

from services.gateway.pages import admin_forms
from services.gateway.pages import admin_tree_forms as forms
from shared.contracts.rpc.registry import ChangeCadre, ChangeUnitDetails, Reorganise

UNIT = {"unit_id": "vp.bx.th", "name": "Đảng bộ xã Tam Hợp", "level": "grassroots",
        "kind": None, "parent_id": "vp.bx", "path": ["vp", "vp.bx", "vp.bx.th"],
        "locality": None, "meeting_schedule": None}
DAY = {"operation_id": "op-1", "effective_on": "2025-07-01"}


def test_a_move_is_the_registrys_move_and_loads_as_one():
    body, refused = forms.moving({**DAY, "parent_id": "vp", "reason": "Bỏ cấp huyện"}, UNIT)
    assert refused == {}
    assert body == {"operation_id": "op-1", "kind": "move", "unit_id": "vp.bx.th",
                    "effective_on": "2025-07-01", "reason": "Bỏ cấp huyện", "parent_id": "vp"}
    assert Reorganise().load(body)["parent_id"] == "vp"


@pytest.mark.parametrize("left_out", ["parent_id", "effective_on"])
def test_a_move_without_its_parent_or_day_is_refused_beside_it(left_out):
    body, refused = forms.moving({**DAY, "parent_id": "vp", left_out: ""}, UNIT)
    assert body is None and list(refused) == [left_out]
    assert refused[left_out].code == "required"


def test_a_merge_takes_the_siblings_ticked_into_an_existing_unit_and_carries_assignments():
    form = {**DAY, "into.unit_id": "vp.bx.hc", "with.vp.bx.sd": "yes", "with.vp.bx.x": ""}
    body, refused = forms.merging(form, UNIT)
    assert refused == {}
    assert body["unit_ids"] == ["vp.bx.th", "vp.bx.sd"] and body["into"] == {
        "unit_id": "vp.bx.hc"}
    assert body["assignments"] == "carry" and "unit_id" not in body
    Reorganise().load(body)


def test_a_merge_into_a_new_unit_gives_it_the_units_level_kind_and_parent():
    form = {**DAY, "new_unit_id": "vp.bx.xbx", "into.name": "Đảng bộ xã Bình Xuyên",
            "end_assignments": "yes"}
    body, _ = forms.merging(form, UNIT)
    assert body["into"] == {"unit_id": "vp.bx.xbx", "name": "Đảng bộ xã Bình Xuyên",
                            "level": "grassroots", "kind": None, "parent_id": "vp.bx"}
    assert body["assignments"] == "end"


@pytest.mark.parametrize("form, field, code", [
    ({}, "into.unit_id", "required"),
    ({"into.unit_id": "vp.bx.hc", "new_unit_id": "vp.bx.new"}, "into.unit_id", "one_successor"),
    ({"new_unit_id": "vp.bx.new"}, "into.name", "required")])
def test_a_merge_with_no_or_two_successors_is_refused_beside_them(form, field, code):
    body, refused = forms.merging({**DAY, **form}, UNIT)
    assert body is None and refused[field].code == code


def test_a_split_keeps_the_unit_and_gives_the_new_one_the_children_ticked():
    form = {**DAY, "parts.1.unit_id": "vp.bx.th2", "parts.1.name": "Đảng bộ xã Tam Hợp 2",
            "child.vp.bx.th.yl": "yes", "child.vp.bx.th.np": ""}
    body, refused = forms.splitting(form, UNIT)
    assert refused == {}
    assert body["parts"] == [{"unit_id": "vp.bx.th"},
                             {"unit_id": "vp.bx.th2", "name": "Đảng bộ xã Tam Hợp 2",
                              "children": ["vp.bx.th.yl"]}]
    Reorganise().load(body)
    _, refused = forms.splitting({**form, "child.vp.bx.th.yl": ""}, UNIT)
    assert refused["parts.1.children"].code == "choose_one"


def test_details_send_only_what_changed_and_a_day_that_is_no_number_as_typed():
    form = {"locality": "thôn Nội Phật", "meeting_schedule.frequency": "monthly",
            "meeting_schedule.day_of_month": "5"}
    body, refused = forms.details_change(form, UNIT)
    assert body == {"locality": "thôn Nội Phật", "meeting_schedule": {
        "frequency": "monthly", "day_of_month": 5, "note": None}}
    assert ChangeUnitDetails().load(body)["meeting_schedule"]["day_of_month"] == 5
    stored = {**UNIT, **body}
    assert forms.details_change(form, stored)[1]["_form"].code == "nothing_changed"
    body, _ = forms.details_change({**form, "meeting_schedule.day_of_month": "mùng 5"}, stored)
    assert body == {"meeting_schedule": {"frequency": "monthly", "day_of_month": "mùng 5",
                                         "note": None}}
    body, _ = forms.details_change({"locality": "thôn Nội Phật"}, stored)
    assert body == {"meeting_schedule": None}  # the schedule cleared


CADRE = {"cadre_id": "binh", "memberships": [
    {"unit_id": "vp.bx", "role": "member", "starts_on": "2020-10-01", "ends_on": None}]}


def test_a_membership_is_added_after_the_others_and_its_first_day_is_needed():
    form = {"memberships.1.unit_id": "vp.bx.th", "memberships.1.role": "secretary",
            "memberships.1.starts_on": "2025-10-01"}
    body, refused = admin_forms.membership_added(form, CADRE)
    assert refused == {}
    assert body["memberships"][1] == {"unit_id": "vp.bx.th", "role": "secretary",
                                      "starts_on": "2025-10-01", "ends_on": None}
    assert ChangeCadre().load(body)["memberships"][1]["starts_on"] == dt.date(2025, 10, 1)
    _, refused = admin_forms.membership_added({**form, "memberships.1.starts_on": ""}, CADRE)
    assert list(refused) == ["memberships.1.starts_on"]


def test_a_membership_ends_on_its_day_and_a_stale_form_changes_nothing():
    form = {"membership": "0", "unit_id": "vp.bx", "memberships.0.ends_on": "2025-06-30"}
    body, refused = admin_forms.membership_ended(form, CADRE)
    assert body["memberships"][0]["ends_on"] == "2025-06-30" and refused == {}
    assert CADRE["memberships"][0]["ends_on"] is None  # the cadre as read is untouched
    for stale in ({"membership": "1"}, {"unit_id": "vp.bx.th"}, {"membership": "x"}):
        body, refused = admin_forms.membership_ended({**form, **stale}, CADRE)
        assert body is None and "_form" in refused
    _, refused = admin_forms.membership_ended({**form, "memberships.0.ends_on": ""}, CADRE)
    assert list(refused) == ["memberships.0.ends_on"]


def test_a_list_read_whole_is_searched_and_paged_by_its_key():
    rows = [{"rule_id": f"r{n}", "unit_name": "Tam Hợp" if n % 2 else "Hương Canh"}
            for n in range(7)]
    first, cursor = admin_forms.page_of(rows, {"limit": 2, "q": "tam hop"}, "rule_id",
                                        "unit_name")
    assert [r["rule_id"] for r in first] == ["r1", "r3"] and cursor == "r3"
    rest, cursor = admin_forms.page_of(rows, {"limit": 2, "q": "tam hop", "cursor": cursor},
                                       "rule_id", "unit_name")
    assert [r["rule_id"] for r in rest] == ["r5"] and cursor is None


def test_a_unit_without_details_shows_its_details_form_empty():
    from services.gateway.pages import render
    from tests.unit.page_samples import PAGES, USERS
    context = {**PAGES["admin_unit.html"], "failed": None, "errors": {}, "values": {}}
    context["unit"] = {**context["unit"], "locality": None, "meeting_schedule": None,
                       "contacts": []}
    html = render.render("admin_unit.html", "vi", user=USERS["cadre"], csrf="t", menu=(),
                         here="/app", **context)
    assert 'id="unit-schedule">—<' in html
    assert 'id="details-meeting_schedule.day_of_month" name="meeting_schedule.day_of_month"' \
           ' type="text" value=""' in html


def test_the_routes_keep_the_requests_dotted_names_flat_for_the_readers():
    from services.gateway.pages.admin_reorganise import DetailsForm, ReorganiseForm
    sent = {"csrf": "t", "operation_id": "op-1", "effective_on": "2025-07-01",
            "into.unit_id": "vp.bx.hc", "parts.1.name": "Mới", "with.vp.bx.sd": "yes"}
    loaded = ReorganiseForm().load(sent)
    assert {name: loaded[name] for name in sent} == sent
    assert forms.merging(loaded, UNIT)[0]["into"] == {"unit_id": "vp.bx.hc"}
    details = DetailsForm().load({"csrf": "t", "meeting_schedule.frequency": "monthly",
                                  "meeting_schedule.day_of_month": "5"})
    assert forms.schedule_of(details) == {"frequency": "monthly", "day_of_month": 5,
                                          "note": None}


def test_a_merge_is_recorded_on_the_unit_it_went_into_too():
    from services.monitor import trail
    from shared import contracts
    from shared.contracts import parse_event
    merged = contracts.UNIT_REORGANISED.new({
        "operation_id": "op-1", "kind": "merge", "effective_on": dt.date(2026, 8, 1),
        "units": [{"unit_id": "th.yl", "name": "Yên Lan", "level": "branch", "kind": None,
                   "parent_id": "th", "path": ["th", "th.yl"],
                   "previous_path": ["th", "th.yl"], "ended": True}],
        "successor_of": {"th.yl": "th.np"}}, actor="u-admin")
    entities = trail.audit_entry(parse_event(merged))["entities"]
    assert [entity["id"] for entity in entities] == ["th.yl", "th.np"]


def test_a_contact_is_added_after_the_others_and_removed_by_position_and_name():
    unit = {**UNIT, "contacts": [{"name": "Hoa", "role": None, "phone": None, "email": None}]}
    body, refused = forms.contact_added({"contacts.1.name": "Lan",
                                         "contacts.1.phone": "0912345678"}, unit)
    assert refused == {} and body["contacts"][1] == {"name": "Lan", "role": None,
                                                     "phone": "0912345678", "email": None}
    assert ChangeUnitDetails().load(body)["contacts"][1]["phone"] == "0912345678"
    _, refused = forms.contact_added({"contacts.1.phone": "0912345678"}, unit)
    assert list(refused) == ["contacts.1.name"]
    assert forms.contact_removed({"contact": "0", "name": "Hoa"}, unit) == (
        {"contacts": []}, {})
    for stale in ({"contact": "0", "name": "Lan"}, {"contact": "1", "name": "Hoa"}):
        assert "_form" in forms.contact_removed(stale, unit)[1]
