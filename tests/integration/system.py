"""The system under test: deploy.launcher's, with quick retries and timeouts so tests are fast."""
import time

from deploy.launcher import SERVICES, free_port
from deploy.launcher import RunningSystem as _RunningSystem

__all__ = ["SERVICES", "RunningSystem", "free_port", "poll"]

TEST_SETTINGS = {
    "EVENT_RETRY_DELAYS": "0.2,0.5",
    "OUTBOX_POLL_SECONDS": "0.05",
    "RPC_TIMEOUT_SECONDS": "2",
    "MAIL_RETRY_DELAYS": "0.2,0.5",
    "MAIL_POLL_SECONDS": "0.05",
}


class RunningSystem(_RunningSystem):
    def __init__(self, amqp_uri, workdir, **settings):
        super().__init__(amqp_uri, workdir, **{**TEST_SETTINGS, **settings})


def poll(fetch, until, timeout=30):
    """``fetch()`` again every 0.1 s until ``until(value)``; the value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting; last value: {value}")
        time.sleep(0.1)
