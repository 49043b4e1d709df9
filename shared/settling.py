"""Acknowledging a delivery when the broker may just have gone: the broker keeps what was not
acknowledged and delivers it again, and every handler here is idempotent, so a lost ack costs one
redelivery; a crash costs far more.

nameko's ``QueueConsumer.ack_message`` ignores only py-amqp's ``ConnectionError``. A RabbitMQ node
killed mid-ack raises socket errors instead (``ConnectionResetError``, ``BrokenPipeError``,
``OSError('Server unexpectedly closed connection')``), which kill the service's container and,
with it, whatever else the process was doing: a mail the server had accepted but not yet marked
sent went out twice in a cluster fault run. Example::

    class DeadLetteringQueueConsumer(SettlingQuietly, QueueConsumer): ...
    settle_quietly(lambda: self.queue_consumer.ack_message(message), "ack", queue)
"""
from logging import getLogger

from amqp.exceptions import ConnectionError as AmqpConnectionError

_log = getLogger(__name__)

CONNECTION_GONE = (OSError, AmqpConnectionError)


def settle_quietly(settle, what, queue_name):
    """Run ``settle`` (an ack or a requeue); if the connection is gone, say so and go on."""
    try:
        settle()
    except CONNECTION_GONE as error:
        _log.warning("%s on %s not sent, the connection is gone (%s: %s); the broker delivers "
                     "the message again and it is handled once", what, queue_name,
                     type(error).__name__, error)
        return False
    return True


class SettlingQuietly:
    """A QueueConsumer mixin: acks and requeues that survive a connection lost under them."""

    def ack_message(self, message):
        settle_quietly(lambda: super(SettlingQuietly, self).ack_message(message), "ack",
                       queue_of(message))

    def requeue_message(self, message):
        settle_quietly(lambda: super(SettlingQuietly, self).requeue_message(message),
                       "requeue", queue_of(message))


def queue_of(message):
    return (getattr(message, "delivery_info", None) or {}).get("routing_key")
