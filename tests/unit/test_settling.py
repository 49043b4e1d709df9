"""An ack or a requeue the broker can no longer take (its node just died) is logged and left to
the broker's redelivery; it must not raise, for a raise kills the service's container."""
import logging

import pytest
from amqp.exceptions import ConnectionError as AmqpConnectionError

from shared.consumer import DeadLetteringQueueConsumer


class DeadChannelMessage:
    """A delivery whose channel still looks open but whose socket is gone."""
    delivery_info = {"routing_key": "notifications.case_events"}

    def __init__(self, error):
        self.error = error
        self.channel = type("Channel", (), {"connection": object()})()

    def ack(self, multiple=False):
        raise self.error

    def requeue(self):
        raise self.error


@pytest.mark.parametrize("error", [
    ConnectionResetError(104, "Connection reset by peer"),
    BrokenPipeError(32, "Broken pipe"),
    OSError("Server unexpectedly closed connection"),
])
def test_an_ack_or_requeue_on_a_dead_connection_is_logged_not_raised(error, caplog):
    consumer = DeadLetteringQueueConsumer()
    with caplog.at_level(logging.WARNING, logger="shared.settling"):
        consumer.ack_message(DeadChannelMessage(error))
        consumer.requeue_message(DeadChannelMessage(error))
    assert [record.getMessage().split(" on ")[0] for record in caplog.records] == [
        "ack", "requeue"]
    assert "notifications.case_events" in caplog.records[0].getMessage()


def test_py_amqp_s_own_connection_error_stays_ignored_as_nameko_ignores_it():
    DeadLetteringQueueConsumer().ack_message(DeadChannelMessage(AmqpConnectionError("forced")))


def test_any_other_failure_still_raises():
    with pytest.raises(ValueError):
        DeadLetteringQueueConsumer().ack_message(DeadChannelMessage(ValueError("a bug")))
