"""Reading administrators' files: encodings, CSV and xlsx, row checks, the plan."""
import codecs
import datetime as dt
import io
import unicodedata

import pytest

from services.imports import parsing
from services.imports.decoding import EncodingRefused, decode_text
from services.imports.kinds import KINDS, kind_named, kind_of_headers
from services.imports.planning import Known, lookups, make_plan
from services.imports.rows import check_sheet
from services.imports.settings import limits

ADMIN = {"user_id": "u-admin", "role": "administrator"}
LIMITS = limits({})  # deploy/config.yml's


def read_file(data, name):
    return parsing.read_file(data, name, None, LIMITS)

NAMES = ["Chi bộ thôn Nội Phật, xã Tam Hợp", "Nguyễn Thị Hường", "Đảng ủy xã Hương Canh",
         "Trần Văn Đức", "Chi bộ tổ dân phố Ỷ La", "Lê Thị Ngọc Ánh"]
UNITS_CSV = (
    "unit_id,name,level,kind,parent_id\n"
    "vp,Tỉnh ủy Vĩnh Phúc,province,,\n"
    "vp.bx,Huyện ủy Bình Xuyên,district,,vp\n"
    "vp.bx.th,Đảng bộ xã Tam Hợp,grassroots,,vp.bx\n"
    "vp.bx.th.np,\"Chi bộ thôn Nội Phật, xã Tam Hợp\",branch,residential,vp.bx.th\n"
)


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def nfc(text):
    return unicodedata.normalize("NFC", text)


def cp1258(text):
    """Text as Windows writes it in code page 1258: a letter cp1258 lacks becomes its base
    letter (with ô, ơ, ư, ă, â, ê as precomposed) and the tone as a combining mark after it."""
    out = []
    for char in nfc(text):
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = nfc("".join(c for c in parts if c not in TONE_MARKS))
            tones = "".join(c for c in parts if c in TONE_MARKS)
            out.append((base + tones).encode("cp1258"))
    return b"".join(out)


# --- encodings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("encode", [
    lambda text: text.encode("utf-8"),
    lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    lambda text: text.encode("utf-16"),                                  # BOM, native order
    lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    cp1258,
], ids=["utf8", "utf8-bom", "utf16", "utf16-le", "utf16-be", "windows-1258"])
def test_vietnamese_names_arrive_intact_in_every_office_encoding(encode):
    text = "full_name\n" + "\n".join(NAMES) + "\n"
    assert decode_text(encode(text)) == nfc(text)


def test_windows_1258_combining_tones_become_the_precomposed_letters():
    raw = cp1258("Nội Phật")
    decoded = decode_text(raw)
    assert decoded == "Nội Phật" and unicodedata.is_normalized("NFC", decoded)
    assert "\u0323".encode("cp1258") in raw  # the tone really travels as a combining mark


def test_utf8_that_was_read_as_a_code_page_and_saved_again_is_refused():
    garbled = "Nội Phật".encode("utf-8").decode("cp1252").encode("utf-8")
    with pytest.raises(EncodingRefused, match="garbled"):
        decode_text(b"name\n" + garbled + b"\n")


@pytest.mark.parametrize("data, why", [
    (b"", "empty"),
    ("Nội Phật".encode("utf-16-le"), "UTF-16 without a byte-order mark"),
    (codecs.BOM_UTF8 + b"name\n\xff\xfe broken", "not valid UTF-8"),
    (b"name\n\x81\x8d\x8f", "not valid Windows-1258"),
    (b"name\nabc\x01def\n", "U\\+0001"),
    (b"\xff\xfe\x00\x00n\x00\x00\x00", "UTF-32"),
])
def test_files_in_no_readable_encoding_are_refused_naming_the_problem(data, why):
    with pytest.raises(EncodingRefused, match=why):
        decode_text(data)


# --- files ---------------------------------------------------------------------------------------

