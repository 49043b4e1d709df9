"""From an uploaded file to sheets of raw rows, each row with the line it came from.

The promise: a CSV (any encoding ``decoding`` reads) or an ``.xlsx`` workbook becomes
:class:`Sheet` objects of ``(line, {header: value})``, the line being what the administrator
sees in their program (the header is line 1); blank rows are skipped; a file that is neither
is refused with :class:`FileRefused` saying why (the old ``.xls`` format, a damaged workbook,
no header, a header twice, a file past its :class:`Limits`, XML that is damaged or declares
entities). Values are text (NFC), dates or None; a number cell is the text the office sees
(``0077`` when its format is ``0000``), or a :class:`Number` when that cannot be told exactly;
``rows`` makes fields of them. Example::

    sheets = read_file(b"unit_id,name\\nvp,T\\xe1\\xbb\\x89nh \\xe1\\xbb\\xa7y\\n", "units.csv",
                       None, limits)
    sheets[0].rows    # -> [(2, {"unit_id": "vp", "name": "Tỉnh ủy"})]
"""
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from services.imports.decoding import EncodingRefused, decode_text
from services.imports.writing import unguarded
from shared.reasons import reason, reasons_of

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
FORMATS = ("csv", "xlsx")
# an entry smaller than this cannot be a bomb, whatever its ratio (tiny XML parts pack oddly)
RATIO_FROM_BYTES = 1 << 20
# number formats that only pad with zeros: "0000" shows 77 as "0077"
ZERO_PADDED = re.compile(r"^0+$")
# how Excel's General format shows a whole number before it turns to 1.2E+11
GENERAL_DIGITS = 11


class FileRefused(ValueError):
    """The file as a whole cannot be read; nothing in it is considered. Raised with a
    :func:`shared.reasons.reason`, whose code and values the pages word (``because``)."""

    @property
    def because(self):
        return reasons_of(self.args[0]) if self.args else {"code": "invalid"}


@dataclass(frozen=True)
class Limits:
    """What one uploaded file may hold (``IMPORT_MAX_*`` in deploy/config.yml); checked before
    a workbook is opened (its zip entries) and while it is read (rows, columns, cells)."""
    unpacked_bytes: int        # a workbook's zip entries together, uncompressed
    entry_bytes: int           # one zip entry, uncompressed
    compression_ratio: float   # one entry's uncompressed size over its compressed size
    rows: int                  # rows of one file, all sheets, blank ones counted
    columns: int               # columns of a header
    cell_chars: int            # characters in one cell


@dataclass(frozen=True)
class Number:
    """A number cell whose text cannot be told exactly as the office sees it (its format is
    not one we render): where text is expected, its row is rejected, never guessed."""
    value: float
    number_format: str

    def __str__(self):
        return format(self.value, ".15g")


@dataclass
class Sheet:
    name: str          # the workbook's sheet name, or the file name of a CSV
    headers: list
    rows: list         # [(line, {header: value})]


def format_of(data, filename=None, declared=None):
    """``csv`` or ``xlsx``: what the bytes are, checked against what the name or the caller
    says."""
    if data.startswith(XLS_MAGIC):
        raise FileRefused(reason("old_excel", "the old Excel format (.xls) is not read: save "
                                 "the sheet as .xlsx (Excel Workbook) or as CSV UTF-8"))
    found = "xlsx" if data.startswith(XLSX_MAGIC) else "csv"
    named = declared or (filename.rsplit(".", 1)[-1].lower()
                         if filename and "." in filename else None)
    if named in FORMATS and named != found:
        raise FileRefused(reason(
            "format_mismatch", f"the file is called {named} but its content is "
            f"{'an .xlsx workbook' if found == 'xlsx' else 'not an .xlsx workbook'}",
            named=named))
    return found


def read_file(data, filename, declared_format, limits):
    """The :class:`Sheet` list of an uploaded file, within ``limits`` (:class:`Limits`)."""
    fmt = format_of(data, filename, declared_format)
    if fmt == "xlsx":
        return read_xlsx(data, limits)
    return [read_csv(data, filename or "upload.csv", limits)]


