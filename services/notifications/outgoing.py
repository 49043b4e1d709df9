"""Outgoing mail: each notification stored once, then sent by a loop of its own, never twice.

The promise: a notification accepted here is mailed even if the mail server is away for a
while (retries with backoff, ``MAIL_RETRY_DELAYS``), and a mail the server accepted is not
sent again — except in one window, stated here plainly.

1. The event handler calls :func:`enqueue`: an insert keyed by ``(event id, recipient)``
   (``messages.notification_id``). A redelivered event finds the key taken and adds nothing;
   the handler succeeds once the notification is stored, whatever the mail server does.
2. :class:`Postman` (run by ``dependencies.MailSender`` in a managed thread) claims a due
   notification with one conditional update: ``pending`` → ``sending``, ``attempts + 1``,
   a lease of ``SMTP_TIMEOUT_SECONDS × 2``. Only one sender (of one or several service
   instances) wins a claim, so two never send the same mail at once.
3. It holds one SMTP transaction (``mailer.Courier``: one connection for a pass's mails) up
   to the data's final dot. Then it takes the store's write lock
   (``shared.storage.writes_together``), checks the claim is still its own (a sender slower
   than its lease lost it to another: it closes without the dot, so the server discards the
   data), sends the dot and, on the server's 250, marks the
   notification ``sent`` with the reply and the time, ``notification_sent`` in the same update
   (the outbox relays it), before releasing the lock; QUIT comes after. A deferral (server
   away, 4xx) sets it back to ``pending`` with the error and the next attempt's time; a 5xx
   rejection marks it ``rejected``; a mail that cannot be written or addressed as stored (a
   broken value), or any other failure of the attempt, marks it ``failed``: each with the
   reason in ``last_error``, for operators to see, and to retry (:func:`retry`) once the cause
   is mended.

The window: if the process dies after the server accepted the mail and before step 3 wrote
``sent``, the notification stays ``sending``; when its lease runs out it is due again and is
sent once more. That is at most one duplicate per such crash, carrying the same Message-ID
(derived from the notification id), so mail clients that thread or deduplicate by Message-ID
show it once. Sending it none instead would risk losing it, which this system never does.
The lock taken before the dot keeps that window to reading the reply and committing: no
batch of this process or another (which holds the store for all its events) and no QUIT
comes between. The price: the store's other writers wait for the server's reply to the dot
(milliseconds from a local relay; at most ``SMTP_TIMEOUT_SECONDS``). On MongoDB, where
writes stand alone, the claim is checked and the mark written just before and after the dot.

Example::

    class NotificationsService:
        db = Store(outbox_collections=["notifications"], indexes=store.INDEXES)
        mail = MailSender()                     # sends in the background (dependencies)
    ...
    enqueue(db, event, message, case_id, settings)   # what the event handler does
    Postman(db, settings).send_due()                 # what the sender loop does
"""
import datetime as dt
from functools import partial
from logging import getLogger

from services.notifications import mailer, messages, store
from services.notifications.metrics import MAIL_FAILED, MAIL_SENT
from shared import contracts
from shared.errors import Conflict, NotFound
from shared.storage import writes_together

_log = getLogger(__name__)

BATCH_SIZE = 20


class ClaimLost(Exception):
    """Another sender claimed the notification after this one's lease ran out: not sent here."""


class NotRecorded(Exception):
    """The store failed while the mail was handed over (``__cause__``): left ``sending``, for
    its lease to decide, never marked failed (the server may have accepted it)."""


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
        # which concern's text the mail quotes (a deletion request anonymises it here too)
        "concern_id": event.payload.get("concern_id"),
        "recipient_kind": recipient.kind, "recipient_id": recipient.recipient_id,
        "recipient_name": recipient.name, "email": recipient.email,
        "subject": message.subject, "body": message.body,
        "message_id": messages.message_id(key, settings["MAIL_FROM"]),
        # registered without an address: kept (operators see who was not told), never sent
        "state": "pending" if recipient.email else "no_address",
        "attempts": 0, "next_attempt_at": now, "last_error": None, "smtp_reply": None,
        "created_at": now, "sent_at": None,
    }
    if not store.insert_notification(db, document):
        _log.info("notification %s already stored; nothing to do", key)
        return False
    if not recipient.email:
        _log.warning("%s %s has no e-mail address: notification %s not sent",
                     recipient.kind, recipient.recipient_id, key)
    return True