def test_csv_rows_carry_the_line_the_administrator_sees():
    data = ("unit_id;name\n\nvp;\"Tỉnh ủy\nVĩnh Phúc\"\nvp.bx;Huyện ủy\n").encode("utf-8")
    sheet, = read_file(data, "units.csv")
    assert sheet.headers == ["unit_id", "name"]
    assert sheet.rows == [(3, {"unit_id": "vp", "name": "Tỉnh ủy\nVĩnh Phúc"}),
                          (5, {"unit_id": "vp.bx", "name": "Huyện ủy"})]


def workbook(sheets):
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


def test_xlsx_sheets_keep_text_dates_and_row_numbers():
    data = workbook({"Phân công": [["Mã cán bộ", "Mã đơn vị", "Từ ngày"], [None, None, None],
                                   ["tran-thi-binh", "vp.bx.th.np", dt.datetime(2026, 1, 5)]]})
    sheet, = read_file(data, "phan-cong.xlsx")
    assert sheet.name == "Phân công" and kind_named(sheet.name).name == "assignments"
    assert sheet.rows == [(3, {"Mã cán bộ": "tran-thi-binh", "Mã đơn vị": "vp.bx.th.np",
                               "Từ ngày": dt.date(2026, 1, 5)})]


@pytest.mark.parametrize("data, name, why", [
    (b"\xd0\xcf\x11\xe0rest", "old.xls", r"\.xls"),
    (b"PK\x03\x04 not really a zip", "units.xlsx", "not a readable .xlsx"),
    (b"unit_id,name\n", "units.xlsx", "not an .xlsx workbook"),
    (b"unit_id,unit_id\nx,y\n", "units.csv", "appears twice"),
    (b"\n\n", "units.csv", "no header"),
])
def test_unreadable_files_are_refused_whole(data, name, why):
    with pytest.raises(parsing.FileRefused, match=why):
        read_file(data, name)


def test_kind_is_told_by_the_sheet_name_or_the_columns():
    assert kind_named("Cơ quan").name == "authorities"
    assert kind_named("routing_rules.csv").name == "routing_rules"
    assert kind_of_headers(["unit_id", "name", "level"]).name == "units"
    assert kind_of_headers(["authority_id", "name", "kind", "level", "unit_id"]).name \
        == "authorities"
    assert kind_of_headers(["MÃ CÁN BỘ", "Họ và tên", "Mã đơn vị sinh hoạt", "Chức vụ"]).name \
        == "cadres"
    assert kind_of_headers(["something", "else"]) is None


# --- rows ----------------------------------------------------------------------------------------

def test_each_bad_row_is_rejected_with_its_line_and_column():
    data = ("Mã đơn vị,Tên đơn vị,Cấp,Loại hình,Mã đơn vị cấp trên,STT\n"
            "vp,Tỉnh ủy Vĩnh Phúc,province,,,1\n"
            "VP BX,Huyện ủy Bình Xuyên,district,,vp,2\n"
            "vp.bx.th,,grassroots,,vp,3\n"
            "vp.bx.th.np,Chi bộ thôn Nội Phật,branch,hamlet,vp.bx.th,4\n")
    checked = check_sheet(KINDS["units"], read_file(cp1258(data), "units.csv")[0])
    assert checked.ignored_columns == ["STT"]
    # the payload register_unit takes: the details a sheet left out are the schema's defaults
    assert [row.payload for row in checked.rows] == [
        {"unit_id": "vp", "name": "Tỉnh ủy Vĩnh Phúc", "level": "province", "kind": None,
         "parent_id": None, "locality": None, "meeting_schedule": None, "contacts": [],
         "established_on": None, "organisation_code": None}]
    found = {(r.line, r.column): r.reason for r in checked.rejections}
    assert set(found) == {(3, "unit_id"), (4, "name"), (5, "kind")}
    assert "lower-case id" in found[(3, "unit_id")]
    assert "residential" in found[(5, "kind")]
    assert found[(4, "name")] == "required, but the cell is empty"


