"""RPC payloads of the periodic report a committee files upward (the assignments service,
services/assignments/reporting*.py; the figures: docs/reports-periodic.md)."""
from marshmallow import Schema, fields, validate

from shared.contracts.base import Id
from shared.reasons import reason

REPORT_PERIOD = validate.Regexp(
    r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$",
    error=reason("report_period_invalid",
                 "must be a month (2026-02), a quarter (2026-Q1) or a year (2026)"))
JOB_STATES = ("pending", "done", "failed")


class RequestReport(Schema):
    committee_unit_id = Id(required=True)
    period = fields.String(required=True, validate=REPORT_PERIOD)


class ReportBody(Schema):
    """POST /committees/<id>/reports: which period (the committee is the path's)."""
    period = fields.String(required=True, validate=REPORT_PERIOD,
                           metadata={"example": "2026-11"})


class MeetingFigures(Schema):
    meetings_held = fields.Integer()
    meetings_attended_by_members = fields.Integer()
    present = fields.Integer()
    expected = fields.Integer()
    attendance_rate = fields.Float(allow_none=True)
    leadership_average = fields.Float(allow_none=True)
    education_average = fields.Float(allow_none=True)
    combativeness_average = fields.Float(allow_none=True)


class BranchFigures(MeetingFigures):
    unit_id = fields.String()
    name = fields.String()
    # the unit right under the committee the branch is part of (itself when directly under)
    part_of = fields.String(allow_none=True)
    part_of_name = fields.String(allow_none=True)


class PartFigures(MeetingFigures):
    """One level down: a unit right under the committee, over its branches."""
    unit_id = fields.String()
    name = fields.String()
    branches = fields.Integer()


class MonthFigures(MeetingFigures):
    month = fields.String()   # its first day


class PlanFigures(Schema):
    planned = fields.Integer()
    attended_as_planned = fields.Integer()
    planned_not_attended = fields.Integer()
    attended_without_plan = fields.Integer()


class TopicFigures(Schema):
    topic = fields.String()
    raised = fields.Integer()
    answered_on_time = fields.Integer()
    answered_late = fields.Integer()
    reopened = fields.Integer()
    unresolved = fields.Integer()
    withdrawn = fields.Integer()


class ReportFigures(Schema):
    period = fields.String()
    first_day = fields.String()
    last_day = fields.String()
    totals = fields.Nested(MeetingFigures)
    branches = fields.List(fields.Nested(BranchFigures))
    parts = fields.List(fields.Nested(PartFigures))
    months = fields.List(fields.Nested(MonthFigures))
    plan = fields.Nested(PlanFigures)
    topics = fields.List(fields.Nested(TopicFigures))


class ReportJobSummary(Schema):
    """A report job as the committee's list shows it: without its figures."""
    job_id = fields.String(attribute="_id", data_key="job_id")
    committee_unit_id = fields.String()
    committee_name = fields.String()
    period = fields.String()
    status = fields.String(validate=validate.OneOf(JOB_STATES))
    requested_by = fields.String(allow_none=True)
    requested_at = fields.AwareDateTime()
    generated_at = fields.AwareDateTime(allow_none=True)


class ReportJob(ReportJobSummary):
    result = fields.Nested(ReportFigures, allow_none=True)


class ReportJobs(Schema):
    reports = fields.List(fields.Nested(ReportJobSummary))
