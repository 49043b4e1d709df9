"""The imports service in a nameko container beside the real assignments and escalations
services, on the test RabbitMQ with embedded stores: files in, registry changed (or not)."""
import base64
import datetime as dt
import io

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from services.escalations.service import EscalationsService
from services.imports.service import ImportsService
from services.monitor.service import MonitorService
from shared import contracts
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.storage import connect
from tests.interface.helpers import publish, wait_for
from tests.unit.test_import_files import cp1258

ADMIN = {"user_id": "u-admin", "role": "administrator"}
CADRE = {"user_id": "u-binh", "role": "cadre", "cadre_id": "binh"}
FINISHED = ("rejected", "refused", "done", "done_with_errors", "failed")

UNITS = [["unit_id", "name", "level", "kind", "parent_id", "Địa phương", "Lịch sinh hoạt",
          "Người liên hệ"],
         ["vp", "Tỉnh ủy Vĩnh Phúc", "province", None, None],
         ["vp.bx", "Huyện ủy Bình Xuyên", "district", None, "vp"],
         ["vp.bx.th", "Đảng bộ xã Tam Hợp", "grassroots", None, "vp.bx"],
         ["vp.bx.th.np", "Chi bộ thôn Nội Phật, xã Tam Hợp", "branch", "village",
          "vp.bx.th", "thôn Nội Phật, xã Tam Hợp", "hằng tháng, ngày 5",
          "Nguyễn Văn Hải (Bí thư chi bộ) 0912 345 678; Lê Thị Hoa hoa@example.org"],
         ["vp.bx.th.yl", "Chi bộ thôn Yên Lan, xã Tam Hợp", "branch", "residential",
          "vp.bx.th"]]
CADRES = [["Mã cán bộ", "Họ và tên", "Mã đơn vị sinh hoạt", "Chức vụ", "Thư điện tử",
           "Số điện thoại", "Cấp ủy"],
          ["binh", "Trần Thị Bình", "vp.bx", "district_committee_member", "binh@example.org",
           "0211 3866 123", "vp.bx: standing_member từ 01/10/2020"],
          ["an", "Nguyễn Văn An", "vp", "province_committee_member", None]]
ASSIGNMENTS = [["cadre_id", "unit_id", "starts_on", "Đến ngày", "Lý do kết thúc"],
               ["binh", "vp.bx.th.np", "01/01/2026"],
               ["binh", "vp.bx.th.yl", "01/01/2026", "31/12/2026", "luân chuyển công tác"],
               ["an", "vp.bx.th", "2026-01-01"]]
AUTHORITIES = [["authority_id", "name", "kind", "level", "unit_id", "parent_authority_id",
                "Ngừng từ ngày"],
               ["huyen-uy-bx", "Huyện ủy Bình Xuyên", "party_committee", "district", "vp.bx",
                None],
               ["ubnd-th", "UBND xã Tam Hợp", "peoples_committee", "grassroots", "vp.bx.th",
                "huyen-uy-bx"],
               ["ubnd-bx", "UBND huyện Bình Xuyên", "peoples_committee", "district", "vp.bx",
                None, "01/07/2025"]]
GROUPS = [["Mã tổ công tác", "Tên tổ công tác", "Đơn vị thành lập", "Thành viên",
           "Chi bộ dự sinh hoạt", "Từ ngày", "Đến ngày"],
          ["tct-bx-th", "Tổ công tác xã Tam Hợp", "vp.bx", "binh", "vp.bx.th.np; vp.bx.th.yl",
           "01/02/2026", None]]
RULES = [["rule_id", "topic", "unit_id", "authority_id"],
         ["infra-th", "infrastructure", "vp.bx.th", "ubnd-th"]]


def xlsx(sheets):
    from openpyxl import Workbook
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data, filename, **options):
    return {"filename": filename, "content_base64": base64.b64encode(data).decode(), **options}


@pytest.fixture
def config(config):
    # small bulk calls: a crash test can cut a job between two of them
    return {**config, "IMPORT_POLL_SECONDS": 0.05, "IMPORT_LEASE_SECONDS": 1,
            "IMPORT_BULK_ROWS": 10}