def test_a_units_details_as_an_office_writes_them():
    data = ("Mã đơn vị,Tên đơn vị,Cấp,Loại hình,Mã đơn vị cấp trên,Địa phương,Lịch sinh hoạt,"
            "Người liên hệ,Ngày thành lập\n"
            "vp.bx.th.np,Chi bộ thôn Nội Phật,branch,village,vp.bx.th,"
            "\"thôn Nội Phật, xã Tam Hợp\",\"hằng tháng, ngày 5\","
            "Nguyễn Văn An (Bí thư) 0912 345 678 an@example.vn; Trần Thị Bình,"
            "01/07/2025\n"
            "vp.bx.th.ts,Chi bộ thôn Tiền Sơn,branch,village,vp.bx.th,,mỗi tuần,,\n"
            "vp.bx.th.hl,Chi bộ thôn Hữu Lộc,branch,village,vp.bx.th,,,(Bí thư) 0912 345 678,\n")
    checked = check_sheet(KINDS["units"], read_file(cp1258(data), "units.csv")[0])
    row, = checked.rows
    assert row.payload["locality"] == "thôn Nội Phật, xã Tam Hợp"
    assert row.payload["meeting_schedule"] == {"frequency": "monthly", "day_of_month": 5,
                                               "note": None}
    assert row.payload["contacts"] == [
        {"name": "Nguyễn Văn An", "role": "Bí thư", "phone": "0912 345 678",
         "email": "an@example.vn"},
        {"name": "Trần Thị Bình", "role": None, "phone": None, "email": None}]
    assert row.payload["established_on"] == "2025-07-01"
    found = {(r.line, r.column): r.reason for r in checked.rejections}
    assert set(found) == {(3, "meeting_schedule"), (4, "contacts")}
    assert "hằng tháng, ngày 5" in found[(3, "meeting_schedule")]
    assert "has no name" in found[(4, "contacts")]


def test_a_cadres_memberships_and_phone():
    sheet, = read_file(
        "Mã cán bộ,Họ và tên,Mã đơn vị sinh hoạt,Chức vụ,Số điện thoại,Cấp ủy\n"
        "an,Nguyễn Văn An,vp.bx,district_committee_member,0912 345 678,"
        "vp.bx: standing_member từ 01/10/2020 đến 30/06/2025; vp.bx.th: member\n"
        "binh,Trần Thị Bình,vp.bx,district_committee_member,,vp.bx: boss\n".encode(),
        "cadres.csv")
    checked = check_sheet(KINDS["cadres"], sheet)
    row, = checked.rows
    assert row.payload["phone"] == "0912 345 678"
    assert row.payload["memberships"] == [
        {"unit_id": "vp.bx", "role": "standing_member", "starts_on": "2020-10-01",
         "ends_on": "2025-06-30"},
        {"unit_id": "vp.bx.th", "role": "member", "starts_on": None, "ends_on": None}]
    rejection, = checked.rejections
    assert (rejection.line, rejection.column) == (3, "memberships")
    assert "secretary" in rejection.reason      # the roles the registry takes


def test_a_sheet_without_a_required_column_is_refused_naming_it():
    sheet, = read_file(b"unit_id,name\nvp,X\n", "units.csv")
    with pytest.raises(parsing.FileRefused, match="lacks the column.*level"):
        check_sheet(KINDS["units"], sheet)


def test_dates_and_lists_as_offices_write_them():
    sheet, = read_file(
        "cadre_id,full_name,home_unit_id,positions,email\n"
        "an,Nguyễn Văn An,vp,province_committee_member; party_building_board_leader,\n"
        .encode(), "cadres.csv")
    row, = check_sheet(KINDS["cadres"], sheet).rows
    assert row.payload["positions"] == ["province_committee_member",
                                        "party_building_board_leader"]
    sheet, = read_file(b"cadre_id,unit_id,starts_on\nan,vp.bx,05/01/2026\n"
                               b"an,vp.bx.th,31/02/2026\n", "assignments.csv")
    checked = check_sheet(KINDS["assignments"], sheet)
    assert checked.rows[0].payload["starts_on"] == "2026-01-05"
    assert checked.rejections[0].column == "starts_on" and checked.rejections[0].line == 3


