"""The administrator's forms read as the API's bodies, their own refusals beside the fields,
the accounts' refusals worded from their codes, and who changed what from the audit trail."""
import base64
import datetime as dt

import pytest

from services.accounts import rules
from services.gateway.pages import admin_forms, i18n
from services.imports import intake, queries
from services.imports.kinds import APPLY_ORDER
from services.imports.settings import limits
from services.monitor import trail
from shared import contracts
from shared.authorisation import check_head, check_scope
from shared.contracts import parse_event
from shared.errors import InvalidInput, RuleViolated
from shared.reasons import reasons_of

T0 = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.timezone.utc)
FORM = {"username": "nga", "display_name": "Lê Thị Nga", "password": "a-long-password-1",
        "cadre_id": "tran-thi-binh", "authority_id": "ubnd-xa-tam-hop"}


@pytest.mark.parametrize("role, scope", [
    ("cadre", {"cadre_id": "tran-thi-binh"}),
    ("authority_officer", {"authority_id": "ubnd-xa-tam-hop"}),
    ("operator", {}), ("administrator", {})])
def test_a_new_user_carries_only_the_scope_its_role_is_bound_to(role, scope):
    body, refused = admin_forms.user_to_create({**FORM, "role": role})
    assert refused == {}
    assert body == {"username": "nga", "display_name": "Lê Thị Nga",
                    "password": "a-long-password-1", "role": role, **scope,
                    "authority_head": False}


def test_a_scope_left_empty_is_sent_as_none_for_the_service_to_refuse_as_required():
    body, _ = admin_forms.role_change({"role": "cadre", "cadre_id": ""})
    assert body == {"role": "cadre", "cadre_id": None, "authority_head": False}
    with pytest.raises(InvalidInput) as refused:
        check_scope("cadre", None, None)
    assert i18n.flat_fields(refused.value.reasons, "vi") == {"cadre_id": "Bắt buộc nhập."}


def test_the_head_of_an_authority_is_a_box_on_the_role_form_the_service_checks():
    body, _ = admin_forms.role_change({"role": "authority_officer",
                                       "authority_id": "ubnd-xa-tam-hop",
                                       "authority_head": "yes"})
    assert body == {"role": "authority_officer", "authority_id": "ubnd-xa-tam-hop",
                    "authority_head": True}
    with pytest.raises(InvalidInput) as refused:
        check_head("cadre", True)
    assert "authority_head" in refused.value.fields


def test_disabling_needs_the_box_ticked_and_a_new_password_typed_twice_alike():
    assert admin_forms.disabling({"confirm": "yes"}) == ({"enabled": False}, {})
    body, refused = admin_forms.disabling({"confirm": ""})
    assert body is None
    error = admin_forms.refused_here(refused)
    assert i18n.flat_fields(error.reasons, "vi") == {
        "confirm": "Hãy đánh dấu ô xác nhận trước."}
    assert admin_forms.password_reset({"new_password": "x" * 12,
                                       "new_password_again": "x" * 12}) == (
        {"new_password": "x" * 12}, {})
    _, refused = admin_forms.password_reset({"new_password": "x" * 12,
                                             "new_password_again": "y" * 12})
    assert i18n.flat_fields(admin_forms.refused_here(refused).reasons, "en") == {
        "new_password_again": "The two passwords differ."}


def test_the_accounts_refusals_read_in_vietnamese_from_their_codes():
    with pytest.raises(InvalidInput) as short:
        rules.check_password_policy("ngan", "nga")
    assert i18n.flat_fields(short.value.reasons, "vi")["password"].startswith(
        f"Phải có ít nhất {rules.MIN_PASSWORD_LENGTH} ký tự.")
    with pytest.raises(InvalidInput) as same:
        rules.check_password_policy("nguyen-van-an-2026", "NGUYEN-VAN-AN-2026")
    assert reasons_of(same.value.fields) == {"password": [{"code": "password_is_username"}]}
    with pytest.raises(RuleViolated) as own:
        rules.role_change({"_id": "me"}, "operator", None, None, "me")
    assert i18n.flat_fields(own.value.reasons, "vi") == {
        "role": "Bạn là quản trị viên: một quản trị viên khác phải đổi vai trò của bạn."}
    with pytest.raises(RuleViolated) as self_disabled:
        rules.check_may_disable({"_id": "me"}, "me")
    assert reasons_of(self_disabled.value.fields) == {
        "enabled": [{"code": "cannot_disable_self"}]}


