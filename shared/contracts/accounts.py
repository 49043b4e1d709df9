"""Users and their sessions (services.accounts)."""
from marshmallow import Schema, fields, validate

from shared.contracts.base import Id, Text
from shared.contracts.envelope import EventType

ROLES = ("cadre", "authority_officer", "operator", "administrator")


class UserCreated(Schema):
    user_id = Id(required=True)
    username = Id(required=True)
    display_name = Text(200, required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    cadre_id = Id(load_default=None, allow_none=True)
    authority_id = Id(load_default=None, allow_none=True)
    authority_head = fields.Boolean(load_default=False)
    # where mail to the user goes (an officer's cases, issue 24); None: none given
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))


class UserContactChanged(Schema):
    """An administrator gave the user another e-mail address (None: took it away)."""
    user_id = Id(required=True)
    email = fields.Email(required=True, allow_none=True, validate=validate.Length(max=254))


class UserRoleChanged(Schema):
    user_id = Id(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    cadre_id = Id(load_default=None, allow_none=True)
    authority_id = Id(load_default=None, allow_none=True)
    # added with issue 26: the officer heads their authority (confidential cases)
    authority_head = fields.Boolean(load_default=False)


class UserRestated(Schema):
    """A user as accounts holds them now, told again for a read model that began after they
    were created (the ``restate_users`` migration of an upgrade); never a secret or a contact."""
    user_id = Id(required=True)
    display_name = Text(200, required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    authority_id = Id(load_default=None, allow_none=True)
    authority_head = fields.Boolean(load_default=False)
    enabled = fields.Boolean(required=True)


class UserRef(Schema):
    """The user a credential or status change is about; never the secret itself."""
    user_id = Id(required=True)


class TokensRevoked(Schema):
    """Every token of the user below ``token_version`` stops working (sign-out, a password
    change or reset, a role change, disabling): what the gateways' revocation views follow."""
    user_id = Id(required=True)
    token_version = fields.Integer(required=True, validate=validate.Range(min=1))
    revoked_at = fields.AwareDateTime(required=True)


USER_CREATED = EventType("accounts", "user_created", UserCreated)
USER_ROLE_CHANGED = EventType("accounts", "user_role_changed", UserRoleChanged)
USER_DISABLED = EventType("accounts", "user_disabled", UserRef)
PASSWORD_CHANGED = EventType("accounts", "password_changed", UserRef)
PASSWORD_RESET = EventType("accounts", "password_reset", UserRef)
USER_SIGNED_OUT = EventType("accounts", "user_signed_out", UserRef)
USER_CONTACT_CHANGED = EventType("accounts", "user_contact_changed", UserContactChanged)
TOKENS_REVOKED = EventType("accounts", "tokens_revoked", TokensRevoked)
USER_RESTATED = EventType("accounts", "user_restated", UserRestated)
