"""Facts from branch meetings: visits logged and the concerns they raised."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared import receipts
from shared.contracts.base import (
    CONCERN_TOPICS,
    CONTACT_KINDS,
    MEETING_KINDS,
    RAISED_BY,
    URGENCIES,
    Id,
    StrictBoolean,
    Text,
)
from shared.contracts.envelope import EventType
from shared.reasons import reason

# far above any branch meeting, far below what the store holds (signed 64-bit)
MAX_ATTENDANCE = 100_000


class Attendance(Schema):
    present = fields.Integer(required=True, strict=True,
                             validate=validate.Range(min=0, max=MAX_ATTENDANCE))
    expected = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=1, max=MAX_ATTENDANCE))
    # the counts derived from a member-by-member list the members service keeps under the
    # visit's submission_id (issue 29; set by the gateway, docs/members.md)
    by_member = StrictBoolean()

    @validates_schema
    def _present_within_expected(self, data, **kwargs):
        if data["present"] > data["expected"]:
            raise ValidationError(reason("exceeds_expected", "cannot exceed expected"), "present")


def Score():
    return fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))


class Marks(Schema):
    """The seed's three marks of a good meeting, 1 (poor) to 5 (strong)."""
    leadership = Score()
    education = Score()
    combativeness = Score()


class Assessment(Marks):
    """The marks and the cadre's note (the note stays in visits: events carry the marks)."""
    note = Text(2000, min_length=0, load_default="")


class VisitLogged(Schema):
    visit_id = Id(required=True)
    unit_id = Id(required=True)
    cadre_id = Id(required=True)
    meeting_date = fields.Date(required=True)
    meeting_kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    concern_ids = fields.List(Id(), required=True)
    # added with working groups: the group's visit counts for every member who attended;
    # events from before load as a visit of the cadre alone
    working_group_id = Id(load_default=None, allow_none=True)
    attended_cadre_ids = fields.List(Id(), load_default=list)
    # logged where the cadre was neither assigned nor a group member: for the committee's list
    unscheduled = fields.Boolean(load_default=False)
    # added with the periodic report (issue 28): how many came of how many expected, and the
    # three marks; None in events from before it (the report counts those meetings without them)
    attendance = fields.Nested(Attendance, load_default=None, allow_none=True)
    assessment = fields.Nested(Marks, load_default=None, allow_none=True)


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
    # the unit the concern is about, when not the branch's own (who raised it, by name and
    # contact, is personal data: it stays in the visit and never travels in an event)
    locality_unit_id = Id(load_default=None, allow_none=True)
    # added with issue 26: the summary comes without the raiser's identity (shared.redaction);
    # a confidential concern is the holding authority's head's and named officers' alone
    raiser_withheld = fields.Boolean(load_default=False)
    confidential = fields.Boolean(load_default=False)
    # added with issue 30: the code the raiser follows it by (shared.receipts); none before
    receipt_code = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=20))
    # added with issue 25: the open case of the same topic and commune the cadre attached the
    # concern to ("raised at 3 branches"); escalations adds it there, or opens a new case if
    # that one closed meanwhile. None: a case of its own
    joins_case_id = Id(load_default=None, allow_none=True)
    # added with issue 27: the cadre who carried it (the visit's author), so that services
    # need not hear visit_logged only to learn that; None in events from before it
    cadre_id = Id(load_default=None, allow_none=True)
    # added with contacts (issue 29): raised when a committee member visited or called a Party
    # member or their family (visit_id then names visits' contact record, not a meeting; no
    # member is named). None: raised at a branch meeting, as in events from before it
    contact_kind = fields.String(load_default=None, allow_none=True,
                                 validate=validate.OneOf(CONTACT_KINDS))


VISIT_LOGGED = EventType("visits", "visit_logged", VisitLogged)
CONCERN_RAISED = EventType("visits", "concern_raised", ConcernRaised)


class VisitAmended(Schema):
    """The author amended the visit: ``version`` is the new version (the first log is 1)."""
    visit_id = Id(required=True)
    unit_id = Id(required=True)
    cadre_id = Id(required=True)
    version = fields.Integer(required=True, validate=validate.Range(min=2))
    meeting_date = fields.Date(required=True)
    added_concern_ids = fields.List(Id(), required=True)
    withdrawn_concern_ids = fields.List(Id(), required=True)
    attended_cadre_ids = fields.List(Id(), load_default=list)
    # added with the periodic report (issue 28): the visit as amended (None before it)
    meeting_kind = fields.String(load_default=None, allow_none=True,
                                 validate=validate.OneOf(MEETING_KINDS))
    attendance = fields.Nested(Attendance, load_default=None, allow_none=True)
    assessment = fields.Nested(Marks, load_default=None, allow_none=True)


class ConcernWithdrawn(Schema):
    """A concern already raised is withdrawn by the visit's author, with the reason; its case
    records it (escalations)."""
    concern_id = Id(required=True)
    visit_id = Id(required=True)
    unit_id = Id(required=True)
    reason = Text(2000, required=True)
    withdrawn_at = fields.AwareDateTime(required=True)


class AnswerReviewed(Schema):
    """At the branch's next meeting the answer was read out and the members said whether they
    were satisfied: escalations closes the case as resolved, or reopens it at the same
    authority with their comment."""
    case_id = Id(required=True)
    concern_id = Id(required=True)
    visit_id = Id(required=True)
    unit_id = Id(required=True)
    satisfied = fields.Boolean(required=True)
    comment = Text(2000, min_length=0, load_default="")
    reviewed_on = fields.Date(required=True)


VISIT_AMENDED = EventType("visits", "visit_amended", VisitAmended)
CONCERN_WITHDRAWN = EventType("visits", "concern_withdrawn", ConcernWithdrawn)
ANSWER_REVIEWED = EventType("visits", "answer_reviewed", AnswerReviewed)


STORED_CODE = (f"^[{receipts.ALPHABET}]{{{receipts.GROUP}}}-"
               f"[{receipts.ALPHABET}]{{{receipts.LENGTH - receipts.GROUP}}}$")


class ConcernCode(Schema):
    concern_id = Id(required=True)
    # as visits stores it: two groups of five of the code's 31 characters (shared.receipts)
    receipt_code = fields.String(required=True, validate=validate.Regexp(STORED_CODE))


class ReceiptCodesGiven(Schema):
    """Concerns raised before receipt codes existed were given theirs (the ``give_receipt_codes``
    migration of an upgrade): their cases carry them too, so the public page and an officer's
    search find them."""
    visit_id = Id(required=True)
    unit_id = Id(required=True)
    codes = fields.List(fields.Nested(ConcernCode), required=True,
                        validate=validate.Length(min=1, max=200))


RECEIPT_CODES_GIVEN = EventType("visits", "receipt_codes_given", ReceiptCodesGiven)
