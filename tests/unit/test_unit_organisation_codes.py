"""Units carry the Party organisation's code (issue 29): a units sheet gives it exactly as the
office wrote it, refuses one a number cell has already stripped of its leading zeros, and gives
registered units theirs by a change of that field alone (the backfill)."""
import io

from openpyxl import Workbook

from services.imports import parsing
from services.imports.kinds import KINDS
from services.imports.planning import Known, make_plan
from services.imports.rows import check_sheet
from services.imports.settings import limits

HEADERS = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã tổ chức đảng"]


def units_sheet(*rows, number_format=None):
    book = Workbook()
    sheet = book.active
    sheet.title = "Đơn vị"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
        if number_format:
            sheet.cell(sheet.max_row, 4).number_format = number_format
    out = io.BytesIO()
    book.save(out)
    read, = parsing.read_file(out.getvalue(), "don-vi.xlsx", None, limits({}))
    return check_sheet(KINDS["units"], read)


def test_a_code_in_a_text_cell_or_a_zero_padded_number_keeps_its_leading_zeros():
    checked = units_sheet(["vp", "Tỉnh ủy", "province", "0101.003"])
    assert checked.rows[0].payload["organisation_code"] == "0101.003"
    checked = units_sheet(["vp", "Tỉnh ủy", "province", 101003], number_format="0000000")
    assert checked.rows[0].payload["organisation_code"] == "0101003"


def test_a_code_in_a_general_number_cell_is_refused_not_taken_without_its_zeros():
    checked = units_sheet(["vp", "Tỉnh ủy", "province", 101003])
    assert checked.rows == []
    [rejection] = checked.rejections
    assert rejection.column == "organisation_code" and "101003" in rejection.reason
    assert rejection.reason.code == "code_not_text"


def test_a_registered_unit_gets_its_code_by_a_change_of_that_field_alone():
    checked = [units_sheet(["vp", "Tỉnh ủy", "province", "0101"])]
    known = Known(units={"vp": {"unit_id": "vp", "name": "Tỉnh ủy", "level": "province",
                                "kind": None, "parent_id": None, "path": ["vp"],
                                "organisation_code": None}})
    plan = make_plan(checked, known)
    assert [(step.payload["unit_id"], step.action) for step in plan.steps] == [("vp", "change")]
    assert KINDS["units"].change_rpc == ("assignments", "change_unit_details")


def members_sheet(*rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "Đảng viên"
    sheet.append(["Mã đảng viên", "Mã tổ chức đảng", "Họ và tên", "Tình trạng",
                  "Ngày thôi sinh hoạt"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    read, = parsing.read_file(out.getvalue(), "dang-vien.xlsx", None, limits({}))
    return check_sheet(KINDS["members"], read)


def test_a_members_sheet_keeps_codes_refuses_numbers_and_reads_statuses_in_words():
    checked = members_sheet(["00123", "0101.003", "Nguyễn Văn An", "Đang sinh hoạt", None],
                            ["00124", "0101.003", "Lê Thị Bình", "Từ trần", "2026-09-30"],
                            [125, "0101.003", "Trần Văn Cường", None, None])
    assert [(r.payload["member_code"], r.payload["status"]) for r in checked.rows] == [
        ("00123", "active"), ("00124", "died")]
    [rejection] = checked.rejections
    assert (rejection.line, rejection.column, rejection.reason.code) == (
        4, "member_code", "code_not_text")
    plan = make_plan([checked], Known())
    assert [(s.kind, s.action) for s in plan.steps] == [("members", "register")] * 2
    assert KINDS["members"].bulk_rpc == ("members", "import_members")
