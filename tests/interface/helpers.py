"""Helpers for tests that run service containers against the real RabbitMQ."""
import dataclasses
import datetime as dt
import json
import time

from kombu import Connection

from shared import contracts
from tests.identities import publish_as_source


def wait_for(predicate, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def long_window(monkeypatch, queue_name, size):
    """``queue_name``'s batches made ``size`` with a long window (0.5 s), so a burst fills
    whole batches however loaded the machine is."""
    from shared import topology
    real = topology.subscription

    def subscription(service, name):
        sub = real(service, name)
        if sub.queue_name == queue_name:
            return dataclasses.replace(sub, batch=topology.Batching(size=size, window=0.5))
        return sub
    monkeypatch.setattr(topology, "subscription", subscription)


def publish(config, envelope):
    """Publish as the event's source service would: as its broker user."""
    publish_as_source(config, envelope)


def drain(config, queue_name):
    """Every message now in ``queue_name``, acknowledged: ``[(payload, headers)]``."""
    messages = []
    with Connection(config["AMQP_URI"]) as connection:
        channel = connection.channel()
        while True:
            message = channel.basic_get(queue_name, no_ack=True)
            if message is None:
                return messages
            headers = message.properties.get("application_headers", {})
            try:
                body = json.loads(message.body)
            except ValueError:
                body = message.body
            messages.append((body, headers))


def concern_raised(**overrides):
    payload = {
        "concern_id": contracts.new_id(), "visit_id": contracts.new_id(),
        "unit_id": "vp.bx.tam-hop.noi-phat",
        "unit_path": ["vp", "vp.bx", "vp.bx.tam-hop", "vp.bx.tam-hop.noi-phat"],
        "topic": "infrastructure", "summary": "Đường thôn xuống cấp", "raised_by": "resident",
        "raised_on": dt.date(2026, 11, 20),
    }
    payload.update(overrides)
    return contracts.CONCERN_RAISED.new(payload)


def branch_with_cadre(config, branch, cadre_id="tran-thi-binh"):
    """Chi bộ thôn Nội Phật (``branch``) registered, ``cadre_id`` assigned to it a month ago."""
    publish(config, contracts.UNIT_REGISTERED.new({
        "unit_id": branch, "name": "Chi bộ thôn Nội Phật", "level": "branch",
        "parent_id": "vp.bx.th", "path": ["vp", "vp.bx", "vp.bx.th", branch]}))
    publish(config, contracts.ASSIGNMENT_MADE.new({
        "assignment_id": "a1", "cadre_id": cadre_id, "unit_id": branch,
        "rule": "district_member_to_branch", "starts_on": dt.date.today() - dt.timedelta(30)}))
