"""The sender in the background: a nameko dependency running a ``outgoing.Postman`` in a managed
thread on the service's ``Store``, polling every ``MAIL_POLL_SECONDS``; an entrypoint sees an
:class:`Outbox` to store notifications in. Example::

    class NotificationsService:
        mail = MailSender()
        ...
        self.mail.enqueue(event, message, case_id)
"""
from logging import getLogger

import eventlet
from nameko.extensions import DependencyProvider

from services.notifications.outgoing import Postman, enqueue
from services.notifications.settings import settings
from shared.store import Store

_log = getLogger(__name__)


class Outbox:
    """What an entrypoint sees of the sender: ``enqueue`` with the store and settings bound."""

    def __init__(self, db, settings):
        self.db = db
        self.settings = settings

    def enqueue(self, event, message, case_id):
        return enqueue(self.db, event, message, case_id, self.settings)


class MailSender(DependencyProvider):
    """Runs a :class:`~services.notifications.outgoing.Postman` in a managed thread on the
    service's ``Store``."""

    def setup(self):
        self.settings = settings(self.container.config)
        stores = [dep for dep in self.container.dependencies if isinstance(dep, Store)]
        if len(stores) != 1:
            raise TypeError(f"{self.container.service_name} needs exactly one Store to send "
                            f"from, found {len(stores)}")
        self.store = stores[0]
        self._running = False

    def start(self):
        self._running = True
        self.postman = Postman(self.store.db, self.settings)
        self.container.spawn_managed_thread(self._send_forever)

    def get_dependency(self, worker_ctx):
        return Outbox(self.store.db, self.settings)

    def stop(self):
        self._running = False

    def kill(self):
        self._running = False

    def _send_forever(self):
        while self._running:
            try:
                held = self.postman.send_due(keep_going=lambda: self._running)
            except Exception:  # a store hiccup: try again at the next poll
                _log.exception("sending notifications failed; retrying")
                held = 0
            if not held:
                eventlet.sleep(self.settings["MAIL_POLL_SECONDS"])
