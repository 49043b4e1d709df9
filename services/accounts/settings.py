"""The accounts service's settings: the shared ones (the token's secret and lifetime, the RPC
timeout a refused sign-in stays within) and how much password hashing runs at once."""
from marshmallow import fields, validate

from shared import config


class Settings(config.Settings):
    """The keys of deploy/config.yml the accounts service reads (defaults: there)."""

    # argon2 operations at once per accounts process (64 MiB and a core each)
    HASH_CONCURRENCY = fields.Integer(required=True, validate=validate.Range(1, 64))
    # sign-ins waiting for a hashing turn; past it, 429 with Retry-After
    HASH_QUEUE_LIMIT = fields.Integer(required=True, validate=validate.Range(0, 1000))


def settings(given):
    return config.load_settings(Settings(), given)