@pytest.fixture
def registry(container_factory, config):
    container_factory(AssignmentsService, config).start()
    container_factory(EscalationsService, config).start()
    with ServiceRpcProxy("assignments", config, timeout=30) as assignments, \
            ServiceRpcProxy("escalations", config, timeout=30) as escalations:
        yield assignments, escalations


@pytest.fixture
def imports(container_factory, config, registry):
    container_factory(ImportsService, config).start()
    with ServiceRpcProxy("imports", config, timeout=60) as proxy:
        yield proxy


def finished(imports, job, timeout=60):
    return wait_for(lambda: (found := imports.get_import(job["import_id"], ADMIN))["state"]
                    in FINISHED and found, timeout=timeout, what="the import to finish")


WORKBOOK = {"Đơn vị": UNITS, "Cán bộ": CADRES, "Phân công": ASSIGNMENTS, "Tổ công tác": GROUPS,
            "Cơ quan": AUTHORITIES, "Quy tắc": RULES, "Hướng dẫn": [["Ghi chú"], ["…"]]}


def test_a_workbook_registers_everything_once_and_twice_changes_nothing(imports, registry):
    assignments, escalations = registry
    job = imports.start_import(upload(xlsx(WORKBOOK), "so-do-to-chuc.xlsx"), ADMIN)
    assert job["state"] == "queued"
    done = finished(imports, job)
    assert {sheet["name"]: sheet["kind"] for sheet in done["sheets"]}["Hướng dẫn"] is None
    assert done["state"] == "done", done
    assert done["progress"] | {} == {"total": 15, "rejected": 0, "unchanged": 0,
                                     "to_apply": 15, "applied": 15, "failed": 0}
    assert assignments.get_unit("vp.bx.th.np")["name"] == "Chi bộ thôn Nội Phật, xã Tam Hợp"
    assert assignments.get_cadre("binh")["email"] == "binh@example.org"
    assert assignments.get_cadre("binh")["memberships"] == [
        {"unit_id": "vp.bx", "role": "standing_member", "starts_on": "2020-10-01",
         "ends_on": None}]
    branch = assignments.get_unit("vp.bx.th.np")
    assert (branch["kind"], branch["locality"], branch["meeting_schedule"]) == (
        "village", "thôn Nội Phật, xã Tam Hợp",
        {"frequency": "monthly", "day_of_month": 5, "note": None})
    assert [c["name"] for c in branch["contacts"]] == ["Nguyễn Văn Hải", "Lê Thị Hoa"]
    assert {(a["unit_id"], a["ends_on"]) for a in assignments.list_assignments("binh")} == {
        ("vp.bx.th.np", None), ("vp.bx.th.yl", "2026-12-31")}
    assert escalations.get_authority("ubnd-th")["parent_authority_id"] == "huyen-uy-bx"
    retired = escalations.list_authorities({"as_of": "2025-07-01"})["authorities"]
    assert [a["authority_id"] for a in retired] == ["huyen-uy-bx", "ubnd-th"]  # not ubnd-bx
    assert [r["rule_id"] for r in escalations.list_routing_rules()["routing_rules"]] == \
        ["infra-th"]

    again = finished(imports, imports.start_import(upload(xlsx(WORKBOOK), "lan-2.xlsx"), ADMIN))
    assert again["state"] == "done"
    assert again["progress"]["unchanged"] == 15 and again["progress"]["applied"] == 0
    assert len(assignments.list_assignments("binh")) == 2
    assert assignments.get_working_group("tct-bx-th")["unit_ids"] == ["vp.bx.th.np",
                                                                      "vp.bx.th.yl"]
    # the office sends the group again with an end date and one branch less: a change
    ended = [GROUPS[0], GROUPS[1][:4] + ["vp.bx.th.np", "01/02/2026", "30/11/2026"]]
    changed = finished(imports, imports.start_import(upload(xlsx({"Tổ công tác": ended}),
                                                            "to-cong-tac.xlsx"), ADMIN))
    assert changed["state"] == "done" and changed["progress"]["applied"] == 1, changed
    group = assignments.get_working_group("tct-bx-th")
    assert (group["unit_ids"], group["ends_on"]) == (["vp.bx.th.np"], "2026-11-30")


