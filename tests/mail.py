"""The developers' mail catcher (deploy/mailcatcher.py) as its own process, for tests."""
from deploy.launcher import MailCatcher, free_port

__all__ = ["MailCatcher", "free_port"]