def test_users_are_searched_by_the_start_of_their_words_whatever_the_diacritics():
    users = [{"username": "tamhop-officer", "display_name": "Cán bộ UBND xã Tam Hợp"},
             {"username": "binh", "display_name": "Trần Thị Bình"}]
    assert admin_forms.searched(users, "tran binh", "username", "display_name") == [users[1]]
    assert admin_forms.searched(users, "TAM HOP", "username", "display_name") == [users[0]]
    assert admin_forms.searched(users, "hop tam z", "username", "display_name") == []
    assert admin_forms.searched(users, "", "username") == users
    assert admin_forms.searched(users, "…", "username") == users  # no word: nothing filtered


def test_a_change_log_names_who_acted():
    changes = [{"event_type": "user_created", "actor": "u-admin"},
               {"event_type": "user_disabled", "actor": None}]
    rows = admin_forms.change_rows(changes, {"u-admin": "admin"})
    assert [row["actor_name"] for row in rows] == ["admin", None]


def test_the_audit_trail_records_which_administered_record_an_event_changed():
    created = contracts.USER_CREATED.new(
        {"user_id": "u1", "username": "nga", "display_name": "Nga", "role": "operator"},
        actor="u-admin")
    entry = trail.audit_entry(parse_event(created))
    assert entry["entities"] == [{"id": "u1"}] and entry["actor"] == "u-admin"
    assigned = contracts.ASSIGNMENT_MADE.new(
        {"assignment_id": "a1", "cadre_id": "tran-thi-binh", "unit_id": "u-noi-phat",
         "rule": "r", "starts_on": dt.date(2026, 1, 1), "ends_on": None}, actor="u-admin")
    assert [e["id"] for e in trail.audit_entry(parse_event(assigned))["entities"]] == [
        "u-noi-phat", "tran-thi-binh", "a1"]
    # a case names an authority and a unit without changing them; a revocation repeats its cause
    routed = contracts.CASE_ROUTED.new(
        {"case_id": "k1", "concern_id": "c1", "authority_id": "ubnd-xa-tam-hop",
         "rule_id": "r1", "acknowledge_by": dt.date(2026, 11, 30),
         "answer_by": dt.date(2026, 12, 15), "routed_at": T0})
    revoked = contracts.TOKENS_REVOKED.new({"user_id": "u1", "token_version": 2,
                                            "revoked_at": T0})
    for event in (routed, revoked):
        assert trail.audit_entry(parse_event(event))["entities"] == []
    change = trail.change_entry({**entry, "occurred_at": T0})
    assert change == {"event_id": entry["_id"], "event_type": "user_created",
                      "source": "accounts", "occurred_at": "2026-11-25T08:00:00+00:00",
                      "actor": "u-admin"}
    assert "payload" not in change  # a cadre's contacts never reach the log


def test_the_import_template_is_read_back_by_the_import_with_every_kind_and_no_row():
    template = queries.import_template()
    assert template["filename"].endswith(".xlsx")
    data = base64.b64decode(template["content_base64"])
    taken = intake.take_in(data, template["filename"], None, None, limits({}))
    assert [sheet["kind"] for sheet in taken.sheets] == list(APPLY_ORDER)
    assert all(sheet["rows"] == 0 and not sheet["ignored_columns"] for sheet in taken.sheets)
    assert taken.sheets[0]["name"] == "Đơn vị"  # named in Vietnamese, as offices read them


AUTHORITY = {"authority_id": "ubnd-xa-tam-hop", "name": "UBND xã Tam Hợp",
             "kind": "peoples_committee", "level": "grassroots",
             "unit_id": "vinh-phuc.binh-xuyen.tam-hop",
             "parent_authority_id": "ubnd-huyen-binh-xuyen", "email": None}


def test_an_authority_change_sends_only_what_the_form_changed():
    form = {**AUTHORITY, "email": "tamhop@example.vn", "parent_authority_id": ""}
    assert admin_forms.authority_change(form, AUTHORITY) == (
        {"email": "tamhop@example.vn", "parent_authority_id": None}, {})
    body, refused = admin_forms.authority_change({**AUTHORITY, "email": ""}, AUTHORITY)
    assert body is None
    assert i18n.flat_fields(admin_forms.refused_here(refused).reasons, "vi") == {
        "_form": "Chưa thay đổi gì."}


