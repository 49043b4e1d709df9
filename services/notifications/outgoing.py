"""Outgoing mail: each notification stored once, then sent by a loop of its own, never twice.

The promise: a notification accepted here is mailed even if the mail server is away for a
while (retries with backoff, ``MAIL_RETRY_DELAYS``), and a mail the server accepted is not
sent again — except in one window, stated here plainly.

1. The event handler calls :func:`enqueue`: an insert keyed by ``(event id, recipient)``
   (``messages.notification_id``). A redelivered event finds the key taken and adds nothing;
   the handler succeeds once the notification is stored, whatever the mail server does.
2. :class:`Postman` (run by :class:`MailSender` in a managed thread) claims a due
   notification with one conditional update: ``pending`` → ``sending``, ``attempts + 1``,
   a lease of ``SMTP_TIMEOUT_SECONDS × 2``. Only one sender (of one or several service
   instances) wins a claim, so two never send the same mail at once.
3. It holds one SMTP conversation (``mailer.deliver``). Right after the server accepted the
   data it marks the notification ``sent`` with the server's reply and the time, and puts
   ``notification_sent`` in the same update (the outbox relays it). A deferral (server away, 4xx)
   sets it back to ``pending`` with the error and the next attempt's time; a 5xx rejection marks
   it ``rejected`` for operators to see.

The window: if the process dies after the server accepted the mail and before step 3 wrote
``sent``, the notification stays ``sending``; when its lease runs out it is due again and is
sent once more. That is at most one duplicate per such crash, carrying the same Message-ID
(derived from the notification id), so mail clients that thread or deduplicate by Message-ID
show it once. Sending it none instead would risk losing it, which this system never does.

Example::

    class NotificationsService:
        db = Store(outbox_collections=["notifications"], indexes=INDEXES)
        mail = MailSender()                     # sends in the background

        def handle(self, event):
            self.mail.enqueue(event, message, case_id)
"""
import datetime as dt
from logging import getLogger

import eventlet
from nameko.extensions import DependencyProvider

from services.notifications import mailer, messages
from services.notifications.settings import settings
from shared import contracts
from shared.outbox import push_events
from shared.storage import DuplicateKeyError
from shared.store import Store

_log = getLogger(__name__)

BATCH_SIZE = 20
INDEXES = {"notifications": [
    ([("state", 1), ("next_attempt_at", 1)], {}),
    # GET /notifications a page at a time (NOTIFICATIONS_ORDER), with each filter and none
    ([("case_id", 1), ("created_at", -1), ("_id", -1)], {}),
    ([("recipient_id", 1), ("created_at", -1), ("_id", -1)], {}),
    ([("state", 1), ("created_at", -1), ("_id", -1)], {}),
    ([("created_at", -1), ("_id", -1)], {}),
]}
# the newest first
NOTIFICATIONS_ORDER = [("created_at", -1), ("_id", -1)]


def mail_settings(config):
    return settings(config)


def utcnow():
    return dt.datetime.now(dt.timezone.utc)


def enqueue(db, event, message, case_id, settings):
    """Store the notification of ``event`` to ``message.recipient`` unless it is stored already.
    Returns True when this call stored it."""
    recipient = message.recipient
    key = messages.notification_id(event.event_id, recipient)
    now = utcnow()
    document = {
        "_id": key, "cause_event_id": event.event_id,
        "cause_event_type": event.event_type.name, "case_id": case_id,
        "recipient_kind": recipient.kind, "recipient_id": recipient.recipient_id,
        "recipient_name": recipient.name, "email": recipient.email,
        "subject": message.subject, "body": message.body,
        "message_id": messages.message_id(key, settings["MAIL_FROM"]),
        # registered without an address: kept (operators see who was not told), never sent
        "state": "pending" if recipient.email else "no_address",
        "attempts": 0, "next_attempt_at": now, "last_error": None, "smtp_reply": None,
        "created_at": now, "sent_at": None,
    }
    try:
        db.notifications.insert_one(document)
    except DuplicateKeyError:
        _log.info("notification %s already stored; nothing to do", key)
        return False
    if not recipient.email:
        _log.warning("%s %s has no e-mail address: notification %s not sent",
                     recipient.kind, recipient.recipient_id, key)
    return True


