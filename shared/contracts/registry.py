"""The registry's facts: units, cadres, assignments, working groups, authorities."""
from marshmallow import Schema, fields, validate

from shared.contracts.base import Id, Text
from shared.contracts.envelope import EventType
from shared.contracts.rpc.calendars import ENTRY_KINDS


class UnitRegistered(Schema):
    unit_id = Id(required=True)
    name = Text(200, required=True)
    level = Id(required=True)
    parent_id = Id(required=True, allow_none=True)
    # ancestor ids, root first, ending with unit_id: lets consumers route by locality
    path = fields.List(Id(), required=True, validate=validate.Length(min=1))


class CadreRegistered(Schema):
    cadre_id = Id(required=True)
    full_name = Text(200, required=True)
    home_unit_id = Id(required=True)
    positions = fields.List(Id(), required=True)
    # where notifications reach the cadre (answers to the concerns they carried)
    email = fields.Email(allow_none=True)


class AssignmentMade(Schema):
    assignment_id = Id(required=True)
    cadre_id = Id(required=True)
    unit_id = Id(required=True)
    rule = Id(required=True)
    starts_on = fields.Date(required=True)


class AuthorityRegistered(Schema):
    authority_id = Id(required=True)
    name = Text(200, required=True)
    kind = Id(required=True)
    level = Id(required=True)
    unit_id = Id(required=True)
    parent_authority_id = Id(required=True, allow_none=True)
    email = fields.Email(allow_none=True)  # where its notifications go; none: not mailed


class AuthorityContactChanged(Schema):
    authority_id = Id(required=True)
    email = fields.Email(required=True, allow_none=True)


class CadreContactChanged(Schema):
    cadre_id = Id(required=True)
    email = fields.Email(required=True, allow_none=True)



class AssignmentEnded(Schema):
    assignment_id = Id(required=True)
    cadre_id = Id(required=True)
    unit_id = Id(required=True)
    ends_on = fields.Date(required=True)  # the last day the assignment held
    reason = Text(500, required=True)


class WorkingGroup(Schema):
    """A working group as it stands after the event: formed by a district-level standing
    committee, its members attend the listed branches from ``starts_on`` to ``ends_on``."""
    working_group_id = Id(required=True)
    name = Text(200, required=True)
    formed_by_unit_id = Id(required=True)
    member_cadre_ids = fields.List(Id(), required=True, validate=validate.Length(min=1))
    unit_ids = fields.List(Id(), required=True, validate=validate.Length(min=1))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, allow_none=True)


UNIT_REGISTERED = EventType("assignments", "unit_registered", UnitRegistered)
CADRE_REGISTERED = EventType("assignments", "cadre_registered", CadreRegistered)
ASSIGNMENT_MADE = EventType("assignments", "assignment_made", AssignmentMade)
AUTHORITY_REGISTERED = EventType("escalations", "authority_registered", AuthorityRegistered)
AUTHORITY_CONTACT_CHANGED = EventType("escalations", "authority_contact_changed",
                                      AuthorityContactChanged)
CADRE_CONTACT_CHANGED = EventType("assignments", "cadre_contact_changed", CadreContactChanged)
ASSIGNMENT_ENDED = EventType("assignments", "assignment_ended", AssignmentEnded)
WORKING_GROUP_FORMED = EventType("assignments", "working_group_formed", WorkingGroup)
# members, branches or period changed: the payload is the whole group as it now stands
WORKING_GROUP_CHANGED = EventType("assignments", "working_group_changed", WorkingGroup)


REORGANISATION_KINDS = ("rename", "move", "merge", "split")


class ReorganisedUnit(Schema):
    """A unit as it stands from the effective day (``ended``: merged away or split up; its
    fields are then as they were on its last day)."""
    unit_id = Id(required=True)
    name = Text(200, required=True)
    level = Id(required=True)
    kind = fields.String(required=True, allow_none=True)
    parent_id = Id(required=True, allow_none=True)
    path = fields.List(Id(), required=True, validate=validate.Length(min=1))
    # the path the day before (None: a unit the operation created): what stays attached to the
    # units it leaves (routing rules of a removed district) is found through it
    previous_path = fields.List(Id(), required=True, allow_none=True)
    ended = fields.Boolean(required=True)