def read_csv(data, name, limits):
    try:
        text = decode_text(data)
    except EncodingRefused as refused:
        raise FileRefused(*refused.args) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        headers = next(reader, None)
        if headers is None or not any(h.strip() for h in headers):
            raise FileRefused(reason("no_header", "the file has no header line (line 1 "
                                            "names the columns)"))
        headers = _checked_headers(
            [_csv_cell(h, limits, name, 1, i) or "" for i, h in enumerate(headers)], limits)
        rows, line, count = [], reader.line_num + 1, 1
        for values in reader:
            start, line, count = line, reader.line_num + 1, count + 1
            if count > limits.rows:
                raise FileRefused(_too_many_rows(name, limits))
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(headers):
                extra = [v for v in values[len(headers):] if v.strip()]
                if extra:
                    rows.append((start, {"_row": reason(
                        "too_many_cells", f"{len(values)} cells but the header has "
                        f"{len(headers)} columns", cells=len(values), columns=len(headers))}))
                    continue
            rows.append((start, {h: _csv_cell(v, limits, name, start, i)
                                 for i, (h, v) in enumerate(zip(headers, values))}))
    except csv.Error as error:
        raise FileRefused(reason("bad_csv", f"line {reader.line_num}: not valid CSV ({error})",
                                 line=reader.line_num)) from None
    return Sheet(name, headers, rows)


