"""RPC payloads of the working calendar and of a case's severity tier (escalations:
``services.escalations.calendars``, ``case_tiers``)."""
from marshmallow import Schema, fields, validate

from shared.contracts.base import Day, Id, StrictBoolean, Text
from shared.contracts.cases import TIERS

# shared.working_calendar.ENTRY_KINDS: a day off, a day worked (a weekend made up), a morning
ENTRY_KINDS = ("day_off", "working_day", "morning_only")
HOUR = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ChangeTier(Schema):
    """The holder's officer puts a case in another tier; the reason goes on its timeline."""
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    reason = Text(2000, required=True)


class CalendarQuery(Schema):
    """The national entries, with one authority's own and its office hours."""
    authority_id = Id(load_default=None)


class AddCalendarEntry(Schema):
    """A day off, a day worked or a morning only, nationally (no authority) or for one
    authority; replaces the entry of that day and scope."""
    day = Day(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ENTRY_KINDS))
    reason = Text(500, required=True, metadata={
        "description": "the notice or decision, e.g. Công văn 12729/VPCP-KGVX ngày 25/12/2025"})
    authority_id = Id(load_default=None, allow_none=True)


class RemoveCalendarEntry(Schema):
    day = Day(required=True)
    authority_id = Id(load_default=None, allow_none=True)


class SetOfficeHours(Schema):
    """An authority's sessions of a working day, in order ("07:30"–"11:30", ...), and whether it
    also receives on Saturday mornings; sessions out of order are refused by the calendar's
    rule (422, ``office_hours_disordered``)."""
    sessions = fields.List(fields.List(fields.String(validate=validate.Regexp(HOUR)),
                                       validate=validate.Length(equal=2)),
                           required=True, validate=validate.Length(1, 4))
    saturday_morning = StrictBoolean(load_default=False)
    reason = Text(500, required=True)


class CalendarEntry(Schema):
    day = fields.String()
    kind = fields.String()
    reason = fields.String()
    authority_id = fields.String(allow_none=True)
    entered_by = fields.String(allow_none=True)
    entered_at = fields.AwareDateTime(allow_none=True)
    removed_by = fields.String(allow_none=True, dump_default=None)
    removed_at = fields.AwareDateTime(allow_none=True, dump_default=None)


class OfficeHours(Schema):
    authority_id = fields.String(attribute="_id", allow_none=True)
    sessions = fields.List(fields.List(fields.String()))
    saturday_morning = fields.Boolean()
    entered_by = fields.String(allow_none=True)
    entered_at = fields.AwareDateTime(allow_none=True)


class Calendar(Schema):
    authority_id = fields.String(allow_none=True)
    office_hours = fields.Nested(OfficeHours)
    entries = fields.List(fields.Nested(CalendarEntry))


class CalendarEdited(Schema):
    """The edit as kept, and how many open cases had their deadlines recomputed."""
    entry = fields.Nested(CalendarEntry, dump_default=None, allow_none=True)
    office_hours = fields.Nested(OfficeHours, dump_default=None, allow_none=True)
    cases_recomputed = fields.Integer()
