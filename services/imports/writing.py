"""Tables out as the files offices open: CSV in UTF-8 with a byte-order mark (so Excel shows
Vietnamese as it is) or an ``.xlsx`` workbook, with the columns the import reads back.

Example::

    data = write_csv(["unit_id", "name"], [{"unit_id": "vp", "name": "Tỉnh ủy"}])
    data = write_xlsx({"units": (["unit_id", "name"], rows)})
"""
import codecs
import csv
import io

LIST_JOIN = "; "


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return LIST_JOIN.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(columns, rows):
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell_text(row.get(column)) for column in columns])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def write_xlsx(sheets):
    """``sheets``: ``{title: (columns, rows)}``; every cell is written as text (ids like
    ``01`` stay ids, dates stay ISO)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, (columns, rows) in sheets.items():
        sheet = book.create_sheet(title[:31])
        sheet.append(list(columns))
        for row in rows:
            sheet.append([cell_text(row.get(column)) or None for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