def test_a_file_with_a_bad_row_changes_nothing_unless_valid_rows_are_accepted(imports,
                                                                               registry):
    assignments, _ = registry
    rows = UNITS[:3] + [["vp.bx.th", "", "grassroots", None, "vp.bx"],
                        ["vp.bx.xx", "Đảng bộ xã X", "grassroots", None, "nowhere"]]
    csv = "\n".join(",".join(cell or "" for cell in row) for row in rows)
    csv = cp1258(csv)  # as Vietnamese Windows saves it: tones as combining marks
    refused = finished(imports, imports.start_import(upload(csv, "don-vi.csv"), ADMIN))
    assert refused["state"] == "rejected"
    assert [(r["line"], r["column"]) for r in refused["rejections"]] == [
        (4, "name"), (5, "parent_id")]
    assert "nowhere" in refused["rejections"][1]["reason"]
    with pytest.raises(NotFound):
        assignments.get_unit("vp")

    accepted = finished(imports, imports.start_import(
        upload(csv, "don-vi.csv", accept_valid_rows=True), ADMIN))
    assert accepted["state"] == "done" and accepted["progress"]["applied"] == 2
    assert assignments.get_unit("vp.bx")["path"] == ["vp", "vp.bx"]


def test_unreadable_files_and_other_roles_are_refused_at_once(imports):
    with pytest.raises(InvalidInput) as refused:
        imports.start_import(upload(b"\xd0\xcf\x11\xe0....", "cu.xls"), ADMIN)
    assert ".xls" in refused.value.fields["content_base64"][0]
    with pytest.raises(InvalidInput) as garbled:
        imports.start_import(upload("unit_id,name,level\nvp,Tá»‰nh á»§y,province\n".encode(),
                                    "units.csv"), ADMIN)
    assert "garbled" in garbled.value.fields["content_base64"][0]
    with pytest.raises(Forbidden):
        imports.start_import(upload(b"unit_id,name,level\n", "units.csv"), CADRE)
    assert imports.list_imports({}, ADMIN)["imports"] == []
    # what takes reading the whole file is refused in the job, which changes nothing
    refused = finished(imports, imports.start_import(
        upload("unit_id,name\nvp,Tỉnh ủy\n".encode("utf-16"), "don-vi.csv"), ADMIN))
    assert refused["state"] == "refused" and "lacks the column(s) level" in refused["refusal"]


def test_an_import_cut_by_a_crash_resumes_and_registers_each_row_once(
        container_factory, config, registry):
    assignments, _ = registry
    # a branch sits under a grassroots organisation (the registry checks the levels)
    branches = [[f"vp.b{i:03d}", f"Chi bộ số {i}", "branch", "residential", "vp.bx.th"]
                for i in range(240)]
    data = xlsx({"units": UNITS[:4] + branches})
    first = container_factory(ImportsService, config)
    first.start()
    with ServiceRpcProxy("imports", config, timeout=60) as imports:
        job = imports.start_import(upload(data, "units.xlsx"), ADMIN)
        wait_for(lambda: imports.get_import(job["import_id"], ADMIN)["progress"]["applied"] > 0,
                 timeout=60, what="the first rows applied")
    first.kill()  # mid-apply: its lease runs out, the next instance takes the job over
    client, db = connect(config["STORE_URI"], "imports")
    cut = db.imports.find_one({"_id": job["import_id"]})
    client.close()
    assert cut["state"] == "applying" and 0 < cut["progress"]["applied"] < 243, cut["progress"]
    container_factory(ImportsService, config).start()
    with ServiceRpcProxy("imports", config, timeout=60) as imports:
        done = finished(imports, job)
    assert done["state"] == "done" and done["progress"]["applied"] == 243, done["failures"][:3]
    listed = assignments.list_units({"limit": 500})["units"]
    assert sorted(u["unit_id"] for u in listed) == sorted(
        ["vp", "vp.bx", "vp.bx.th"] + [b[0] for b in branches])


