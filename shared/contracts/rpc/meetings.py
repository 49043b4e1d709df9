"""RPC payloads of branch meetings (the assignments service): a branch's dates for a month or a
quarter, its schedule changed by its secretary, a committee's attendance plan and plan against
what was logged (services/assignments/planning.py)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.contracts.base import Day, Id
from shared.contracts.rpc.registry import MeetingSchedule
from shared.reasons import reason

PERIOD = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$",
                         error=reason("period_invalid",
                                      "must be a month (2026-02) or a quarter (2026-Q1)"))


class PeriodQuery(Schema):
    period = fields.String(required=True, validate=PERIOD)


class ChangeMeetingSchedule(Schema):
    meeting_schedule = fields.Nested(MeetingSchedule, required=True)


class PlanAttendanceBody(Schema):
    """One meeting (a branch and its day) and who attends it, as the HTTP body gives it (the
    committee is the path's)."""
    unit_id = Id(required=True)
    meeting_on = Day(required=True)
    cadre_id = Id(load_default=None, allow_none=True)
    working_group_id = Id(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=True)
    def _one_attendee(self, data, **kwargs):
        if (data["cadre_id"] is None) == (data["working_group_id"] is None):
            raise ValidationError(reason("cadre_or_group",
                                         "name a cadre or a working group, not both"),
                                  "cadre_id")


class PlanAttendance(PlanAttendanceBody):
    """One meeting (a branch and its day) and who attends it: a cadre or a working group,
    for the committee that plans."""
    committee_unit_id = Id(required=True)


class Meeting(Schema):
    day = fields.String(required=True)
    kind = fields.String(required=True)
    topic = fields.String(allow_none=True)
    scheduled_for = fields.String(allow_none=True)


class MeetingDates(Schema):
    unit_id = fields.String(required=True)
    name = fields.String(required=True)
    period = fields.String(required=True)
    meetings = fields.List(fields.Nested(Meeting), required=True)


class PlanEntry(Schema):
    plan_id = fields.String(attribute="_id")
    committee_unit_id = fields.String()
    unit_id = fields.String()
    unit_name = fields.String(allow_none=True)
    meeting_on = fields.String()
    cadre_id = fields.String(allow_none=True)
    working_group_id = fields.String(allow_none=True)
    attendee_cadre_ids = fields.List(fields.String())
    planned_by = fields.String(allow_none=True)
    reminded = fields.Boolean()


class Comparison(Schema):
    """Plan against what was logged (services/assignments/attendance.py)."""
    planned = fields.Integer()
    attended_as_planned = fields.Integer()
    planned_not_attended = fields.List(fields.Dict())
    attended_without_plan = fields.List(fields.Dict())
    per_cadre = fields.Dict()


class Branch(Schema):
    unit_id = fields.String()
    name = fields.String()
    meetings = fields.List(fields.Nested(Meeting))
    # the reasons the branch's rule yields no date this period (None: it does)
    refused = fields.Dict(allow_none=True)


class CommitteePlan(Schema):
    committee_unit_id = fields.String()
    period = fields.String()
    branches = fields.List(fields.Nested(Branch))
    plan = fields.List(fields.Nested(PlanEntry))
    members = fields.List(fields.String())
    comparison = fields.Nested(Comparison)


class CadrePlan(Schema):
    cadre_id = fields.String()
    period = fields.String()
    meetings = fields.List(fields.Nested(PlanEntry))
    comparison = fields.Nested(Comparison)


class SeatUnit(Schema):
    unit_id = fields.String()
    name = fields.String()


class MeetingSeats(Schema):
    """Where a cadre plans a committee's attendance and keeps a branch's dates, today."""
    plans_for = fields.List(fields.Nested(SeatUnit))
    secretary_of = fields.List(fields.Nested(SeatUnit))


class ScheduleChange(Schema):
    unit_id = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    changed_by = fields.String(allow_none=True)
    cadre_id = fields.String(allow_none=True)
    changed_at = fields.AwareDateTime()


class FeedQuery(Schema):
    """A calendar feed read: its secret token and who asks (for the rate limit)."""
    token = fields.String(required=True, validate=validate.Length(20, 100))
    client_address = fields.String(required=True, validate=validate.Length(1, 100))


class FeedRevoked(Schema):
    revoked = fields.Boolean(required=True)
