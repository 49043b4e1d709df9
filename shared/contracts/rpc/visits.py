"""RPC payloads of the visits service."""
import datetime as dt

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from shared import clock
from shared.contracts import (
    CONCERN_TOPICS,
    MEETING_KINDS,
    RAISED_BY,
    URGENCIES,
    Day,
    Id,
    StrictBoolean,
    Text,
)
from shared.contracts.rpc.answers import AnswerRecordShown
from shared.contracts.rpc.attachments import Attachment, RefusedAttachment, attachment_ids
from shared.contracts.rpc.reviews import AnswerReview, Review  # noqa: F401 (re-exported)

# one schema for a meeting's attendance and marks: the visit logged and its event carry them
from shared.contracts.visits import (  # noqa: F401 (re-exported)
    MAX_ATTENDANCE,
    Assessment,
    Attendance,
    Score,
)
from shared.pages import PageQuery
from shared.reasons import reason

MAX_CONCERNS_PER_VISIT = 50
MAX_REVIEWS_PER_VISIT = 50
MAX_ATTENDEES = 200
# who raised a concern, by name and contact: personal data, shown only to the cadre who carried
# it, never in an event, never in a log line
PERSONAL_FIELDS = ("raised_by_name", "raised_by_contact")
class RaiseConcern(Schema):
    topic = fields.String(required=True, validate=validate.OneOf(CONCERN_TOPICS))
    summary = Text(2000, required=True)
    raised_by = fields.String(required=True, validate=validate.OneOf(RAISED_BY))
    # urgent concerns get shorter deadlines (deploy/case_policy.yml)
    urgency = fields.String(load_default="normal", validate=validate.OneOf(URGENCIES))
    raised_by_name = Text(200, load_default=None, allow_none=True)
    raised_by_contact = Text(200, load_default=None, allow_none=True)
    # the unit the concern is about, when not the branch's own (a known unit)
    locality_unit_id = Id(load_default=None, allow_none=True)
    # who raised it kept from the authority: their name, contact, telephones and e-mails taken
    # out of the summary it gets (shared.redaction); left out: withheld for residents only
    withhold_raiser = StrictBoolean(load_default=None, allow_none=True)
    # seen only by the holding authority's head and the officers the head names
    confidential = StrictBoolean(load_default=False)
    # the raiser agreed, having heard the processing notice (/app/notice), that their contact
    # is kept for following up: a contact is kept only with it
    raiser_consent = StrictBoolean(load_default=False)
    # where the raiser is mailed when the answer arrives (issue 30): kept apart in visits,
    # with the same consent, deleted some days after the case closes, unsubscribed by a link
    attachments = attachment_ids()  # photos and documents about it, uploaded first
    raiser_email = fields.Email(load_default=None, allow_none=True,
                                validate=validate.Length(max=254))
    # an open case of the same topic raised in the same commune (the visit form's similar
    # cases, issue 25): the concern becomes one more raising of it instead of a new case
    joins_case_id = Id(load_default=None, allow_none=True)

    @validates_schema
    def _contact_with_consent(self, data, **kwargs):
        for field in ("raised_by_contact", "raiser_email"):
            if data.get(field) and not data.get("raiser_consent"):
                raise ValidationError(reason(
                    "contact_without_consent", "kept only with the raiser's consent to be "
                    "contacted: set raiser_consent after reading them the notice"), field)


class Unscheduled(Schema):
    reason = Text(1000, required=True)


def _no_repeats(values, what):
    if len(set(values)) != len(values):
        raise ValidationError(reason("listed_twice", f"lists a {what} twice"))


class LogVisit(Schema):
    # chosen by the client once per submission, so a retry after a lost reply is recognised
    submission_id = Id(required=True)
    # no cadre_id: the visit's cadre is the signed-in cadre, and sending one is refused
    unit_id = Id(required=True)
    meeting_date = Day(required=True)
    meeting_kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    attendance = fields.Nested(Attendance, required=True)
    assessment = fields.Nested(Assessment, required=True)
    concerns = fields.List(fields.Nested(RaiseConcern), load_default=list,
                           validate=validate.Length(max=MAX_CONCERNS_PER_VISIT))
    # a working group's visit, logged once by one member for the group: who attended
    working_group_id = Id(load_default=None, allow_none=True)
    attended_cadre_ids = fields.List(Id(), load_default=list,
                                     validate=validate.Length(max=MAX_ATTENDEES))
    # where neither an assignment nor a working group sends the cadre: accepted, flagged
    unscheduled = fields.Nested(Unscheduled, load_default=None, allow_none=True)
    # the answers read out at this meeting (GET /units/<id>/brief lists them)
    answer_reviews = fields.List(fields.Nested(AnswerReview), load_default=list,
                                 validate=validate.Length(max=MAX_REVIEWS_PER_VISIT))
    attachments = attachment_ids()  # the minutes (biên bản), uploaded first

    @validates("attended_cadre_ids")
    def _attendees_once(self, value, **kwargs):
        _no_repeats(value, "cadre")

    @validates("answer_reviews")
    def _reviews_once(self, value, **kwargs):
        # items that failed their own checks arrive without their fields here
        _no_repeats([r["case_id"] for r in value if "case_id" in r], "case")

    @validates("meeting_date")
    def _not_in_future(self, value, **kwargs):
        # today is Vietnam's (the meeting hall's), whatever the server's zone; one day of
        # slack for a phone whose clock runs ahead around midnight
        if value > clock.today() + dt.timedelta(days=1):
            raise ValidationError(reason("future_day", "cannot be in the future"))


