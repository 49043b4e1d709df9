"""What the gateway takes in (query and path parameters) and gives back, as marshmallow schemas.

Request bodies are the services' own schemas (``shared.contracts.rpc.visits.LogVisit``); responses
wrap the services' dump schemas. ``services.gateway.routes`` ties each route to these, and the
OpenAPI description is generated from them.
"""
import copy

from marshmallow import Schema, fields, validate

from shared.contracts import ROLES, Day, Id
from shared.contracts.rpc import cases as escalations
from shared.contracts.rpc.accounts import User
from shared.contracts.rpc.cases import CASE_STATUSES, Authority, Case, RoutingRule
from shared.contracts.rpc.notifications import Notification
from shared.contracts.rpc.registry import Unit
from shared.contracts.rpc.visits import RaisedConcern, Visit

# --- parameters ------------------------------------------------------------------------------


class NoParameters(Schema):
    """A route that takes no query parameters refuses any."""


class InboxQuery(escalations.InboxQuery):
    """The escalations service's own query; the authority comes from the path."""
    class Meta:
        exclude = ("authority_id",)


class StatisticsQuery(escalations.StatisticsQuery):
    class Meta:
        exclude = ("authority_id",)


class VisitPath(Schema):
    visit_id = Id(required=True)


class ConcernPath(Schema):
    concern_id = Id(required=True)


class CasePath(Schema):
    case_id = Id(required=True)


class CaseActionPath(Schema):
    case_id = Id(required=True)
    action = fields.String(required=True, validate=validate.OneOf(sorted(
        escalations.ACTION_ARGUMENTS)), metadata={"description": "what to do with the case"})


def _optional(schema, name):
    """An action's own field as an optional part of the union: each action requires its own
    arguments and refuses the others', so no field is required of every action's body."""
    field = copy.deepcopy(schema._declared_fields[name])
    field.required = False
    return field


class CaseActionArguments(Schema):
    """The arguments of every case action, each taking only its own (see the route)."""
    note = _optional(escalations.NoArguments, "note")
    question = _optional(escalations.RequestInformation, "question")
    information = _optional(escalations.ProvideInformation, "information")
    authority_id = Id(metadata={"description": "redirect: the authority responsible"})
    reason = _optional(escalations.Reopen, "reason")
    answer = _optional(escalations.Answer, "answer")
    # close: resolved or unresolved; answer: how it settled the matter (issue 25)
    outcome = fields.String(validate=validate.OneOf(
        (*escalations.CLOSE_OUTCOMES, *escalations.ANSWER_OUTCOMES)))
    right_body = _optional(escalations.Answer, "right_body")
    law = _optional(escalations.Answer, "law")
    answering_unit = _optional(escalations.Answer, "answering_unit")
    letter_number = _optional(escalations.Answer, "letter_number")
    letter_date = _optional(escalations.Answer, "letter_date")
    no_letter_reason = _optional(escalations.Answer, "no_letter_reason")
    original_case_id = Id(metadata={"description": "mark_duplicate: the original case"})
    template_id = Id(metadata={"description": "answer, request_information: the reply "
                                              "template the text started from"})


class UserPath(Schema):
    user_id = Id(required=True)


class AuthorityPath(Schema):
    authority_id = Id(required=True, metadata={"example": "ubnd-xa-tam-hop"})


class TakeCase(Schema):
    """Nothing to send: who takes the case is the signed-in officer."""


class TemplatePath(Schema):
    template_id = Id(required=True)


class Officers(Schema):
    officers = fields.List(fields.Nested(escalations.Officer), required=True)


class AddReplyTemplate(escalations.AddReplyTemplate):
    """The escalations service's own template; the authority comes from the path."""
    class Meta:
        exclude = ("authority_id",)


class ReplyTemplatesQuery(escalations.ReplyTemplatesQuery):
    class Meta:
        exclude = ("authority_id",)


class ReplyTemplates(Schema):
    templates = fields.List(fields.Nested(escalations.ReplyTemplate), required=True)


# --- responses -------------------------------------------------------------------------------


class Error(Schema):
    """Every refusal, wherever in the system it was decided."""
    error = fields.String(required=True, metadata={"example": "INVALID_INPUT"})
    message = fields.String(required=True)
    field_errors = fields.Dict(data_key="fields", metadata={
        "description": "per field (nested like the request), what is wrong with it",
        "example": {"attendance": {"present": ["cannot exceed expected"]}}})
    error_id = fields.String(metadata={
        "description": "5xx only: the id of the log line that tells what went wrong"})
    retry_after = fields.Integer(metadata={
        "description": "429 only: seconds to wait, as the Retry-After header says"})


class ServiceHealth(Schema):
    service = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "'ok' when healthy"})
    outbox_pending = fields.Integer(metadata={"description": "events stored, not yet published"})
    mail_waiting = fields.Integer(metadata={
        "description": "notifications: mail stored, not yet accepted by the mail server"})


class Health(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("ok", "degraded")))
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceHealth),
                           required=True)


def NextCursor():
    return fields.String(required=True, allow_none=True, metadata={
        "description": "pass as `cursor` for the next page; null on the last page"})


class UnitsPage(Schema):
    units = fields.List(fields.Nested(Unit), required=True)
    next_cursor = NextCursor()