class Postman:
    """Sends what is due in ``db.notifications``, one SMTP transaction each, a pass on one
    connection (steps 2 and 3)."""

    def __init__(self, db, settings):
        self.db = db
        self.settings = settings
        self.lease = dt.timedelta(seconds=settings["SMTP_TIMEOUT_SECONDS"] * 2)

    def send_due(self, keep_going=lambda: True):
        """One pass over what is due; returns how many mails it tried (claimed, then sent,
        deferred or refused)."""
        now = utcnow()
        due = []
        # "sending" past its lease: a sender died mid-conversation (see the module docstring)
        for state in ("pending", "sending"):
            due.extend(store.due_notifications(self.db, state, now, BATCH_SIZE))
        held = 0
        with mailer.Courier(self.settings) as courier:  # one connection for the pass
            for candidate in due:
                if not keep_going():
                    break
                mail = self.claim(candidate)
                if mail is not None:
                    self.send(mail, courier)
                    held += 1
        return held

    def claim(self, candidate):
        """The notification, now ``sending`` and ours; None if another sender claimed it."""
        return store.claim(self.db, candidate, utcnow() + self.lease)

    def send(self, mail, courier=None):
        """One notification's conversation (on ``courier``'s connection, or one of its own)."""
        deliver = courier.deliver if courier else partial(mailer.deliver, self.settings)
        try:
            reply = deliver(mail, partial(self.hand_over, mail))
        except ClaimLost:
            _log.warning("notification %s: its lease ran out and another sender claimed it; "
                         "not sent here", mail["_id"])
            return
        except NotRecorded as error:
            raise error.__cause__ from None
        except mailer.MailDeferred as error:
            delay = messages.retry_delay(mail["attempts"], self.settings["MAIL_RETRY_DELAYS"])
            _log.warning("notification %s deferred (attempt %d), next try in %g s: %s",
                         mail["_id"], mail["attempts"], delay, error)
            store.defer(self.db, mail["_id"], str(error)[:1000],
                        utcnow() + dt.timedelta(seconds=delay))
            MAIL_FAILED.labels("deferred").inc()
            return
        except mailer.MailRejected as error:
            _log.error("notification %s rejected by the mail server: %s", mail["_id"], error)
            store.reject(self.db, mail["_id"], str(error)[:1000])
            MAIL_FAILED.labels("rejected").inc()
            return
        except mailer.MailUnsendable as error:
            _log.error("notification %s failed: %s", mail["_id"], error)
            store.fail(self.db, mail["_id"], str(error)[:1000])
            MAIL_FAILED.labels("failed").inc()
            return
        except Exception as error:  # never left "sending" to fail again every lease, unseen
            _log.exception("notification %s failed unexpectedly", mail["_id"])
            store.fail(self.db, mail["_id"], f"unexpected: {type(error).__name__}: "
                                             f"{error}"[:1000])
            MAIL_FAILED.labels("failed").inc()
            return
        MAIL_SENT.inc()
        _log.info("notification %s sent to %s: %s", mail["_id"], mail["email"], reply)

    def hand_over(self, mail, final_dot):
        """Step 3: the final dot sent and ``mail`` marked sent under the store's write lock.
        The server's errors go back to the mailer as they are; the store's become
        :class:`NotRecorded`."""
        answered = None
        try:
            with writes_together(self.db):
                if not store.still_claimed(self.db, mail):
                    raise ClaimLost(mail["_id"])
                answered = final_dot()
                self._mark_sent(mail, *answered)
        except (ClaimLost, *mailer.CONVERSATION_ERRORS) as error:
            if answered is None:
                raise
            raise NotRecorded(str(error)) from error
        except Exception as error:
            raise NotRecorded(str(error)) from error
        return answered

    def _mark_sent(self, mail, code, text):
        sent_at = utcnow()
        event = contracts.NOTIFICATION_SENT.new({
            "notification_id": mail["_id"], "cause_event_id": mail["cause_event_id"],
            "case_id": mail["case_id"], "recipient_kind": mail["recipient_kind"],
            "recipient_id": mail["recipient_id"], "email": mail["email"],
            "subject": mail["subject"], "message_id": mail["message_id"], "sent_at": sent_at})
        store.mark_sent(self.db, mail, sent_at, mailer.reply_text(code, text)[:1000], event)


def retry(db, notification_id, reason, actor):
    """Send a ``failed`` or ``rejected`` notification again, now, to the name and address the
    directory holds today (mending the registry mends the mail); recorded in its ``retries``
    with who, when, why and the error it had. NotFound, or Conflict in any other state."""
    found = store.find_notification(db, notification_id)
    if found is None:
        raise NotFound("notification not found", {"notification_id": [notification_id]})
    if found.get("contents_removed"):  # past RETENTION_MAIL_DAYS: nothing left to send
        raise Conflict("its recipient, subject and text were removed after its retention "
                       "period; nothing is left to send", {"state": ["contents_removed"]})
    retried = None
    if found["state"] in store.RETRYABLE_STATES:
        now = utcnow()
        retried = store.retry(db, found, now, {"by": actor, "at": now, "reason": reason},
                              _contact_now(db, found))
    if retried is None:
        state = (store.find_notification(db, notification_id) or found)["state"]
        raise Conflict(f"only a failed or rejected notification is retried; this one is "
                       f"{state}", {"state": [state]})
    _log.warning("notification %s retried by %s: %s", notification_id, actor, reason)
    return retried


def _contact_now(db, mail):
    """The recipient's name and address as the directory holds them now ({}: unknown)."""
    find = {"authority": store.find_authority, "officer": store.find_user}.get(
        mail["recipient_kind"], store.find_cadre)
    contact = find(db, mail["recipient_id"])
    if contact is None or not contact.get("email"):
        return {}
    return {"recipient_name": contact["name"], "email": contact["email"]}
