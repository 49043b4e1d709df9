"""The developers' mail catcher (tooling/mailcatcher.py) as its own process, for tests."""
from tooling.launcher import MailCatcher, free_port

__all__ = ["MailCatcher", "free_port"]