def test_exports_round_trip_through_the_import(imports, registry):
    finished(imports, imports.start_import(upload(xlsx(WORKBOOK), "so-do.xlsx"), ADMIN))
    # cadres and assignments are exported from the events the registry published
    wait_for(lambda: imports.export_registry({"kind": "assignments"}, ADMIN)["rows"] == 3,
             what="the assignments in the read model")
    for fmt in ("csv", "xlsx"):
        for kind, total in (("units", 5), ("cadres", 2), ("assignments", 3),
                            ("working_groups", 1), ("authorities", 3), ("routing_rules", 1)):
            exported = imports.export_registry({"kind": kind, "format": fmt}, ADMIN)
            assert exported["filename"] == f"{kind}.{fmt}" and exported["rows"] == total
            again = finished(imports, imports.start_import(
                {"filename": exported["filename"], "content_base64": exported["content_base64"]},
                ADMIN))
            assert again["state"] == "done", again
            assert again["progress"]["unchanged"] == total == again["progress"]["total"], again
    csv = base64.b64decode(imports.export_registry({"kind": "cadres"}, ADMIN)["content_base64"])
    assert csv.startswith(b"\xef\xbb\xbfcadre_id,full_name,home_unit_id,positions,email,"
                          b"phone,memberships\r\n")
    assert "Trần Thị Bình" in csv.decode("utf-8")
    assert "vp.bx: standing_member từ 2020-10-01" in csv.decode("utf-8")
    units = base64.b64decode(imports.export_registry({"kind": "units"}, ADMIN)
                             ["content_base64"]).decode("utf-8")
    assert "monthly 5" in units and "Nguyễn Văn Hải (Bí thư chi bộ) 0912 345 678" in units


def test_exporting_cadres_records_who_was_shown_their_contacts(imports, container_factory,
                                                              config):
    container_factory(MonitorService, {**config, "ALERT_INTERVAL_SECONDS": 3600}).start()
    finished(imports, imports.start_import(upload(xlsx({"Đơn vị": UNITS, "Cán bộ": CADRES}),
                                                  "can-bo.xlsx"), ADMIN))
    imports.export_registry({"kind": "units"}, ADMIN)  # no one's contacts: nothing recorded
    assert imports.export_registry({"kind": "cadres"}, ADMIN)["rows"] == 2
    with ServiceRpcProxy("monitor", config, timeout=30) as monitor:
        [entry] = wait_for(lambda: monitor.personal_data_reads({}, ADMIN)["reads"],
                           what="the export's read")
    # the registry answered the export's pages, and recorded who asked: binh has contacts,
    # an has none
    assert (entry["user_id"], entry["purpose"]) == ("u-admin", "assignments.list_cadres")
    assert entry["records"] == [{"kind": "cadre", "id": "binh"}]


def test_coverage_from_registry_and_visit_events(imports, registry, config):
    finished(imports, imports.start_import(upload(xlsx(WORKBOOK), "so-do.xlsx"), ADMIN))
    ended, = registry[0].list_assignments("an")
    publish(config, contracts.ASSIGNMENT_ENDED.new({
        "assignment_id": ended["assignment_id"], "cadre_id": "an", "unit_id": "vp.bx.th",
        "ends_on": dt.date(2026, 6, 30), "reason": "chuyển công tác"}))
    def cadres_on(day):
        return [c["cadre_id"] for c in imports.cadre_units({"on": day}, ADMIN)["cadres"]]
    wait_for(lambda: cadres_on("2026-03-01") == ["an", "binh"] and cadres_on("2026-11-27")
             == ["binh"], what="assignments made and ended in the read model")
    visit = {"visit_id": "v1", "unit_id": "vp.bx.th.np", "cadre_id": "binh",
             "meeting_date": dt.date(2026, 11, 5), "meeting_kind": "regular", "concern_ids": []}
    event = contracts.VISIT_LOGGED.new(visit)
    publish(config, event)
    publish(config, event)  # redelivered: one effect
    publish(config, contracts.VISIT_LOGGED.new({**visit, "visit_id": "v0",
                                                "meeting_date": dt.date(2026, 8, 5)}))
    on = {"on": "2026-11-27"}
    wait_for(lambda: imports.stale_branches({**on, "days": 30}, ADMIN)["count"] == 1,
             what="the visit in the read model")

    # the district plans Bình for Nội Phật's meetings of 5 November and of December (the 5th
    # a Saturday: Monday 7th); coverage counts them from attendance_planned
    for day in ("2026-11-05", "2026-12-07"):
        registry[0].plan_attendance({"committee_unit_id": "vp.bx", "unit_id": "vp.bx.th.np",
                                     "meeting_on": day, "cadre_id": "binh"}, ADMIN)
    wait_for(lambda: imports.cadre_units(on, ADMIN)["cadres"][0]["planned_this_quarter"] == 2,
             what="the plan in the read model")

    stale = imports.stale_branches({**on, "days": 30}, ADMIN)
    assert [b["unit_id"] for b in stale["branches"]] == ["vp.bx.th.yl"]
    unassigned = imports.unassigned_units({**on, "level": "grassroots"}, ADMIN)
    assert [u["unit_id"] for u in unassigned["units"]] == ["vp.bx.th"]  # An's ended in June
    cadres = {c["cadre_id"]: c for c in imports.cadre_units(on, ADMIN)["cadres"]}
    assert [(u["unit_id"], u["last_visit_on"], u["own_last_visit_on"],
             u["own_next_planned_on"]) for u in cadres["binh"]["units"]] == [
        ("vp.bx.th.np", "2026-11-05", "2026-11-05", "2026-12-07"),
        ("vp.bx.th.yl", None, None, None)]
    committees = imports.committee_coverage({**on, "format": "csv"}, ADMIN)
    assert committees["quarter"] == {"from": "2026-10-01", "to": "2026-12-31"}
    assert committees["committees"][0]["share_visited"] == 0.5
    # 2 branches, 1 visited (0.5), 1 planned this quarter (0.5), 1 planned and visited
    assert committees["csv"].splitlines()[1] == \
        "vp.bx,Huyện ủy Bình Xuyên,district,2,1,0.5,1,0.5,1"
    with pytest.raises(Forbidden):
        imports.stale_branches(on, CADRE)


