"""The imports service's settings: how often it looks for jobs and how long a job's lease holds."""
from marshmallow import fields, validate

from shared import config


class Settings(config.Settings):
    """The keys of deploy/config.yml the imports service reads (defaults: there)."""

    # seconds between two looks for import jobs that need work (a job runs to its end at once)
    IMPORT_POLL_SECONDS = fields.Float(required=True, validate=validate.Range(0.05, 60))
    # how long a job stays with an instance that stopped renewing it before another takes over
    IMPORT_LEASE_SECONDS = fields.Float(required=True, validate=validate.Range(0.5, 3600))


def settings(given):
    return config.load_settings(Settings(), given)
