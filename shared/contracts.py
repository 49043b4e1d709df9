"""Event contracts: every event's name, source and payload schema, in one place.

An event travels as an envelope::

    {"event_id": "9f1c…", "event_type": "concern_raised", "source": "visits",
     "occurred_at": "2026-11-25T08:00:00+00:00", "payload": {...}}

published on the ``sausat.events`` topic exchange with routing key ``<source>.<event_type>``.
Producers build envelopes with :meth:`EventType.new`, which dumps the payload through the
schema and refuses one that would not load; consumers parse with :func:`parse_event`, which
loads it through the same schema. Example::

    event = CONCERN_RAISED.new({"concern_id": ..., ...})
    ...
    parsed = parse_event(body)          # -> Event(event_id, event_type, ..., payload)
"""
import datetime as dt
import re
import uuid
from typing import NamedTuple

from marshmallow import Schema, ValidationError, fields, validate

from shared.errors import InvalidEvent

UTC = dt.timezone.utc

# Registry ids (units, cadres, authorities, rules) are chosen by administrators; ids the
# system mints (visits, concerns, cases, events) are uuid4 hex. Both fit this pattern.
ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"


# Cc (C0, DEL, C1) and unpaired surrogates: never in a stored string; free text keeps \n and \t
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class FullMatch(validate.Regexp):
    """``Regexp`` matched against the whole value: Python's ``$`` also matches before a final
    newline, so ``"unit-1\\n"`` would pass a plain ``Regexp``. The pattern stays ECMA-valid."""

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def no_control_characters(value):
    """Free text: any character but the control ones, except line feeds and tabs."""
    for char in CONTROL_CHARACTERS.findall(value):
        if char not in "\n\t":
            raise ValidationError(f"contains the control character U+{ord(char):04X}")


def Id(**kwargs):
    return fields.String(validate=FullMatch(ID_PATTERN, error="must be a lower-case id "
                         "of letters, digits, '.', '_' or '-' (at most 80)"), **kwargs)


def Text(max_length, min_length=1, **kwargs):
    return fields.String(validate=[validate.Length(min=min_length, max=max_length),
                                   no_control_characters], **kwargs)


def new_id():
    return uuid.uuid4().hex


def utcnow():
    return dt.datetime.now(UTC)


CONCERN_TOPICS = (
    "land", "infrastructure", "environment", "social_policy", "public_order",
    "economy", "party_building", "public_service", "other",
)
RAISED_BY = ("party_member", "resident")
URGENCIES = ("normal", "urgent")
MEETING_KINDS = ("regular", "thematic")


# --- payload schemas -------------------------------------------------------------------------

class UnitRegistered(Schema):
    unit_id = Id(required=True)
    name = Text(200, required=True)
    level = Id(required=True)
    parent_id = Id(required=True, allow_none=True)
    # ancestor ids, root first, ending with unit_id: lets consumers route by locality
    path = fields.List(Id(), required=True, validate=validate.Length(min=1))


class CadreRegistered(Schema):
    cadre_id = Id(required=True)
    full_name = Text(200, required=True)
    home_unit_id = Id(required=True)
    positions = fields.List(Id(), required=True)
    # where notifications reach the cadre (answers to the concerns they carried)
    email = fields.Email(allow_none=True)


class AssignmentMade(Schema):
    assignment_id = Id(required=True)
    cadre_id = Id(required=True)
    unit_id = Id(required=True)
    rule = Id(required=True)
    starts_on = fields.Date(required=True)


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


ROLES = ("cadre", "authority_officer", "operator", "administrator")


