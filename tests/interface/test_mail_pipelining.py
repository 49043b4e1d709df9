"""The SMTP conversation in as few writes as the server allows (issue 27: each write wakes
another process, and the sender's waits for the server were most of the notifications
service's CPU): MAIL FROM, RCPT TO and DATA in one write where the server offers PIPELINING
(RFC 2920), the data and its final dot in one more; a server that does not offer it is
answered one command at a time. Every refusal still ends the mail as before: 5xx rejected, 4xx
deferred, with the server's own words, and a server in the data state is never sent a QUIT.
The developers' catcher (which offers PIPELINING, as Postfix does) and a scripted server."""
import datetime as dt
import re
import smtplib

import eventlet
import pytest

from services.notifications import mailer
from services.notifications.outgoing import enqueue
from shared import contracts
from shared.contracts import parse_event
from tests.interface.test_mail_hand_over import settings_for
from tests.interface.test_mail_sender import AUTHORITY, message
from tests.mail import MailCatcher

BODY = "Kính gửi UBND xã Tam Hợp.\n.\nDòng cuối."


@pytest.fixture
def writes(monkeypatch):
    """Every write of an SMTP client, counted (smtplib sends each command with ``send``)."""
    sent = []
    send = smtplib.SMTP.send

    def counted(self, data):
        sent.append(data if isinstance(data, bytes) else data.encode("ascii"))
        return send(self, data)
    monkeypatch.setattr(smtplib.SMTP, "send", counted)
    return sent


def mails(database, count, port):
    settings = settings_for(port)
    for n in range(count):
        event = parse_event(contracts.CASE_ROUTED.new({
            "case_id": f"k{n}", "concern_id": f"c{n}", "authority_id": AUTHORITY.recipient_id,
            "rule_id": "infra-tam-hop", "acknowledge_by": dt.date(2026, 12, 2)}))
        enqueue(database, event, message(), f"k{n}", settings)
    found = list(database.notifications.find({}).sort("case_id", 1))
    for mail in found:
        mail["body"] = BODY
    return settings, found


def caught_whole(catcher, count):
    caught = catcher.mail()
    assert sorted(m["X-Sausat-Case"] for m in caught) == [f"k{n}" for n in range(count)]
    assert {m.get_body(("plain",)).get_content().rstrip("\n") for m in caught} == {BODY}


@pytest.mark.parametrize("pipelining, writes_per_mail", [(True, 2), (False, 4)],
                         ids=["offered", "not-offered"])
def test_each_mail_on_a_kept_connection_takes_two_writes_where_pipelining_is_offered(
        tmp_path, database, writes, pipelining, writes_per_mail):
    catcher = MailCatcher(tmp_path / "mail", pipelining=pipelining)
    catcher.start()
    try:
        settings, found = mails(database, 3, catcher.port)
        with mailer.Courier(settings) as courier:
            courier.deliver(found[0])  # the connection: greeting and EHLO
            assert courier.smtp.has_extn("pipelining") is pipelining
            for mail in found[1:]:
                before = len(writes)
                assert courier.deliver(mail).startswith("250")
                assert len(writes) - before == writes_per_mail
            last = writes[-writes_per_mail:]
        caught_whole(catcher, 3)
    finally:
        catcher.stop()
    assert last[0].startswith(b"mail FROM:") and last[-1].endswith(b"\r\n.\r\n")
    if pipelining:  # the three commands in one write, the data and its dot in the next
        assert last[0].endswith(b"\r\ndata\r\n")


