"""Publishing that either reaches a queue or raises: publisher confirms and ``mandatory``.

A message RabbitMQ cannot route raises :class:`nameko.amqp.publish.UndeliverableMessage`; one it
does not confirm raises too. Callers keep what they publish until this returns. Example::

    publisher = ConfirmedPublisher(amqp_uri)
    publisher.publish_event(envelope)
"""
from logging import getLogger

from kombu import Exchange
from nameko.amqp.publish import Publisher

from shared.topology import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE

_log = getLogger(__name__)

DEFAULT_EXCHANGE = Exchange("", type="direct")
PERSISTENT = 2

# headers the retry machinery writes on a message it re-publishes
ATTEMPT_HEADER = "x-sausat-attempt"
ERROR_HEADER = "x-sausat-error"
TRACEBACK_HEADER = "x-sausat-traceback"
QUEUE_HEADER = "x-sausat-queue"
FAILED_AT_HEADER = "x-sausat-failed-at"


class ConfirmedPublisher:
    def __init__(self, amqp_uri):
        self._publisher = Publisher(
            amqp_uri, use_confirms=True, mandatory=True, delivery_mode=PERSISTENT,
            serializer="json", retry=False,
        )

    def publish_event(self, envelope):
        self._publisher.publish(
            envelope,
            exchange=EVENTS_EXCHANGE,
            routing_key=f"{envelope['source']}.{envelope['event_type']}",
            message_id=envelope["event_id"],
        )

    def publish_raw(self, body, *, exchange, routing_key, content_type, content_encoding,
                    headers):
        """Re-publish a received message's bytes unchanged, with new headers."""
        self._publisher.publish(
            body, exchange=exchange, routing_key=routing_key, headers=headers,
            content_type=content_type, content_encoding=content_encoding, serializer=None,
        )

    def to_queue(self, message, queue_name, headers):
        self.publish_raw(message.body, exchange=DEFAULT_EXCHANGE, routing_key=queue_name,
                         content_type=message.content_type,
                         content_encoding=message.content_encoding, headers=headers)

    def to_dead_letters(self, message, queue_name, headers):
        self.publish_raw(message.body, exchange=DEAD_LETTER_EXCHANGE, routing_key=queue_name,
                         content_type=message.content_type,
                         content_encoding=message.content_encoding, headers=headers)
