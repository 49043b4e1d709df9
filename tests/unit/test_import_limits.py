"""Hostile and damaged files (S4), number cells read as the office sees them (S9): every one
refused whole with its reason, or its row rejected, never read into something else."""
import dataclasses
import datetime as dt
import functools
import io
import zipfile

import pytest

from services.imports import parsing
from services.imports.kinds import KINDS
from services.imports.rows import check_sheet
from services.imports.settings import limits

LIMITS = limits({})  # deploy/config.yml's
HEADER = ["unit_id", "name", "level"]

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                             else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                    b'main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is>'
                    b'</c></row></sheetData></worksheet>')


def workbook(rows, number_formats=None, epoch_1904=False):
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904
    book = Workbook()
    sheet = book.active
    sheet.title = "units"
    if epoch_1904:
        book.epoch = CALENDAR_MAC_1904
    for row in rows:
        sheet.append(row)
    for (row, column), fmt in (number_formats or {}).items():
        sheet.cell(row, column).number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezipped(data, replace=None, add=None):
    """``data``'s zip with some entries' bytes replaced and others added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, (replace or {}).get(entry.filename)
                            or source.read(entry.filename))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def sheet_xml(rows_xml):
    return ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData>' + rows_xml + '</sheetData></worksheet>'
            ).encode()


PLAIN = workbook([HEADER, ["vp", "Tỉnh ủy", "province"]])
SHEET = "xl/worksheets/sheet1.xml"


@functools.lru_cache(maxsize=1)
def hostile_workbooks():
    """(id, bytes, what the refusal says): each file S4 found, and the limits' edges."""
    header = ('<row r="1"><c r="A1" t="inlineStr"><is><t>unit_id</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>name</t></is></c>'
              '<c r="C1" t="inlineStr"><is><t>level</t></is></c></row>')
    return [
        ("billion-laughs", rezipped(PLAIN, {SHEET: BILLION_LAUGHS}), "DTD"),
        ("malformed-xml", rezipped(PLAIN, {SHEET: b"<worksheet><sheetData><row r='1'>"}),
         "XML.*damaged"),
        ("bad-shared-string-index", rezipped(PLAIN, {SHEET: sheet_xml(
            header + '<row r="2"><c r="A2" t="s"><v>99999</v></c></row>')}), "shared text"),
        ("zip-bomb", rezipped(PLAIN, add={"xl/media/pad.bin": b"\0" * 60_000_000}),
         "unpacks to 60000000 bytes"),
        ("packed-too-tightly", rezipped(PLAIN, add={"xl/media/pad.bin": b" " * 3_000_000}),
         "zip bomb"),
        ("a-row-a-billion-lines-down", rezipped(PLAIN, {SHEET: sheet_xml(
            header + '<row r="1000000000"><c r="A1000000000" t="inlineStr"><is><t>x</t></is>'
                     '</c></row>')}), "more than 50000 rows"),
        ("too-many-rows", workbook([HEADER] + [[f"u{i}", "n", "branch"] for i in range(500)]),
         "more than 500 rows"),
        ("too-many-columns", workbook([[f"c{i}" for i in range(51)]]), "more than 50 columns"),
        ("over-long-cell", workbook([HEADER, ["vp", "x" * 4001, "province"]]),
         "line 2, column 2: 4001 characters"),
    ]


@pytest.mark.parametrize("data, why", [case[1:] for case in hostile_workbooks()],
                         ids=[case[0] for case in hostile_workbooks()])
def test_each_hostile_or_damaged_workbook_is_refused_whole_with_its_reason(data, why):
    few_rows = dataclasses.replace(LIMITS, rows=500) if "500 rows" in why else LIMITS
    with pytest.raises(parsing.FileRefused, match=why):
        parsing.read_file(data, "units.xlsx", None, few_rows)


def test_openpyxl_reads_workbooks_through_defusedxml():
    import openpyxl
    assert openpyxl.DEFUSEDXML is True