# --- the plan ---------------------------------------------------------------------------------

def checked_units(text=UNITS_CSV):
    return [check_sheet(KINDS["units"], read_file(text.encode(), "units.csv")[0])]


def test_parents_are_applied_in_earlier_waves_than_their_children():
    shuffled = UNITS_CSV.splitlines()
    text = "\n".join([shuffled[0], shuffled[4], shuffled[2], shuffled[3], shuffled[1]]) + "\n"
    plan = make_plan(checked_units(text), Known())
    assert [step.payload["unit_id"] for step in plan.steps] == ["vp", "vp.bx", "vp.bx.th",
                                                                "vp.bx.th.np"]
    assert len({step.wave for step in plan.steps}) == 4 and not plan.rejections


def test_what_the_registry_holds_already_is_unchanged_and_other_data_is_rejected():
    known = Known(units={
        "vp": {"unit_id": "vp", "name": "Tỉnh ủy Vĩnh Phúc", "level": "province", "kind": None,
               "parent_id": None, "path": ["vp"]},
        "vp.bx": {"unit_id": "vp.bx", "name": "Thành ủy Vĩnh Yên", "level": "district",
                  "kind": None, "parent_id": "vp", "path": ["vp", "vp.bx"]}})
    checked = checked_units()
    assert lookups(checked)["units"] == {"vp", "vp.bx", "vp.bx.th", "vp.bx.th.np"}
    plan = make_plan(checked, known)
    assert plan.unchanged == [("units.csv", 2)]
    reasons = {(r.line, r.column): r.reason for r in plan.rejections}
    assert "name 'Thành ủy Vĩnh Yên' there" in reasons[(3, "unit_id")]
    assert reasons[(4, "parent_id")] == "unit 'vp.bx' is rejected on line 3"
    assert reasons[(5, "parent_id")] == "unit 'vp.bx.th' is rejected on line 4"
    assert plan.steps == []


def test_references_to_nothing_cycles_and_duplicate_lines():
    text = ("unit_id,name,level,parent_id\n"
            "a,A,branch,b\nb,B,branch,a\n"
            "c,C,branch,nowhere\n"
            "d,D,province,\nd,D,province,\nd,D2,province,\n")
    plan = make_plan(checked_units(text), Known())
    reasons = {(r.line, r.column): r.reason for r in plan.rejections}
    assert reasons[(2, "parent_id")] == reasons[(3, "parent_id")] == "the parents make a cycle"
    assert reasons[(4, "parent_id")] == "no unit 'nowhere' in the registry or in this file"
    assert reasons[(7, "unit_id")] == "d is also on line 5 with other data"
    assert plan.unchanged == [("units.csv", 6)]
    assert [step.line for step in plan.steps] == [5]


