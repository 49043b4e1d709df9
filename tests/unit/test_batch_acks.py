"""A batch is acknowledged with one ``basic.ack`` (``multiple``) only when that acknowledges
nothing else: every delivery of the channel up to the batch's last is in the batch. A delivery
of another subscription still being handled below it keeps the acks one by one."""
from shared.consumer import DeadLetteringQueueConsumer


class Channel:
    connection = True

    def __init__(self):
        self.acks = []  # (delivery tag, multiple)


class Message:
    def __init__(self, channel, tag):
        self.channel, self.delivery_tag = channel, tag

    def ack(self, multiple=False):
        self.channel.acks.append((self.delivery_tag, multiple))


def delivered(consumer, channel, tags):
    """What the consumer saw arrive, without a broker: ``_on_raw_message`` up to the decoding."""
    messages = [Message(channel, tag) for tag in tags]
    consumer._unsettled.update(tags)
    return messages


def consumer_on(channel):
    consumer = DeadLetteringQueueConsumer()
    consumer._channel, consumer._unsettled = channel, set()
    return consumer


def test_a_batch_with_nothing_else_unsettled_below_is_one_multiple_ack():
    channel = Channel()
    consumer = consumer_on(channel)
    batch = delivered(consumer, channel, [1, 2, 3, 4])
    later = delivered(consumer, channel, [5])  # above the batch: untouched by the ack
    consumer.ack_all(batch)
    assert channel.acks == [(4, True)]
    assert consumer._unsettled == {5}
    consumer.ack_all(later)
    assert channel.acks == [(4, True), (5, False)]


def test_another_delivery_unsettled_below_the_batch_keeps_the_acks_one_by_one():
    channel = Channel()
    consumer = consumer_on(channel)
    other = delivered(consumer, channel, [1])  # another subscription's, its handler running
    batch = delivered(consumer, channel, [2, 3])
    consumer.ack_all(batch)
    assert channel.acks == [(2, False), (3, False)]
    consumer.ack_message(other[0])
    assert consumer._unsettled == set()


def test_deliveries_of_a_channel_since_replaced_are_not_acknowledged_on_the_new_one():
    old, new = Channel(), Channel()
    consumer = consumer_on(old)
    stale = delivered(consumer, old, [1, 2])
    consumer._channel, consumer._unsettled = new, set()  # a reconnection
    fresh = delivered(consumer, new, [1, 2])
    consumer.ack_all(fresh)
    assert new.acks == [(2, True)]
    old.connection = None  # the broker requeued them with the old channel
    consumer.ack_all(stale)
    assert old.acks == []
