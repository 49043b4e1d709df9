"""The revocation view's feed (services/gateway/edge/revocation_feed.py) on kombu's in-memory
broker: loaded once consuming, events applied only from the accounts broker user, and after a
broken connection reloaded whole (what was revoked while it was away is not missed)."""
import datetime as dt

import eventlet
from kombu import Connection

from services.gateway.edge import revocation_feed
from services.gateway.edge.revocation_feed import RevocationFeed
from services.gateway.edge.revocations import RevocationView
from shared import topology
from shared.contracts import TOKENS_REVOKED, USER_SIGNED_OUT

URI = "memory://revocations"


def revoked(user_id, version):
    return {"user_id": user_id, "token_version": version,
            "revoked_at": dt.datetime.now(dt.timezone.utc)}


def publish(envelope, user_id):
    with Connection(URI) as connection:
        connection.Producer().publish(
            envelope, exchange=topology.EVENTS_EXCHANGE, declare=[topology.EVENTS_EXCHANGE],
            routing_key=f"{envelope['source']}.{envelope['event_type']}", user_id=user_id)


def wait_until(condition, seconds=5):
    for _ in range(int(seconds / 0.01)):
        if condition():
            return True
        eventlet.sleep(0.01)
    return False


class Accounts:
    """``accounts.revocations`` as the feed calls it; what it answers can change."""

    def __init__(self):
        self.answers = [revoked("u1", 2)]
        self.loads = 0

    def revocations(self):
        self.loads += 1
        return {"revocations": [{**r, "revoked_at": r["revoked_at"].isoformat()}
                                for r in self.answers], "as_of": "now"}


def test_loaded_then_followed_and_reloaded_after_a_broken_connection(monkeypatch):
    monkeypatch.setattr(revocation_feed, "RETRY_SECONDS", (0.01,))
    monkeypatch.setattr(revocation_feed, "DRAIN_SECONDS", 0.05)
    with Connection(URI) as connection:  # the topology's, declared before any service starts
        topology.EVENTS_EXCHANGE(connection.default_channel).declare()
    view, accounts = RevocationView(3600), Accounts()
    feed = RevocationFeed(view, URI, "accounts-t1", accounts.revocations)
    runner = eventlet.spawn(feed.run)
    try:
        assert wait_until(lambda: view.loaded.ready())
        assert view.floors["u1"][0] == 2

        publish(TOKENS_REVOKED.new(revoked("u2", 5)), user_id="accounts-t1")
        assert wait_until(lambda: "u2" in view.floors)
        # another broker user's claim, or another event, changes nothing
        publish(TOKENS_REVOKED.new(revoked("u3", 9)), user_id="visits-t1")
        publish(USER_SIGNED_OUT.new({"user_id": "u4"}), user_id="accounts-t1")
        publish(TOKENS_REVOKED.new(revoked("u5", 1)), user_id="accounts-t1")
        assert wait_until(lambda: "u5" in view.floors)
        assert "u3" not in view.floors and "u4" not in view.floors

        # the connection breaks; meanwhile u6 is revoked, its event never reaching the view
        accounts.answers.append(revoked("u6", 3))
        original = Connection.drain_events

        def break_once(self, **kwargs):
            monkeypatch.setattr(Connection, "drain_events", original)
            raise ConnectionResetError("the broker went away")

        monkeypatch.setattr(Connection, "drain_events", break_once)
        assert wait_until(lambda: "u6" in view.floors)
        assert accounts.loads == 2 and view.floors["u2"][0] == 5  # merged, nothing forgotten
    finally:
        feed.stop()
        runner.kill()
