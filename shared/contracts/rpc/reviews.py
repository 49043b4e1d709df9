"""The members' verdict on an answer read out at a branch meeting (part of a visit's log): were
they satisfied? Not satisfied, they say why in one line, and that line reaches the authority
(the reopened case's timeline, its page, the reopen mail)."""
from marshmallow import Schema, ValidationError, fields, validates_schema

from shared.contracts import Id, StrictBoolean, Text
from shared.reasons import reason

# the members' reason for not being satisfied: one line, read out to the authority
NOT_SATISFIED_REASON_LENGTH = 300


class AnswerReview(Schema):
    """An answer read out at this meeting, and whether the members were satisfied with it;
    not satisfied, the comment is their one-line reason, which reaches the authority."""
    case_id = Id(required=True)
    satisfied = StrictBoolean(required=True)
    comment = Text(2000, min_length=0, load_default="")

    @validates_schema(skip_on_field_errors=True)
    def _not_satisfied_says_why(self, data, **kwargs):
        comment = data["comment"].strip()
        if data["satisfied"]:
            return
        if not comment:
            raise ValidationError(reason("not_satisfied_needs_reason", "not satisfied: say "
                                         "why, in one line"), "comment")
        if "\n" in comment or len(comment) > NOT_SATISFIED_REASON_LENGTH:
            raise ValidationError(reason("one_line", "one line of at most "
                                         f"{NOT_SATISFIED_REASON_LENGTH} characters",
                                         max=NOT_SATISFIED_REASON_LENGTH), "comment")


class Review(Schema):
    case_id = fields.String()
    concern_id = fields.String()
    satisfied = fields.Boolean()
    comment = fields.String()
