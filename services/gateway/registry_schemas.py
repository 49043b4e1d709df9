"""The registry area's path parameters and answers (``services.gateway.api.registry``)."""
from marshmallow import Schema, fields

from shared.contracts import Id
from shared.contracts.rpc import authorities as upkeep
from shared.contracts.rpc import registry as registry


class UnitPath(Schema):
    unit_id = Id(required=True, metadata={"example": "vinh-phuc.binh-xuyen.tam-hop.noi-phat"})


class CadrePath(Schema):
    cadre_id = Id(required=True, metadata={"example": "tran-thi-binh"})


class AssignmentPath(Schema):
    assignment_id = Id(required=True)


class WorkingGroupPath(Schema):
    working_group_id = Id(required=True)


class RulePath(Schema):
    rule_id = Id(required=True, metadata={"example": "infrastructure-tam-hop"})


class UnitsPage(Schema):
    units = fields.List(fields.Nested(registry.Unit), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class AuthoritiesPage(Schema):
    authorities = fields.List(fields.Nested(upkeep.DatedAuthority), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class ReorganisationsPage(Schema):
    reorganisations = fields.List(fields.Nested(registry.Reorganisation), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class WorkingGroupsPage(Schema):
    working_groups = fields.List(fields.Nested(registry.WorkingGroup), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class Assignments(Schema):
    assignments = fields.List(fields.Nested(registry.Assignment), required=True)


class Level(Schema):
    level_id = fields.String(required=True)
    name = fields.String(required=True)
    parent_levels = fields.List(fields.String(), required=True)
    description = fields.String(required=True)


class Levels(Schema):
    levels = fields.List(fields.Nested(Level), required=True)
    schemes = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                          required=True)


class Found(Schema):
    units = fields.List(fields.Nested(registry.Unit), required=True)
    cadres = fields.List(fields.Nested(registry.Cadre), required=True)
    authorities = fields.List(fields.Nested(upkeep.DatedAuthority), required=True)
