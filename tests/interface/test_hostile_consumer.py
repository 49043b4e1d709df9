"""The reliable consumer against hostile bodies: each is dead-lettered with the reason in its
headers, the handler never sees it, and the next good event is handled."""
import json
import pickle

import pytest
from kombu import Connection

from shared.contracts import MAX_EVENT_BYTES
from shared.messaging import ATTEMPT_HEADER, ERROR_HEADER, QUEUE_HEADER
from tests.interface.helpers import concern_raised, publish, wait_for
from tests.interface.test_event_subscriber import DEAD, QUEUE, Behaviour, make_service

# (body, content type, content encoding, what the error header must say)
HOSTILE = {
    "oversized": (json.dumps({"pad": "x" * MAX_EVENT_BYTES}).encode(), "application/json",
                  "utf-8", "over the limit of"),
    # fewer characters than the limit, more bytes: the limit is in bytes
    "oversized_in_utf8": (json.dumps({"pad": "ạ" * (MAX_EVENT_BYTES // 2)},
                                     ensure_ascii=False).encode(), "application/json", "utf-8",
                          "over the limit of"),
    "pickle": (pickle.dumps({"event_id": "e1"}), "application/x-python-serialize", "binary",
               "application/x-python-serialize"),
    "msgpack": (b"\x81\xa8event_id\xa2e1", "application/x-msgpack", "binary",
                "application/x-msgpack"),
    "not_utf8": (b'{"event_id": "\xff\xfe"}', "application/json", "utf-8", "decode"),
    "deeply_nested": (b"[" * 100_000 + b"]" * 100_000, "application/json", "utf-8",
                      "recursion depth"),
    "text": (b"hello", "text/plain", "utf-8", "text/plain"),
}


def dead_letters(config):
    """The headers of every message now in the dead-letter queue (bodies left undecoded)."""
    found = []
    with Connection(config["AMQP_URI"]) as connection:
        channel = connection.channel()
        while (message := channel.basic_get(DEAD, no_ack=True)) is not None:
            found.append(message.properties.get("application_headers", {}))
    return found


@pytest.fixture
def running(container_factory, config):
    behaviour = Behaviour()
    container_factory(make_service(behaviour), config).start()
    return behaviour


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_body_is_dead_lettered_with_its_reason_and_the_next_event_handled(
        running, config, kind):
    body, content_type, encoding, reason = HOSTILE[kind]
    with Connection(config["AMQP_URI"]) as connection:
        connection.Producer().publish(body, exchange="", routing_key=QUEUE,
                                      content_type=content_type, content_encoding=encoding,
                                      message_id=kind)
    good = concern_raised()
    publish(config, good)

    wait_for(lambda: running.calls == [good["event_id"]], what="the good event")
    dead = wait_for(lambda: dead_letters(config), what="the hostile body dead-lettered")
    assert len(dead) == 1
    headers = dead[0]
    assert headers[QUEUE_HEADER] == QUEUE and headers[ATTEMPT_HEADER] == 1
    assert headers[ERROR_HEADER].startswith("InvalidEvent: body cannot be decoded: ")
    assert reason in headers[ERROR_HEADER]


def test_an_event_over_the_limit_is_refused_by_its_producer():
    with pytest.raises(ValueError, match="over the limit"):
        concern_raised(summary="x" * 2000, unit_path=["a"] * (MAX_EVENT_BYTES // 4))