def check_archive(data, limits):
    """Refuse, before anything is unpacked, a workbook whose zip entries would unpack past
    ``limits`` (a zip bomb) or that is no workbook; the sizes are the ones the zip declares,
    and :mod:`zipfile` never unpacks an entry past its declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except Exception as error:  # noqa: BLE001 (any way a zip is damaged: one refusal)
        raise FileRefused(reason("bad_workbook", f"not a readable .xlsx workbook "
                                 f"({type(error).__name__}: {error})")) from None
    total = 0
    for entry in entries:
        size = entry.file_size
        if size > limits.entry_bytes:
            raise FileRefused(reason("workbook_too_big", f"the workbook's part "
                                     f"{entry.filename!r} unpacks to {size} bytes: at most "
                                     f"{limits.entry_bytes}"))
        if size >= RATIO_FROM_BYTES and size > limits.compression_ratio * max(
                entry.compress_size, 1):
            raise FileRefused(reason("workbook_too_big", f"the workbook's part "
                                     f"{entry.filename!r} is packed "
                                     f"{size // max(entry.compress_size, 1)} times: at most "
                                     f"{limits.compression_ratio:g} (a zip bomb, not a "
                                     "workbook)"))
        total += size
    if total > limits.unpacked_bytes:
        raise FileRefused(reason("workbook_too_big", f"the workbook unpacks to {total} bytes: "
                                 f"at most {limits.unpacked_bytes}"))
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise FileRefused(reason("bad_workbook", "a zip archive but not an .xlsx workbook"))


def read_xlsx(data, limits):
    check_archive(data, limits)
    try:
        return _read_workbook(data, limits)
    except FileRefused:
        raise
    except Exception as error:  # noqa: BLE001 (a damaged or hostile workbook: refused whole)
        raise FileRefused(reason("bad_workbook", _unreadable(error))) from None


def _read_workbook(data, limits):
    from openpyxl import load_workbook  # only when a workbook comes: it takes a while to import

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheets, lines = [], 0
    try:
        for worksheet in book.worksheets:
            worksheet.reset_dimensions()  # a dimension written wrong must not hide rows
            rows, headers = [], None
            # bounded: openpyxl fills the gaps up to a cell's row and column, whatever they say
            for number, cells in enumerate(worksheet.iter_rows(
                    max_row=limits.rows + 1, max_col=limits.columns + 1), start=1):
                lines += 1
                if lines > limits.rows:
                    raise FileRefused(_too_many_rows(worksheet.title, limits))
                values = [_cell(_shown(cell), limits, worksheet.title, number, index)
                          for index, cell in enumerate(cells)]
                if headers is None:
                    if not any(v is not None for v in values):
                        continue
                    headers = _checked_headers(["" if v is None else str(v) for v in values],
                                               limits)
                    continue
                if not any(v is not None for v in values):
                    continue
                rows.append((number, {h: v for h, v in zip(headers, values) if h}))
            if headers is not None:
                sheets.append(Sheet(worksheet.title, headers, rows))
    finally:
        book.close()
    if not sheets:
        raise FileRefused(reason("no_header", "the workbook has no sheet with a header line"))
    return sheets


def _unreadable(error):
    """The reason a workbook could not be read, for the administrator: told by the first
    cause (openpyxl wraps what its XML parser raised in a ValueError of its own)."""
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__
    name = type(error).__name__
    if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"):
        return ("tệp có khai báo thực thể XML (DTD), Excel không bao giờ ghi như vậy / the "
                "workbook's XML declares entities (a DTD), which Excel never writes: refused")
    if name in ("ParseError", "ExpatError"):
        return (f"XML trong tệp bị hỏng / the workbook's XML is damaged ({error}): open it "
                "in Excel and save it again")
    if isinstance(error, IndexError):
        return ("tệp tham chiếu tới chuỗi hoặc kiểu không có / a cell of the workbook points "
                "at a shared text or a style that is not there: the file is damaged")
    return f"not a readable .xlsx workbook ({name}: {error})"


def _too_many_rows(name, limits):
    return reason("too_many_rows", f"{name!r}: more than {limits.rows} rows in the file "
                  "(blank ones counted): split the file", limit=limits.rows)


def _checked_headers(headers, limits):
    headers = [unicodedata.normalize("NFC", h).strip() for h in headers]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > limits.columns:
        raise FileRefused(reason("too_many_columns", f"more than {limits.columns} columns in "
                                 "the header", limit=limits.columns))
    seen = set()
    for header in headers:
        if header and header in seen:
            raise FileRefused(reason("column_twice", f"the column {header!r} appears twice in "
                                     "the header", header=header))
        seen.add(header)
    return headers


class ShownNumber(str):
    """A number cell's text as the General format shows it: right for a count, but a code
    typed as a number has already lost its leading zeros (``00123`` shows as ``123``), so a
    code column refuses it (``rows``) rather than take it silently."""


def _shown(cell):
    """A workbook cell's value; a number as the text the office sees when its format says it
    exactly (``0000`` shows 77 as ``0077``), else a :class:`Number`."""
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return shown_number(value, cell.number_format)


def shown_number(value, number_format):
    """The text Excel shows for ``value`` in ``number_format``, or a :class:`Number` when we
    cannot tell it exactly. Example: ``shown_number(77, "0000")`` is ``"0077"``."""
    fmt = (number_format or "General").strip()
    whole = float(value).is_integer() and abs(value) < 10 ** 15
    if ZERO_PADDED.match(fmt) and whole:
        return ("-" if value < 0 else "") + f"{abs(int(value)):0{len(fmt)}d}"
    if fmt in ("General", "@"):  # "@": a number typed before the column became text
        if whole and abs(value) < 10 ** GENERAL_DIGITS:
            return ShownNumber(int(value))
        text = format(value, ".10g")
        if "e" not in text and float(text) == value:
            return ShownNumber(text)
    return Number(value, fmt)


def _csv_cell(text, limits, sheet, line, index):
    """A CSV cell: the ``'`` our export put before a formula's first character taken off."""
    text = _cell(text, limits, sheet, line, index)
    return text and unguarded(text).strip() or None


def _cell(value, limits, sheet, line, index):
    """A cell as text (NFC, trimmed; empty is None), a date, or a :class:`Number`; over
    ``limits.cell_chars`` characters refuses the file."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, bool, Number, ShownNumber)):
        return value
    text = str(value)
    if len(text) > limits.cell_chars:  # before any work on it: a huge cell costs nothing
        raise FileRefused(reason("cell_too_long", f"{sheet!r} line {line}, column {index + 1}: "
                                 f"{len(text)} characters, at most {limits.cell_chars}",
                                 line=line, column=index + 1, limit=limits.cell_chars))
    text = unicodedata.normalize("NFC", text).strip()
    return text or None
