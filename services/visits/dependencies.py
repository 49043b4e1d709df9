"""The visits service's own settings: the amendment window and the clock it is judged by.

``VISIT_AMEND_WINDOW_HOURS`` (default 48): how long after logging a visit its author may amend
it. ``TEST_CLOCK_FILE`` (tests only) moves the clock (see ``shared.clock``). Example::

    class VisitsService:
        rules = VisitRules()
        ...
        self.rules.clock.now(), self.rules.amend_window
"""
import datetime as dt

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from nameko.extensions import DependencyProvider

from shared.clock import Clock
from shared.errors import ConfigError


class VisitsSettings(Schema):
    class Meta:
        unknown = EXCLUDE

    VISIT_AMEND_WINDOW_HOURS = fields.Float(load_default=48.0,
                                            validate=validate.Range(0, 24 * 365))
    TEST_CLOCK_FILE = fields.String(load_default="", allow_none=True)


def visits_settings(config):
    try:
        return VisitsSettings().load(dict(config))
    except ValidationError as error:
        raise ConfigError("invalid configuration", error.normalized_messages()) from None


class VisitRules(DependencyProvider):
    """The amendment window and the clock, read once at start-up."""

    def setup(self):
        config = visits_settings(self.container.config)
        self.amend_window = dt.timedelta(hours=config["VISIT_AMEND_WINDOW_HOURS"])
        self.clock = Clock(config["TEST_CLOCK_FILE"] or None)

    def get_dependency(self, worker_ctx):
        return self
