"""The members service on the real RabbitMQ beside the registry (issue 29): a branch's roll
imported by organisation code and re-imported without duplicates; who sees a branch's members
(others get 404, as for no such branch), every read on the access log while its event names only
the branch; a meeting's attendance member by member with derived counts, a list naming a
non-member refused; the absence flags; a person's request heard on the broker and answered
once, a former member erased, a member on a roll kept."""
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from services.members.service import MembersService
from shared import contracts
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.interface.helpers import publish, wait_for
from tests.stores import open_store

TREE = [
    {"unit_id": "vp", "name": "Đảng bộ tỉnh Vĩnh Phúc", "level": "province"},
    {"unit_id": "bx", "name": "Huyện ủy Bình Xuyên", "level": "district", "parent_id": "vp"},
    {"unit_id": "th", "name": "Đảng bộ xã Tam Hợp", "level": "grassroots", "parent_id": "bx"},
    {"unit_id": "np", "name": "Chi bộ thôn Nội Phật", "level": "branch", "parent_id": "th",
     "organisation_code": "0101.003"},
    {"unit_id": "nt", "name": "Chi bộ thôn Nam Tiến", "level": "branch", "parent_id": "th",
     "organisation_code": "0101.004"},
]
CADRES = [
    {"cadre_id": "binh", "full_name": "Trần Thị Bình", "home_unit_id": "bx",
     "positions": ["district_committee_member"]},
    {"cadre_id": "dung", "full_name": "Đỗ Văn Dũng", "home_unit_id": "bx",
     "positions": ["district_committee_member"]},
    {"cadre_id": "hoa", "full_name": "Lê Thị Hoa", "home_unit_id": "th",
     "positions": ["grassroots_committee_member"],
     "memberships": [{"unit_id": "np", "role": "secretary", "starts_on": "2025-01-01"}]},
]
ADMIN = {"user_id": "u-admin", "role": "administrator"}
BINH = {"user_id": "u-binh", "role": "cadre", "cadre_id": "binh"}     # assigned to np
DUNG = {"user_id": "u-dung", "role": "cadre", "cadre_id": "dung"}     # assigned to nt only
HOA = {"user_id": "u-hoa", "role": "cadre", "cadre_id": "hoa"}        # np's secretary
OFFICER = {"user_id": "u-off", "role": "authority_officer", "authority_id": "ubnd-th"}


def row(code, organisation="0101.003", name=None, **more):
    return {"member_code": code, "organisation_code": organisation,
            "full_name": name or f"Đảng viên {code}", **more}


@pytest.fixture
def system(container_factory, config):
    for service in (AssignmentsService, MembersService):
        container_factory(service, config).start()
    with ServiceRpcProxy("assignments", config, timeout=15) as registry, \
            ServiceRpcProxy("members", config, timeout=15) as members:
        seed_registry(registry)
        members.import_members({"items": [row("00123", since="2026-01-01"),
                                          row("00124", since="2026-01-01"),
                                          row("00125", since="2026-01-01")]}, ADMIN)
        yield {"members": members, "registry": registry, "config": config}


def seed_registry(registry):
    """The tree, the cadres, Bình assigned to Nội Phật and Dũng to Nam Tiến."""
    for unit in TREE:
        registry.register_unit(unit, ADMIN)
    for cadre in CADRES:
        registry.register_cadre(cadre, ADMIN)
    for cadre_id, unit_id in (("binh", "np"), ("dung", "nt")):
        registry.assign_cadre({"cadre_id": cadre_id, "unit_id": unit_id,
                               "starts_on": "2026-01-01"}, ADMIN)


def outcomes(answer):
    return [(r["member_code"], r["outcome"]) for r in answer["results"]]


def codes(answer):
    return [m["member_code"] for m in answer["members"]]


def stored(config, collection, order="_id"):
    client, db = open_store(config["STORE_URI"], "members")
    try:
        return list(db[collection].find({}).sort(order, 1))
    finally:
        client.close()


def access_log(config):
    return stored(config, "personal_data_reads", "read_at")


def test_the_roll_is_reimported_without_duplicates_moves_and_ends_kept(system):
    members = system["members"]
    again = members.import_members({"items": [
        row("00123", since="2026-01-01"), row("00124", "0101.004", since="2026-06-01"),
        row("00125", status="died", ended_on="2026-09-30", end_note="từ trần")]}, ADMIN)
    assert outcomes(again) == [("00123", "unchanged"), ("00124", "moved"), ("00125", "ended")]
    assert codes(members.list_members("np", {"as_of": "2026-05-31"}, ADMIN)) == [
        "00123", "00124", "00125"]
    assert codes(members.list_members("np", {"as_of": "2026-10-01"}, ADMIN)) == ["00123"]
    assert codes(members.list_members("nt", {"as_of": "2026-10-01"}, ADMIN)) == ["00124"]
    died = members.get_member("00125", ADMIN)
    assert (died["status"], died["ended_on"], died["end_note"]) == ("died", "2026-09-30",
                                                                    "từ trần")


