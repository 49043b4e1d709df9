"""How an answer settled the matter, as shown with it (issue 25): on a case (escalations), on a
concern's answer and in the branch brief (visits). None on answers from before it."""
from marshmallow import Schema, fields


class AnswerRecordShown(Schema):
    # solved, explained, not_competent (naming right_body), complaint_procedure (naming law),
    # duplicate
    outcome = fields.String(allow_none=True, dump_default=None)
    right_body = fields.String(allow_none=True, dump_default=None)
    law = fields.String(allow_none=True, dump_default=None)
    # the unit that answered, and its official letter ({"number", "date"}) or why there is none
    answering_unit = fields.String(allow_none=True, dump_default=None)
    letter = fields.Dict(allow_none=True, dump_default=None)
    no_letter_reason = fields.String(allow_none=True, dump_default=None)
