"""From an uploaded file to sheets of raw rows, each row with the line it came from.

The promise: a CSV (any encoding ``decoding`` reads) or an ``.xlsx`` workbook becomes
:class:`Sheet` objects of ``(line, {header: value})``, the line being what the administrator
sees in their program (the header is line 1); blank rows are skipped; a file that is neither
is refused with :class:`FileRefused` saying why (the old ``.xls`` format, a damaged workbook,
no header, a header twice). Values are text (NFC), dates, numbers or None; ``rows`` makes
fields of them. Example::

    sheets = read_file(b"unit_id,name\\nvp,T\\xe1\\xbb\\x89nh \\xe1\\xbb\\xa7y\\n", "units.csv")
    sheets[0].rows    # -> [(2, {"unit_id": "vp", "name": "Tỉnh ủy"})]
"""
import csv
import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from services.imports.decoding import EncodingRefused, decode_text

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
FORMATS = ("csv", "xlsx")
MAX_ROWS = 100_000
MAX_COLUMNS = 50


class FileRefused(ValueError):
    """The file as a whole cannot be read; nothing in it is considered."""


@dataclass
class Sheet:
    name: str          # the workbook's sheet name, or the file name of a CSV
    headers: list
    rows: list         # [(line, {header: value})]


def format_of(data, filename=None, declared=None):
    """``csv`` or ``xlsx``: what the bytes are, checked against what the name or the caller
    says."""
    if data.startswith(XLS_MAGIC):
        raise FileRefused("the old Excel format (.xls) is not read: save the sheet as .xlsx "
                          "(Excel Workbook) or as CSV UTF-8")
    found = "xlsx" if data.startswith(XLSX_MAGIC) else "csv"
    named = declared or (filename.rsplit(".", 1)[-1].lower()
                         if filename and "." in filename else None)
    if named in FORMATS and named != found:
        raise FileRefused(f"the file is called {named} but its content is "
                          f"{'an .xlsx workbook' if found == 'xlsx' else 'not an .xlsx workbook'}")
    return found


def read_file(data, filename=None, declared_format=None):
    """The :class:`Sheet` list of an uploaded file."""
    fmt = format_of(data, filename, declared_format)
    return read_xlsx(data) if fmt == "xlsx" else [read_csv(data, filename or "upload.csv")]


def read_csv(data, name):
    try:
        text = decode_text(data)
    except EncodingRefused as refused:
        raise FileRefused(str(refused)) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        headers = next(reader, None)
        if headers is None or not any(h.strip() for h in headers):
            raise FileRefused("the file has no header line (line 1 names the columns)")
        headers = _checked_headers(headers)
        rows, line = [], reader.line_num + 1
        for values in reader:
            start, line = line, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(headers):
                extra = [v for v in values[len(headers):] if v.strip()]
                if extra:
                    rows.append((start, {"_row": f"{len(values)} cells but the header has "
                                                 f"{len(headers)} columns"}))
                    continue
            rows.append((start, {h: _cell(v) for h, v in zip(headers, values)}))
            if len(rows) > MAX_ROWS:
                raise FileRefused(f"more than {MAX_ROWS} rows: split the file")
    except csv.Error as error:
        raise FileRefused(f"line {reader.line_num}: not valid CSV ({error})") from None
    return Sheet(name, headers, rows)


def read_xlsx(data):
    from openpyxl import load_workbook  # only when a workbook comes: it takes a while to import

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise FileRefused(f"not a readable .xlsx workbook ({type(error).__name__}: {error})") \
            from None
    sheets = []
    try:
        for worksheet in book.worksheets:
            rows, headers = [], None
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                values = [_cell(v) for v in values[:MAX_COLUMNS * 4]]
                if headers is None:
                    if not any(v is not None for v in values):
                        continue
                    headers = _checked_headers(["" if v is None else str(v) for v in values])
                    continue
                if not any(v is not None for v in values):
                    continue
                rows.append((number, {h: v for h, v in zip(headers, values) if h}))
                if len(rows) > MAX_ROWS:
                    raise FileRefused(f"sheet {worksheet.title!r} has more than {MAX_ROWS} rows")
            if headers is not None:
                sheets.append(Sheet(worksheet.title, headers, rows))
    finally:
        book.close()
    if not sheets:
        raise FileRefused("the workbook has no sheet with a header line")
    return sheets


def _checked_headers(headers):
    headers = [unicodedata.normalize("NFC", h).strip() for h in headers]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise FileRefused(f"{len(headers)} columns: at most {MAX_COLUMNS}")
    seen = set()
    for header in headers:
        if header and header in seen:
            raise FileRefused(f"the column {header!r} appears twice in the header")
        seen.add(header)
    return headers


def _cell(value):
    """A cell as text (NFC, trimmed; empty is None), a date, or a number as written."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, bool)):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None
