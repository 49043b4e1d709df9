"""The revocation view kept current: the accounts service's ``tokens_revoked`` events, followed
on a queue of this gateway's own, after a whole load through ``accounts.revocations``.

The promise: no revocation falls between the load and the events. On every (re)connection the
queue is bound and consuming *before* the load is asked for, so whatever happens meanwhile
arrives as an event too (applying one twice changes nothing); what was published while this
gateway was disconnected the load brings. Only the accounts service's broker user is believed.
Example::

    feed = RevocationFeed(view, amqp_uri, accounts_user="accounts", load=accounts.revocations)
    container.spawn_managed_thread(feed.run)
"""
import socket
import uuid
from logging import getLogger

import eventlet
from kombu import Connection

from shared import topology
from shared.contracts import TOKENS_REVOKED, parse_event
from shared.errors import InvalidEvent

_log = getLogger(__name__)

FOLLOWER = topology.follower("gateway", "revocations")
HEARTBEAT_SECONDS = 10
DRAIN_SECONDS = 1.0
RETRY_SECONDS = (0.2, 0.5, 1, 2, 5)  # between reconnections, then 5 s each


class RevocationFeed:
    def __init__(self, view, amqp_uri, accounts_user, load):
        self.view = view
        self.amqp_uri = amqp_uri
        self.accounts_user = accounts_user  # the broker user tokens_revoked must come from
        self.load = load  # () -> {"revocations": [...], "as_of": ...}
        self.running = True

    def run(self):
        failures = 0
        while self.running:
            try:
                self.follow()
            except Exception as error:  # the broker or accounts away: keep the view, retry
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                _log.warning("revocation view: %s: %s; reconnecting in %s s",
                             type(error).__name__, error, delay)
                eventlet.sleep(delay)

    def follow(self):
        """One connection's life: bind and consume, load, then apply events until it breaks."""
        with Connection(self.amqp_uri, heartbeat=HEARTBEAT_SECONDS) as connection:
            queue = FOLLOWER.queue(uuid.uuid4().hex)
            with connection.Consumer(queue, callbacks=[self.on_message], no_ack=True,
                                     accept=["json"]):
                loaded = self.load()
                self.view.merge(loaded["revocations"])
                _log.info("revocation view loaded: %d revocation(s) as of %s",
                          len(loaded["revocations"]), loaded["as_of"])
                while self.running:
                    try:
                        connection.drain_events(timeout=DRAIN_SECONDS)
                    except socket.timeout:
                        connection.heartbeat_check()
                        self.view.forget_old()

    def on_message(self, body, message):
        try:
            publisher = message.properties.get("user_id")
            if publisher != self.accounts_user:
                raise InvalidEvent(f"published by broker user {publisher!r}, "
                                   f"not by {self.accounts_user!r}")
            event = parse_event(body)
            if event.event_type is not TOKENS_REVOKED:
                raise InvalidEvent(f"{event.event_type.routing_key} is not followed here")
        except InvalidEvent as error:
            _log.error("revocation view: message refused: %s", error)
            return
        self.view.apply(event.payload)

    def stop(self):
        self.running = False
