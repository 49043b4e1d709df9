"""RPC payloads of the escalations service."""
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from shared.contracts import (
    ANSWER_OUTCOMES,
    ANY_TOPIC,
    CASE_ACTIONS,
    CASE_STATES,
    CLOSE_OUTCOMES,
    CONCERN_TOPICS,
    URGENCIES,
    Day,
    Id,
    Text,
)
from shared.contracts.rpc.answers import AnswerRecordShown
from shared.contracts.rpc.attachments import NamesAttachments, ShowsAttachments
from shared.contracts.rpc.similar import JoinedShown
from shared.pages import PageQuery
from shared.reasons import reason

AUTHORITY_KINDS = ("party_committee", "inspection_committee", "peoples_committee", "department",
                   "office")
CASE_STATUSES = CASE_STATES
# named: the confidential cases the head of the authority named the officer on
INBOX_VIEWS = ("holding", "escalated_past", "named")
ASSIGNEES = ("mine", "unassigned")
# at_risk: past half the time to their running deadline, not yet overdue (issue 25)
DUE_FILTERS = ("at_risk",)


class RegisterAuthority(Schema):
    authority_id = Id(required=True)
    name = Text(200, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(AUTHORITY_KINDS))
    level = Id(required=True)
    # the unit whose area it answers for
    unit_id = Id(required=True)
    # where its cases escalate when it does not act in time (None at the top)
    parent_authority_id = Id(load_default=None, allow_none=True)
    # where its notifications go (the notifications service learns it from authority_registered)
    email = fields.Email(load_default=None, allow_none=True)


class Authority(Schema):
    authority_id = fields.String(attribute="_id")
    name = fields.String()
    kind = fields.String()
    level = fields.String()
    unit_id = fields.String()
    parent_authority_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class AddRoutingRule(Schema):
    rule_id = Id(required=True)
    topic = fields.String(required=True)
    unit_id = Id(required=True)
    authority_id = Id(required=True)
    # None: concerns of any urgency
    urgency = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf(URGENCIES))
    # the days it is in force, both included (None: open-ended)
    effective_from = Day(load_default=None, allow_none=True)
    effective_to = Day(load_default=None, allow_none=True)

    @validates("topic")
    def _known_topic(self, value, **kwargs):
        if value != ANY_TOPIC and value not in CONCERN_TOPICS:
            raise ValidationError(f"must be '{ANY_TOPIC}' or one of: {', '.join(CONCERN_TOPICS)}")

    @validates_schema(skip_on_field_errors=True)
    def _dates_in_order(self, data, **kwargs):
        if data["effective_from"] and data["effective_to"] and \
                data["effective_to"] < data["effective_from"]:
            raise ValidationError("must not be before effective_from", "effective_to")


class RoutingRule(Schema):
    rule_id = fields.String(attribute="_id")
    topic = fields.String()
    unit_id = fields.String()
    authority_id = fields.String()
    urgency = fields.String(allow_none=True)
    effective_from = fields.String(allow_none=True)
    effective_to = fields.String(allow_none=True)
    # who added it, the rule it took over from, who ended it (its own record of changes)
    actor = fields.String(allow_none=True, dump_default=None)
    replaces = fields.String(allow_none=True, dump_default=None)
    ended_by = fields.String(allow_none=True, dump_default=None)


# --- case actions: the arguments each one takes ----------------------------------------------

class NoArguments(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class RequestInformation(NamesAttachments):
    question = Text(2000, required=True)
    # the reply template the text started from (recorded on the timeline)
    template_id = Id(load_default=None, allow_none=True)


class ProvideInformation(Schema):
    information = Text(4000, required=True)


class Redirect(Schema):
    authority_id = Id(required=True)
    reason = Text(2000, required=True)


class Answer(NamesAttachments):
    answer = Text(8000, required=True)
    template_id = Id(load_default=None, allow_none=True)  # as RequestInformation's
    # issue 25: how the answer settled the matter (not_competent names the right body,
    # complaint_procedure the law), the unit that answered, and its official letter (number
    # and date) or why there is none; the case machine refuses what is missing, by name
    outcome = fields.String(required=True, validate=validate.OneOf(ANSWER_OUTCOMES))
    right_body = Text(300, load_default=None, allow_none=True)
    law = Text(300, load_default=None, allow_none=True)
    answering_unit = Text(200, required=True)
    letter_number = Text(60, load_default=None, allow_none=True)
    letter_date = Day(load_default=None, allow_none=True)
    no_letter_reason = Text(500, load_default=None, allow_none=True)


class Close(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(CLOSE_OUTCOMES))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class MarkDuplicate(Schema):
    original_case_id = Id(required=True)


class Reopen(Schema):
    reason = Text(2000, required=True)


class Escalate(Schema):
    reason = Text(2000)  # none given: the service records that the holder escalated it


ACTION_ARGUMENTS = {
    "acknowledge": NoArguments, "start": NoArguments,
    "request_information": RequestInformation, "provide_information": ProvideInformation,
    "redirect": Redirect, "answer": Answer, "close": Close, "mark_duplicate": MarkDuplicate,
    "reopen": Reopen, "escalate": Escalate,
}
assert set(ACTION_ARGUMENTS) == set(CASE_ACTIONS)


# --- reply templates -------------------------------------------------------------------------

# the actions a template's text starts: its kind
TEMPLATE_KINDS = ("answer", "request_information")


class AddReplyTemplate(Schema):
    """A text an authority's officers start an answer or a question from, for one topic (or
    every topic: "*")."""
    authority_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(TEMPLATE_KINDS))
    topic = fields.String(required=True, validate=validate.OneOf((ANY_TOPIC, *CONCERN_TOPICS)))
    title = Text(120, required=True)
    text = Text(8000, required=True)


