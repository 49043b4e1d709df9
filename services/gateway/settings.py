"""The gateway's settings: the shared ones (token secret and lifetime, RPC timeout), the pages'
cookie policy and the HTTP edge's timeouts and connection cap. Defaults are written in
``deploy/config.yml`` only."""
from marshmallow import ValidationError, fields, validate, validates

from shared import config

# the session cookie's Secure flag: follow the request's scheme, always, or never (local http)
SECURE_MODES = ("auto", "always", "never")


class Settings(config.Settings):
    PAGES_COOKIE_SECURE = fields.String(required=True)
    GATEWAY_READ_TIMEOUT_SECONDS = fields.Float(
        required=True, validate=validate.Range(min=0, min_inclusive=False))
    GATEWAY_IDLE_TIMEOUT_SECONDS = fields.Float(
        required=True, validate=validate.Range(min=0, min_inclusive=False))
    GATEWAY_MAX_CONNECTIONS = fields.Integer(required=True, validate=validate.Range(min=1))

    @validates("PAGES_COOKIE_SECURE")
    def _secure_mode(self, value, **kwargs):
        if value.lower() not in SECURE_MODES:
            raise ValidationError(f"must be one of {', '.join(SECURE_MODES)}")


def settings(given):
    return config.load_settings(Settings(), given)
