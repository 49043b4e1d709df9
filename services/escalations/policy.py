"""The case life policy as data: deadlines per topic and urgency, reminders, the reopen window,
the triage authority and the calendar's extra days, read from ``deploy/case_policy.yml``.

A bad file stops the service at start-up naming the key and the reason. Example::

    policy = load_policy_file()          # or CasePolicy.from_dict({...}) in tests
    policy.deadlines_for("land", "normal", received_at)   # -> (acknowledge_by, answer_by)
"""
import datetime as dt
import pathlib
from dataclasses import dataclass, field

import yaml
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.escalations import sla
from shared.contracts import CONCERN_TOPICS, ID_PATTERN, URGENCIES
from shared.errors import ConfigError

DEFAULT_POLICY_FILE = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "case_policy.yml"


class _DeadlineRow(Schema):
    topic = fields.String(required=True, validate=validate.OneOf((sla.ANY, *CONCERN_TOPICS)))
    urgency = fields.String(required=True, validate=validate.OneOf((sla.ANY, *URGENCIES)))
    acknowledge = fields.Integer(required=True, strict=True, validate=validate.Range(0, 60))
    answer = fields.Integer(required=True, strict=True, validate=validate.Range(1, 365))


class _Calendar(Schema):
    extra_days_off = fields.List(fields.Date(), load_default=list)
    extra_working_days = fields.List(fields.Date(), load_default=list)


class _Policy(Schema):
    deadlines = fields.List(fields.Nested(_DeadlineRow), required=True,
                            validate=validate.Length(min=1))
    reminder_before_hours = fields.Float(load_default=24, validate=validate.Range(0, 24 * 30))
    reopen_within_days = fields.Integer(load_default=30, strict=True,
                                        validate=validate.Range(0, 3650))
    triage_authority_id = fields.String(load_default=None, allow_none=True,
                                        validate=validate.Regexp(ID_PATTERN))
    calendar = fields.Nested(_Calendar, load_default=dict)
    # the local hour (Vietnam) from which each officer's daily digest goes out (issue 25)
    digest_local_hour = fields.Integer(load_default=7, strict=True,
                                       validate=validate.Range(0, 23))

    @validates_schema(skip_on_field_errors=True)
    def _covers_everything(self, data, **kwargs):
        rows = data["deadlines"]
        if not any(row["topic"] == sla.ANY and row["urgency"] == sla.ANY for row in rows):
            raise ValidationError('needs a row for topic "*" and urgency "*"', "deadlines")
        for row in rows:
            if row["acknowledge"] > row["answer"]:
                raise ValidationError(f"{row['topic']}/{row['urgency']}: acknowledge must not "
                                      "come after answer", "deadlines")


@dataclass(frozen=True)
class CasePolicy:
    deadline_rules: tuple
    calendar: sla.WorkingCalendar = field(compare=False)  # shared.working_calendar
    reminder_before: dt.timedelta = dt.timedelta(hours=24)
    reopen_within: dt.timedelta = dt.timedelta(days=30)
    triage_authority_id: str = None
    digest_hour: int = 7

    @classmethod
    def from_dict(cls, data):
        try:
            data = _Policy().load(data)
        except ValidationError as error:
            raise ConfigError("invalid case policy", error.normalized_messages()) from None
        try:
            calendar = sla.calendar_from_table(**data["calendar"])
        except ValueError as error:
            raise ConfigError("invalid case policy", {"calendar": [str(error)]}) from None
        return cls(
            deadline_rules=tuple(sla.DeadlineRule(**row) for row in data["deadlines"]),
            calendar=calendar,
            reminder_before=dt.timedelta(hours=data["reminder_before_hours"]),
            reopen_within=dt.timedelta(days=data["reopen_within_days"]),
            triage_authority_id=data["triage_authority_id"],
            digest_hour=data["digest_local_hour"])

    def deadlines_for(self, topic, urgency, received_at):
        return sla.deadlines(self.deadline_rules, self.calendar, topic, urgency, received_at)


def load_policy_file(path=DEFAULT_POLICY_FILE):
    with open(path, encoding="utf-8") as handle:
        return CasePolicy.from_dict(yaml.safe_load(handle))