class UnitReorganised(Schema):
    """One reorganisation of the tree (rename, move, merge or split) effective on a day: every
    unit it changes, creates or ends, with its path from that day; ``successor_of`` says where
    what was attached to an ended unit goes from then on (None: nowhere, it ended)."""
    operation_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REORGANISATION_KINDS))
    effective_on = fields.Date(required=True)
    units = fields.List(fields.Nested(ReorganisedUnit), required=True,
                        validate=validate.Length(min=1))
    successor_of = fields.Dict(keys=Id(), values=Id(allow_none=True), required=True)


class CadreChanged(Schema):
    """A cadre as they stand after an administrator's change (positions, memberships)."""
    cadre_id = Id(required=True)
    full_name = Text(200, required=True)
    home_unit_id = Id(required=True)
    positions = fields.List(Id(), required=True)
    email = fields.Email(allow_none=True)
    phone = fields.String(allow_none=True)
    memberships = fields.List(fields.Dict(), required=True)


class AuthorityChanged(Schema):
    """An authority as it stands after a change; ``retired_on``: the first day it no longer
    receives concerns (None: in service)."""
    authority_id = Id(required=True)
    name = Text(200, required=True)
    kind = Id(required=True)
    level = Id(required=True)
    unit_id = Id(required=True)
    parent_authority_id = Id(required=True, allow_none=True)
    email = fields.Email(allow_none=True)
    retired_on = fields.Date(required=True, allow_none=True)


class UnitDetailsChanged(Schema):
    """An administrator changed a unit's details (not its history): which of them. The values
    stay in the registry: a unit's contacts name people."""
    unit_id = Id(required=True)
    changed = fields.List(fields.String(validate=validate.OneOf(
        ("locality", "organisation_code", "meeting_schedule", "contacts"))), required=True,
        validate=validate.Length(min=1))


UNIT_REORGANISED = EventType("assignments", "unit_reorganised", UnitReorganised)
UNIT_DETAILS_CHANGED = EventType("assignments", "unit_details_changed", UnitDetailsChanged)
CADRE_CHANGED = EventType("assignments", "cadre_changed", CadreChanged)
AUTHORITY_CHANGED = EventType("escalations", "authority_changed", AuthorityChanged)


class AttendanceReminderIssued(Schema):
    """A planned branch meeting is within the reminder lead time: its attendees are to be
    reminded (issued once per plan entry; services/assignments/reminders.py)."""
    plan_id = fields.String(required=True, validate=validate.Length(1, 200))
    committee_unit_id = Id(required=True)
    unit_id = Id(required=True)
    unit_name = Text(200, required=True)
    meeting_on = fields.Date(required=True)
    cadre_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=50))


ATTENDANCE_REMINDER_ISSUED = EventType("assignments", "attendance_reminder_issued",
                                       AttendanceReminderIssued)


class AttendancePlanned(Schema):
    """A committee planned who attends a branch's meeting (one entry per meeting; a plan entry
    cannot be withdrawn or replaced today). ``restated``: told again for an entry made before
    this event existed (the ``restate_meeting_plans`` migration), the same fact."""
    plan_id = fields.String(required=True, validate=validate.Length(1, 200))
    committee_unit_id = Id(required=True)
    unit_id = Id(required=True)
    meeting_on = fields.Date(required=True)
    cadre_id = Id(required=True, allow_none=True)
    working_group_id = Id(required=True, allow_none=True)
    attendee_cadre_ids = fields.List(Id(), required=True,
                                     validate=validate.Length(min=1, max=50))
    restated = fields.Boolean(load_default=False)


ATTENDANCE_PLANNED = EventType("assignments", "attendance_planned", AttendancePlanned)


class WorkingCalendarChanged(Schema):
    """An administrator set a day of the working calendar (``kind``) or removed its entry
    (``kind`` None: the day counts as the law has it again); an authority's own day names it,
    a national one has none (services/escalations/calendars.py). Branch meetings move by the
    national days (services/assignments/calendar_copy.py)."""
    day = fields.Date(required=True)
    kind = fields.String(required=True, allow_none=True, validate=validate.OneOf(ENTRY_KINDS))
    authority_id = Id(required=True, allow_none=True)


WORKING_CALENDAR_CHANGED = EventType("escalations", "working_calendar_changed",
                                     WorkingCalendarChanged)
