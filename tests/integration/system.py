"""The system under test: tooling.launcher's, with quick retries and timeouts so tests are fast."""
import time

from kombu import Connection

from tooling.launcher import SERVICES, free_port
from tooling.launcher import RunningSystem as _RunningSystem

__all__ = ["SERVICES", "RunningSystem", "free_port", "poll"]

TEST_SETTINGS = {
    "EVENT_RETRY_DELAYS": "0.2,0.5",
    "OUTBOX_POLL_SECONDS": "0.05",
    "RPC_TIMEOUT_SECONDS": "2",
    "MAIL_RETRY_DELAYS": "0.2,0.5",
    "MAIL_POLL_SECONDS": "0.05",
    # alerts are events: a test that compares the audit trail before and after must not see
    # one it did not cause (tests of alerts ask for a short interval)
    "ALERT_INTERVAL_SECONDS": "3600",
}


class RunningSystem(_RunningSystem):
    def __init__(self, amqp_uri, workdir, service_uris=None, **settings):
        super().__init__(amqp_uri, workdir, service_uris, **{**TEST_SETTINGS, **settings})

    def start_all(self, healthy_within=60):
        self.catcher.start()
        for name in SERVICES:
            self.start(name)
        self.wait_healthy(timeout=healthy_within)

    def settle(self, timeout=30):
        """Wait until every outbox is empty, no mail waits to be sent, and the monitor has
        recorded every event: what earlier requests caused has all happened. The audit queue
        is read live (a passive declare) twice, 0.3 s apart, since the management API's
        figures lag by seconds."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        with Connection(self.env["AMQP_URI"]) as connection:
            channel = connection.channel()
            while True:
                health = self.health().json()["services"]
                waiting = channel.queue_declare("monitor.audit", passive=True).message_count
                if waiting == 0 and all(
                        s.get("outbox_pending", 0) == 0 and s.get("mail_waiting", 0) == 0
                        for s in health.values()):
                    quiet_since = quiet_since or time.monotonic()
                    if time.monotonic() - quiet_since >= 0.3:
                        return
                else:
                    quiet_since = None
                if time.monotonic() > deadline:
                    raise AssertionError(f"system did not settle: {health}, audit {waiting}")
                time.sleep(0.05)


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
