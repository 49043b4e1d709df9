"""The members service's settings: the shared ones (broker, store, retention of the access
log); the absence rule's policy is its own file, deploy/members_policy.yml."""
from shared import config


class Settings(config.Settings):
    """The keys of deploy/config.yml the members service reads (defaults: there)."""


def settings(given):
    return config.load_settings(Settings(), given)
