"""RPC payloads of an authority's duty roster (escalations, issue 25): who receives new cases
on which working day, with leave, the deputy and the head."""
from marshmallow import Schema, fields, validate

from shared.contracts import Day, Id

# an authority's receiving officers, in turn (an authority has tens of officers)
MOST_IN_TURN = 50
MOST_LEAVES = 200


class Leave(Schema):
    officer_id = Id(required=True)
    first_day = Day(required=True)
    last_day = Day(required=True)  # inclusive; not before first_day (the rule says)


class SetRoster(Schema):
    """The whole roster, as its head keeps it (a rotation starting on a working day)."""
    rotation = fields.List(Id(), required=True,
                           validate=validate.Length(min=1, max=MOST_IN_TURN))
    deputy_id = Id(required=True)
    head_id = Id(required=True)
    starts_on = Day(required=True)
    leave = fields.List(fields.Nested(Leave), load_default=list,
                        validate=validate.Length(max=MOST_LEAVES))


class Roster(SetRoster):
    authority_id = Id(required=True)
    # each officer the roster names, by id: their name as the officers' read model knows it
    names = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    changed_by = fields.String(allow_none=True)
    changed_at = fields.AwareDateTime(allow_none=True)


class RosterPath(Schema):
    authority_id = Id(required=True)
