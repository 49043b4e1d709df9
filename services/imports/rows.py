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
from services.imports.parsing import FileRefused, Number, ShownNumber
from shared.reasons import Reason, reason, reasons_of

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
    reason: str        # a Reason where the code knows why (shared.reasons), worded by the pages
    header: str = None  # the column as the file (or the import template) names it

    def to_dict(self):
        return {"sheet": self.sheet, "line": self.line, "column": self.column,
                "header": self.header, "reason": str(self.reason),
                "because": reasons_of(self.reason)}


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
            other = _header_of(mapping, name)
            raise FileRefused(reason("columns_same_field", f"sheet {sheet.name!r}: columns "
                                     f"{header!r} and {other!r} both give {name}",
                                     sheet=sheet.name, header=header, other=other))
        else:
            mapping[header] = name
    missing = [name for name in kind.required if name not in mapping.values()]
    if missing:
        named = ", ".join(kind.column(name).labels[0] for name in missing)
        raise FileRefused(reason("missing_columns", f"sheet {sheet.name!r} ({kind.name}) lacks "
                                 f"the column(s) {', '.join(missing)}; its header is: "
                                 f"{', '.join(sheet.headers)}", sheet=sheet.name,
                                 columns=named, headers=", ".join(sheet.headers)))
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
        for name, why in problems.items():
            header = next((h for h, field_name in mapping.items() if field_name == name),
                          kind.header_of(name))
            checked.rejections.append(Rejection(sheet.name, line, name, why, header))
        if not problems:
            checked.rows.append(Row(kind.name, sheet.name, line, _plain(raw)))
    return checked


def _field(column, value):
    """(value for the schema, None) or (None, what is wrong)."""
    if value is None:
        return None, None
    if isinstance(value, Number) and not column.is_date:
        return None, _number_for_text(value)
    if isinstance(value, ShownNumber) and column.code:
        return None, reason("code_not_text", f"a code is text as the office writes it "
                            f"(leading zeros kept), not the number {value}", value=str(value))
    if column.cell:
        try:
            return READERS[column.cell][0](value), None
        except ValueError as error:
            return None, error.args[0]
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
        return None, reason("not_a_date", f"{text!r} is not a date (dd/mm/yyyy or "
                            "yyyy-mm-dd)", value=text)


def _number_for_text(number):
    """Why a number cell is not taken as the text of an id or a code: we would guess at it."""
    return reason("number_as_text", f"the cell holds the number {number.value:g} shown with the "
                  f"format {number.number_format!r}, not read as the office sees it: format "
                  "the cell as Text and type it again", number=f"{number.value:g}",
                  number_format=number.number_format)


def _message(messages):
    """A field's messages in one, with the first one's code (a required one, as the cell)."""
    first = next(_leaves(messages), None)
    if isinstance(first, Reason) and first.code == "required":
        return reason("empty_cell", "required, but the cell is empty")
    said = _said(messages)
    return Reason(said, first.code, first.params) if isinstance(first, Reason) else said


def _leaves(messages):
    if isinstance(messages, dict):
        messages = list(messages.values())
    if isinstance(messages, list):
        for message in messages:
            yield from _leaves(message)
    else:
        yield messages


def _said(messages):
    if isinstance(messages, dict):
        return "; ".join(f"{key}: {_said(value)}" for key, value in messages.items())
    if isinstance(messages, list):
        return "; ".join(_said(m) for m in messages)
    return str(messages)


def _plain(payload):
    return {key: value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
            for key, value in payload.items()}


def _header_of(mapping, name):
    return next(header for header, field_name in mapping.items() if field_name == name)


def refused_on(error, kind):
    """A registry's refusal of a row of ``kind`` while applying: the column it names (else the
    kind's key), its message, and its reason (the field's first, else that the registry
    refused it)."""
    column = next(iter(error.fields or {}), kind.key[-1])
    found = (error.reasons or {}).get(column)
    because = found[0] if isinstance(found, list) and found and isinstance(found[0], dict) \
        else {"code": "registry_refused"}
    return {"column": column, "header": kind.header_of(column), "reason": error.message,
            "because": because}
