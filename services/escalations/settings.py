"""The escalations service's settings: how often the deadline sweep runs, the case policy, and
(tests only) the clock file."""
from marshmallow import fields, validate

from shared import config


class Settings(config.Settings):
    """The keys of deploy/config.yml the escalations service reads (defaults: there)."""

    # seconds between two sweeps for due deadlines
    SWEEP_INTERVAL_SECONDS = fields.Float(required=True, validate=validate.Range(0.05, 3600))
    # deploy/case_policy.yml by default, relative to the repository (see policy)
    CASE_POLICY_FILE = fields.String(required=True)
    # tests only: a file holding seconds to add to the real time (see shared.clock)
    TEST_CLOCK_FILE = fields.String(required=True, allow_none=True)


def settings(given):
    return config.load_settings(Settings(), given)
