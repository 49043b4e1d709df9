"""What the notifications service does on each event it hears: plain functions, called by the
``@subscribe`` entrypoints of ``service``.

- a registry or visits event: learn the name, address or concern it tells of;
- a case event: store the mail it owes each recipient (``cases`` says whom, ``messages`` says
  what); the sender in the background mails it.

Both arrive on one queue (``learn_then_tell``), in the order they were published. Example::

    learn_or_tell(db, outbox, event)     # outbox: the service's MailSender dependency
"""
from types import SimpleNamespace

from services.notifications import cases, directory, meeting_mail, messages, store


def learn_or_tell(db, outbox, event):
    if event.event_type in directory.LEARNERS:
        learn(db, event)
    else:
        tell(db, outbox, event)


def learn(db, event):
    directory.learn(db, event)


def tell(db, outbox, event):
    """A redelivered event stores nothing new: each notification is keyed by event and
    recipient (``outgoing.enqueue``)."""
    telling = cases.TELLINGS[event.event_type]
    for case_id, message in telling(db, event, outbox.settings["PAGES_URL"]):
        outbox.enqueue(event, message, case_id)


def tell_raiser(db, outbox, event, visits):
    """An answer told to the raiser, where they left an address (``visits``: the RPC proxy
    asking for it; the address never travels in events). Visits away: retried, like any
    failure, without holding up the other mails of the answer."""
    for payload in cases.raisings(db, event.payload):  # and those attached to it (issue 25)
        raiser = visits.raiser_to_tell(payload["concern_id"])
        if raiser:
            case_id, message = cases.raiser_told_of_answer(
                db, SimpleNamespace(payload=payload), raiser, outbox.settings["PAGES_URL"])
            outbox.enqueue(event, message, case_id)


def redact_concern(db, event):
    """``concern_redacted``: the concern's text as anonymised, in the directory and the mails
    that quoted it."""
    concern_id, summary = event.payload["concern_id"], event.payload["summary"]
    known = store.find_concern(db, concern_id)
    if known and known.get("summary") and known["summary"] != summary:
        store.redact_concern(db, concern_id, messages.replacing(known["summary"], summary))


def remind_of_meeting(db, outbox, event):
    """``attendance_reminder_issued``: each attendee mailed once (keyed by event and
    recipient, as every mail)."""
    for case_id, message in meeting_mail.reminders(db, event, outbox.settings["PAGES_URL"]):
        outbox.enqueue(event, message, case_id)
