"""The branch roll's import rules (services/members/roll.py) and the codes' contract
(shared/contracts/rpc/members.py): leading zeros kept, a number refused, re-imports without
duplicates, a changed branch moving the member, an end kept with its day and reason."""
import datetime as dt

import pytest
from marshmallow import ValidationError

from services.members import roll
from shared.contracts.rpc.members import ImportMembers, MemberRow

TODAY = dt.date(2026, 12, 7)
UNITS = {"01.003": "vp.bx.th.np", "01.004": "vp.bx.th.dt"}


def row(**given):
    return MemberRow().load({"member_code": "00123", "organisation_code": "01.003",
                             "full_name": "Nguyễn Văn An", **given})


def apply(rows, held=None, today=TODAY):
    return roll.plan(rows, UNITS, {m["member_code"]: m for m in held or []}, today)


def test_codes_are_kept_as_the_office_writes_them_leading_zeros_included():
    loaded = row(member_code="000123", organisation_code="0001.003")
    assert (loaded["member_code"], loaded["organisation_code"]) == ("000123", "0001.003")


def test_a_members_code_names_a_page_so_it_holds_no_slash_an_organisations_may():
    # /members/<code>: a "/" in it would name another page (the server decodes %2F)
    with pytest.raises(ValidationError) as refused:
        row(member_code="01/0123")
    assert "member_code" in refused.value.messages
    assert row(organisation_code="01/003")["organisation_code"] == "01/003"


@pytest.mark.parametrize("number", [123, 123.0])
def test_a_code_read_as_a_number_is_refused_by_name_not_turned_into_text(number):
    with pytest.raises(ValidationError) as refused:
        ImportMembers().load({"items": [{"member_code": number, "organisation_code": "01.003",
                                         "full_name": "An"}]})
    assert refused.value.messages["items"][0]["member_code"][0].code == "code_not_text"


def test_an_end_needs_its_day_and_an_active_member_has_none():
    with pytest.raises(ValidationError) as refused:
        row(status="died")
    assert "ended_on" in refused.value.messages
    with pytest.raises(ValidationError):
        row(ended_on="2026-01-01")


def test_a_new_member_joins_the_branch_of_their_organisation_code():
    [joined] = apply([row()])
    assert (joined.outcome, joined.unit_id) == ("joined", "vp.bx.th.np")
    assert joined.member["history"] == [{"unit_id": "vp.bx.th.np", "since": "2026-12-07",
                                         "until": None}]


def test_reimporting_the_same_sheet_changes_nothing():
    [joined] = apply([row()])
    [again] = apply([row()], [joined.member], TODAY + dt.timedelta(days=30))
    assert (again.outcome, again.member) == ("unchanged", None)


def test_a_changed_branch_moves_the_member_and_keeps_where_they_were():
    [joined] = apply([row()])
    [moved] = apply([row(organisation_code="01.004", since="2027-01-10")], [joined.member])
    assert (moved.outcome, moved.unit_id) == ("moved", "vp.bx.th.dt")
    assert moved.member["history"] == [
        {"unit_id": "vp.bx.th.np", "since": "2026-12-07", "until": "2027-01-09"},
        {"unit_id": "vp.bx.th.dt", "since": "2027-01-10", "until": None}]
    assert roll.member_on(moved.member, "vp.bx.th.np", "2027-01-09")
    assert not roll.member_on(moved.member, "vp.bx.th.np", "2027-01-10")


@pytest.mark.parametrize("status", ["left", "died"])
def test_a_member_who_left_or_died_ends_their_membership_kept_with_day_and_reason(status):
    [joined] = apply([row()])
    [ended] = apply([row(status=status, ended_on="2027-03-01", end_note="chuyển sinh hoạt")],
                    [joined.member])
    assert ended.outcome == "ended"
    assert {k: ended.member[k] for k in ("status", "ended_on", "end_note")} == {
        "status": status, "ended_on": "2027-03-01", "end_note": "chuyển sinh hoạt"}
    assert roll.member_on(ended.member, "vp.bx.th.np", "2027-03-01")
    assert not roll.member_on(ended.member, "vp.bx.th.np", "2027-03-02")
    [again] = apply([row(status=status, ended_on="2027-03-01")], [ended.member])
    assert again.outcome == "unchanged"


def test_an_organisation_code_matching_no_unit_is_refused_with_the_code():
    [refused] = apply([row(organisation_code="09.999")])
    assert (refused.outcome, refused.member) == ("refused", None)
    reasons = refused.to_dict()["refused"]["reasons"]["organisation_code"]
    assert reasons == [{"code": "unknown_organisation_code", "organisation_code": "09.999"}]


def test_a_member_in_two_branches_at_once_is_refused_on_both_rows():
    outcomes = apply([row(), row(organisation_code="01.004"), row(member_code="00124")])
    assert [o.outcome for o in outcomes] == ["refused", "refused", "joined"]
    assert "two branches at once" in outcomes[0].to_dict()["refused"]["fields"]["member_code"][0]


def test_ending_someone_never_on_a_roll_is_refused():
    [refused] = apply([row(status="left", ended_on="2026-12-01")])
    assert refused.outcome == "refused"


def test_every_refusal_of_the_members_is_worded_in_both_languages():
    from shared.words import knows
    codes = ("code_not_text", "unknown_organisation_code", "member_twice", "not_a_member",
             "membership_ended", "before_since", "not_for_status", "not_for_mark",
             "other_list", "other_visit", "not_a_member_then", "members_missing",
             "disagrees_with_list")
    keys = [f"reason.{code}" for code in codes] + ["record_kind.branch_members"]
    assert [k for k in keys for lang in ("vi", "en") if not knows(k, lang)] == []
