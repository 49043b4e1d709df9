"""RPC payloads of the assignments service."""
from marshmallow import Schema, fields, validate

from shared.contracts import Id, Text

UNIT_KINDS = ("residential", "agency", "enterprise", "armed_forces", "school", "other")


class RegisterUnit(Schema):
    unit_id = Id(required=True)
    name = Text(200, required=True)
    level = Id(required=True)
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(UNIT_KINDS))
    parent_id = Id(load_default=None, allow_none=True)


class Unit(Schema):
    unit_id = fields.String(attribute="_id")
    name = fields.String()
    level = fields.String()
    kind = fields.String(allow_none=True)
    parent_id = fields.String(allow_none=True)
    path = fields.List(fields.String())


class RegisterCadre(Schema):
    cadre_id = Id(required=True)
    full_name = Text(200, required=True)
    home_unit_id = Id(required=True)
    positions = fields.List(Id(), required=True, validate=validate.Length(min=1, max=10))
    # where answers to the concerns they carried are mailed
    email = fields.Email(load_default=None, allow_none=True)


class Cadre(Schema):
    cadre_id = fields.String(attribute="_id")
    full_name = fields.String()
    home_unit_id = fields.String()
    positions = fields.List(fields.String())
    email = fields.String(allow_none=True)


class AssignCadre(Schema):
    cadre_id = Id(required=True)
    unit_id = Id(required=True)
    starts_on = fields.Date(required=True)


class Assignment(Schema):
    assignment_id = fields.String(attribute="_id")
    cadre_id = fields.String()
    unit_id = fields.String()
    rule = fields.String()
    starts_on = fields.String()
