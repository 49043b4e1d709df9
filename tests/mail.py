"""The developers' mail catcher (deploy/mailcatcher.py) as its own process, for tests."""
import socket
import subprocess
import sys

from deploy.mailcatcher import read_messages
from shared.config import ROOT
from tests.interface.helpers import wait_for


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailCatcher:
    """deploy/mailcatcher.py serving on ``port`` into ``maildir``; stop and start at will."""

    def __init__(self, maildir):
        self.maildir = maildir
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "deploy.mailcatcher", "serve", "--port", str(self.port),
             "--maildir", str(self.maildir)], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._accepting, timeout=20, what="the mail catcher to accept SMTP")

    def _accepting(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"the mail catcher exited with {self.process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None

    def mail(self):
        """Every mail caught so far, in the order it arrived (email.message.EmailMessage)."""
        return [message for _, message in read_messages(self.maildir)]
