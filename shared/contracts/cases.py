"""A case's life, from routing to closing (services.escalations.case_life)."""
from marshmallow import Schema, fields, validate

from shared.contracts.base import CONCERN_TOPICS, Id, Text
from shared.contracts.envelope import EventType

# severity tiers (services.escalations.tiers): how fast a case must be accepted and answered
TIERS = ("urgent", "normal", "complex")


class CaseRouted(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    rule_id = Id(required=True)
    acknowledge_by = fields.Date(required=True)
    # the severity tier and, when acceptance is counted in working hours, its very moment
    # (issue 25; None: deadlines in days)
    tier = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(TIERS))
    acknowledge_before = fields.AwareDateTime(load_default=None, allow_none=True)


# --- case life (services.escalations.case_life) ---------------------------------------------

# a case's states and the actions people take on it; the state machine
# (services.escalations.case_life) checks its table against these at import
CASE_STATES = ("routed", "acknowledged", "in_progress", "awaiting_information", "answered",
               "closed_resolved", "closed_unresolved", "redirected", "escalated", "duplicate_of",
               "reopened", "unrouted", "withdrawn")
CASE_ACTIONS = ("acknowledge", "start", "request_information", "provide_information", "redirect",
                "answer", "close", "mark_duplicate", "reopen", "escalate")
# a routing rule for every topic
ANY_TOPIC = "*"
CLOSE_OUTCOMES = ("resolved", "unresolved")
# how an answer settled the matter, apart from closing (services.escalations.answer_outcomes)
ANSWER_OUTCOMES = ("solved", "explained", "not_competent", "complaint_procedure", "duplicate")
# what an answer records beside its text, on the case, its event and the concern's answer
ANSWER_RECORD_FIELDS = ("outcome", "right_body", "law", "answering_unit", "letter",
                        "no_letter_reason")
DEADLINE_KINDS = ("acknowledge", "answer")
# who a case climbs to inside an authority when nobody accepts it (duty roster, issue 25)
ACCEPTANCE_RUNGS = ("receiving", "deputy", "head")
# the shares of the time allowed at which a warning goes out (early_warnings, issue 25)
WARNING_SHARES = (0.5, 0.75)


