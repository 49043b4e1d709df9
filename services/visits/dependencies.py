"""The visits service's rules read from its settings at start-up: the amendment window and the
clock it is judged by.

``VISIT_AMEND_WINDOW_HOURS``: how long after logging a visit its author may amend it.
``TEST_CLOCK_FILE`` (tests only) moves the clock (see ``shared.clock``). Example::

    class VisitsService:
        rules = VisitRules()
        ...
        self.rules.clock.now(), self.rules.clock.today(), self.rules.amend_window
"""
import datetime as dt

from nameko.extensions import DependencyProvider

from services.visits.attachments import AttachmentLimits
from services.visits.settings import settings
from shared.attachments import Limits
from shared.clock import Clock
from shared.timers import interval_timer


class VisitRules(DependencyProvider):
    """The amendment window, how long raisers are kept, and the clock, read once at start-up."""

    def setup(self):
        config = settings(self.container.config)
        self.amend_window = dt.timedelta(hours=config["VISIT_AMEND_WINDOW_HOURS"])
        self.raisers_kept_for = dt.timedelta(days=config["RETENTION_RAISER_DAYS"])
        self.addresses_kept_for = dt.timedelta(days=config["RETENTION_RAISER_EMAIL_DAYS"])
        self.clock = Clock(config["TEST_CLOCK_FILE"] or None)
        self.attachment_limits = AttachmentLimits(
            Limits(max_bytes=config["ATTACHMENT_MAX_BYTES"],
                   max_pixels=config["ATTACHMENT_MAX_PIXELS"]),
            config["ATTACHMENTS_PER_ITEM"], config["ATTACHMENTS_PER_VISIT"],
            dt.timedelta(days=config["ATTACHMENT_UNATTACHED_DAYS"]))

    def get_dependency(self, worker_ctx):
        return self


# the retention sweep's timer (services.visits.retention)
retention_timer = interval_timer(settings, "RETENTION_SWEEP_SECONDS")
