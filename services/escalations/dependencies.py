"""The escalations service's own extensions: its settings, its policy and clock, and the timer
of the deadline sweep (its interval comes from the configuration, not the code)."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from services.escalations.policy import DEFAULT_POLICY_FILE, load_policy_file
from shared.clock import Clock
from shared.config import ROOT
from shared.errors import ConfigError


class EscalationsSettings(Schema):
    class Meta:
        unknown = EXCLUDE

    # seconds between two sweeps for due deadlines
    SWEEP_INTERVAL_SECONDS = fields.Float(load_default=60.0, validate=validate.Range(0.05, 3600))
    CASE_POLICY_FILE = fields.String(load_default=str(DEFAULT_POLICY_FILE))
    # tests only: a file holding seconds to add to the real time (see shared.clock)
    TEST_CLOCK_FILE = fields.String(load_default="", allow_none=True)


def escalations_settings(config):
    try:
        return EscalationsSettings().load(dict(config))
    except ValidationError as error:
        raise ConfigError("invalid configuration", error.normalized_messages()) from None


def _policy(value):
    path = ROOT / value  # an absolute value stays as it is
    if not path.is_file():
        raise ConfigError("invalid configuration",
                          {"CASE_POLICY_FILE": [f"no such file: {path}"]})
    return load_policy_file(path)


class CaseRules(DependencyProvider):
    """The case policy and the clock, read once at start-up: ``self.rules.policy``,
    ``self.rules.clock.now()``."""

    def setup(self):
        config = escalations_settings(self.container.config)
        self.policy = _policy(config["CASE_POLICY_FILE"])
        self.clock = Clock(config["TEST_CLOCK_FILE"] or None)

    def get_dependency(self, worker_ctx):
        return self


class SweepTimer(Timer):
    """nameko's timer with ``SWEEP_INTERVAL_SECONDS`` from the configuration."""

    def __init__(self, eager=False, **kwargs):
        super().__init__(None, eager=eager, **kwargs)

    def setup(self):
        self.interval = escalations_settings(self.container.config)["SWEEP_INTERVAL_SECONDS"]
        super().setup()


sweep_timer = SweepTimer.decorator
