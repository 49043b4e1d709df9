"""One SMTP connection for a sender's pass (issue 27: the notifications service spent more of its
CPU opening connections, greeting and quitting than on the mail): each mail its own
transaction on it, every mail still whole and marked sent once; a connection the server closed
while idle is opened again rather than the mail deferred; the final dot, sent apart, is not
held back by Nagle. A real catcher."""
import datetime as dt
import smtplib
import socket

import pytest

from docstore import DocStoreClient, recording
from services.notifications import mailer, store
from services.notifications.outgoing import Postman, enqueue
from shared import contracts
from shared.contracts import parse_event
from tests.interface import test_mail_sender
from tests.interface.test_mail_hand_over import settings_for
from tests.interface.test_mail_sender import AUTHORITY, message

catcher = test_mail_sender.catcher  # the sender tests' catcher fixture


@pytest.fixture
def connections(monkeypatch):
    """Every SMTP connection opened, counted."""
    opened = []
    connect = smtplib.SMTP.connect

    def counted(self, *args, **kwargs):
        opened.append(args)
        return connect(self, *args, **kwargs)
    monkeypatch.setattr(smtplib.SMTP, "connect", counted)
    return opened


def routed(case_id):
    return parse_event(contracts.CASE_ROUTED.new({
        "case_id": case_id, "concern_id": f"c-{case_id}", "authority_id": AUTHORITY.recipient_id,
        "rule_id": "infra-tam-hop", "acknowledge_by": dt.date(2026, 12, 2)}))


def test_a_pass_of_five_mails_opens_one_connection(database, catcher, connections):
    settings = settings_for(catcher.port)
    for n in range(5):
        enqueue(database, routed(f"k{n}"), message(), f"k{n}", settings)
    assert Postman(database, settings).send_due() == 5
    assert len(connections) == 1
    mails = catcher.mail()
    assert sorted(m["X-Sausat-Case"] for m in mails) == [f"k{n}" for n in range(5)]
    assert all(m["X-RcptTo"] == AUTHORITY.email for m in mails)
    stored = list(database.notifications.find({}))
    assert {(n["state"], n["attempts"]) for n in stored} == {("sent", 1)}
    assert len({m["Message-ID"] for m in mails}) == 5


def test_a_connection_the_server_closed_while_idle_is_opened_again(database, catcher,
                                                                   connections):
    settings = settings_for(catcher.port)
    for case_id in ("k1", "k2"):
        enqueue(database, routed(case_id), message(), case_id, settings)
    first, second = database.notifications.find({}).sort("case_id", 1)
    with mailer.Courier(settings) as courier:
        courier.deliver(first)
        catcher.stop()   # the server goes, closing the idle connection, and comes back
        catcher.start()
        assert courier.deliver(second).startswith("250")
        assert courier.connections == 2
    assert sorted(m["X-Sausat-Case"] for m in catcher.mail()) == ["k1", "k2"]


def test_the_final_dot_leaves_without_waiting_for_the_data_to_be_acknowledged(database, catcher):
    """Sent apart from the data, the dot would wait for the server's delayed ACK (Nagle):
    about 40 ms a mail, all of it inside the window a crash doubles a mail in."""
    settings = settings_for(catcher.port)
    enqueue(database, routed("k1"), message(), "k1", settings)
    with mailer.Courier(settings) as courier:
        courier.deliver(database.notifications.find_one({}))
        assert courier.smtp.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_a_claim_reads_the_notification_once(tmp_path):
    """The claim's write returns the claimed notification: no second read for it."""
    db = DocStoreClient(tmp_path)["notifications"]
    enqueue(db, routed("k1"), message(), "k1", settings_for(1))
    candidate = db.notifications.find_one({})
    with recording() as statements:
        claimed = store.claim(db, candidate, dt.datetime.now(dt.timezone.utc))
    reads = [sql for _, sql, _ in statements if sql.lstrip().upper().startswith("SELECT")
             and "notifications" in sql]
    assert len(reads) == 1
    assert (claimed["state"], claimed["attempts"], claimed["body"]) == (
        "sending", 1, candidate["body"])
    assert store.claim(db, candidate, dt.datetime.now(dt.timezone.utc)) is None  # taken