class CaseAcknowledged(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    answer_by = fields.Date(required=True)
    started = fields.Boolean(required=True)  # work began too (the "start" action)


class CaseInformationRequested(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    question = Text(2000, required=True)


class CaseInformationProvided(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    information = Text(4000, required=True)
    answer_by = fields.Date(required=True)  # moved on by the working days spent waiting
    # the officer working on it, told beside the authority (issue 24; None: nobody took it)
    assignee_user_id = Id(load_default=None, allow_none=True)


class CaseRedirected(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    from_authority_id = Id(required=True, allow_none=True)
    authority_id = Id(required=True)
    reason = Text(2000, required=True)


class AnswerLetter(Schema):
    """The official letter (công văn) an answer was given by."""
    number = Text(60, required=True)
    date = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$"))


class CaseAnswered(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    answer = Text(8000, required=True)
    answered_at = fields.AwareDateTime(required=True)
    # the case this one duplicates, when the answer is the original's
    original_case_id = Id(load_default=None, allow_none=True)
    # issue 25 (None in events from before it): how the answer settled the matter, the body or
    # law it names, the unit that answered and its official letter or why there is none
    outcome = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf(ANSWER_OUTCOMES))
    right_body = Text(300, load_default=None, allow_none=True)
    law = Text(300, load_default=None, allow_none=True)
    answering_unit = Text(200, load_default=None, allow_none=True)
    letter = fields.Nested(AnswerLetter, load_default=None, allow_none=True)
    no_letter_reason = Text(500, load_default=None, allow_none=True)
    # issue 28 (None before it): the day the answer was due when it was given, so a reader
    # tells an answer on time from a late one (the periodic report) without asking
    answer_by = fields.Date(load_default=None, allow_none=True)


class CaseClosed(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(CLOSE_OUTCOMES))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class CaseMarkedDuplicate(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    original_case_id = Id(required=True)


class CaseReopened(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    reason = Text(2000, required=True)
    answer_by = fields.Date(required=True)
    # the branch's verdict as a code and its values ({"code": "members_not_satisfied",
    # "reviewed_on": ..., "comment": ...}), worded by whoever tells a person; None: the
    # raising side's own reason (and events from before it)
    because = fields.Dict(allow_none=True)
    # the officer working on it, told beside the authority (issue 24; None: nobody took it)
    assignee_user_id = Id(load_default=None, allow_none=True)


class CaseAssigned(Schema):
    """An officer of the authority holding the case took it, or its head assigned it to them:
    they work on it now. Not a change of state (the case machine's table is untouched)."""
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    assignee_user_id = Id(required=True)
    # the head who assigned it (None: the assignee took it themself, or the duty roster did)
    assigned_by = Id(load_default=None, allow_none=True)
    # the duty roster's rung when the system handed it over (services/escalations/
    # acceptance_chain): "receiving" on routing, "deputy" then "head" when nobody accepted it
    # in time; None: a person took or assigned it
    rung = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(ACCEPTANCE_RUNGS))


class CaseTierChanged(Schema):
    """The holder's officer put the case in another severity tier, with a reason: its
    deadlines were recomputed from when it arrived. Not a change of state."""
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    from_tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    reason = Text(2000, required=True)
    acknowledge_by = fields.AwareDateTime(required=True)   # a moment in office hours
    answer_by = fields.Date(required=True)


class CaseEscalated(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    from_authority_id = Id(required=True)
    # None past the top level: then the province standing committee is flagged
    authority_id = Id(required=True, allow_none=True)
    standing_committee_flagged = fields.Boolean(required=True)
    reason = Text(2000, required=True)
    # the sweep's reason as a code and its values ({"code": "deadline_passed", "deadline":
    # "answer", "due_on": "2026-12-16"}), worded by whoever tells a person; None: an officer's
    because = fields.Dict(allow_none=True)


class CaseDeadlineNear(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(DEADLINE_KINDS))
    due_on = fields.Date(required=True)
    # the officer working on it, reminded beside the authority (issue 24)
    assignee_user_id = Id(load_default=None, allow_none=True)
    # an early warning (issue 25): the share of the time allowed already gone, 0.5 (told to
    # the holder and the assignee) or 0.75 (told to the authority's head, head_user_id);
    # None: the reminder shortly before the deadline
    share = fields.Float(load_default=None, allow_none=True,
                         validate=validate.OneOf(WARNING_SHARES))
    head_user_id = Id(load_default=None, allow_none=True)


class CaseUnrouted(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    unit_id = Id(required=True)
    topic = fields.String(required=True, validate=validate.OneOf(CONCERN_TOPICS))
    # the triage authority that routes it by hand (None when none is configured)
    authority_id = Id(required=True, allow_none=True)



class DueSoonCase(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(DEADLINE_KINDS))
    due_on = fields.Date(required=True)


class DigestCompiled(Schema):
    """One officer's digest of the day (issue 25): the cases they work on whose running
    deadline falls within two working days, compiled once per officer and day."""
    user_id = Id(required=True)
    authority_id = Id(required=True)
    day = fields.Date(required=True)
    cases = fields.List(fields.Nested(DueSoonCase), required=True,
                        validate=validate.Length(min=1, max=200))


CASE_ROUTED = EventType("escalations", "case_routed", CaseRouted)
CASE_ACKNOWLEDGED = EventType("escalations", "case_acknowledged", CaseAcknowledged)
CASE_INFORMATION_REQUESTED = EventType("escalations", "case_information_requested",
                                       CaseInformationRequested)
CASE_INFORMATION_PROVIDED = EventType("escalations", "case_information_provided",
                                      CaseInformationProvided)
CASE_REDIRECTED = EventType("escalations", "case_redirected", CaseRedirected)
CASE_ANSWERED = EventType("escalations", "case_answered", CaseAnswered)
CASE_CLOSED = EventType("escalations", "case_closed", CaseClosed)
CASE_MARKED_DUPLICATE = EventType("escalations", "case_marked_duplicate", CaseMarkedDuplicate)
CASE_REOPENED = EventType("escalations", "case_reopened", CaseReopened)
CASE_ESCALATED = EventType("escalations", "case_escalated", CaseEscalated)
CASE_ASSIGNED = EventType("escalations", "case_assigned", CaseAssigned)
CASE_TIER_CHANGED = EventType("escalations", "case_tier_changed", CaseTierChanged)
CASE_DEADLINE_NEAR = EventType("escalations", "case_deadline_near", CaseDeadlineNear)
DIGEST_COMPILED = EventType("escalations", "digest_compiled", DigestCompiled)
CASE_UNROUTED = EventType("escalations", "case_unrouted", CaseUnrouted)


class CaseWithdrawn(Schema):
    """The raising side withdrew the concern (``concern_withdrawn``): the case ends here."""
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True, allow_none=True)
    reason = Text(2000, required=True)


CASE_WITHDRAWN = EventType("escalations", "case_withdrawn", CaseWithdrawn)


class CaseInterimReplied(Schema):
    """The holder gave an interim reply (gia hạn): a progress note and the date by which it
    will answer, which is the answer deadline from now on (issue 25)."""
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    committed_on = fields.Date(required=True)
    original_answer_by = fields.Date(required=True)
    note = Text(2000, required=True)


CASE_INTERIM_REPLIED = EventType("escalations", "case_interim_replied", CaseInterimReplied)


class CaseJoined(Schema):
    """A concern raised at another branch was attached to this open case (issue 25, similar
    open cases): it is one more raising of the case, which now counts ``branch_count``
    branches; the joined concern follows the case from here (``concern_id`` is the joined
    one). ``status`` and ``due_on``: where the case stood when it was joined."""
    case_id = Id(required=True)
    concern_id = Id(required=True)
    unit_id = Id(required=True)
    authority_id = Id(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(CASE_STATES))
    due_on = fields.Date(required=True, allow_none=True)
    # distinct branches: the same branch raising it again at a later meeting counts once
    branch_count = fields.Integer(required=True, validate=validate.Range(min=1))


CASE_JOINED = EventType("escalations", "case_joined", CaseJoined)
