"""An upload, read and checked row by row: what a job starts from.

The promise: :func:`first_look` refuses at once, in milliseconds, a file that is not what it
says (an old ``.xls``, a damaged workbook, a CSV in no encoding we read without guessing);
:func:`take_in` then either refuses the file as a whole (:class:`FileRefused`, saying why: a
sheet whose kind cannot be told, a missing column) or returns every valid row with its sheet
and line and every rejected row with its reason. Pure: no store, no service. Example::

    fmt = first_look(data, "don-vi.csv", None, limits)     # "csv", or FileRefused
    taken = take_in(data, "don-vi.csv", None, None, limits)
    taken.format, taken.sheets, taken.rows, taken.rejections
"""
from dataclasses import dataclass, field

from services.imports.decoding import EncodingRefused, decode_text
from services.imports.kinds import KINDS, kind_named, kind_of_headers
from services.imports.parsing import FileRefused, check_archive, format_of, read_file
from services.imports.rows import check_sheet
from shared.reasons import reason


@dataclass
class Taken:
    format: str
    sheets: list = field(default_factory=list)       # [{name, kind, rows, ignored_columns}]
    rows: list = field(default_factory=list)         # services.imports.rows.Row, file order
    rejections: list = field(default_factory=list)   # services.imports.rows.Rejection


def first_look(data, filename, declared_format, limits):
    """The file's format, or :class:`FileRefused`: the checks that take no time (a
    workbook's zip entries against ``limits`` among them)."""
    fmt = format_of(data, filename, declared_format)
    if fmt == "csv":
        try:
            decode_text(data)
        except EncodingRefused as refused:
            raise FileRefused(*refused.args) from None
    else:
        check_archive(data, limits)
    return fmt


def take_in(data, filename, kind, declared_format, limits):
    fmt = format_of(data, filename, declared_format)
    sheets = read_file(data, filename, fmt, limits)
    taken = Taken(fmt)
    for sheet in sheets:
        sheet_kind = _kind_of(sheet, kind, fmt, single=len(sheets) == 1)
        if sheet_kind is None:  # a workbook's notes or instructions: listed, not read
            taken.sheets.append({"name": sheet.name, "kind": None, "rows": len(sheet.rows),
                                 "ignored_columns": []})
            continue
        checked = check_sheet(sheet_kind, sheet)
        taken.sheets.append({"name": sheet.name, "kind": sheet_kind.name,
                             "rows": len(sheet.rows),
                             "ignored_columns": checked.ignored_columns})
        taken.rows.extend(checked.rows)
        taken.rejections.extend(checked.rejections)
    if all(sheet["kind"] is None for sheet in taken.sheets):
        names = ", ".join(repr(sheet["name"]) for sheet in taken.sheets)
        raise FileRefused(reason("unknown_sheets", f"cannot tell what {names} holds: name the "
                                 f"sheet (or give kind) as one of {', '.join(KINDS)}, or use "
                                 "their columns", sheets=names))
    taken.rejections.sort(key=lambda r: (r.sheet, r.line, r.column))
    return taken


def _kind_of(sheet, kind, fmt, single):
    if kind is not None and (fmt == "csv" or single):
        return KINDS[kind]
    named = kind_named(sheet.name)
    if named is not None:
        return named
    return kind_of_headers(sheet.headers)
