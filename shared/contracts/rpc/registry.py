"""RPC payloads of the assignments service: what the gateway and the importer send, and what
they get back. Every write is idempotent: the same payload twice changes nothing the second
time (see ``service``)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.contracts import REORGANISATION_KINDS, Day, Id, Text
from shared.contracts.rpc.members import Code
from shared.pages import PageQuery
from shared.reasons import reason

UNIT_KINDS = ("residential", "village", "residential_area", "agency", "enterprise",
              "enterprise_branch", "armed_forces", "school", "other")
MEETING_FREQUENCIES = ("monthly", "quarterly")
MEETING_DAY_OFF_RULES = ("previous", "next")
COMMITTEE_ROLES = ("secretary", "deputy_secretary", "standing_member", "member")
PHONE = validate.Regexp(r"^\+?[0-9][0-9 .()-]{5,19}$", error="must be a telephone number")


def Phone(**kwargs):
    return fields.String(validate=PHONE, **kwargs)


def AsOf():
    return Day(load_default=None, metadata={
        "description": "answer as the registry stood on this day (default: today)"})


class StoredDay(Day):
    """A day loaded from a request; as stored (ISO text) it dumps as it is."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)


class ThematicMeeting(Schema):
    """A thematic meeting (chuyên đề): an extra meeting on a given day."""
    on = StoredDay(required=True)
    topic = Text(200, required=True)


class MeetingSchedule(Schema):
    """When the branch meets, e.g. monthly on the 5th (services/assignments/meetings.py). The
    fields added with issue 28 have no default: a schedule without them reads as the next
    working day, the first month of a quarter, no thematic meetings."""
    frequency = fields.String(required=True, validate=validate.OneOf(MEETING_FREQUENCIES))
    day_of_month = fields.Integer(required=True, strict=True, validate=validate.Range(1, 31))
    note = Text(200, load_default=None, allow_none=True)
    # the day falls on a day off (shared/working_calendar.py): meet the working day before/after
    on_day_off = fields.String(validate=validate.OneOf(MEETING_DAY_OFF_RULES))
    # quarterly: which month of each quarter (1: January, April, July, October)
    month_of_quarter = fields.Integer(strict=True, validate=validate.Range(1, 3))
    thematic = fields.List(fields.Nested(ThematicMeeting), validate=validate.Length(max=24))
    # the meetings' usual time, Vietnam time (the cadres' calendar feed; none: 08:00)
    starts_at = fields.String(validate=validate.Regexp(
        r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="must be a time of day, HH:MM"))


class Contact(Schema):
    name = Text(200, required=True)
    role = Text(100, load_default=None, allow_none=True)
    phone = Phone(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)


class UnitDetails(Schema):
    locality = Text(200, load_default=None, allow_none=True)
    # the Party organisation's code in the Party-member database: members are matched by it
    organisation_code = Code(load_default=None, allow_none=True)
    meeting_schedule = fields.Nested(MeetingSchedule, load_default=None, allow_none=True)
    contacts = fields.List(fields.Nested(Contact), load_default=list,
                           validate=validate.Length(max=10))


class RegisterUnit(UnitDetails):
    unit_id = Id(required=True)
    name = Text(200, required=True)
    level = Id(required=True)
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(UNIT_KINDS))
    parent_id = Id(load_default=None, allow_none=True)
    # the first day the unit existed (None: since before the registry's history begins)
    established_on = Day(load_default=None, allow_none=True)


class ChangeUnitDetails(Schema):
    """Locality, meeting schedule and contacts: details, not history (a rename or a move is a
    reorganisation)."""
    locality = Text(200, allow_none=True)
    organisation_code = Code(allow_none=True)
    meeting_schedule = fields.Nested(MeetingSchedule, allow_none=True)
    contacts = fields.List(fields.Nested(Contact), validate=validate.Length(max=10))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("give locality, organisation_code, meeting_schedule or "
                                  "contacts", "_schema")


class Unit(Schema):
    unit_id = fields.String(attribute="_id")
    name = fields.String()
    level = fields.String()
    kind = fields.String(allow_none=True)
    parent_id = fields.String(allow_none=True)
    path = fields.List(fields.String())
    locality = fields.String(allow_none=True, dump_default=None)
    organisation_code = fields.String(allow_none=True, dump_default=None)
    meeting_schedule = fields.Nested(MeetingSchedule, allow_none=True, dump_default=None)
    contacts = fields.List(fields.Nested(Contact), dump_default=list)
    # the version of the unit answering (as of a day): in force from / to (None: open)
    in_force_from = fields.String(allow_none=True, dump_default=None)
    in_force_to = fields.String(allow_none=True, dump_default=None)


