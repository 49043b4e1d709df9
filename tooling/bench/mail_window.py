"""The mail sender's window for a duplicate, measured against the developers' mail catcher: how
long the server holds a mail it accepted before the sender can record it (no assertions: it
prints figures). Alternately, in the same run:

- **one connection a mail, smtplib's DATA** (the sender before issue 27): from sending the data
  with its final dot to the end of QUIT, after which the mail was marked sent — and with a
  batch of the store running, the mark waited for it too (not measured here);
- **the courier** (``services.notifications.mailer.Courier``): from sending the final dot to its
  reply, the last moment before the mark is committed under the lock already held.

Beside each, the sender's CPU per mail (``time.process_time``): a connection, greeting, EHLO
and QUIT per mail against one connection for them all.

    .venv/bin/python -m tooling.bench.mail_window [--mails 200]
"""
import argparse
import datetime as dt
import pathlib
import smtplib
import statistics
import tempfile
import time

from services.notifications import mailer
from tooling.launcher import MailCatcher

SENDER = "thongbao@sausat.localhost"


def _mail(n):
    return {"_id": f"n{n}", "body": "Nội dung ý kiến. " * 60, "recipient_name": "UBND xã",
            "email": "ubnd@vinhphuc.example", "subject": "Ý kiến mới", "case_id": f"k{n}",
            "created_at": dt.datetime.now(dt.timezone.utc), "message_id": f"<n{n}@sausat>"}


def _one_connection_a_mail(port, mail, cpu):
    began = time.process_time()
    message = mailer.build_email(mail, SENDER)
    smtp = smtplib.SMTP("127.0.0.1", port, timeout=5)
    smtp.ehlo_or_helo_if_needed()
    smtp.mail(SENDER)
    smtp.rcpt(mail["email"])
    started = time.perf_counter()
    smtp.data(message)
    smtp.quit()
    window = time.perf_counter() - started
    cpu.append(time.process_time() - began)
    return window


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=200)
    args = parser.parse_args(argv)
    catcher = MailCatcher(pathlib.Path(tempfile.mkdtemp()) / "mail")
    catcher.start()
    settings = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": catcher.port, "MAIL_FROM": SENDER,
                "SMTP_TIMEOUT_SECONDS": 5}
    before, after = [], []
    cpu = {"before": [], "after": []}

    def timed_dot(dot):
        started = time.perf_counter()
        reply = dot()
        after.append(time.perf_counter() - started)
        return reply
    try:
        with mailer.Courier(settings) as courier:
            for n in range(args.mails):
                before.append(_one_connection_a_mail(catcher.port, _mail(n), cpu["before"]))
                began = time.process_time()
                courier.deliver(_mail(n), timed_dot)
                cpu["after"].append(time.process_time() - began)
    finally:
        catcher.stop()
    for name, figures, spent in (
            ("one connection a mail, DATA to QUIT", before, cpu["before"]),
            ("courier, final dot to its reply", after, cpu["after"])):
        figures.sort()
        print(f"{name:38} p50 {statistics.median(figures) * 1000:6.2f} ms  "
              f"p90 {figures[int(len(figures) * 0.9)] * 1000:6.2f} ms  "
              f"sender CPU per mail {statistics.mean(spent) * 1e6:5.0f} µs")


if __name__ == "__main__":
    main()
