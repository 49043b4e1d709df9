"""The sender's promises on a real store (each backend) and a real SMTP catcher, driven one pass
at a time: a notification is stored once per event and recipient, sent once, and the one
duplicate the crash window allows carries the same Message-ID; a name never adds a header, and
a mail that cannot be written ends failed, with why, until an operator retries it."""
import datetime as dt

import pytest

from services.notifications import mailer, messages, outgoing, store
from services.notifications.outgoing import Postman, enqueue
from shared import contracts
from shared.contracts import parse_event
from shared.errors import Conflict, NotFound
from tests.mail import MailCatcher

AUTHORITY = messages.Recipient("authority", "ubnd-xa-tam-hop", "UBND xã Tam Hợp",
                               "ubnd-xa-tam-hop@vinhphuc.example")


@pytest.fixture
def catcher(tmp_path):
    running = MailCatcher(tmp_path / "mail")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def settings(catcher):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": catcher.port,
            "MAIL_FROM": "thongbao@sausat.localhost", "MAIL_RETRY_DELAYS": [0.1],
            "MAIL_POLL_SECONDS": 0.05, "SMTP_TIMEOUT_SECONDS": 5.0}


def routed_event():
    return parse_event(contracts.CASE_ROUTED.new({
        "case_id": "k1", "concern_id": "c1", "authority_id": AUTHORITY.recipient_id,
        "rule_id": "infra-tam-hop", "acknowledge_by": dt.date(2026, 12, 2)}))


def message():
    facts = messages.CaseFacts(case_id="k1", concern_id="c1", topic="infrastructure",
                               summary="Đường thôn xuống cấp")
    return messages.case_reached_you(facts, AUTHORITY, dt.date(2026, 12, 2))


def test_one_event_stored_twice_is_one_notification_sent_once(database, settings, catcher):
    event = routed_event()
    assert enqueue(database, event, message(), "k1", settings) is True
    assert enqueue(database, event, message(), "k1", settings) is False  # a redelivery
    postman = Postman(database, settings)
    assert postman.send_due() == 1
    assert postman.send_due() == 0
    [mail] = catcher.mail()
    stored = database.notifications.find_one({})
    assert (stored["state"], stored["attempts"]) == ("sent", 1)
    assert mail["Message-ID"] == stored["message_id"]


def test_two_senders_never_hold_the_same_notification(database, settings):
    enqueue(database, routed_event(), message(), "k1", settings)
    candidate = database.notifications.find_one({})
    first, second = Postman(database, settings), Postman(database, settings)
    assert first.claim(candidate) is not None
    assert second.claim(candidate) is None
    assert second.send_due() == 0  # claimed and its lease running: not due


def test_a_crash_between_accept_and_mark_resends_once_with_the_same_message_id(
        database, settings, catcher):
    enqueue(database, routed_event(), message(), "k1", settings)
    postman = Postman(database, settings)
    claimed = postman.claim(database.notifications.find_one({}))
    mailer.deliver(settings, claimed)  # the server accepted it; then the process "died"
    assert postman.send_due() == 0     # its lease still runs: nobody sends it again yet

    database.notifications.update_one({"_id": claimed["_id"]}, {"$set": {
        "next_attempt_at": dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)}})
    assert postman.send_due() == 1     # the lease ran out: in doubt, so sent again
    assert postman.send_due() == 0
    first, again = catcher.mail()
    assert first["Message-ID"] == again["Message-ID"] == claimed["message_id"]
    assert database.notifications.find_one({})["state"] == "sent"


def test_a_server_away_defers_with_the_error_and_the_next_attempt(database, settings, catcher):
    enqueue(database, routed_event(), message(), "k1", settings)
    catcher.stop()
    postman = Postman(database, settings)
    before = dt.datetime.now(dt.timezone.utc)
    assert postman.send_due() == 1
    stored = database.notifications.find_one({})
    assert stored["state"] == "pending" and stored["attempts"] == 1
    assert "ConnectionRefusedError" in stored["last_error"]
    assert stored["next_attempt_at"] >= before + dt.timedelta(seconds=0.1)


