"""Password hashing within bounds: at most ``HASH_CONCURRENCY`` argon2 operations at once in
this process, at most ``HASH_QUEUE_LIMIT`` more waiting for a turn, and anything beyond that
refused at once with ``TooManyRequests`` (429, Retry-After) instead of queued.

Each argon2 operation takes 64 MiB and a core for tens of milliseconds; unbounded, 20 sign-ins
at once took the accounts process from 63 to 704 MB and made every authenticated request wait
2.45 s behind them (finding S3). Every hash and every check goes through :class:`HashGate`::

    matches = gate.run(rules.password_matches, stored_hash, password)
"""
from eventlet import tpool
from eventlet.semaphore import Semaphore
from nameko.extensions import DependencyProvider

from services.accounts.settings import settings
from shared.errors import TooManyRequests

# what a full queue tells the client to wait: a turn comes within about a hash's time
RETRY_AFTER_SECONDS = 1


class HashGate:
    """A turnstile for argon2 work: ``run`` one operation in a native thread once a turn is
    free. Green threads switch only where they wait, so the counts need no lock."""

    def __init__(self, concurrency, queue_limit):
        self.concurrency = concurrency
        self.queue_limit = queue_limit
        self.waiting = 0
        self._turns = Semaphore(concurrency)

    def run(self, work, *args):
        if not self._turns.acquire(blocking=False):
            if self.waiting >= self.queue_limit:
                raise TooManyRequests(
                    "too many passwords are being checked right now; try again shortly",
                    {"password": [f"{self.concurrency} checked at once, {self.waiting} "
                                  "waiting: the queue is full"]},
                    retry_after=RETRY_AFTER_SECONDS)
            self.waiting += 1
            try:
                self._turns.acquire()
            finally:
                self.waiting -= 1
        try:
            return tpool.execute(work, *args)
        finally:
            self._turns.release()


class PasswordHashing(DependencyProvider):
    """One :class:`HashGate` per service container, i.e. per accounts process."""

    def setup(self):
        given = settings(self.container.config)
        self.gate = HashGate(given["HASH_CONCURRENCY"], given["HASH_QUEUE_LIMIT"])

    def get_dependency(self, worker_ctx):
        return self.gate
