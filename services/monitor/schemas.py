"""RPC payloads of the monitor service."""
from marshmallow import Schema, fields, validate


class RecentEventsQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
