"""Retention of stored mail in a notifications container on the real RabbitMQ, under the test
clock (moved, never slept through): a day short of RETENTION_MAIL_DAYS the sent mail is as it
was; past it the store's own sweep has removed its recipient, address, subject and text, and
the mail is still listed, sent, about its case."""
import time

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.notifications.service import NotificationsService
from shared.clock import Clock
from tests.interface.helpers import publish, wait_for
from tests.interface.test_notifications import (  # noqa: F401 (catcher: a fixture)
    ADDRESS,
    case_routed,
    catcher,
    listed,
    raise_concern,
    register_authority,
)

DAY = 86400


@pytest.fixture
def mail_config(config, catcher, tmp_path):  # noqa: F811
    return {**config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": catcher.port,
            "MAIL_RETRY_DELAYS": [0.2, 0.4], "MAIL_POLL_SECONDS": 0.05,
            "TEST_CLOCK_FILE": str(tmp_path / "clock-offset"),
            "RETENTION_SWEEP_SECONDS": 0.1, "RETENTION_MAIL_DAYS": 730}


def test_a_sent_mail_loses_who_and_what_after_its_period(container_factory, mail_config,
                                                         catcher):  # noqa: F811
    container_factory(NotificationsService, mail_config).start()
    register_authority(mail_config)
    event = case_routed(raise_concern(mail_config, "Ông Hai (0912 000 111) hỏi về đường"))
    publish(mail_config, event)
    wait_for(catcher.mail, timeout=20, what="the mail in the catcher")
    case_id = event["payload"]["case_id"]
    with ServiceRpcProxy("notifications", mail_config, timeout=15) as notifications:
        [sent] = wait_for(lambda: [m for m in listed(notifications, case_id)
                                   if m["state"] == "sent"], what="the mail marked sent")
        assert sent["email"] == ADDRESS

        Clock.move(mail_config["TEST_CLOCK_FILE"], 729 * DAY)
        time.sleep(1.0)  # ten sweeps
        assert listed(notifications, case_id) == [sent]

        Clock.move(mail_config["TEST_CLOCK_FILE"], 731 * DAY)
        [after] = wait_for(lambda: [m for m in listed(notifications, case_id)
                                    if m["email"] is None], what="the mail's contents removed")
        assert (after["recipient_name"], after["subject"]) == (None, "")
        assert (after["state"], after["recipient_id"], after["notification_id"]) == (
            "sent", sent["recipient_id"], sent["notification_id"])