def test_coverage_follows_reorganisations_and_working_groups(imports, registry):
    assignments, _ = registry
    finished(imports, imports.start_import(upload(xlsx(WORKBOOK), "so-do.xlsx"), ADMIN))
    assignments.register_unit({"unit_id": "vp.bx.th.ts", "name": "Chi bộ thôn Tiền Sơn",
                               "level": "branch", "kind": "village", "parent_id": "vp.bx.th"},
                              ADMIN)
    on = {"on": "2026-11-27", "level": "branch"}

    def uncovered(query=on):
        return [u["unit_id"] for u in imports.unassigned_units(query, ADMIN)["units"]]

    wait_for(lambda: uncovered() == ["vp.bx.th.ts"], what="the new branch in the read model")
    # a working group of the district attends Tiền Sơn: covered for the group's period
    assignments.form_working_group({
        "working_group_id": "tct-bx-1", "name": "Tổ công tác số 1", "formed_by_unit_id": "vp.bx",
        "member_cadre_ids": ["binh"], "unit_ids": ["vp.bx.th.ts"], "starts_on": "2026-03-01",
        "ends_on": "2026-12-31"}, ADMIN)
    wait_for(lambda: uncovered() == [], what="the working group in the read model")
    assert uncovered({**on, "on": "2026-02-28"}) == ["vp.bx.th.ts"]
    assignments.change_working_group("tct-bx-1", {"ends_on": "2026-10-31"}, ADMIN)
    wait_for(lambda: uncovered() == ["vp.bx.th.ts"], what="the group's new end")

    # Nội Phật and Yên Lan merge from 1 July, their assignments ending: the successor is
    # uncovered from that day, the merged branches no longer count
    assignments.reorganise({
        "operation_id": "op-merge-np-yl", "kind": "merge", "effective_on": "2026-07-01",
        "unit_ids": ["vp.bx.th.np", "vp.bx.th.yl"], "assignments": "end",
        "into": {"unit_id": "vp.bx.th.nyl", "name": "Chi bộ thôn Nội Phật - Yên Lan",
                 "level": "branch", "kind": "village", "parent_id": "vp.bx.th"}}, ADMIN)
    wait_for(lambda: uncovered() == ["vp.bx.th.nyl", "vp.bx.th.ts"],
             what="the merger in the read model")
    assert uncovered({**on, "on": "2026-06-30"}) == []
    stale = imports.stale_branches({"on": "2026-11-27", "days": 30}, ADMIN)["branches"]
    assert [b["unit_id"] for b in stale] == ["vp.bx.th.nyl", "vp.bx.th.ts"]
