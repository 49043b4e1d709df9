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
