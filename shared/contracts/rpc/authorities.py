"""RPC payloads of the authorities and routing rules' upkeep (``registry_upkeep``)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.contracts import Day, Id, Text
from shared.contracts.rpc.cases import AUTHORITY_KINDS, Authority, RoutingRule
from shared.pages import PageQuery


def AsOf():
    return Day(load_default=None, metadata={
        "description": "answer as things stood on this day (default: every one, any day)"})


class RegistryQuery(PageQuery):
    as_of = AsOf()


class ChangeAuthority(Schema):
    name = Text(200)
    kind = fields.String(validate=validate.OneOf(AUTHORITY_KINDS))
    level = Id()
    unit_id = Id()
    parent_authority_id = Id(allow_none=True)
    email = fields.Email(allow_none=True)

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change", "_schema")


class RetireAuthority(Schema):
    retired_on = Day(required=True, metadata={
        "description": "the first day it receives no concerns; its routing rules end the day "
                       "before"})


class DatedAuthority(Authority):
    retired_on = fields.String(allow_none=True, dump_default=None)


class ChangeRoutingRule(Schema):
    """Either retire the rule (``effective_to``), or hand its concerns to another authority
    from ``changed_on`` under a new rule ``new_rule_id`` (the old one ends the day before)."""
    effective_to = Day()
    authority_id = Id()
    changed_on = Day()
    new_rule_id = Id()

    @validates_schema
    def _one_change(self, data, **kwargs):
        handover = {"authority_id", "changed_on", "new_rule_id"}
        if "effective_to" in data:
            if handover & set(data):
                raise ValidationError("either effective_to, or authority_id, changed_on and "
                                      "new_rule_id", "_schema")
            return
        missing = {name: ["required to hand the rule over"] for name in sorted(handover)
                   if name not in data}
        if missing:
            raise ValidationError(missing)


class RuleChanged(Schema):
    retired = fields.Nested(RoutingRule, required=True)
    added = fields.Nested(RoutingRule, required=True, allow_none=True)


class SearchQuery(Schema):
    q = fields.String(required=True, validate=validate.Length(1, 200))
    as_of = AsOf()
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class AuthorityNamesQuery(Schema):
    """The authorities a page names (beside a rule, a user's scope), in one call."""
    authority_ids = fields.List(Id(), required=True, validate=validate.Length(1, 200))


class AuthorityName(Schema):
    authority_id = fields.String(required=True)
    name = fields.String(required=True)
