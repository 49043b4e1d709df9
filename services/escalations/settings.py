"""The escalations service's settings: how often the deadline sweep runs, the case policy, the
limits on the authority's documents, and (tests only) the clock file."""
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
    # the authority's documents on a case (docs/attachments.md): the same keys as the visits
    # service's, bytes and pixels per file, files per step, days an upload waits for its step
    ATTACHMENT_MAX_BYTES = fields.Integer(required=True, validate=validate.Range(1, 10_000_000))
    ATTACHMENT_MAX_PIXELS = fields.Integer(required=True,
                                           validate=validate.Range(1, 100_000_000))
    ATTACHMENTS_PER_ITEM = fields.Integer(required=True, validate=validate.Range(0, 20))
    ATTACHMENT_UNATTACHED_DAYS = fields.Integer(required=True, validate=validate.Range(1, 365))


def settings(given):
    return config.load_settings(Settings(), given)