def test_bad_rows_are_refused_by_name_and_change_nothing(system):
    members = system["members"]
    answer = members.import_members({"items": [
        row("00200", "9999.999"), row("00201"), row("00201", "0101.004")]}, ADMIN)
    assert outcomes(answer) == [("00200", "refused"), ("00201", "refused"),
                                ("00201", "refused")]
    assert answer["results"][0]["refused"]["reasons"]["organisation_code"][0]["code"] == \
        "unknown_organisation_code"
    assert answer["results"][1]["refused"]["reasons"]["member_code"][0]["code"] == \
        "member_twice"
    with pytest.raises(InvalidInput) as refused:
        members.import_members({"items": [row(123)]}, ADMIN)
    assert refused.value.reasons["items"]["0"]["member_code"][0]["code"] == "code_not_text"
    assert codes(members.list_members("np", {}, ADMIN)) == ["00123", "00124", "00125"]
    with pytest.raises(Forbidden):
        members.import_members({"items": [row("00300")]}, BINH)
    # one unit per organisation code in the registry; a unit's new code matches from then on
    registry = system["registry"]
    with pytest.raises(Conflict):
        registry.register_unit({"unit_id": "xx", "name": "Chi bộ khác", "level": "branch",
                                "parent_id": "th", "organisation_code": "0101.003"}, ADMIN)
    with pytest.raises(Conflict):
        registry.change_unit_details("nt", {"organisation_code": "0101.003"}, ADMIN)
    assert registry.change_unit_details("nt", {"organisation_code": "0101.0040"}, ADMIN)[
        "organisation_code"] == "0101.0040"
    answer = system["members"].import_members({"items": [row("00400", "0101.0040"),
                                                          row("00401", "0101.004")]}, ADMIN)
    assert [(r["outcome"], r["unit_id"]) for r in answer["results"]] == [
        ("joined", "nt"), ("refused", None)]  # the old code matches no unit any more


def test_only_the_branchs_cadres_committee_and_administrators_see_its_members_each_read_logged(
        system):
    members = system["members"]
    for principal in (BINH, HOA, ADMIN):
        assert codes(members.list_members("np", {}, principal)) == ["00123", "00124", "00125"]
    with pytest.raises(NotFound):
        members.list_members("np", {}, DUNG)
    with pytest.raises(NotFound):
        members.get_member("00123", DUNG)
    with pytest.raises(NotFound):  # assigned from 2026-01-01: not before
        members.list_members("np", {"as_of": "2025-12-31"}, BINH)
    with pytest.raises(Forbidden):
        members.list_members("np", {}, OFFICER)
    members.get_member("00124", HOA)
    # every read that showed members is on the access log (the refused ones showed nothing)
    log = access_log(system["config"])
    assert [(e["user_id"], e["purpose"], e["record_ids"]) for e in log] == [
        ("u-binh", "members.list_members", ["00123", "00124", "00125"]),
        ("u-hoa", "members.list_members", ["00123", "00124", "00125"]),
        ("u-admin", "members.list_members", ["00123", "00124", "00125"]),
        ("u-hoa", "members.get_member", ["00124"])]
    for entry in log:  # its event, while not yet relayed, names the branch and no member
        for event in entry.get("outbox") or ():
            assert event["payload"]["records"] == [{"kind": "branch_members", "id": "np"}]


def marks(present=(), excused=(), absent=()):
    return ([{"member_code": c, "mark": "present"} for c in present]
            + [{"member_code": c, "mark": "absent_excused", "reason": "ốm"} for c in excused]
            + [{"member_code": c, "mark": "absent"} for c in absent])


def test_attendance_member_by_member_derives_the_counts_and_is_written_once(system):
    members = system["members"]
    given = {"submission_id": "s-1", "unit_id": "np", "meeting_date": "2026-11-18",
             "marks": marks(["00123"], ["00124"], ["00125"])}
    recorded = members.record_attendance(given, BINH)
    assert (recorded["present"], recorded["expected"], recorded["visit_id"]) == (1, 3, None)
    assert members.record_attendance(given, BINH)["present"] == 1  # resent: the same
    corrected = {**given, "marks": marks(["00123", "00125"], ["00124"])}
    assert members.record_attendance(corrected, BINH)["present"] == 2  # pending: replaced
    assert members.confirm_attendance("s-1", "v-1", BINH)["visit_id"] == "v-1"
    assert members.confirm_attendance("s-1", "v-1", BINH)["visit_id"] == "v-1"  # again: same
    assert members.record_attendance(corrected, BINH)["visit_id"] == "v-1"  # resent: the same
    with pytest.raises(Conflict):  # its visit logged: the list stays as it is
        members.record_attendance(given, BINH)
    with pytest.raises(Conflict):
        members.confirm_attendance("s-1", "v-other", BINH)
    assert members.attendance_list("s-1", HOA)["marks"][2] == {
        "member_code": "00124", "mark": "absent_excused", "reason": "ốm"}