def test_a_line_break_in_a_name_is_sent_as_a_space_never_as_a_header(database, settings,
                                                                      catcher):
    named = messages.Recipient("authority", "ubnd-xa-tam-hop",
                               "UBND Tam Hop\r\nBcc: evil@x.example",
                               "ubnd-xa-tam-hop@vinhphuc.example")
    facts = messages.CaseFacts(case_id="k1", concern_id="c1", topic="infrastructure",
                               summary="Đường thôn\nxuống cấp")
    enqueue(database, routed_event(), messages.case_reached_you(facts, named,
                                                                dt.date(2026, 12, 2)),
            "k1", settings)
    assert Postman(database, settings).send_due() == 1
    [mail] = catcher.mail()
    assert database.notifications.find_one({})["state"] == "sent"
    assert mail["To"] == '"UBND Tam Hop Bcc: evil@x.example" <ubnd-xa-tam-hop@vinhphuc.example>'
    assert mail["Bcc"] is None and mail["X-RcptTo"] == "ubnd-xa-tam-hop@vinhphuc.example"


def test_a_mail_that_cannot_be_written_ends_failed_with_why_and_is_sent_once_retried(
        database, settings, catcher):
    broken = messages.Recipient("authority", "ubnd-xa-tam-hop", "UBND xã Tam Hợp",
                                "ubnd-xa-tam-hop@vinhphuc.example\r\nBcc: evil@x.example")
    enqueue(database, routed_event(), messages.case_reached_you(
        messages.CaseFacts(case_id="k1", concern_id="c1", topic="infrastructure",
                           summary="Đường thôn"), broken, dt.date(2026, 12, 2)), "k1", settings)
    postman = Postman(database, settings)
    assert postman.send_due() == 1
    stored = database.notifications.find_one({})
    assert stored["state"] == "failed" and "cannot be" in stored["last_error"]
    assert postman.send_due() == 0 and catcher.mail() == []  # ended: not tried every lease
    store.record_authority(database, "ubnd-xa-tam-hop", "UBND xã Tam Hợp",
                           "ubnd-xa-tam-hop@vinhphuc.example")  # the registry, mended
    retried = outgoing.retry(database, stored["_id"], "địa chỉ đã sửa", "u-operator")
    assert retried["state"] == "pending"
    assert retried["retries"][0]["by"] == "u-operator"
    assert retried["retries"][0]["error"] == stored["last_error"]
    assert postman.send_due() == 1
    [mail] = catcher.mail()
    assert database.notifications.find_one({})["state"] == "sent"
    assert mail["X-RcptTo"] == "ubnd-xa-tam-hop@vinhphuc.example"
    with pytest.raises(Conflict):  # sent: nothing to retry
        outgoing.retry(database, stored["_id"], "lại", "u-operator")
    with pytest.raises(NotFound):
        outgoing.retry(database, "no-such-notification", "lại", "u-operator")


def test_mail_sent_failed_and_waiting_are_counted_for_prometheus(database, settings, catcher):
    from services.notifications.metrics import mail_figures
    from shared.metrics import REGISTRY

    def counted(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0.0
    sent, deferred = counted("sausat_mail_sent_total"), counted("sausat_mail_failed_total",
                                                                outcome="deferred")
    enqueue(database, routed_event(), message(), "k1", settings)
    assert mail_figures(database)[("sausat_mail", "pending")] == 1
    catcher.stop()
    postman = Postman(database, settings)
    postman.send_due()
    assert counted("sausat_mail_failed_total", outcome="deferred") == deferred + 1
    assert counted("sausat_mail_sent_total") == sent
    catcher.start()
    database.notifications.update_one({}, {"$set": {"next_attempt_at": dt.datetime.now(
        dt.timezone.utc)}})
    assert postman.send_due() == 1
    assert counted("sausat_mail_sent_total") == sent + 1
    figures = mail_figures(database)
    assert (figures[("sausat_mail", "pending")], figures[("sausat_mail", "sent")]) == (0, 1)
