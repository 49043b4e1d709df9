"""RPC payloads of the members service (docs/members.md); the gateway describes its routes with
them too.

A member is known by the code the Party-member database gives them (``member_code``) and their
branch by the Party organisation's code (``organisation_code``): both kept exactly as the
office writes them, as text (``00123`` is not ``123``). Example::

    ImportMembers().load({"items": [{"member_code": "00123", "organisation_code": "01.02.003",
                                     "full_name": "Nguyễn Văn An"}]})
"""
import re

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from shared.contracts import Day, Id, Text
from shared.folding import fold
from shared.reasons import reason

# an office's code: letters, digits and the separators offices print; never a number
CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-/_]{0,39}$")
# a member's code names pages (/members/<code>): no "/", which a path cannot carry
MEMBER_CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,39}$")
STATUSES = ("active", "left", "died")
ENDING_STATUSES = ("left", "died")
# a status as an office's sheet words it (folded: no diacritics, lower case)
STATUS_WORDS = {"dang sinh hoat": "active", "chuyen di": "left", "chuyen sinh hoat": "left",
                "ra khoi dang": "left", "xoa ten": "left", "khai tru": "left",
                "tu tran": "died", "da mat": "died"}
ATTENDANCE_MARKS = ("present", "absent_excused", "absent")
MAX_IMPORT_ITEMS = 500
MAX_BRANCH_MEMBERS = 1000


class Code(fields.String):
    """An office's code as text, exactly: a number (a spreadsheet cell read as 123 for 00123)
    is refused by name, never turned back into text."""

    def __init__(self, member=False, **kwargs):
        pattern, signs = (MEMBER_CODE_PATTERN, "'.', '-' or '_'") if member \
            else (CODE_PATTERN, "'.', '-', '/' or '_'")
        super().__init__(validate=validate.Regexp(
            pattern, error=f"a code is 1 to 40 letters, digits, {signs}, starting with a "
                           "letter or digit"), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValidationError(reason("code_not_text", "a code is text as the office "
                                         "writes it (leading zeros kept), not a number",
                                         value=str(value)))
        return super()._deserialize(value, attr, data, **kwargs)


class MemberRow(Schema):
    """One member as the import template gives them (docs/members.md, "Column mapping")."""
    member_code = Code(member=True, required=True)
    organisation_code = Code(required=True)
    full_name = Text(200, required=True)
    # active, or how the membership ended (moved away or left the Party; died), and when
    status = fields.String(load_default="active", validate=validate.OneOf(STATUSES))
    ended_on = Day(load_default=None, allow_none=True)
    end_note = Text(500, load_default=None, allow_none=True)
    # the day the member joined this branch (default: the day of the import)
    since = Day(load_default=None, allow_none=True)

    @pre_load
    def _status_in_words(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("status"), str):
            data = {**data, "status": STATUS_WORDS.get(fold(data["status"]), data["status"])}
        return data

    @validates_schema
    def _an_end_has_its_day(self, data, **kwargs):
        ending = data.get("status") in ENDING_STATUSES
        if ending and data.get("ended_on") is None:
            raise ValidationError(reason("required", f"required when status is "
                                         f"{data['status']}"), "ended_on")
        if not ending and data.get("ended_on") is not None:
            raise ValidationError(reason("not_for_status", "only for status left or died"),
                                  "ended_on")


class ImportMembers(Schema):
    """Rows of one window of an import job (or one administrator's call), in sheet order."""
    # what the imports service's bulk calls name (services/imports/registry_calls.bulk)
    kind = fields.String(load_default="members", validate=validate.OneOf(("members",)))
    items = fields.List(fields.Nested(MemberRow), required=True,
                        validate=validate.Length(min=1, max=MAX_IMPORT_ITEMS))


def derived_counts(marks):
    """A visit's ``present`` and ``expected`` as its member-by-member list says: the list names
    every member of the branch (the members service holds it to that)."""
    return {"present": sum(1 for mark in marks if mark["mark"] == "present"),
            "expected": len(marks)}


class RowOutcome(Schema):
    outcome = fields.String(metadata={"description": "joined, moved, ended, renamed, "
                                                     "unchanged or refused"})
    member_code = fields.String()
    unit_id = fields.String(allow_none=True)
    refused = fields.Dict(metadata={"description": "why, when refused: fields and reasons"})
    registered = fields.Dict(metadata={"description": "what was written, when not refused"})


class ImportOutcomes(Schema):
    results = fields.List(fields.Nested(RowOutcome))


class Mark(Schema):
    member_code = Code(member=True, required=True)
    mark = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_MARKS))
    # why an excused absence was excused (sick, away for work): the committee's to judge
    reason = Text(300, load_default=None, allow_none=True)

    @validates_schema
    def _only_an_excused_absence_has_a_reason(self, data, **kwargs):
        if data.get("reason") and data["mark"] != "absent_excused":
            raise ValidationError(reason("not_for_mark", "only an excused absence has a "
                                         "reason"), "reason")


class RecordAttendance(Schema):
    """The meeting's attendance, member by member, keyed by the visit's ``submission_id`` (a
    resent visit carries the same, so the list is written once)."""
    submission_id = Id(required=True)
    unit_id = Id(required=True)
    meeting_date = Day(required=True)
    marks = fields.List(fields.Nested(Mark), required=True,
                        validate=validate.Length(min=1, max=MAX_BRANCH_MEMBERS))


class MembersQuery(Schema):
    as_of = Day(load_default=None, allow_none=True)


class AbsenceQuery(Schema):
    year = fields.Integer(load_default=None, allow_none=True, strict=True,
                          validate=validate.Range(1900, 2100))


class Member(Schema):
    member_code = fields.String()
    organisation_code = fields.String()
    full_name = fields.String()
    unit_id = fields.String()
    status = fields.String()
    # days as ISO text, as kept
    since = fields.String()
    ended_on = fields.String(allow_none=True)
    end_note = fields.String(allow_none=True)
    history = fields.List(fields.Dict())
    # the committee member caring for them ({"cadre_id", "since"}; None: nobody yet)
    in_care_of = fields.Dict(allow_none=True, dump_default=None)


class MemberList(Schema):
    unit_id = fields.String()
    as_of = fields.Date()
    members = fields.List(fields.Nested(Member))


class AttendanceRecorded(Schema):
    submission_id = fields.String()
    unit_id = fields.String()
    meeting_date = fields.String()
    present = fields.Integer()
    expected = fields.Integer()
    marks = fields.List(fields.Dict())
    # the visit the list was confirmed with (None: pending, its visit not logged yet)
    visit_id = fields.String(allow_none=True)


class Missed(Schema):
    meeting_date = fields.String()
    submission_id = fields.String()


class AbsenceFlag(Schema):
    member_code = fields.String()
    months = fields.Integer()
    meetings = fields.List(fields.Nested(Missed))


class AbsenceFlags(Schema):
    """The members to consider, with the policy's count and the texts it stands on."""
    unit_id = fields.String()
    year = fields.Integer()
    months = fields.Integer()
    clause = fields.String()
    guidance = fields.String()
    flags = fields.List(fields.Nested(AbsenceFlag))
