"""RPC payloads of the monitor service."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.contracts import REQUEST_KINDS, Day, Id, Text
from shared.pages import PageQuery

QUEUE_NAME = r"^[a-z0-9][a-z0-9._-]{0,199}$"
LETTER_ID = r"^[0-9a-f]{24}$"


class RecentEventsQuery(PageQuery):
    """The audit trail, newest first, a page at a time."""


class TraceQuery(Schema):
    subject_id = Id(required=True)


class DeadLettersQuery(Schema):
    queue = fields.String(load_default=None, validate=validate.Regexp(QUEUE_NAME))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class LetterPath(Schema):
    letter_id = fields.String(required=True, validate=validate.Regexp(
        LETTER_ID, error="must be a letter id (24 hexadecimal digits)"))


class DeadLetterSelection(Schema):
    """Which dead letters: ``letter_ids`` (of any queue, or of ``queue``), or ``all`` of
    ``queue`` (or of every dead-letter queue when ``queue`` is not given)."""
    queue = fields.String(load_default=None, validate=validate.Regexp(QUEUE_NAME))
    letter_ids = fields.List(fields.String(validate=validate.Regexp(LETTER_ID)),
                             load_default=None, validate=validate.Length(1, 1000))
    all = fields.Boolean(load_default=False)
    reason = Text(500, load_default=None)

    @validates_schema
    def _one_way_to_choose(self, data, **kwargs):
        if bool(data.get("letter_ids")) == bool(data.get("all")):
            raise ValidationError("give letter_ids, or all: true (not both)", "letter_ids")


class DiscardSelection(DeadLetterSelection):
    reason = Text(500, required=True)  # a discard says why


class ActionsQuery(PageQuery):
    """Replays and discards, newest first."""


class AlertsQuery(Schema):
    state = fields.String(load_default="active", validate=validate.OneOf(["active", "all"]))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class WaitQueuesRemoval(Schema):
    queues = fields.List(fields.String(validate=validate.Regexp(QUEUE_NAME)), required=True,
                         validate=validate.Length(1, 100))


class ChangesQuery(PageQuery):
    """Changes of one administered record, newest first (monitor.changes_of)."""
    entity_id = Id(required=True, metadata={
        "description": "a user, unit, cadre, assignment, working group or authority id"})


class PersonalDataReadsQuery(PageQuery):
    """Reads of personal data, newest first: by reader, by record read, in a period."""
    user_id = Id(load_default=None, metadata={"description": "who read"})
    record_id = Id(load_default=None, metadata={
        "description": "a concern, visit, cadre or notification id the read showed"})
    read_from = fields.AwareDateTime(data_key="from", load_default=None, metadata={
        "description": "reads at or after this time (with its offset)"})
    read_to = fields.AwareDateTime(data_key="to", load_default=None, metadata={
        "description": "reads at or before this time (with its offset)"})

    @validates_schema
    def _a_period(self, data, **kwargs):
        if data.get("read_from") and data.get("read_to") and data["read_from"] > data["read_to"]:
            raise ValidationError("must not be before from", "to")


# --- requests from the people concerned (Law 91/2025/QH15) -----------------------------------

class RecordRequest(Schema):
    """A person's request, as an administrator received it (in writing, at the office)."""
    kind = fields.String(required=True, validate=validate.OneOf(REQUEST_KINDS))
    name = Text(200, required=True, metadata={"description": "the person's full name"})
    contact = Text(200, load_default=None, allow_none=True, metadata={
        "description": "their telephone or address, as they gave it to a cadre"})
    received_on = Day(required=True, metadata={"description": "when the request came"})
    note = Text(2000, min_length=0, load_default="")
    # the person is one of the system's own: their records are searched too
    user_id = Id(load_default=None, allow_none=True, metadata={
        "description": "the person's user account, if they have one"})
    cadre_id = Id(load_default=None, allow_none=True, metadata={
        "description": "the person's cadre record, if they are a cadre"})


class RequestPath(Schema):
    request_id = Id(required=True)


class RequestOutcome(Schema):
    """What was done and told to the person: closes the request."""
    outcome = Text(2000, required=True)


class RequestsQuery(PageQuery):
    """The requests, newest first."""


class Answer(Schema):
    found = fields.List(fields.Dict())
    removed = fields.Boolean()
    # a deletion's records kept, and the rule keeping them (a code of shared/reasons.py)
    kept_because = fields.String(allow_none=True, dump_default=None)
    answered_at = fields.AwareDateTime()


class DataSubjectRequest(Schema):
    request_id = fields.String(attribute="_id")
    kind = fields.String()
    name = fields.String()
    contact = fields.String(allow_none=True)
    received_on = fields.String()
    due_on = fields.String(metadata={"description": "the legal deadline to answer"})
    note = fields.String()
    user_id = fields.String(allow_none=True)
    cadre_id = fields.String(allow_none=True)
    state = fields.String(metadata={"description": "open, answered (every service did), closed"})
    answers = fields.Dict(keys=fields.String(), values=fields.Nested(Answer), metadata={
        "description": "per service: the records of the person it holds (ids), and whether "
                       "it removed them"})
    outcome = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)
