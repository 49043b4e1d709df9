"""Following a concern by its receipt code (escalations): the public lookup, and the texts the
cadre and the authority write for publication. The receipt code itself: ``shared.receipts``."""
from marshmallow import Schema, fields, validate

from shared.contracts.base import Text


class FollowReceipt(Schema):
    """A lookup from the public page: the code as typed, and the client's address (the
    gateway's reading of it; the lookups are counted per address)."""
    code = fields.String(required=True, validate=validate.Length(max=40))
    client_address = fields.String(required=True, validate=validate.Length(1, 100))


class PublicCase(Schema):
    """What anyone with the code reads (services/escalations/public_view.py): ``found`` false
    and everything else null alike for an unknown code and one with nothing to show yet."""
    receipt_code = fields.String()
    found = fields.Boolean()
    topic = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    authority_name = fields.String(allow_none=True)
    raised_on = fields.String(allow_none=True)
    received_on = fields.String(allow_none=True)
    due_on = fields.String(allow_none=True)
    answered_on = fields.String(allow_none=True)
    closed_on = fields.String(allow_none=True)
    public_summary = fields.String(allow_none=True)
    public_answer = fields.String(allow_none=True)


class PublishText(Schema):
    """A summary (by the cadre who carried the concern) or an answer (by the holder's officer)
    written for the public page: shown there only while ``publishable``."""
    text = Text(2000, required=True)
    publishable = fields.Boolean(required=True)