class Outbox:
    """What an entrypoint sees of the sender: ``enqueue`` with the store and settings bound."""

    def __init__(self, db, settings):
        self.db = db
        self.settings = settings

    def enqueue(self, event, message, case_id):
        return enqueue(self.db, event, message, case_id, self.settings)


class Postman:
    """Sends what is due in ``db.notifications``, one SMTP conversation each (steps 2 and 3)."""

    def __init__(self, db, settings):
        self.db = db
        self.settings = settings
        self.lease = dt.timedelta(seconds=settings["SMTP_TIMEOUT_SECONDS"] * 2)

    def send_due(self, keep_going=lambda: True):
        """One pass over what is due; returns how many conversations were held."""
        now = utcnow()
        due = []
        # "sending" past its lease: a sender died mid-conversation (see the module docstring)
        for state in ("pending", "sending"):
            due.extend(self.db.notifications.find(
                {"state": state, "next_attempt_at": {"$lte": now}}, {"body": 0})
                .sort("next_attempt_at", 1).limit(BATCH_SIZE))
        held = 0
        for candidate in due:
            if not keep_going():
                break
            mail = self.claim(candidate)
            if mail is not None:
                self.send(mail)
                held += 1
        return held

    def claim(self, candidate):
        """The notification, now ``sending`` and ours; None if another sender claimed it."""
        claimed = self.db.notifications.update_one(
            {"_id": candidate["_id"], "state": candidate["state"],
             "attempts": candidate["attempts"]},  # attempts: the claim's version
            {"$set": {"state": "sending", "next_attempt_at": utcnow() + self.lease},
             "$inc": {"attempts": 1}})
        if claimed.modified_count != 1:
            return None
        return self.db.notifications.find_one({"_id": candidate["_id"]})

    def send(self, mail):
        db = self.db
        try:
            reply = mailer.deliver(self.settings, mail)
        except mailer.MailDeferred as error:
            delay = messages.retry_delay(mail["attempts"], self.settings["MAIL_RETRY_DELAYS"])
            _log.warning("notification %s deferred (attempt %d), next try in %g s: %s",
                         mail["_id"], mail["attempts"], delay, error)
            db.notifications.update_one({"_id": mail["_id"]}, {"$set": {
                "state": "pending", "last_error": str(error)[:1000],
                "next_attempt_at": utcnow() + dt.timedelta(seconds=delay)}})
            return
        except mailer.MailRejected as error:
            _log.error("notification %s rejected by the mail server: %s", mail["_id"], error)
            db.notifications.update_one({"_id": mail["_id"]}, {"$set": {
                "state": "rejected", "last_error": str(error)[:1000]}})
            return
        sent_at = utcnow()
        event = contracts.NOTIFICATION_SENT.new({
            "notification_id": mail["_id"], "cause_event_id": mail["cause_event_id"],
            "case_id": mail["case_id"], "recipient_kind": mail["recipient_kind"],
            "recipient_id": mail["recipient_id"], "email": mail["email"],
            "subject": mail["subject"], "message_id": mail["message_id"], "sent_at": sent_at})
        db.notifications.update_one({"_id": mail["_id"]}, push_events({"$set": {
            "state": "sent", "sent_at": sent_at, "smtp_reply": reply[:1000],
            "last_error": None}}, [event]))
        _log.info("notification %s sent to %s: %s", mail["_id"], mail["email"], reply)


class MailSender(DependencyProvider):
    """Runs a :class:`Postman` in a managed thread on the service's ``Store``."""

    def setup(self):
        self.settings = mail_settings(self.container.config)
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