def test_assignments_follow_the_seed_rules_and_contacts_may_change():
    workbook_sheets = read_file(workbook({
        "units": [["unit_id", "name", "level", "kind", "parent_id"],
                  ["vp", "Tỉnh ủy", "province", None, None],
                  ["vp.bx", "Huyện ủy", "district", None, "vp"],
                  ["vp.bx.th", "Đảng bộ xã", "grassroots", None, "vp.bx"],
                  ["vp.bx.th.np", "Chi bộ thôn", "branch", "residential", "vp.bx.th"]],
        "cadres": [["cadre_id", "full_name", "home_unit_id", "positions", "email"],
                   ["binh", "Trần Thị Bình", "vp.bx", "district_committee_member",
                    "binh@example.org"],
                   ["an", "Nguyễn Văn An", "vp", "province_committee_member", None]],
        "assignments": [["cadre_id", "unit_id", "starts_on"],
                        ["binh", "vp.bx.th.np", "2026-01-01"],
                        ["binh", "vp.bx.th", "2026-01-01"],
                        ["an", "vp.bx.th", "2026-01-01"],
                        ["nobody", "vp.bx.th", "2026-01-01"]]}), "registry.xlsx")
    checked = [check_sheet(kind_named(sheet.name), sheet) for sheet in workbook_sheets]
    known = Known(cadres={"binh": {"cadre_id": "binh", "full_name": "Trần Thị Bình",
                                   "home_unit_id": "vp.bx",
                                   "positions": ["district_committee_member"], "email": None}})
    plan = make_plan(checked, known)
    reasons = {(r.sheet, r.line, r.column): r.reason for r in plan.rejections}
    assert "cannot be assigned" in reasons[("assignments", 3, "unit_id")]
    assert reasons[("assignments", 5, "cadre_id")] == \
        "no cadre 'nobody' in the registry or in this file"
    actions = {(s.kind, s.line): s.action for s in plan.steps}
    assert actions[("cadres", 2)] == "change_contact" and actions[("cadres", 3)] == "register"
    assert [s.kind for s in plan.steps] == ["units"] * 4 + ["cadres"] * 2 + ["assignments"] * 2


# --- the upload ------------------------------------------------------------------------------

def test_working_groups_are_formed_changed_or_refused_against_the_registry():
    sheet, = read_file(
        "Mã tổ công tác,Tên tổ công tác,Đơn vị thành lập,Thành viên,Chi bộ dự sinh hoạt,"
        "Từ ngày,Đến ngày\n"
        "tct-1,Tổ công tác số 1,vp.bx,binh; an,vp.bx.th.np; vp.bx.th.yl,01/03/2026,31/10/2026\n"
        "tct-2,Tổ công tác số 2,vp.bx,binh,vp.bx.th.np,01/03/2026,\n"
        "tct-3,Tổ công tác số 3,vp.vy,binh,vp.bx.th.np,01/03/2026,\n"
        "tct-4,Tổ công tác số 4,vp.bx,cuong,vp.bx.th.np,01/03/2026,\n"
        "tct-5,Tổ công tác số 5,vp.bx,binh,vp.bx.th.np,01/03/2026,\n".encode(),
        "to-cong-tac.csv")
    checked = [check_sheet(KINDS["working_groups"], sheet)]
    assert not checked[0].rejections
    assert lookups(checked)["working_groups"] == {f"tct-{i}" for i in range(1, 6)}
    stored = {"name": "Tổ công tác số 1", "formed_by_unit_id": "vp.bx",
              "member_cadre_ids": ["binh", "an"], "unit_ids": ["vp.bx.th.np", "vp.bx.th.yl"],
              "starts_on": "2026-03-01", "ends_on": "2026-12-31"}
    known = Known(
        units={u: {"unit_id": u, "level": "branch", "path": [u]}
               for u in ("vp.bx", "vp.vy", "vp.bx.th.np", "vp.bx.th.yl")},
        cadres={"binh": {"cadre_id": "binh"}, "an": {"cadre_id": "an"}},
        working_groups={
            "tct-1": {"working_group_id": "tct-1", **stored},
            "tct-3": {"working_group_id": "tct-3", **stored, "name": "Tổ công tác số 3",
                      "member_cadre_ids": ["binh"], "unit_ids": ["vp.bx.th.np"],
                      "ends_on": None},
            "tct-5": {"working_group_id": "tct-5", **stored, "name": "Tổ công tác số 5",
                      "member_cadre_ids": ["binh"], "unit_ids": ["vp.bx.th.np"],
                      "ends_on": None}})
    plan = make_plan(checked, known)
    # tct-1 ends earlier (a change); tct-2 is new; tct-5 is as held
    assert [(s.line, s.action) for s in plan.steps] == [(2, "change"), (3, "register")]
    assert plan.unchanged == [("to-cong-tac.csv", 6)]
    found = {(r.line, r.column): r.reason for r in plan.rejections}
    assert set(found) == {(4, "working_group_id"), (5, "member_cadre_ids")}
    assert "formed_by_unit_id 'vp.bx' there, 'vp.vy' here" in found[(4, "working_group_id")]
    assert "no cadre 'cuong'" in found[(5, "member_cadre_ids")]