class AuthoritiesPage(Schema):
    authorities = fields.List(fields.Nested(Authority), required=True)
    next_cursor = NextCursor()


class RoutingRulesPage(Schema):
    routing_rules = fields.List(fields.Nested(RoutingRule), required=True)
    next_cursor = NextCursor()


class LoggedVisit(Visit):
    replayed = fields.Boolean(required=True, metadata={
        "description": "true when this submission_id was logged before: nothing new was stored"})


class Holder(Schema):
    authority_id = fields.String(required=True)
    name = fields.String(required=True)


class ConcernStatus(RaisedConcern):
    status = fields.String(required=True, metadata={
        "description": "'raised' until routed, then the case's status"})
    case = fields.Nested(Case, required=True, allow_none=True)
    held_by = fields.Nested(Holder, required=True, allow_none=True)


class InboxUnit(Schema):
    unit_id = fields.String(required=True)
    branch = fields.Boolean(required=True)


class Inbox(Schema):
    authority = fields.Nested(Authority, required=True)
    view = fields.String(required=True, validate=validate.OneOf(escalations.INBOX_VIEWS))
    counts = fields.Dict(keys=fields.String(validate=validate.OneOf(CASE_STATUSES)),
                         values=fields.Integer(), required=True, metadata={
                             "description": "the cases it holds, per status (none: absent), "
                                            "counted exactly"})
    overdue = fields.Integer(required=True, metadata={"description": "overdue on this page"})
    cases = fields.List(fields.Nested(Case), required=True, metadata={
        "description": "overdue first, then by deadline (holding); newest first "
                       "(escalated_past, named)"})
    next_cursor = NextCursor()
    units = fields.List(fields.Nested(InboxUnit), metadata={
        "description": "every branch its cases came from and the unit above each (the "
                       "branch filter's choices), by id"})


class UnroutedCases(Schema):
    triage_authority_id = fields.String(required=True, allow_none=True)
    cases = fields.List(fields.Nested(Case), required=True)
    next_cursor = NextCursor()


class StatisticsRow(Schema):
    authority_id = fields.String(required=True)
    topic = fields.String(required=True)
    received = fields.Integer(required=True)
    acknowledged_on_time = fields.Integer(required=True)
    answered = fields.Integer(required=True)
    answered_on_time = fields.Integer(required=True)
    median_days_to_answer = fields.Float(required=True, allow_none=True)
    reopened = fields.Integer(required=True)
    closed_resolved = fields.Integer(required=True)
    closed_unresolved = fields.Integer(required=True)
    # issue 25: answers per outcome, and the on-time rate over those that settled the matter
    # (solved, explained) only
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    settled = fields.Integer(required=True)
    settled_on_time = fields.Integer(required=True)
    on_time_rate = fields.Float(required=True, allow_none=True)


class Statistics(Schema):
    authority_id = fields.String(required=True)
    period_from = Day(required=True)
    period_to = Day(required=True)
    rows = fields.List(fields.Nested(StatisticsRow), required=True)


class Session(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, validate=validate.OneOf(("Bearer",)))
    expires_at = fields.Integer(required=True, metadata={"description": "Unix time, seconds"})
    user = fields.Nested(User, required=True)


class SignedOut(Schema):
    signed_out = fields.Boolean(required=True)


class PasswordChanged(Schema):
    password_changed = fields.Boolean(required=True)


class Me(Schema):
    user_id = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    cadre_id = fields.String(required=True, allow_none=True)
    authority_id = fields.String(required=True, allow_none=True)
    authority_head = fields.Boolean(required=True, metadata={
        "description": "an officer heading their authority (its confidential cases)"})


class UsersPage(Schema):
    users = fields.List(fields.Nested(User), required=True)
    next_cursor = NextCursor()


class NotificationsPage(Schema):
    notifications = fields.List(fields.Nested(Notification), required=True)
    next_cursor = NextCursor()


class NotificationShown(Notification):
    """One notification, as the list shows it."""


class QueueFigures(Schema):
    queue = fields.String(required=True)
    ready = fields.Integer(required=True)
    unacknowledged = fields.Integer(required=True)
    consumers = fields.Integer(required=True)
    dead_letters = fields.Boolean(required=True, metadata={"description": "a dead-letter queue"})
    kind = fields.String(metadata={"description": "consumer, wait (a retry delay) or dead"})
    messages = fields.Integer()
    publish_rate = fields.Float(metadata={"description": "messages per second"})
    deliver_rate = fields.Float(metadata={"description": "messages per second"})
    oldest_message_seconds = fields.Float(allow_none=True, metadata={
        "description": "age of the oldest message (quorum queues: since first seen non-empty)"})


class Queues(Schema):
    queues = fields.List(fields.Nested(QueueFigures), required=True)


class AuditEvent(Schema):
    """An event's metadata: an operator never sees its payload (names, concerns)."""
    event_id = fields.String(required=True)
    routing_key = fields.String(required=True)
    occurred_at = fields.String(required=True, metadata={"format": "date-time"})
    actor = fields.String(required=True, allow_none=True, metadata={
        "description": "the user whose request caused it; null for the system"})


class EventsPage(Schema):
    events = fields.List(fields.Nested(AuditEvent), required=True)
    next_cursor = NextCursor()