class UnitVersion(Schema):
    in_force_from = fields.String(attribute="from", allow_none=True)
    in_force_to = fields.String(attribute="to", allow_none=True)
    name = fields.String()
    level = fields.String()
    kind = fields.String(allow_none=True)
    parent_id = fields.String(allow_none=True)
    path = fields.List(fields.String())
    operation_id = fields.String(allow_none=True)


class UnitHistory(Schema):
    unit_id = fields.String(attribute="_id")
    versions = fields.List(fields.Nested(UnitVersion), attribute="history")


class UnitQuery(PageQuery):
    as_of = AsOf()


def NameWords():
    return fields.String(load_default=None, validate=validate.Length(1, 200), metadata={
        "description": "only those whose name holds each word as the start of a word, with "
                       "or without diacritics (a unit: any name it ever had)"})


class UnitListQuery(UnitQuery):
    q = NameWords()
    parent_id = Id(load_default=None, metadata={
        "description": "only the units directly under this one (as they stand now)"})
    level = Id(load_default=None, metadata={
        "description": "only the units of this level (as they stand now)"})


class CadreListQuery(PageQuery):
    q = NameWords()


class AsOfQuery(Schema):
    as_of = AsOf()


class UnitNamesQuery(Schema):
    """The units whose names a page shows beside cases (a branch and its commune)."""
    unit_ids = fields.List(Id(), required=True, validate=validate.Length(1, 200))


class UnitName(Schema):
    unit_id = fields.String(attribute="_id")
    name = fields.String()


class CadreNamesQuery(Schema):
    """The cadres a page names (an assignment's holder, a group's members): names only."""
    cadre_ids = fields.List(Id(), required=True, validate=validate.Length(1, 200))


class CadreName(Schema):
    cadre_id = fields.String(attribute="_id")
    name = fields.String(attribute="full_name")


# --- reorganisations ---------------------------------------------------------------------------

class Successor(Schema):
    """The unit a merge ends in: an existing one, or a new one (name and level needed)."""
    unit_id = Id(required=True)
    name = Text(200, load_default=None)
    level = Id(load_default=None)
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(UNIT_KINDS))
    parent_id = Id(load_default=None, allow_none=True)


class Part(Successor):
    """One part of a split: the children of the split unit it takes."""
    children = fields.List(Id(), load_default=list, validate=validate.Length(max=1000))


class Reorganise(Schema):
    # chosen by the caller: the same operation sent twice is carried out once
    operation_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REORGANISATION_KINDS))
    effective_on = Day(required=True)
    reason = Text(500, load_default=None, allow_none=True)
    # rename, move, split: the unit
    unit_id = Id(load_default=None)
    # rename: the new name; move: the new parent
    name = Text(200, load_default=None)
    parent_id = Id(load_default=None)
    # merge: the units merged and the successor; what becomes of their assignments
    unit_ids = fields.List(Id(), load_default=None, validate=validate.Length(1, 100))
    into = fields.Nested(Successor, load_default=None)
    assignments = fields.String(load_default="carry", validate=validate.OneOf(("carry", "end")))
    # split: the parts, and the part that takes the unit's assignments (None: they end)
    parts = fields.List(fields.Nested(Part), load_default=None, validate=validate.Length(1, 50))
    assignments_to = Id(load_default=None, allow_none=True)

    NEEDS = {"rename": ("unit_id", "name"), "move": ("unit_id", "parent_id"),
             "merge": ("unit_ids", "into"), "split": ("unit_id", "parts")}

    @validates_schema
    def _fields_of_kind(self, data, **kwargs):
        kind = data.get("kind")
        missing = {name: [f"required for {kind}"] for name in self.NEEDS.get(kind, ())
                   if data.get(name) is None}
        if missing:
            raise ValidationError(missing)


class Reorganisation(Schema):
    operation_id = fields.String(attribute="_id")
    kind = fields.String()
    effective_on = fields.String()
    reason = fields.String(allow_none=True, dump_default=None)
    status = fields.String()
    units = fields.List(fields.Dict())
    successor_of = fields.Dict()
    assignments_ended = fields.List(fields.String(), dump_default=list)
    assignments_made = fields.List(fields.String(), dump_default=list)


# --- cadres ------------------------------------------------------------------------------------

class Membership(Schema):
    """A seat on a committee: which unit's committee, in which role, for which period."""
    unit_id = Id(required=True)
    role = fields.String(required=True, validate=validate.OneOf(COMMITTEE_ROLES))
    starts_on = Day(load_default=None, allow_none=True)
    ends_on = Day(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=True)
    def _period_in_order(self, data, **kwargs):
        if data["starts_on"] and data["ends_on"] and data["ends_on"] < data["starts_on"]:
            raise ValidationError(reason("before_start", "must not be before starts_on"),
                                  "ends_on")