def test_an_assignments_end_needs_a_reason_and_is_planned_against_what_the_registry_holds():
    sheet, = read_file(
        "cadre_id,unit_id,starts_on,Đến ngày,Lý do kết thúc\n"
        "binh,vp.bx.th.np,01/01/2026,31/12/2026,luân chuyển\n"
        "binh,vp.bx.th.yl,01/01/2026,31/12/2026,\n"
        "binh,vp.bx.th.hl,01/01/2026,31/12/2025,luân chuyển\n"
        "an,vp.bx.th.np,01/01/2026,31/12/2026,luân chuyển\n".encode(), "phan-cong.csv")
    checked = [check_sheet(KINDS["assignments"], sheet)]
    assert {(r.line, r.column) for r in checked[0].rejections} == {(3, "end_reason"),
                                                                  (4, "ends_on")}
    row = checked[0].rows[0]
    assert KINDS["assignments"].registered(row.payload) == {
        "cadre_id": "binh", "unit_id": "vp.bx.th.np", "starts_on": "2026-01-01"}
    assert KINDS["assignments"].follow_up_of(row.payload, {"assignment_id": "a-1"}, ADMIN) == (
        "assignments", "end_assignment",
        ("a-1", {"ends_on": "2026-12-31", "reason": "luân chuyển"}, ADMIN))
    branch = {"level": "branch", "kind": "village", "path": ["vp", "vp.bx", "vp.bx.th", "x"]}
    cadre = {"positions": ["district_committee_member"], "home_unit_id": "vp.bx"}
    known = Known(units={"vp.bx.th.np": branch}, cadres={"binh": cadre, "an": cadre},
                  assignments={
                      ("binh", "vp.bx.th.np"): {"starts_on": "2026-01-01", "ends_on": None},
                      ("an", "vp.bx.th.np"): {"starts_on": "2026-01-01",
                                              "ends_on": "2026-06-30", "end_reason": "nghỉ"}})
    plan = make_plan(checked, known)
    # Bình's assignment in force gets its end; An's ended otherwise already is refused
    assert [(s.line, s.action) for s in plan.steps] == [(2, "register")]
    rejection, = plan.rejections
    assert rejection.line == 5 and "ends_on '2026-06-30' there" in rejection.reason


def test_the_upload_is_checked_before_anything_is_stored():
    from marshmallow import ValidationError

    from services.imports.intake import first_look
    from shared.contracts.rpc.imports import StartImport
    assert first_look(cp1258("unit_id,name\nvp,Tỉnh ủy\n"), "don-vi.csv", None, LIMITS) == "csv"
    assert first_look(workbook({"units": [["unit_id"]]}), "don-vi.xlsx", None, LIMITS) == "xlsx"
    with pytest.raises(parsing.FileRefused, match="not a readable .xlsx workbook"):
        first_look(b"PK\x03\x04" + b"\x00" * 40, "x.xlsx", None, LIMITS)
    for content, why in (("", "empty"), ("@@@", "base64"), ("A" * 1_000_000, "over")):
        with pytest.raises(ValidationError, match=why):
            StartImport().load({"filename": "x.csv", "content_base64": content})
    with pytest.raises(ValidationError, match="kind"):
        StartImport().load({"filename": "x.csv", "content_base64": "eA==", "kind": "people"})