def test_an_attendance_list_naming_a_non_member_or_leaving_one_out_is_refused(system):
    members = system["members"]
    with pytest.raises(InvalidInput) as refused:
        members.record_attendance({"submission_id": "s-2", "unit_id": "np",
                                   "meeting_date": "2026-11-18",
                                   "marks": marks(["00123", "00124", "00125", "09999"])}, BINH)
    assert refused.value.reasons["marks.3.member_code"][0]["code"] == "not_a_member_then"
    with pytest.raises(InvalidInput) as refused:
        members.record_attendance({"submission_id": "s-2", "unit_id": "np",
                                   "meeting_date": "2026-11-18",
                                   "marks": marks(["00123", "00124"])}, BINH)
    assert refused.value.reasons["marks"][0]["code"] == "members_missing"
    with pytest.raises(NotFound):
        members.attendance_list("s-2", ADMIN)
    with pytest.raises(NotFound):  # not assigned to np: as for no such branch
        members.record_attendance({"submission_id": "s-3", "unit_id": "np",
                                   "meeting_date": "2026-11-18",
                                   "marks": marks(["00123", "00124", "00125"])}, DUNG)


def test_the_absence_flags_list_the_meetings_missed_without_reason(system):
    members = system["members"]
    for month in (2, 5, 8, 11):
        members.record_attendance({
            "submission_id": f"m-{month}", "unit_id": "np",
            "meeting_date": f"2026-{month:02d}-18",
            "marks": marks(["00123"], ["00124"] if month > 2 else [],
                           ["00125"] + (["00124"] if month == 2 else []))}, BINH)
        if month < 11:  # the November list's visit was never logged: it does not count
            members.confirm_attendance(f"m-{month}", f"v-{month}", BINH)
    flags = members.absence_flags("np", {"year": 2026}, HOA)
    assert [(f["member_code"], f["months"]) for f in flags["flags"]] == [("00125", 3)]
    assert [m["meeting_date"] for m in flags["flags"][0]["meetings"]] == [
        "2026-02-18", "2026-05-18", "2026-08-18"]
    assert "ba tháng trong năm" in " ".join(flags["clause"].split())
    with pytest.raises(NotFound):
        members.absence_flags("np", {"year": 2026}, DUNG)


def test_a_persons_request_is_answered_once_erasing_a_former_member_keeping_one_on_a_roll(
        system):
    members, config = system["members"], system["config"]
    members.record_attendance({"submission_id": "s-aug", "unit_id": "np",
                               "meeting_date": "2026-08-18",
                               "marks": marks(["00123", "00124"], ["00125"])}, BINH)
    members.confirm_attendance("s-aug", "v-aug", BINH)
    members.import_members({"items": [row("00125", status="died", ended_on="2026-09-30",
                                          end_note="từ trần")]}, ADMIN)
    erase = contracts.DATA_SUBJECT_REQUEST_RECORDED.new({
        "request_id": "r-1", "kind": "deletion", "name": "ĐẢNG VIÊN 00125"})
    for envelope in (erase, erase, contracts.DATA_SUBJECT_REQUEST_RECORDED.new(
            {"request_id": "r-1", "kind": "deletion", "name": "Đảng viên 00125"})):
        publish(config, envelope)  # redelivered, and recorded again: answered once
    keep = contracts.DATA_SUBJECT_REQUEST_RECORDED.new({
        "request_id": "r-2", "kind": "deletion", "name": "Đảng viên 00123"})
    publish(config, keep)
    answers = wait_for(lambda: (lambda held: held if len(held) == 2 and not any(
        a.get("outbox_pending") for a in held) else None)(
        stored(config, "data_subject_answers")), what="both answers relayed")
    assert [answer["_id"] for answer in answers] == ["r-1", "r-2"]
    with pytest.raises(NotFound):
        members.get_member("00125", ADMIN)
    kept = [(m["member_code"], m["mark"], m.get("reason")) for m in members.attendance_list(
        "s-aug", HOA)["marks"]]
    assert kept[:2] == [("00123", "present", None), ("00124", "present", None)]
    # the meeting keeps her mark (its counts), without her code or her reason
    assert kept[2][0].startswith("da-xoa-") and kept[2][1:] == ("absent_excused", None)
    assert members.get_member("00123", ADMIN)["full_name"] == "Đảng viên 00123"
