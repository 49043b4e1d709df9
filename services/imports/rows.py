"""Each raw row of a sheet checked on its own: fields from cells, then the registering schema.

The promise: every row comes out either as a :class:`Row` whose payload the registering RPC
would load, or as a :class:`Rejection` naming its sheet, line, column and reason; a sheet
without a required column is refused whole (:class:`~services.imports.parsing.FileRefused`);
columns nobody knows are listed, not guessed at. Example::

    checked = check_sheet(KINDS["units"], sheet)
    checked.rows, checked.rejections, checked.ignored_columns
"""
import datetime as dt
import re
from dataclasses import dataclass, field

from marshmallow import ValidationError

from services.imports.cells import READERS
from services.imports.kinds import LIST_SEPARATORS
from services.imports.parsing import FileRefused, Number

# dd/mm/yyyy (how Vietnamese offices write dates), or ISO yyyy-mm-dd
VIETNAMESE_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


@dataclass
class Row:
    kind: str
    sheet: str
    line: int
    payload: dict      # as the RPC takes it (dates as ISO text)


@dataclass
class Rejection:
    sheet: str
    line: int
    column: str
    reason: str

    def to_dict(self):
        return {"sheet": self.sheet, "line": self.line, "column": self.column,
                "reason": self.reason}


@dataclass
class CheckedSheet:
    kind: str
    sheet: str
    rows: list = field(default_factory=list)
    rejections: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)


def check_sheet(kind, sheet):
    mapping, ignored = {}, []
    for header in sheet.headers:
        if not header:
            continue
        name = kind.column_for(header)
        if name is None:
            ignored.append(header)
        elif name in mapping.values():
            raise FileRefused(f"sheet {sheet.name!r}: columns {header!r} and "
                              f"{_header_of(mapping, name)!r} both give {name}")
        else:
            mapping[header] = name
    missing = [name for name in kind.required if name not in mapping.values()]
    if missing:
        raise FileRefused(f"sheet {sheet.name!r} ({kind.name}) lacks the column(s) "
                          f"{', '.join(missing)}; its header is: {', '.join(sheet.headers)}")
    checked = CheckedSheet(kind.name, sheet.name, ignored_columns=ignored)
    schema = kind.schema()
    for line, cells in sheet.rows:
        if "_row" in cells:
            checked.rejections.append(Rejection(sheet.name, line, "_row", cells["_row"]))
            continue
        raw, problems = {}, {}
        for header, name in mapping.items():
            value, problem = _field(kind.column(name), cells.get(header))
            if problem:
                problems[name] = problem
            elif value is not None:
                raw[name] = value
        if not problems:
            try:
                raw = schema.dump(schema.load(raw))
            except ValidationError as error:
                problems = {name: _message(messages) for name, messages in
                            error.normalized_messages().items()}
        for name, reason in problems.items():
            checked.rejections.append(Rejection(sheet.name, line, name, reason))
        if not problems:
            checked.rows.append(Row(kind.name, sheet.name, line, _plain(raw)))
    return checked


def _field(column, value):
    """(value for the schema, None) or (None, what is wrong)."""
    if value is None:
        return None, None
    if isinstance(value, Number) and not column.is_date:
        return None, _number_for_text(value)
    if column.cell:
        try:
            return READERS[column.cell][0](value), None
        except ValueError as error:
            return None, str(error)
    if column.is_list:
        return [part for part in LIST_SEPARATORS.split(str(value)) if part], None
    if column.is_date:
        return _date(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(), None
    return str(value), None


def _date(value):
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    text = str(value)
    match = VIETNAMESE_DATE.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day).isoformat(), None
        return dt.date.fromisoformat(text).isoformat(), None
    except ValueError:
        return None, f"{text!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)"


def _number_for_text(number):
    """Why a number cell is not taken as the text of an id or a code: we would guess at it."""
    return (f"ô chứa số {number} với định dạng {number.number_format!r}, không đọc được đúng "
            f"như văn bản Excel hiển thị: định dạng ô là Văn bản (Text) rồi nhập lại / the cell "
            f"holds the number {number} shown with the format {number.number_format!r}, not "
            "read as the office sees it: format the cell as Text and type it again")


def _message(messages):
    if messages == ["Missing data for required field."]:
        return "required, but the cell is empty"
    if isinstance(messages, dict):
        return "; ".join(f"{key}: {_message(value)}" for key, value in messages.items())
    if isinstance(messages, list):
        return "; ".join(_message(m) for m in messages)
    return str(messages)


def _plain(payload):
    return {key: value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
            for key, value in payload.items()}


def _header_of(mapping, name):
    return next(header for header, field_name in mapping.items() if field_name == name)
