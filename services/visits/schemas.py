"""RPC payloads of the visits service."""
import datetime as dt

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from shared.contracts import CONCERN_TOPICS, MEETING_KINDS, RAISED_BY, URGENCIES, Id, Text

MAX_CONCERNS_PER_VISIT = 50
# far above any branch meeting, far below what the store holds (signed 64-bit)
MAX_ATTENDANCE = 100_000


class Attendance(Schema):
    present = fields.Integer(required=True, strict=True,
                             validate=validate.Range(min=0, max=MAX_ATTENDANCE))
    expected = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=1, max=MAX_ATTENDANCE))

    @validates_schema
    def _present_within_expected(self, data, **kwargs):
        if data["present"] > data["expected"]:
            raise ValidationError("cannot exceed expected", "present")


def Score():
    return fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))


class Assessment(Schema):
    """The seed's three marks of a good meeting, 1 (poor) to 5 (strong)."""
    leadership = Score()
    education = Score()
    combativeness = Score()
    note = Text(2000, min_length=0, load_default="")


class RaiseConcern(Schema):
    topic = fields.String(required=True, validate=validate.OneOf(CONCERN_TOPICS))
    summary = Text(2000, required=True)
    raised_by = fields.String(required=True, validate=validate.OneOf(RAISED_BY))
    # urgent concerns get shorter deadlines (deploy/case_policy.yml)
    urgency = fields.String(load_default="normal", validate=validate.OneOf(URGENCIES))


class LogVisit(Schema):
    # chosen by the client once per submission, so a retry after a lost reply is recognised
    submission_id = Id(required=True)
    # no cadre_id: the visit's cadre is the signed-in cadre, and sending one is refused
    unit_id = Id(required=True)
    meeting_date = fields.Date(required=True)
    meeting_kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    attendance = fields.Nested(Attendance, required=True)
    assessment = fields.Nested(Assessment, required=True)
    concerns = fields.List(fields.Nested(RaiseConcern), load_default=list,
                           validate=validate.Length(max=MAX_CONCERNS_PER_VISIT))

    @validates("meeting_date")
    def _not_in_future(self, value, **kwargs):
        # one day of slack for time zones: the meeting hall is in UTC+7
        if value > dt.date.today() + dt.timedelta(days=1):
            raise ValidationError("cannot be in the future")


class Concern(Schema):
    concern_id = fields.String()
    topic = fields.String()
    summary = fields.String()
    raised_by = fields.String()
    urgency = fields.String(dump_default="normal")


class Visit(Schema):
    visit_id = fields.String(attribute="_id")
    submission_id = fields.String()
    cadre_id = fields.String()
    unit_id = fields.String()
    unit_name = fields.String()
    meeting_date = fields.String()
    meeting_kind = fields.String()
    attendance = fields.Dict()
    assessment = fields.Dict()
    concerns = fields.List(fields.Nested(Concern))
    logged_at = fields.AwareDateTime()
    logged_by = fields.String(allow_none=True)


class ConcernAnswer(Schema):
    """The answer that came back (``case_answered``), to read at the branch's next meeting."""
    case_id = fields.String()
    authority_id = fields.String()
    answer = fields.String()
    answered_at = fields.AwareDateTime()


class RaisedConcern(Concern):
    visit_id = fields.String()
    unit_id = fields.String()
    unit_name = fields.String()
    raised_on = fields.String()
    answer = fields.Nested(ConcernAnswer, allow_none=True)
