"""Tables out as the files offices open: CSV in UTF-8 with a byte-order mark (so Excel shows
Vietnamese as it is) or an ``.xlsx`` workbook, with the columns the import reads back.

No cell of an export or a report can run code in the program that opens it (OWASP's CSV
injection): a CSV cell that a spreadsheet would take for a formula (it starts with ``=`` ``+``
``-`` ``@``, a tab or a carriage return) gets a ``'`` before it, and an ``.xlsx`` cell is
always a text cell (data type ``s``), never a formula. The import takes the ``'`` off again
(``unguarded``), so an export imports back unchanged. Example::

    data = write_csv(["unit_id", "name"], [{"unit_id": "vp", "name": "Tỉnh ủy"}])
    data = write_xlsx({"units": (["unit_id", "name"], rows)})
    guarded("=HYPERLINK(\\"http://x\\")")     # -> "'=HYPERLINK(\\"http://x\\")"
"""
import codecs
import csv
import io

LIST_JOIN = "; "
GUARD = "'"
# what makes Excel, LibreOffice or Google Sheets read a cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return LIST_JOIN.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def guarded(text):
    """``text`` as a CSV cell no spreadsheet runs: ``'`` before a formula's first character.
    Text that already starts with ``'`` before such a character gets one more, so that
    ``unguarded`` gives it back exactly."""
    return GUARD + text if text.lstrip(GUARD).startswith(FORMULA_STARTS) else text


def unguarded(text):
    """The text ``guarded`` was given: the one ``'`` it added taken off."""
    if text.startswith(GUARD) and text.lstrip(GUARD).startswith(FORMULA_STARTS):
        return text[len(GUARD):]
    return text


def write_csv(columns, rows):
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([guarded(cell_text(column)) for column in columns])
    for row in rows:
        writer.writerow([guarded(cell_text(row.get(column))) for column in columns])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def write_xlsx(sheets):
    """``sheets``: ``{title: (columns, rows)}``; every cell is written as text (ids like
    ``01`` stay ids, dates stay ISO, ``=…`` stays text: never a formula)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, (columns, rows) in sheets.items():
        sheet = book.create_sheet(title[:31])
        sheet.append([_text_cell(sheet, cell_text(column)) for column in columns])
        for row in rows:
            sheet.append([_text_cell(sheet, cell_text(row.get(column))) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(sheet, text):
    from openpyxl.cell import WriteOnlyCell

    if not text:
        return None
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # openpyxl makes "=…" a formula by itself: text it stays
    return cell
