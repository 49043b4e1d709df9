"""The system under test: deploy.launcher's, with quick retries and timeouts so tests are fast."""
from deploy.launcher import SERVICES, free_port
from deploy.launcher import RunningSystem as _RunningSystem

__all__ = ["SERVICES", "RunningSystem", "free_port"]

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
