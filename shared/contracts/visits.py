"""Facts from branch meetings: visits logged and the concerns they raised."""
from marshmallow import Schema, fields, validate

from shared.contracts.base import (
    CONCERN_TOPICS,
    MEETING_KINDS,
    RAISED_BY,
    URGENCIES,
    EventType,
    Id,
    Text,
)


class VisitLogged(Schema):
    visit_id = Id(required=True)
    unit_id = Id(required=True)
    cadre_id = Id(required=True)
    meeting_date = fields.Date(required=True)
    meeting_kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    concern_ids = fields.List(Id(), required=True)


class ConcernRaised(Schema):
    concern_id = Id(required=True)
    visit_id = Id(required=True)
    unit_id = Id(required=True)
    unit_path = fields.List(Id(), required=True, validate=validate.Length(min=1))
    topic = fields.String(required=True, validate=validate.OneOf(CONCERN_TOPICS))
    summary = Text(2000, required=True)
    raised_by = fields.String(required=True, validate=validate.OneOf(RAISED_BY))
    raised_on = fields.Date(required=True)
    # added with case life; events from before it load as "normal"
    urgency = fields.String(load_default="normal", validate=validate.OneOf(URGENCIES))



VISIT_LOGGED = EventType("visits", "visit_logged", VisitLogged)
CONCERN_RAISED = EventType("visits", "concern_raised", ConcernRaised)