class AmendConcern(RaiseConcern):
    """In an amendment: a concern already raised, by its ``concern_id`` alone (it cannot change
    or go, only be withdrawn), or a new one in full."""
    concern_id = Id()
    topic = fields.String(validate=validate.OneOf(CONCERN_TOPICS))
    summary = Text(2000)
    raised_by = fields.String(validate=validate.OneOf(RAISED_BY))
    urgency = fields.String(validate=validate.OneOf(URGENCIES))
    raised_by_name = Text(200, allow_none=True)
    raised_by_contact = Text(200, allow_none=True)
    locality_unit_id = Id(allow_none=True)
    withhold_raiser = StrictBoolean(allow_none=True)
    confidential = StrictBoolean()
    raiser_consent = StrictBoolean()
    raiser_email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    joins_case_id = Id(allow_none=True)

    @validates_schema
    def _kept_or_new(self, data, **kwargs):
        if "concern_id" in data:
            others = sorted(set(data) - {"concern_id"})
            if others:
                raise ValidationError({field: [reason("concern_kept", "a concern already raised "
                                                      "cannot change; keep it by concern_id "
                                                      "alone or withdraw it")]
                                       for field in others})
            return
        missing = [f for f in ("topic", "summary", "raised_by") if f not in data]
        if missing:
            raise ValidationError({f: [reason("required", "Missing data for required field.")]
                                   for f in missing})

    @post_load
    def _new_in_full(self, data, **kwargs):
        if "concern_id" not in data:
            data = {"urgency": "normal", "confidential": False, "raiser_consent": False,
                    **{f: None for f in (*PERSONAL_FIELDS, "locality_unit_id",
                                         "withhold_raiser", "raiser_email",
                                         "joins_case_id")}, **data}
        return data


class Withdrawal(Schema):
    concern_id = Id(required=True)
    reason = Text(2000, required=True)


class AmendVisit(Schema):
    """A new version of a visit by its author: the whole list of concerns (the raised ones by
    concern_id), and any of meeting_kind, attendance, assessment, attended_cadre_ids."""
    # once per amendment, so a retried amendment is recognised
    submission_id = Id(required=True)
    meeting_kind = fields.String(validate=validate.OneOf(MEETING_KINDS))
    attendance = fields.Nested(Attendance)
    assessment = fields.Nested(Assessment)
    attended_cadre_ids = fields.List(Id(), validate=validate.Length(max=MAX_ATTENDEES))
    concerns = fields.List(fields.Nested(AmendConcern), required=True,
                           validate=validate.Length(max=MAX_CONCERNS_PER_VISIT))
    withdrawals = fields.List(fields.Nested(Withdrawal), load_default=list,
                              validate=validate.Length(max=MAX_CONCERNS_PER_VISIT))

    @validates("concerns")
    def _kept_once(self, value, **kwargs):
        _no_repeats([c["concern_id"] for c in value if "concern_id" in c], "concern")

    @validates("withdrawals")
    def _withdrawn_once(self, value, **kwargs):
        _no_repeats([w["concern_id"] for w in value if "concern_id" in w], "concern")

    @validates("attended_cadre_ids")
    def _attendees_once(self, value, **kwargs):
        _no_repeats(value, "cadre")


class Redaction(Schema):
    """Personal details redacted from the summary by hand: who, when, how many words (never
    which: they are kept nowhere)."""
    side = fields.String(metadata={"description": "cadre or authority"})
    by = fields.String(allow_none=True, metadata={"description": "the user's id"})
    at = fields.AwareDateTime()
    words = fields.Integer()


