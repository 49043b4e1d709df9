"""The monitor's settings: the broker's addresses, ``EVENT_RETRY_DELAYS`` (to tell stale wait
queues) and the ``ALERT_*`` thresholds, all declared in :class:`shared.config.Settings` (the
operations port and the configuration checks read them too); the monitor adds none."""
from shared import config


class Settings(config.Settings):
    """The keys of deploy/config.yml the monitor reads (defaults: there)."""


def settings(given):
    return config.load_settings(Settings(), given)
