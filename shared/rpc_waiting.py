"""What an RPC a person waits on can do without (issue 27): the gateway's calls.

- The request goes without a publisher confirm (:class:`UnconfirmedPublisher`): the reply is
  the confirmation, sent once the call was carried out. A lost request is a timeout (503,
  "retry later"), retried with its ``submission_id``.
- The reply is not acknowledged (:class:`UnacknowledgedReplyListener`): the reply queue is this
  process's own, and a reply the process did not live to read has nobody left to read it.
  The broker takes the reply off the queue as it sends it, and the process sends no ``basic.ack``
  frame for it, which would cost a write on the socket per call.

The services' own calls keep both: their consumer also serves their RPC queue, and one
connection per process is kept for it.
"""
from nameko.amqp.publish import Publisher
from nameko.messaging import QueueConsumer
from nameko.rpc import ReplyListener


class UnconfirmedPublisher(Publisher):
    """A request published without waiting for the broker's confirm: its reply is the
    confirmation. Not mandatory either: a return would come after the call had gone on."""

    def publish(self, payload, **kwargs):
        kwargs["mandatory"] = False
        return super().publish(payload, **kwargs)


class _UnacknowledgedQueueConsumer(QueueConsumer):
    """nameko's consumer, its queues consumed with ``no_ack``: a delivery is settled as it is
    sent, and ``ack_message`` sends nothing (kombu skips a no-ack consumer's messages)."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for consumer in consumers:
            consumer.no_ack = True
        return consumers


class UnacknowledgedReplyListener(ReplyListener):
    queue_consumer = _UnacknowledgedQueueConsumer()