def test_a_zip_bomb_is_refused_before_anything_is_unpacked():
    from services.imports.intake import first_look
    bomb = rezipped(PLAIN, add={"xl/media/pad.bin": b"\0" * 60_000_000})
    assert len(bomb) < 700_000
    with pytest.raises(parsing.FileRefused, match="unpacks to"):
        first_look(bomb, "units.xlsx", None, LIMITS)
    small = dataclasses.replace(LIMITS, unpacked_bytes=5000)
    with pytest.raises(parsing.FileRefused, match="the workbook unpacks to .* at most 5000"):
        first_look(PLAIN, "units.xlsx", None, small)


@pytest.mark.parametrize("text, why", [
    ("unit_id,name\n" + "u,n\n" * 50_000, "more than 50000 rows"),
    (",".join(f"c{i}" for i in range(51)) + "\n", "more than 50 columns"),
    ("unit_id,name\nvp," + "x" * 4001 + "\n", "line 2, column 2: 4001 characters"),
])
def test_csv_files_are_held_to_the_same_limits(text, why):
    with pytest.raises(parsing.FileRefused, match=why):
        parsing.read_file(text.encode(), "units.csv", None, LIMITS)


def test_a_file_at_the_limits_is_read():
    sheet, = parsing.read_file(("unit_id,name\n" + "u,n\n" * 49_998 + "vp," + "x" * 4000)
                               .encode(), "units.csv", None, LIMITS)
    assert len(sheet.rows) == 49_999 and len(sheet.rows[-1][1]["name"]) == 4000


# --- S9: number cells ---------------------------------------------------------------------

def test_a_number_cell_keeps_the_leading_zeros_its_format_shows():
    data = workbook([HEADER, [77, "Chi bộ 0077", "branch"], ["0012", "Chi bộ 0012", "branch"],
                     [5, "Chi bộ 5", "branch"]], {(2, 1): "0000"})
    sheet, = parsing.read_file(data, "units.xlsx", None, LIMITS)
    assert [cells["unit_id"] for _, cells in sheet.rows] == ["0077", "0012", "5"]
    checked = check_sheet(KINDS["units"], sheet)
    assert [row.payload["unit_id"] for row in checked.rows] == ["0077", "0012", "5"]


@pytest.mark.parametrize("value, fmt, shown", [
    (77, "0000", "0077"), (-77, "0000", "-0077"), (77, "General", "77"), (77, "@", "77"),
    (77.5, "General", "77.5"), (912345678, "0000000000", "0912345678"),
    (77.5, "0000", None), (77, "0.00", None), (1234, "#,##0", None),
    (123456789012, "General", None), (77, '"VP-"000', None),
])
def test_a_number_is_text_only_when_shown_exactly(value, fmt, shown):
    found = parsing.shown_number(value, fmt)
    if shown is None:
        assert isinstance(found, parsing.Number) and found.number_format == fmt
    else:
        assert found == shown


def test_a_number_where_text_is_expected_is_reported_on_its_row():
    data = workbook([HEADER, [77, "Chi bộ", "branch"], ["vp", "Tỉnh ủy", "province"]],
                    {(2, 1): "0.00"})
    checked = check_sheet(KINDS["units"], parsing.read_file(data, "units.xlsx", None,
                                                            LIMITS)[0])
    assert [row.payload["unit_id"] for row in checked.rows] == ["vp"]
    rejection, = checked.rejections
    assert (rejection.line, rejection.column) == (2, "unit_id")
    assert "'0.00'" in rejection.reason and "Text" in rejection.reason


def test_dates_are_read_right_in_1904_based_workbooks_too():
    for epoch_1904 in (False, True):
        data = workbook([["cadre_id", "unit_id", "starts_on"],
                         ["an", "vp", dt.datetime(2026, 1, 5)]], epoch_1904=epoch_1904)
        sheet, = parsing.read_file(data, "assignments.xlsx", None, LIMITS)
        assert sheet.rows[0][1]["starts_on"] == dt.date(2026, 1, 5)
