"""RPC payloads of similar open cases (issue 25, ``services.escalations.joining``): what the
visit form asks escalations while the cadre picks a concern's topic, and what it shows."""
from marshmallow import Schema, fields, validate

from shared.contracts import CASE_STATES, CONCERN_TOPICS, Id


class SimilarCasesQuery(Schema):
    """The branch the visit is logged at (the gateway checked it is the cadre's), its path in
    the tree (its commune is read from it) and the concern's topic."""
    unit_id = Id(required=True)
    unit_path = fields.List(Id(), required=True, validate=validate.Length(min=1, max=20))
    topic = fields.String(required=True, validate=validate.OneOf(CONCERN_TOPICS))


class SimilarCase(Schema):
    """An open case the concern may join: never who raised it."""
    case_id = Id(required=True)
    topic = fields.String(required=True)
    summary = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(CASE_STATES))
    authority_id = fields.String(allow_none=True)
    authority_name = fields.String(allow_none=True)
    raised_on = fields.String(required=True)
    branch_count = fields.Integer(required=True, metadata={
        "description": "how many branches raised it (nêu tại N chi bộ)"})
    raised_here = fields.Boolean(required=True, metadata={
        "description": "this branch raised it already"})


class SimilarCases(Schema):
    cases = fields.List(fields.Nested(SimilarCase), required=True)


class Raising(Schema):
    """Another branch that raised the case (its concern attached to it): where and when."""
    unit_id = fields.String()
    raised_on = fields.String()


class JoinRefused(Schema):
    """The case the cadre chose had closed or moved on when the concern arrived: the concern
    opened this case instead (``reason.<code>`` says why)."""
    case_id = fields.String()
    code = fields.String()


class JoinedShown(Schema):
    """What a shown case says of the branches that raised it (``Case`` inherits it)."""
    raisings = fields.List(fields.Nested(Raising), dump_default=list)
    branch_count = fields.Integer(dump_default=1, metadata={
        "description": "how many branches raised it (nêu tại N chi bộ)"})
    join_refused = fields.Nested(JoinRefused, allow_none=True, dump_default=None)
