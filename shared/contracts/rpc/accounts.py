"""RPC payloads of the accounts service. Passwords are loaded here and never dumped."""
from marshmallow import Schema, fields, validate

from shared.contracts import ROLES, Id, StrictBoolean, Text
from shared.pages import PageQuery

Password = fields.String  # the policy (rules.check_password_policy) says what is accepted


class SignIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = Password(required=True, validate=validate.Length(min=1, max=1000))


class CreateUser(Schema):
    username = Id(required=True)
    display_name = Text(200, required=True)
    password = Password(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    cadre_id = Id(load_default=None, allow_none=True)
    authority_id = Id(load_default=None, allow_none=True)
    # an officer heading their authority: reads its confidential cases, names who else may
    authority_head = StrictBoolean(load_default=False)
    # where mail to the user goes (an officer hears of the cases they work on)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))


class ChangeUser(Schema):
    """PATCH /users/<id>: a new role with its scope, whether an officer heads their
    authority, an e-mail address (null: none), and/or ``enabled: false``."""
    role = fields.String(validate=validate.OneOf(ROLES))
    cadre_id = Id(allow_none=True)
    authority_id = Id(allow_none=True)
    authority_head = StrictBoolean()
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    enabled = fields.Boolean(truthy={True}, falsy={False}, validate=validate.Equal(
        False, error="can only be set to false: a disabled user is re-created, not re-enabled"))


class ResetPassword(Schema):
    new_password = Password(required=True)


class ChangePassword(Schema):
    current_password = Password(required=True, validate=validate.Length(max=1000))
    new_password = Password(required=True)


class User(Schema):
    user_id = fields.String(attribute="_id")
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    cadre_id = fields.String(allow_none=True)
    authority_id = fields.String(allow_none=True)
    authority_head = fields.Boolean(dump_default=False)
    email = fields.String(allow_none=True, dump_default=None)
    enabled = fields.Boolean()
    created_at = fields.AwareDateTime()
    actor = fields.String(allow_none=True)


class Revocation(Schema):
    """Tokens of ``user_id`` below ``token_version`` stopped working at ``revoked_at``."""
    user_id = fields.String(required=True)
    token_version = fields.Integer(required=True)
    revoked_at = fields.AwareDateTime(required=True)


class Revocations(Schema):
    """``accounts.revocations``: what a gateway's revocation view starts from."""
    revocations = fields.List(fields.Nested(Revocation), required=True)
    as_of = fields.AwareDateTime(required=True)


class SignedOut(Schema):
    signed_out = fields.Boolean(required=True)
    tokens_revoked = fields.Nested(Revocation, required=True)


class PasswordChanged(Schema):
    password_changed = fields.Boolean(required=True)
    tokens_revoked = fields.Nested(Revocation, required=True)


class RevokingUser(User):
    """A user after a change that may have ended their tokens; the gateway takes
    ``tokens_revoked`` off before answering."""
    tokens_revoked = fields.Nested(Revocation, allow_none=True)


class UsersQuery(PageQuery):
    """The users by username, a page at a time; with ``q``, those a word of whose username or
    name begins with each of its words (diacritics optional)."""
    q = fields.String(load_default=None, validate=validate.Length(1, 200))


class UserNamesQuery(Schema):
    """The users a page names (who changed what), in one call."""
    user_ids = fields.List(Id(), required=True, validate=validate.Length(1, 200))


class UserName(Schema):
    user_id = fields.String(attribute="_id")
    username = fields.String()
