"""The registry's answer to who sits on some committees (``assignments.committee_seats``),
asked by the members service alone: whom a branch's members may be put in the care of (issue
29, docs/members.md). Example::

    CommitteeSeatsQuery().load({"unit_ids": ["vp.bx.th.np", "vp.bx.th"]})
"""
from marshmallow import Schema, fields, validate

from shared.contracts import Id
from shared.contracts.rpc.registry import CadreName


class CommitteeSeatsQuery(Schema):
    """The committees whose seat holders are asked for (a branch's and the one above)."""
    unit_ids = fields.List(Id(), required=True, validate=validate.Length(1, 10))


class SeatHolder(CadreName):
    """A cadre with their seats on the committees asked for, whatever their days: names and
    seats only, no contact read."""
    memberships = fields.List(fields.Dict(), dump_default=list)