class ScriptedServer:
    """An SMTP server on loopback answering from ``replies`` (``{"RCPT": "550 ..."}``; the
    rest as a willing server would) for the first transaction of its first connection, as a
    willing server after it; EHLO offers PIPELINING unless told not to. It keeps what each
    connection said, and how it ended: ``QUIT`` or ``closed`` (the client hung up)."""

    def __init__(self, replies, pipelining=True):
        self.replies, self.pipelining = dict(replies), pipelining
        self.listener = eventlet.listen(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.conversations = []
        self.thread = eventlet.spawn(self._serve)

    def _serve(self):
        while True:
            client, _ = self.listener.accept()
            said = []
            self.conversations.append(said)
            eventlet.spawn(self._converse, client, said)

    def _reply(self, verb, willing):
        if len(self.conversations) == 1 and verb in self.replies:
            return self.replies[verb]
        return willing

    def _converse(self, client, said):
        reader = client.makefile("rb")
        client.sendall(b"220 scripted ESMTP\r\n")
        sender = recipient = False  # accepted in this transaction
        while line := reader.readline():
            command = line.rstrip(b"\r\n").decode("ascii")
            verb = command.split(" ", 1)[0].upper()
            said.append(command)
            if verb == "EHLO":
                offered = "250-PIPELINING\r\n" if self.pipelining else ""
                client.sendall(f"250-scripted\r\n{offered}250 HELP\r\n".encode())
            elif verb == "QUIT":
                client.sendall(b"221 Bye\r\n")
                break
            elif verb == "MAIL":
                reply = self._reply("MAIL", "250 OK")
                sender = reply.startswith("250")
                client.sendall(reply.encode() + b"\r\n")
            elif verb == "RCPT":  # as Postfix: no recipient before a sender
                reply = self._reply("RCPT", "250 OK" if sender else "503 5.5.1 need MAIL")
                recipient = reply.startswith("250")
                client.sendall(reply.encode() + b"\r\n")
            elif verb == "DATA":
                reply = self._reply("DATA", "354 End data with <CR><LF>.<CR><LF>" if recipient
                                    else "554 5.5.1 no valid recipients")
                sender = recipient = False
                client.sendall(reply.encode() + b"\r\n")
                if reply.startswith("354"):
                    data = []
                    while (line := reader.readline()) not in (b".\r\n", b""):
                        data.append(line)
                    said.append(f"<data: {len(data)} lines>" if line else "<data cut short>")
                    if line:
                        client.sendall(self._reply(".", "250 OK queued").encode() + b"\r\n")
            else:
                client.sendall(self._reply(verb, "250 OK").encode() + b"\r\n")
        else:
            said.append("closed")
        client.close()

    def close(self):
        self.thread.kill()
        self.listener.close()


REFUSALS = [
    ("MAIL", "550 5.7.1 sender not allowed", mailer.MailRejected,
     ["MAIL", "RCPT", "DATA", "QUIT"]),
    ("RCPT", "550 5.1.1 no such mailbox", mailer.MailRejected, ["MAIL", "RCPT", "DATA", "QUIT"]),
    ("RCPT", "451 4.3.0 try again later", mailer.MailDeferred, ["MAIL", "RCPT", "DATA", "QUIT"]),
    ("DATA", "554 5.5.1 no valid recipients", mailer.MailRejected,
     ["MAIL", "RCPT", "DATA", "QUIT"]),
    (".", "552 5.3.4 message too big", mailer.MailRejected,
     ["MAIL", "RCPT", "DATA", "<DATA:", "QUIT"]),
]


@pytest.mark.parametrize("verb, reply, raised, said", REFUSALS,
                         ids=["mail-550", "rcpt-550", "rcpt-451", "data-554", "dot-552"])
def test_a_refusal_in_a_pipelined_conversation_ends_the_mail_with_the_servers_words(
        database, verb, reply, raised, said):
    server = ScriptedServer({verb: reply})
    try:
        settings, (first, second) = mails(database, 2, server.port)
        with mailer.Courier(settings) as courier:
            with pytest.raises(raised, match=reply[:3]) as refused:
                courier.deliver(first)
            assert reply in str(refused.value)
            assert courier.deliver(second).startswith("250")  # on a new connection
    finally:
        server.close()
    refused_conversation, next_conversation = server.conversations
    assert [c.split(" ")[0].upper() for c in refused_conversation[1:]] == said
    assert next_conversation[1:4] == [
        "mail FROM:<thongbao@sausat.localhost>", f"rcpt TO:<{AUTHORITY.email}>", "data"]
    assert re.fullmatch(r"<data: \d+ lines>", next_conversation[4])  # the whole mail went


def test_a_server_that_opens_the_data_after_refusing_the_recipient_is_hung_up_on(database):
    """A QUIT after such a 354 would be read as the mail's data: the sender closes instead,
    and sends no data at all."""
    server = ScriptedServer({"RCPT": "550 5.1.1 no such mailbox"})
    server.replies["DATA"] = "354 go ahead anyway"
    try:
        settings, (first,) = mails(database, 1, server.port)
        with mailer.Courier(settings) as courier:
            with pytest.raises(mailer.MailRejected, match="550 5.1.1"):
                courier.deliver(first)
            assert courier.smtp is None
        eventlet.sleep(0.1)
    finally:
        server.close()
    (conversation,) = server.conversations
    assert [c.split(" ")[0] for c in conversation[1:]] == [
        "mail", "rcpt", "data", "<data", "closed"]
    assert conversation[-2] == "<data cut short>"


def test_without_pipelining_a_refused_recipient_is_never_followed_by_data(database, writes):
    server = ScriptedServer({"RCPT": "550 5.1.1 no such mailbox"}, pipelining=False)
    try:
        settings, (first,) = mails(database, 1, server.port)
        with pytest.raises(mailer.MailRejected, match="550 5.1.1"):
            mailer.deliver(settings, first)
    finally:
        server.close()
    (conversation,) = server.conversations
    assert [c.split(" ")[0].upper() for c in conversation[1:]] == ["MAIL", "RCPT", "QUIT"]
    assert not any(w.startswith(b"mail") and b"rcpt" in w for w in writes)
