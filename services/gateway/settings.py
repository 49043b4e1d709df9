"""The gateway's settings: the shared ones (token secret and lifetime, RPC timeout) and the pages'
cookie policy. Defaults are written in ``deploy/config.yml`` only."""
from marshmallow import ValidationError, fields, validates

from shared import config

# the session cookie's Secure flag: follow the request's scheme, always, or never (local http)
SECURE_MODES = ("auto", "always", "never")


class Settings(config.Settings):
    PAGES_COOKIE_SECURE = fields.String(required=True)

    @validates("PAGES_COOKIE_SECURE")
    def _secure_mode(self, value, **kwargs):
        if value.lower() not in SECURE_MODES:
            raise ValidationError(f"must be one of {', '.join(SECURE_MODES)}")


def settings(given):
    return config.load_settings(Settings(), given)
