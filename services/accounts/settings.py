"""The accounts service's settings: the shared ones (the token's secret and lifetime, the RPC
timeout a refused sign-in stays within); it has none of its own."""
from shared import config


class Settings(config.Settings):
    """The keys of deploy/config.yml the accounts service reads (defaults: there)."""


def settings(given):
    return config.load_settings(Settings(), given)