def test_a_new_rule_leaves_its_optional_days_and_urgency_to_the_service():
    body, _ = admin_forms.rule_to_add({"rule_id": "r9", "topic": "land", "unit_id": "u1",
                                       "authority_id": "a1", "urgency": "",
                                       "effective_from": "2027-01-01", "effective_to": ""})
    assert body == {"rule_id": "r9", "topic": "land", "unit_id": "u1", "authority_id": "a1",
                    "urgency": None, "effective_from": "2027-01-01", "effective_to": None}
    assert admin_forms.retiring({"retired_on": "2027-01-01"})[1] == {
        "confirm": admin_forms.reason("confirm_first", "tick to confirm")}
    assert admin_forms.retiring({"retired_on": "2027-01-01", "confirm": "yes"}) == (
        {"retired_on": "2027-01-01"}, {})
    body, refused = admin_forms.rule_handover({"authority_id": "a2", "changed_on": "",
                                               "new_rule_id": "r2"})
    assert body is None and i18n.flat_fields(admin_forms.refused_here(refused).reasons,
                                             "vi") == {"changed_on": "Bắt buộc nhập."}
    body, _ = admin_forms.authority_to_register({"authority_id": "", "name": "Văn phòng"})
    assert "authority_id" not in body  # left for the service to call required


def test_a_cadres_positions_are_the_boxes_ticked_and_the_codes_written_each_once():
    known = ("district_committee_member", "province_committee_member")
    form = {"position_province_committee_member": "yes", "position_district_committee_member": "",
            "other_positions": "grassroots_secretary, province_committee_member;x"}
    assert admin_forms.positions_of(form, known) == [
        "province_committee_member", "grassroots_secretary", "x"]
    cadre = {"full_name": "Trần Thị Bình", "positions": ["district_committee_member"],
             "email": "b@example.vn", "phone": None}
    same = {"full_name": "Trần Thị Bình", "position_district_committee_member": "yes",
            "email": "b@example.vn", "phone": ""}
    assert admin_forms.cadre_change(same, cadre, known)[0] is None
    assert admin_forms.cadre_change({**same, "phone": "0912345678"}, cadre, known) == (
        {"phone": "0912345678"}, {})


def test_no_two_of_the_gateways_handler_classes_define_the_same_method():
    """The gateway is one class made of many: a helper named alike in two of them would
    silently answer for both (a page then fails on the other's arguments)."""
    from services.gateway.service import GatewayService
    defined = {}
    for cls in GatewayService.__mro__[1:]:
        for name, value in vars(cls).items():
            if callable(value) and not name.startswith("__"):
                defined.setdefault(name, []).append(cls.__name__)
    assert {name: owners for name, owners in defined.items() if len(owners) > 1} == {}


def test_a_working_groups_members_and_branches_are_the_boxes_ticked_compared_as_sets():
    form = {"name": "Tổ 1", "member.tran-thi-binh": "yes", "member.le-van-cuong": "",
            "branch.u2": "yes", "branch.u1": "yes", "ends_on": ""}
    group = {"name": "Tổ 1", "member_cadre_ids": ["tran-thi-binh"], "unit_ids": ["u1", "u2"],
             "ends_on": None}
    assert admin_forms.group_change(form, group)[0] is None  # the same, in another order
    assert admin_forms.group_change({**form, "branch.u2": ""}, group) == ({"unit_ids": ["u1"]},
                                                                           {})
    body, _ = admin_forms.group_to_form({**form, "working_group_id": "g1", "starts_on": "",
                                         "formed_by_unit_id": "d1"})
    assert body == {"working_group_id": "g1", "name": "Tổ 1", "formed_by_unit_id": "d1",
                    "member_cadre_ids": ["tran-thi-binh"], "unit_ids": ["u2", "u1"],
                    "ends_on": None}


def test_a_users_e_mail_address_is_sent_when_given_and_refused_when_not_an_address():
    """Issue 24: officers are mailed the cases they work on, at the address on their user."""
    from shared.contracts.rpc.accounts import ChangeUser, CreateUser
    body, _ = admin_forms.user_to_create({**FORM, "role": "authority_officer",
                                          "email": " hung@tamhop.example.vn "})
    assert body["email"] == "hung@tamhop.example.vn"
    assert CreateUser().load(body)["email"] == "hung@tamhop.example.vn"
    assert admin_forms.contact_change({"email": ""}) == ({"email": None}, {})
    for schema, value in ((CreateUser(), {**body, "email": "not-an-address"}),
                          (ChangeUser(), {"email": "hung@"}),
                          (ChangeUser(), {"email": "a" * 250 + "@x.vn"})):
        with pytest.raises(Exception) as refused:
            schema.load(value)
        assert "email" in refused.value.messages
    assert ChangeUser().load({"email": None}) == {"email": None}
