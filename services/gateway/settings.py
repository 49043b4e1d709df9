"""The gateway's settings: the shared ones (token secret and lifetime, RPC timeout), the pages'
cookie policy and the trusted proxies. Defaults are written in ``deploy/config.yml`` only."""
from marshmallow import ValidationError, fields, validates

from services.gateway.edge.client import parse_networks
from shared import config

# the session cookie's Secure flag: follow the request's scheme, always, or never (local http)
SECURE_MODES = ("auto", "always", "never")


class Networks(fields.Field):
    """Addresses or CIDRs, as a list or a comma-separated string: ``"10.0.0.0/8, 192.0.2.7"``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, (str, list, tuple)):
            raise ValidationError("must be addresses or CIDRs, comma-separated")
        try:
            return parse_networks(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class Settings(config.Settings):
    PAGES_COOKIE_SECURE = fields.String(required=True)
    # the reverse proxies whose X-Forwarded-For names the client (edge.client)
    TRUSTED_PROXIES = Networks(required=True)

    @validates("PAGES_COOKIE_SECURE")
    def _secure_mode(self, value, **kwargs):
        if value.lower() not in SECURE_MODES:
            raise ValidationError(f"must be one of {', '.join(SECURE_MODES)}")


def settings(given):
    return config.load_settings(Settings(), given)
