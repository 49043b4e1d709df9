"""Which tokens were revoked: the gateway's own view, so a token is checked without a call.

The promise: a token whose version is below its user's last revocation is refused, on this
gateway at once when this gateway handled the revocation, on every other within a second (the
accounts service's ``tokens_revoked`` event, ``revocation_feed``). The view holds only
revocations younger than a token's life: an older one can only refuse tokens that have expired.
Before its first load the view refuses to judge (503), never lets a token through. Example::

    view = RevocationView(ttl_seconds=3600)
    view.merge([{"user_id": "u1", "token_version": 4, "revoked_at": "2026-12-06T23:00:00+00:00"}])
    view.check({"sub": "u1", "ver": 3})     # Unauthorized: revoked
"""
import datetime as dt
import time

from eventlet.event import Event

from shared.errors import Unauthorized, Unavailable

# kept this much longer than a token lives: the clocks of accounts and gateways may be apart
CLOCK_MARGIN_SECONDS = 60


def _epoch(moment):
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.timestamp()


class RevocationView:
    def __init__(self, ttl_seconds, wait_seconds=10.0):
        self.keep_seconds = ttl_seconds + CLOCK_MARGIN_SECONDS
        self.wait_seconds = wait_seconds
        self.floors = {}  # user_id -> (first version still valid, revoked at, epoch seconds)
        self.loaded = Event()

    def apply(self, revocation):
        """One revocation (an RPC's answer or a ``tokens_revoked`` payload): versions only
        grow, so an older or repeated one changes nothing."""
        user_id, version = revocation["user_id"], int(revocation["token_version"])
        revoked_at = _epoch(revocation["revoked_at"])
        if version > self.floors.get(user_id, (0, 0.0))[0]:
            self.floors[user_id] = (version, revoked_at)

    def merge(self, revocations, now=None):
        """A whole load (at start, after each reconnect) over what is known; then the view
        judges tokens."""
        for revocation in revocations:
            self.apply(revocation)
        self.forget_old(now)
        if not self.loaded.ready():
            self.loaded.send(True)

    def forget_old(self, now=None):
        cutoff = (now if now is not None else time.time()) - self.keep_seconds
        for user_id in [user for user, (_, at) in self.floors.items() if at < cutoff]:
            del self.floors[user_id]

    def check(self, claims):
        """Refuse a revoked token (verified claims: ``sub``, ``ver``)."""
        if not self.loaded.ready() and not self.loaded.wait(self.wait_seconds):
            raise Unavailable("the gateway is still loading which tokens were revoked; "
                              "retry in a moment", {"token": ["not checked yet"]})
        floor = self.floors.get(claims["sub"])
        if floor is not None and claims["ver"] < floor[0]:
            raise Unauthorized("access token was revoked; sign in again",
                               {"token": ["revoked"]})