class Concern(Schema):
    concern_id = fields.String()
    # the code the raiser follows it by on the public page (shared.receipts); none before it
    receipt_code = fields.String(allow_none=True, dump_default=None)
    topic = fields.String()
    summary = fields.String()
    raised_by = fields.String()
    urgency = fields.String(dump_default="normal")
    locality_unit_id = fields.String(allow_none=True, dump_default=None)
    # personal data: only the cadre who carried the concern sees them (others: null)
    raised_by_name = fields.String(allow_none=True, dump_default=None)
    raised_by_contact = fields.String(allow_none=True, dump_default=None)
    withhold_raiser = fields.Boolean(dump_default=False)
    confidential = fields.Boolean(dump_default=False)
    raiser_consent = fields.Boolean(dump_default=False)
    # what was taken out of the summary the authority got (shared.redaction), if anything
    redacted = fields.List(fields.String(), dump_default=list)
    # redactions by hand (the cadre's, the authority's), oldest first
    redactions = fields.List(fields.Nested(Redaction), dump_default=list)
    withdrawn = fields.Boolean(dump_default=False)
    withdrawn_reason = fields.String(allow_none=True, dump_default=None)
    added_in_version = fields.Integer(dump_default=1)
    attachments = fields.List(fields.Nested(Attachment), dump_default=list)


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
    version = fields.Integer(dump_default=1)
    amended_at = fields.AwareDateTime(allow_none=True, dump_default=None)
    working_group_id = fields.String(allow_none=True, dump_default=None)
    attended_cadre_ids = fields.List(fields.String(), dump_default=list)
    # why it was accepted: assignment, working_group or unscheduled
    basis = fields.String(dump_default="assignment")
    unscheduled = fields.Nested(Unscheduled, allow_none=True, dump_default=None)
    answer_reviews = fields.List(fields.Nested(Review), dump_default=list)
    attachments = fields.List(fields.Nested(Attachment), dump_default=list)
    attachments_refused = fields.List(fields.Nested(RefusedAttachment), dump_default=list)


class ConcernAnswer(AnswerRecordShown):
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
    contact_kind = fields.String(allow_none=True, dump_default=None)  # raised at a contact


# --- queries ---------------------------------------------------------------------------------

class VisitsQuery(PageQuery):
    """Visits, newest meeting first: by branch, by cadre, by period (both days included)."""
    unit_id = Id(load_default=None, allow_none=True)
    cadre_id = Id(load_default=None, allow_none=True)
    period_from = Day(load_default=None, allow_none=True)
    period_to = Day(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=True)
    def _period_in_order(self, data, **kwargs):
        if data["period_from"] and data["period_to"] and data["period_to"] < data["period_from"]:
            raise ValidationError(reason("before_start", "must not be before period_from"),
                                  "period_to")


class UnscheduledQuery(PageQuery):
    unit_id = Id(load_default=None, allow_none=True)


class BriefQuery(PageQuery):
    """The open concerns a page at a time; the other parts are capped at ``limit``."""


class MeetingRecordQuery(Schema):
    year = fields.Integer(required=True, strict=False, validate=validate.Range(2000, 2100))


# --- answers of the queries ------------------------------------------------------------------

class VisitLine(Schema):
    visit_id = fields.String(attribute="_id")
    unit_id = fields.String()
    unit_name = fields.String()
    cadre_id = fields.String()
    meeting_date = fields.String()
    meeting_kind = fields.String()
    attendance = fields.Dict()
    assessment = fields.Dict()
    working_group_id = fields.String(allow_none=True, dump_default=None)
    attended_cadre_ids = fields.List(fields.String(), dump_default=list)
    basis = fields.String(dump_default="assignment")
    unscheduled = fields.Nested(Unscheduled, allow_none=True, dump_default=None)
    version = fields.Integer(dump_default=1)
    concern_count = fields.Function(lambda visit: len(visit.get("concerns", [])))


class VisitsPage(Schema):
    visits = fields.List(fields.Nested(VisitLine))
    next_cursor = fields.String(allow_none=True)


class BriefConcern(AnswerRecordShown):  # how its answer settled it
    concern_id = fields.String(attribute="_id")
    visit_id = fields.String()
    topic = fields.String()
    summary = fields.String()
    raised_on = fields.String()
    case_id = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "'raised' until routed, then the case's"})
    holder_authority_id = fields.String(attribute="authority_id", allow_none=True)
    due_on = fields.String(allow_none=True)
    overdue = fields.Boolean()
    answer = fields.String(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)
    # the holder's interim reply (gia hạn): the date it committed to answer by, and its note
    interim_committed_on = fields.String(allow_none=True, dump_default=None)
    interim_note = fields.String(allow_none=True, dump_default=None)
    # how many branches raised its case (issue 25: other branches' concerns attached to it)
    branch_count = fields.Integer(dump_default=1)


class Brief(Schema):
    unit_id = fields.String()
    unit_name = fields.String()
    today = fields.String()
    open_concerns = fields.List(fields.Nested(BriefConcern))
    next_cursor = fields.String(allow_none=True, metadata={
        "description": "the next page of open_concerns"})
    answers_to_read_out = fields.List(fields.Nested(BriefConcern), metadata={
        "description": "answers that came back and were not yet read out at a meeting: read "
                       "them out, then review each in the visit's answer_reviews"})
    overdue = fields.List(fields.Nested(BriefConcern))
    last_visits = fields.List(fields.Nested(VisitLine))


class Averages(Schema):
    leadership = fields.Float(allow_none=True)
    education = fields.Float(allow_none=True)
    combativeness = fields.Float(allow_none=True)


class MeetingRecord(Schema):
    unit_id = fields.String()
    unit_name = fields.String()
    year = fields.Integer()
    meetings_attended = fields.Integer()
    regular_meetings_attended = fields.Integer()
    thematic_meetings_attended = fields.Integer()
    months_with_regular_meeting = fields.List(fields.String())
    attendance_rate = fields.Float(allow_none=True)
    assessment_averages = fields.Nested(Averages)