class ChangeReplyTemplate(Schema):
    """What an officer changes of their authority's template: its title, text or topic."""
    topic = fields.String(validate=validate.OneOf((ANY_TOPIC, *CONCERN_TOPICS)))
    title = Text(120)
    text = Text(8000)

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError(reason("nothing_changed", "give title, text or topic"),
                                  "_schema")


class InterimReply(NamesAttachments):
    """The holder's interim reply (gia hạn): the working day it commits to answer by (no
    earlier than the answer deadline) and a progress note."""
    committed_on = Day(required=True)
    note = Text(2000, required=True)


class InterimReplyKept(Schema):
    """An interim reply as the case keeps it."""
    committed_on = fields.String()
    original_answer_by = fields.String()
    note = fields.String()
    at = fields.AwareDateTime()
    by = fields.String()


class AssignCase(Schema):
    """The head of the holding authority names the officer who works on the case."""
    user_id = Id(required=True)


class Officer(Schema):
    """An officer of an authority, as its head chooses whom to assign a case to."""
    user_id = fields.String(attribute="_id")
    display_name = fields.String()
    authority_head = fields.Boolean(dump_default=False)


class OfficersQuery(Schema):
    authority_id = Id(required=True)


class ReplyTemplatesQuery(Schema):
    authority_id = Id(required=True)
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(TEMPLATE_KINDS))
    # the templates for this topic and those for every topic
    topic = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(CONCERN_TOPICS))


class TemplateChange(Schema):
    """Who changed a reply template, when, and which fields (or deleted it)."""
    by = fields.String()
    at = fields.AwareDateTime()
    action = fields.String()
    fields_changed = fields.List(fields.String(), data_key="fields", attribute="fields")


class ReplyTemplate(Schema):
    template_id = fields.String(attribute="_id")
    authority_id = fields.String()
    kind = fields.String()
    topic = fields.String()
    title = fields.String()
    text = fields.String()
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    # who changed it last, and every change (who, when, which fields)
    changed_by = fields.String(allow_none=True, dump_default=None)
    changed_at = fields.AwareDateTime(allow_none=True, dump_default=None)
    changes = fields.List(fields.Nested(TemplateChange), dump_default=list)
    deleted_by = fields.String(allow_none=True, dump_default=None)
    deleted_at = fields.AwareDateTime(allow_none=True, dump_default=None)


# --- queries ---------------------------------------------------------------------------------

class InboxQuery(PageQuery):
    authority_id = Id(required=True)
    # "holding": cases it holds; "escalated_past": cases that left it by escalation
    view = fields.String(load_default="holding", validate=validate.OneOf(INBOX_VIEWS))
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(CASE_STATUSES))
    topic = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(CONCERN_TOPICS))
    # cases raised at this unit or below it
    unit_id = Id(load_default=None, allow_none=True)
    # "mine": those the signed-in officer took; "unassigned": those nobody took
    assignee = fields.String(load_default=None, allow_none=True,
                             validate=validate.OneOf(ASSIGNEES))
    # received by the authority on or after ``received_from``, before ``received_to``
    received_from = Day(load_default=None, allow_none=True)
    received_to = Day(load_default=None, allow_none=True)
    # words of the summary (each beginning a word, diacritics or not) or a case's code
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 100))
    # "at_risk": past half the time to their running deadline, not yet overdue ("sắp quá hạn")
    due = fields.String(load_default=None, allow_none=True,
                        validate=validate.OneOf(DUE_FILTERS))


class StatisticsQuery(Schema):
    authority_id = Id(required=True)
    period_from = Day(required=True)
    period_to = Day(required=True)  # excluded
    topic = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(CONCERN_TOPICS))

    @validates_schema(skip_on_field_errors=True)
    def _period_in_order(self, data, **kwargs):
        if data["period_to"] <= data["period_from"]:
            raise ValidationError("must be after period_from", "period_to")