class RegisterCadre(Schema):
    cadre_id = Id(required=True)
    full_name = Text(200, required=True)
    home_unit_id = Id(required=True)
    # each names a level and a role, e.g. province_standing_committee_member (see domain)
    positions = fields.List(Id(), required=True, validate=validate.Length(min=1, max=10))
    # where answers to the concerns they carried are mailed
    email = fields.Email(load_default=None, allow_none=True)
    phone = Phone(load_default=None, allow_none=True)
    memberships = fields.List(fields.Nested(Membership), load_default=list,
                              validate=validate.Length(max=20))


class ChangeCadre(Schema):
    full_name = Text(200)
    positions = fields.List(Id(), validate=validate.Length(min=1, max=10))
    email = fields.Email(allow_none=True)
    phone = Phone(allow_none=True)
    memberships = fields.List(fields.Nested(Membership), validate=validate.Length(max=20))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change", "_schema")


class Cadre(Schema):
    cadre_id = fields.String(attribute="_id")
    full_name = fields.String()
    home_unit_id = fields.String()
    positions = fields.List(fields.String())
    email = fields.String(allow_none=True, dump_default=None)
    phone = fields.String(allow_none=True, dump_default=None)
    memberships = fields.List(fields.Dict(), dump_default=list)


class CadresPage(Schema):
    cadres = fields.List(fields.Nested(Cadre), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


# --- assignments -------------------------------------------------------------------------------

class AssignCadre(Schema):
    cadre_id = Id(required=True)
    unit_id = Id(required=True)
    starts_on = Day(required=True)


class EndAssignment(Schema):
    ends_on = Day(required=True, metadata={"description": "the last day it holds"})
    reason = Text(500, required=True)


class ReplaceAssignment(Schema):
    cadre_id = Id(required=True, metadata={"description": "who takes the unit over"})
    starts_on = Day(required=True, metadata={
        "description": "the successor's first day; the replaced assignment ends the day before"})
    reason = Text(500, required=True)


class Assignment(Schema):
    assignment_id = fields.String(attribute="_id")
    cadre_id = fields.String()
    unit_id = fields.String()
    rule = fields.String()
    starts_on = fields.String()
    ends_on = fields.String(allow_none=True, dump_default=None)
    end_reason = fields.String(allow_none=True, dump_default=None)
    replaces = fields.String(allow_none=True, dump_default=None)
    carried_from = fields.String(allow_none=True, dump_default=None)


# --- working groups ----------------------------------------------------------------------------

class FormWorkingGroup(Schema):
    working_group_id = Id(required=True)
    name = Text(200, required=True)
    formed_by_unit_id = Id(required=True)
    member_cadre_ids = fields.List(Id(), required=True, validate=validate.Length(1, 50))
    unit_ids = fields.List(Id(), required=True, validate=validate.Length(1, 200))
    starts_on = Day(required=True)
    ends_on = Day(load_default=None, allow_none=True)


class ChangeWorkingGroup(Schema):
    name = Text(200)
    member_cadre_ids = fields.List(Id(), validate=validate.Length(1, 50))
    unit_ids = fields.List(Id(), validate=validate.Length(1, 200))
    ends_on = Day(allow_none=True)

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change", "_schema")


class WorkingGroup(Schema):
    working_group_id = fields.String(attribute="_id")
    name = fields.String()
    formed_by_unit_id = fields.String()
    member_cadre_ids = fields.List(fields.String())
    unit_ids = fields.List(fields.String())
    starts_on = fields.String()
    ends_on = fields.String(allow_none=True, dump_default=None)


# --- search ------------------------------------------------------------------------------------

class SearchQuery(Schema):
    q = fields.String(required=True, validate=validate.Length(1, 200), metadata={
        "description": "words to find, with or without diacritics; each begins a word of "
                       "the name"})
    as_of = AsOf()
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


# the kinds ``assignments.register_many`` registers (services/assignments/registering.py)
BULK_KINDS = ("units", "cadres", "assignments", "working_groups")
MAX_BULK_ITEMS = 500


class RegisterMany(Schema):
    """Many registrations of one kind; each item is loaded by its own RPC's schema, and a bad
    one is refused in its place (``RegisteredMany``), not the whole call."""
    kind = fields.String(required=True, validate=validate.OneOf(BULK_KINDS))
    items = fields.List(fields.Dict(), required=True,
                        validate=validate.Length(min=1, max=MAX_BULK_ITEMS))


class RegisteredMany(Schema):
    """In the items' order: ``{"registered": record}`` or ``{"refused": error body}``."""
    results = fields.List(fields.Dict(), required=True)


class OrganisationCodes(Schema):
    """The units of the Party organisations' codes (the members import matches rows by them):
    ``{"units": {code: unit_id}}``, a code no unit has left out."""
    codes = fields.List(Code(), required=True, validate=validate.Length(min=1, max=500))
