"""What the gateway takes in (query and path parameters) and gives back, as marshmallow schemas.

Request bodies are the services' own schemas (``services.visits.schemas.LogVisit``); responses
wrap the services' dump schemas. ``services.gateway.routes`` ties each route to these, and the
OpenAPI description is generated from them.
"""
from marshmallow import Schema, fields, validate

from services.assignments.schemas import Unit
from services.escalations.schemas import CASE_STATUSES, Authority, Case, RoutingRule
from services.visits.schemas import RaisedConcern, Visit
from shared.contracts import Id
from shared.pages import PageQuery

# --- parameters ------------------------------------------------------------------------------


class NoParameters(Schema):
    """A route that takes no query parameters refuses any."""


class InboxQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(CASE_STATUSES),
                           metadata={"description": "only the cases in this status"})


class VisitPath(Schema):
    visit_id = Id(required=True)


class ConcernPath(Schema):
    concern_id = Id(required=True)


class AuthorityPath(Schema):
    authority_id = Id(required=True, metadata={"example": "ubnd-xa-tam-hop"})


# --- responses -------------------------------------------------------------------------------


class Error(Schema):
    """Every refusal, wherever in the system it was decided."""
    error = fields.String(required=True, metadata={"example": "INVALID_INPUT"})
    message = fields.String(required=True)
    field_errors = fields.Dict(data_key="fields", metadata={
        "description": "per field (nested like the request), what is wrong with it",
        "example": {"attendance": {"present": ["cannot exceed expected"]}}})


class ServiceHealth(Schema):
    service = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "'ok' when healthy"})
    outbox_pending = fields.Integer(metadata={"description": "events stored, not yet published"})


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


class Inbox(Schema):
    authority = fields.Nested(Authority, required=True)
    cases = fields.List(fields.Nested(Case), required=True)
    next_cursor = NextCursor()


class QueueFigures(Schema):
    queue = fields.String(required=True)
    ready = fields.Integer(required=True)
    unacknowledged = fields.Integer(required=True)
    consumers = fields.Integer(required=True)
    dead_letters = fields.Boolean(required=True, metadata={"description": "a dead-letter queue"})


class Queues(Schema):
    queues = fields.List(fields.Nested(QueueFigures), required=True)


class AuditEvent(Schema):
    event_id = fields.String(required=True)
    routing_key = fields.String(required=True)
    occurred_at = fields.String(required=True, metadata={"format": "date-time"})
    payload = fields.Dict(required=True)


class EventsPage(Schema):
    events = fields.List(fields.Nested(AuditEvent), required=True)
    next_cursor = NextCursor()