class UnroutedQuery(PageQuery):
    """Cases no rule routed, a page at a time."""


# --- answers ---------------------------------------------------------------------------------

class TimelineEntry(ShowsAttachments):
    at = fields.AwareDateTime()
    user_id = fields.String()
    role = fields.String()
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    why = fields.String(allow_none=True)
    # the system's reason as a code and its values (routing_rule, deadline_passed...), worded
    # by the pages; None where ``why`` is a person's own words
    because = fields.Dict(allow_none=True, dump_default=None)
    authority_id = fields.String(allow_none=True)
    authority_name = fields.String(allow_none=True)
    # the reply template an answer or a question started from
    template_id = fields.String(allow_none=True, dump_default=None)
    template_title = fields.String(allow_none=True, dump_default=None)
    # "assign": the officer the head assigned the case to
    assignee_user_id = fields.String(allow_none=True, dump_default=None)
    assignee_name = fields.String(allow_none=True, dump_default=None)


class PublicText(Schema):
    """A text written for the public receipt page (``receipts.PublishText``) as kept."""
    text = fields.String()
    publishable = fields.Boolean()
    at = fields.AwareDateTime(allow_none=True)


class Case(JoinedShown, AnswerRecordShown):  # its answer's outcome, the branches raising it
    case_id = fields.String(attribute="_id")
    # the code the raiser follows the case by (shared.receipts); none on cases from before it
    receipt_code = fields.String(allow_none=True, dump_default=None)
    public_summary = fields.Nested(PublicText, allow_none=True, dump_default=None)
    public_answer = fields.Nested(PublicText, allow_none=True, dump_default=None)
    concern_id = fields.String()
    status = fields.String()
    version = fields.Integer()
    authority_id = fields.String(allow_none=True)
    authority_name = fields.String(allow_none=True)
    rule_id = fields.String(allow_none=True)
    triage = fields.Boolean()
    unit_id = fields.String()
    # the branch's path from the top (the pages name its commune from it)
    unit_path = fields.List(fields.String(), dump_default=list)
    locality_unit_id = fields.String(allow_none=True, dump_default=None)
    topic = fields.String()
    urgency = fields.String()
    summary = fields.String(allow_none=True)  # none: shown to an operator
    raised_by = fields.String()
    raised_on = fields.String()
    contact_kind = fields.String(allow_none=True, dump_default=None)  # at a contact (issue 29)
    # the raiser's identity was kept out of the summary (issue 26)
    raiser_withheld = fields.Boolean(dump_default=False)
    # only the holder's head and the officers named here read a confidential case
    confidential = fields.Boolean(dump_default=False)
    named_officer_ids = fields.List(fields.String(), dump_default=list)
    routed_at = fields.AwareDateTime(allow_none=True)
    received_at = fields.AwareDateTime(allow_none=True)
    # the severity tier (a case from before tiers: "normal"); acknowledge_by is a moment in
    # office hours when the tier counts acceptance in working hours, else a day
    tier = fields.String(dump_default="normal")
    acknowledge_by = fields.String(allow_none=True)
    answer_by = fields.String(allow_none=True)
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    awaiting_since = fields.AwareDateTime(allow_none=True)
    due_at = fields.AwareDateTime(allow_none=True)
    due_kind = fields.String(allow_none=True)
    # the holder's officer who took it to work on (None: nobody yet)
    assignee_user_id = fields.String(allow_none=True, dump_default=None)
    assignee_name = fields.String(allow_none=True, dump_default=None)
    # the running deadline's last day, and the working days left to it, today included
    due_on = fields.String(allow_none=True, dump_default=None)
    working_days_left = fields.Integer(allow_none=True, dump_default=None)
    overdue = fields.Boolean()
    answer = fields.String(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    duplicate_of = fields.String(allow_none=True)
    escalated_past = fields.List(fields.String())
    standing_committee_flagged = fields.Boolean()
    reopened_count = fields.Integer()
    allowed_actions = fields.List(fields.String())
    # the holder's interim reply, if it gave one (issue 25): answer_by is its committed date
    interim_reply = fields.Nested(InterimReplyKept, allow_none=True, dump_default=None)


class NameOfficers(Schema):
    """The head of the holding authority names who else reads a confidential case (the whole
    list; an empty one leaves it to the head alone)."""
    user_ids = fields.List(Id(), required=True, validate=validate.Length(max=50))

    @validates("user_ids")
    def _once(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError("names an officer twice")


class CaseWithTimeline(Case):
    timeline = fields.List(fields.Nested(TimelineEntry))
