"""RPC payloads of the escalations service."""
from marshmallow import Schema, ValidationError, fields, validate, validates

from services.escalations.routing import ANY_TOPIC
from shared.contracts import CONCERN_TOPICS, Id, Text

AUTHORITY_KINDS = ("party_committee", "inspection_committee", "peoples_committee", "department")
CASE_STATUSES = ("unrouted", "routed")


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

    @validates("topic")
    def _known_topic(self, value, **kwargs):
        if value != ANY_TOPIC and value not in CONCERN_TOPICS:
            raise ValidationError(f"must be '{ANY_TOPIC}' or one of: {', '.join(CONCERN_TOPICS)}")


class RoutingRule(Schema):
    rule_id = fields.String(attribute="_id")
    topic = fields.String()
    unit_id = fields.String()
    authority_id = fields.String()


class InboxQuery(Schema):
    authority_id = Id(required=True)
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(CASE_STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class Case(Schema):
    case_id = fields.String(attribute="_id")
    concern_id = fields.String()
    status = fields.String()
    authority_id = fields.String(allow_none=True)
    authority_name = fields.String(allow_none=True)
    rule_id = fields.String(allow_none=True)
    unit_id = fields.String()
    topic = fields.String()
    summary = fields.String()
    raised_by = fields.String()
    raised_on = fields.String()
    routed_at = fields.AwareDateTime(allow_none=True)
    acknowledge_by = fields.String(allow_none=True)
