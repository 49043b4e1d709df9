"""The escalations service's own extensions: its policy and clock, and the timer of the
deadline sweep (its interval comes from the configuration, not the code)."""
import datetime as dt

from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from services.escalations import calendars, store
from services.escalations.case_attachments import CaseAttachmentLimits
from services.escalations.policy import load_policy_file
from services.escalations.settings import settings
from shared.attachments import Limits
from shared.clock import Clock
from shared.config import ROOT
from shared.errors import ConfigError
from shared.store import Store


def _policy(value):
    path = ROOT / value  # an absolute value stays as it is
    if not path.is_file():
        raise ConfigError("invalid configuration",
                          {"CASE_POLICY_FILE": [f"no such file: {path}"]})
    return load_policy_file(path)


class CaseRules(DependencyProvider):
    """The case policy and the clock: ``self.rules.policy``, ``self.rules.clock.now()``. The
    file is read once at start-up (and seeds the stored calendar the first time); ``policy``
    is bound to the working calendar as stored now (edited by administrators, ``calendars``)
    and to the authorities' levels (the tier rows are per level)."""

    def setup(self):
        config = settings(self.container.config)
        self.file_policy = _policy(config["CASE_POLICY_FILE"])
        self.clock = Clock(config["TEST_CLOCK_FILE"] or None)
        self.attachment_limits = CaseAttachmentLimits(
            Limits(max_bytes=config["ATTACHMENT_MAX_BYTES"],
                   max_pixels=config["ATTACHMENT_MAX_PIXELS"]),
            config["ATTACHMENTS_PER_ITEM"], dt.timedelta(days=config["ATTACHMENT_UNATTACHED_DAYS"]))
        self.attachments_swept_at = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        self._store = next(dependency for dependency in self.container.extensions
                           if isinstance(dependency, Store))
        self._calendar = {}

    def start(self):
        calendars.seed(self._store.db, self.file_policy)

    @property
    def policy(self):
        db = self._store.db
        return self.file_policy.bound(
            calendars.stored_calendar(db, self._calendar),
            lambda authority_id: (store.find_authority(db, authority_id, {"level": 1})
                                  or {}).get("level", "*"))

    def get_dependency(self, worker_ctx):
        return self


class SweepTimer(Timer):
    """nameko's timer with ``SWEEP_INTERVAL_SECONDS`` from the configuration."""

    def __init__(self, eager=False, **kwargs):
        super().__init__(None, eager=eager, **kwargs)

    def setup(self):
        self.interval = settings(self.container.config)["SWEEP_INTERVAL_SECONDS"]
        super().setup()


sweep_timer = SweepTimer.decorator
