"""The assignments service's settings: the shared ones (the store, the broker, the outbox); the
registry has none of its own."""
from shared import config


class Settings(config.Settings):
    """The keys of deploy/config.yml the assignments service reads (defaults: there)."""


def settings(given):
    return config.load_settings(Settings(), given)