class UserCreated(Schema):
    user_id = Id(required=True)
    username = Id(required=True)
    display_name = Text(200, required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    cadre_id = Id(load_default=None, allow_none=True)
    authority_id = Id(load_default=None, allow_none=True)


class UserRoleChanged(Schema):
    user_id = Id(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    cadre_id = Id(load_default=None, allow_none=True)
    authority_id = Id(load_default=None, allow_none=True)


class UserRef(Schema):
    """The user a credential or status change is about; never the secret itself."""
    user_id = Id(required=True)


class CaseRouted(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    rule_id = Id(required=True)
    acknowledge_by = fields.Date(required=True)


# --- case life (services.escalations.case_life) ---------------------------------------------

CLOSE_OUTCOMES = ("resolved", "unresolved")
DEADLINE_KINDS = ("acknowledge", "answer")


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


class CaseRedirected(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    from_authority_id = Id(required=True, allow_none=True)
    authority_id = Id(required=True)
    reason = Text(2000, required=True)


class CaseAnswered(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    answer = Text(8000, required=True)
    answered_at = fields.AwareDateTime(required=True)
    # the case this one duplicates, when the answer is the original's
    original_case_id = Id(load_default=None, allow_none=True)


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


class CaseEscalated(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    from_authority_id = Id(required=True)
    # None past the top level: then the province standing committee is flagged
    authority_id = Id(required=True, allow_none=True)
    standing_committee_flagged = fields.Boolean(required=True)
    reason = Text(2000, required=True)


class CaseDeadlineNear(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    authority_id = Id(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(DEADLINE_KINDS))
    due_on = fields.Date(required=True)


class CaseUnrouted(Schema):
    case_id = Id(required=True)
    concern_id = Id(required=True)
    unit_id = Id(required=True)
    topic = fields.String(required=True, validate=validate.OneOf(CONCERN_TOPICS))
    # the triage authority that routes it by hand (None when none is configured)
    authority_id = Id(required=True, allow_none=True)


# --- event types -----------------------------------------------------------------------------

class EventType:
    def __init__(self, source, name, schema):
        self.source = source
        self.name = name
        self.schema = schema()

    @property
    def routing_key(self):
        return f"{self.source}.{self.name}"

    def __repr__(self):
        return f"EventType({self.routing_key})"

    def new(self, payload, *, event_id=None, occurred_at=None, actor=None):
        """The envelope of a new event; a payload that would not load is a bug, so it raises.
        ``actor`` is the user_id of who caused it (None: the system itself, or a script)."""
        dumped = self.schema.dump(payload)
        errors = self.schema.validate(dumped)
        if errors:
            raise ValueError(f"{self.routing_key} payload breaks its contract: {errors}")
        return Envelope().dump({
            "event_id": event_id or new_id(),
            "event_type": self.name,
            "source": self.source,
            "occurred_at": occurred_at or utcnow(),
            "payload": dumped,
            "actor": actor,
        })


UNIT_REGISTERED = EventType("assignments", "unit_registered", UnitRegistered)
CADRE_REGISTERED = EventType("assignments", "cadre_registered", CadreRegistered)
ASSIGNMENT_MADE = EventType("assignments", "assignment_made", AssignmentMade)
VISIT_LOGGED = EventType("visits", "visit_logged", VisitLogged)
CONCERN_RAISED = EventType("visits", "concern_raised", ConcernRaised)
CASE_ROUTED = EventType("escalations", "case_routed", CaseRouted)
USER_CREATED = EventType("accounts", "user_created", UserCreated)
USER_ROLE_CHANGED = EventType("accounts", "user_role_changed", UserRoleChanged)
USER_DISABLED = EventType("accounts", "user_disabled", UserRef)
PASSWORD_CHANGED = EventType("accounts", "password_changed", UserRef)
PASSWORD_RESET = EventType("accounts", "password_reset", UserRef)
USER_SIGNED_OUT = EventType("accounts", "user_signed_out", UserRef)

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
CASE_DEADLINE_NEAR = EventType("escalations", "case_deadline_near", CaseDeadlineNear)
CASE_UNROUTED = EventType("escalations", "case_unrouted", CaseUnrouted)


class AuthorityRegistered(Schema):
    authority_id = Id(required=True)
    name = Text(200, required=True)
    kind = Id(required=True)
    level = Id(required=True)
    unit_id = Id(required=True)
    parent_authority_id = Id(required=True, allow_none=True)
    email = fields.Email(allow_none=True)  # where its notifications go; none: not mailed


class NotificationSent(Schema):
    notification_id = Id(required=True)
    cause_event_id = Id(required=True)  # the event it told of
    case_id = Id(required=True, allow_none=True)
    recipient_kind = fields.String(required=True, validate=validate.OneOf(("authority", "cadre")))
    recipient_id = Id(required=True)
    email = fields.Email(required=True)
    subject = Text(500, required=True)
    message_id = Text(300, required=True)
    sent_at = fields.AwareDateTime(required=True)


class AuthorityContactChanged(Schema):
    authority_id = Id(required=True)
    email = fields.Email(required=True, allow_none=True)


class CadreContactChanged(Schema):
    cadre_id = Id(required=True)
    email = fields.Email(required=True, allow_none=True)


AUTHORITY_REGISTERED = EventType("escalations", "authority_registered", AuthorityRegistered)
NOTIFICATION_SENT = EventType("notifications", "notification_sent", NotificationSent)
AUTHORITY_CONTACT_CHANGED = EventType("escalations", "authority_contact_changed",
                                      AuthorityContactChanged)
CADRE_CONTACT_CHANGED = EventType("assignments", "cadre_contact_changed", CadreContactChanged)

EVENT_TYPES = {t.routing_key: t for t in (
    UNIT_REGISTERED, CADRE_REGISTERED, ASSIGNMENT_MADE, VISIT_LOGGED, CONCERN_RAISED, CASE_ROUTED,
    USER_CREATED, USER_ROLE_CHANGED, USER_DISABLED, PASSWORD_CHANGED, PASSWORD_RESET,
    USER_SIGNED_OUT,
    CASE_ACKNOWLEDGED, CASE_INFORMATION_REQUESTED, CASE_INFORMATION_PROVIDED, CASE_REDIRECTED,
    CASE_ANSWERED, CASE_CLOSED, CASE_MARKED_DUPLICATE, CASE_REOPENED, CASE_ESCALATED,
    CASE_DEADLINE_NEAR, CASE_UNROUTED,
    AUTHORITY_REGISTERED, NOTIFICATION_SENT, AUTHORITY_CONTACT_CHANGED, CADRE_CONTACT_CHANGED,
)}


class Envelope(Schema):
    event_id = Id(required=True)
    event_type = Id(required=True)
    source = Id(required=True)
    occurred_at = fields.AwareDateTime(required=True)  # a naive time is refused, not guessed
    payload = fields.Dict(required=True)
    # who caused it; absent in envelopes written before users existed
    actor = Id(load_default=None, allow_none=True)


class Event(NamedTuple):
    event_id: str
    event_type: EventType
    occurred_at: dt.datetime
    payload: dict
    actor: str = None


def parse_event(body):
    """Load an envelope and its payload through their schemas, or raise :class:`InvalidEvent`."""
    if not isinstance(body, dict):
        raise InvalidEvent(f"event body must be a JSON object, got {type(body).__name__}")
    try:
        envelope = Envelope().load(body)
    except ValidationError as error:
        raise InvalidEvent("invalid event envelope", error.normalized_messages()) from None
    key = f"{envelope['source']}.{envelope['event_type']}"
    event_type = EVENT_TYPES.get(key)
    if event_type is None:
        raise InvalidEvent(f"unknown event type {key!r}")
    try:
        payload = event_type.schema.load(envelope["payload"])
    except ValidationError as error:
        raise InvalidEvent(f"invalid {key} payload", error.normalized_messages()) from None
    return Event(envelope["event_id"], event_type, envelope["occurred_at"], payload,
                 envelope["actor"])
