"""The mail sender's one window for a duplicate, kept narrow: the store's write lock is taken
before the data's final dot and the mail marked sent before it is released, so a writer of
another process (a batch of deliveries holds the store for all its events) can no longer come
between the server's 250 and the mark; and a sender whose lease ran out while another claimed
the mail closes without the dot. A real catcher, a real sender process killed with SIGKILL."""
import datetime as dt
import json
import signal
import sqlite3
import subprocess
import sys
import time

import eventlet
from eventlet.green import socket

from docstore import DocStoreClient
from services.notifications.outgoing import Postman, enqueue
from shared.config import ROOT
from tests.interface import test_mail_sender
from tests.interface.test_mail_sender import message, routed_event

END_OF_DATA = b"\r\n.\r\n"
# the sender alone in a process of its own: one pass, as the service's loop does it
SENDER = """
import json, sys
from docstore import DocStoreClient
from services.notifications.outgoing import Postman
folder, settings = sys.argv[1], json.loads(sys.argv[2])
Postman(DocStoreClient(folder)["notifications"], settings).send_due()
"""

catcher = test_mail_sender.catcher  # the sender tests' catcher fixture


class OtherWriterAtTheDot:
    """A TCP relay in front of the catcher: when the data's final dot passes, another process's
    writer (a connection of its own) tries to take the store's write lock, as a batch of
    deliveries starting there would, and holds it if it can until :meth:`release`."""

    def __init__(self, upstream_port, store_file):
        self.upstream_port, self.store_file = upstream_port, store_file
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.holding = None  # the other writer's connection, while it holds the lock
        self.found_locked = None
        self.threads, self.sockets = [eventlet.spawn(self._accept)], [self.listener]

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            server = socket.create_connection(("127.0.0.1", self.upstream_port))
            self.sockets += [client, server]
            self.threads += [eventlet.spawn(self._pipe, server, client, False),
                             eventlet.spawn(self._pipe, client, server, True)]

    def _pipe(self, source, target, from_sender):
        tail = b""  # the dot may come alone, after the data's last line
        while chunk := source.recv(65536):
            tail = (tail + chunk)[-len(END_OF_DATA):]
            if from_sender and tail == END_OF_DATA:
                self._try_to_write()
            target.sendall(chunk)
        target.shutdown(socket.SHUT_WR)

    def _try_to_write(self):
        other = sqlite3.connect(self.store_file, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # "database is locked": the sender holds it
            self.found_locked = True
            other.close()
            return
        self.found_locked, self.holding = False, other

    def release(self):
        if self.holding is not None:
            self.holding.execute("ROLLBACK")
            self.holding.close()
            self.holding = None

    def close(self):
        self.release()
        for thread in self.threads:
            thread.kill()
        for each in self.sockets:
            each.close()


def settings_for(port):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
            "MAIL_FROM": "thongbao@sausat.localhost", "MAIL_RETRY_DELAYS": [0.1],
            "MAIL_POLL_SECONDS": 0.05, "SMTP_TIMEOUT_SECONDS": 5.0}


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        eventlet.sleep(0.05)
    return condition()


def test_a_sender_killed_right_after_the_servers_250_has_marked_the_mail_sent(tmp_path,
                                                                               catcher):
    folder = tmp_path / "data"
    db = DocStoreClient(folder)["notifications"]
    enqueue(db, routed_event(), message(), "k1", settings_for(catcher.port))
    relay = OtherWriterAtTheDot(catcher.port, str(folder / "notifications.sqlite3"))
    sender = subprocess.Popen([sys.executable, "-c", SENDER, str(folder),
                               json.dumps(settings_for(relay.port))], cwd=ROOT)
    try:
        assert wait_until(lambda: len(catcher.mail()) == 1, 30), "the server got no mail"

        def marked():
            return db.notifications.find_one({})["state"] == "sent"
        # the server said 250; the process dies as soon as it marked the mail, or 5 s later
        wait_until(marked, 5)
        sender.send_signal(signal.SIGKILL)
        sender.wait(10)
        relay.release()  # the other writer commits its batch
    finally:
        relay.close()
        if sender.poll() is None:
            sender.kill()
    # the lease runs out: a mail still "sending" would be sent again now
    db.notifications.update_one({}, {"$set": {"next_attempt_at": dt.datetime.now(
        dt.timezone.utc) - dt.timedelta(seconds=1)}})
    Postman(db, settings_for(catcher.port)).send_due()
    assert len(catcher.mail()) == 1
    assert db.notifications.find_one({})["state"] == "sent"
    assert relay.found_locked, "the sender sent the final dot without the store's lock"


def test_a_sender_whose_lease_ran_out_and_was_claimed_again_sends_no_final_dot(database,
                                                                              catcher):
    settings = settings_for(catcher.port)
    enqueue(database, routed_event(), message(), "k1", settings)
    slow, quick = Postman(database, settings), Postman(database, settings)
    held_by_slow = slow.claim(database.notifications.find_one({}))
    database.notifications.update_one({}, {"$set": {"next_attempt_at": dt.datetime.now(
        dt.timezone.utc) - dt.timedelta(seconds=1)}})  # the slow one's lease ran out
    held_by_quick = quick.claim(database.notifications.find_one({}))
    assert held_by_quick["attempts"] == held_by_slow["attempts"] + 1

    slow.send(held_by_slow)  # the data went, the dot did not: the server discards it
    assert catcher.mail() == []
    assert database.notifications.find_one({})["state"] == "sending"
    quick.send(held_by_quick)
    [mail] = catcher.mail()
    stored = database.notifications.find_one({})
    assert (stored["state"], stored["attempts"]) == ("sent", 2)
    assert mail["Message-ID"] == stored["message_id"]
