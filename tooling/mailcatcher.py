"""The developers' mail catcher: an SMTP server on loopback that keeps every mail as a file.

aiosmtpd accepts SMTP on ``127.0.0.1:2525`` (``SMTP_PORT`` overrides) and stores each message
in the Maildir ``var/mail`` (one file per mail under ``new/``) before answering ``250``; nothing
is relayed anywhere. ::

    python -m tooling.mailcatcher start      # in the background (log var/log/mailcatcher.log)
    python -m tooling.mailcatcher list       # one line per mail: key, date, to, subject
    python -m tooling.mailcatcher show KEY   # one mail, headers and text
    python -m tooling.mailcatcher stop
    python -m tooling.mailcatcher serve --port 2600 --maildir /tmp/mail   # in the foreground
    python -m tooling.mailcatcher serve --no-pipelining   # as a server without PIPELINING

It offers PIPELINING (RFC 2920) in its EHLO reply, as Postfix does, so the sender's pipelined
conversation is the one tried here.
"""
import argparse
import mailbox
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
from email import policy
from email.parser import BytesParser

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_MAILDIR = ROOT / "var" / "mail"
PID_FILE = ROOT / "var" / "run" / "mailcatcher.pid"
LOG_FILE = ROOT / "var" / "log" / "mailcatcher.log"
DEFAULT_PORT = int(os.environ.get("SMTP_PORT", "2525"))


def open_maildir(maildir):
    """The Maildir at ``maildir``, created (with tmp/, new/ and cur/) where missing."""
    for sub in ("tmp", "new", "cur"):
        (pathlib.Path(maildir) / sub).mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(maildir, factory=None, create=False)


def pipelining_mailbox(maildir):
    """aiosmtpd's Maildir handler, offering PIPELINING (RFC 2920) in its EHLO reply as Postfix
    does. aiosmtpd reads one command line at a time from a buffered stream, so commands sent
    together are answered in order; it only never says so."""
    from aiosmtpd.handlers import Mailbox

    class PipeliningMailbox(Mailbox):
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname  # what aiosmtpd does itself without this hook
            return responses[:-1] + ["250-PIPELINING", responses[-1]]

    return PipeliningMailbox(maildir)


def serve(host, port, maildir, pipelining=True):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    open_maildir(maildir)
    handler = pipelining_mailbox(maildir) if pipelining else Mailbox(maildir)
    controller = Controller(handler, hostname=host, port=port)
    controller.start()
    print(f"mail catcher: SMTP on {host}:{port}, mail kept in {maildir}", flush=True)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()
    print("mail catcher: stopped", flush=True)


def read_messages(maildir):
    """``[(key, message)]`` of every mail in ``maildir``, in the order they arrived."""
    box = open_maildir(maildir)
    found = []
    for key in box.keys():
        arrived = box.get_message(key).get_date()
        with box.get_file(key) as handle:
            found.append((arrived, key, BytesParser(policy=policy.default).parse(handle)))
    return [(key, message) for _, key, message in sorted(found, key=lambda item: item[:2])]


def running_pid():
    try:
        pid = int(PID_FILE.read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def start(host, port, maildir):
    pid = running_pid()
    if pid:
        print(f"mail catcher: already running (pid {pid})")
        return
    PID_FILE.parent.mkdir(parents=True, exist_ok=True)
    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    logged_before = LOG_FILE.stat().st_size if LOG_FILE.exists() else 0
    with open(LOG_FILE, "a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tooling.mailcatcher", "serve", "--host", host,
             "--port", str(port), "--maildir", str(maildir)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    PID_FILE.write_text(str(process.pid))
    deadline = time.monotonic() + 15
    while "SMTP on" not in LOG_FILE.read_text(errors="replace")[logged_before:]:
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"mail catcher did not start; see {LOG_FILE}")
        time.sleep(0.1)
    print(f"mail catcher: started (pid {process.pid}), SMTP on {host}:{port}")


def stop():
    pid = running_pid()
    if pid is None:
        PID_FILE.unlink(missing_ok=True)
        return
    os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.1)
    PID_FILE.unlink(missing_ok=True)
    print("mail catcher: stopped")


def list_mail(maildir):
    messages = read_messages(maildir)
    for key, message in messages:
        print(f"{key}  {message['Date']}  to {message['To']}  {message['Subject']}")
    print(f"{len(messages)} mail(s) in {maildir}")


def show(maildir, key):
    box = open_maildir(maildir)
    try:
        with box.get_file(key) as handle:
            message = BytesParser(policy=policy.default).parse(handle)
    except KeyError:
        raise SystemExit(f"no mail {key} in {maildir}") from None
    for name in ("Message-ID", "Date", "From", "To", "X-RcptTo", "Subject", "X-Sausat-Case"):
        print(f"{name}: {message[name]}")
    print()
    print(message.get_body(("plain",)).get_content())


def main(argv=None):
    parser = argparse.ArgumentParser(description="Sâu Sát's local mail catcher (aiosmtpd).")
    parser.add_argument("command", choices=["serve", "start", "stop", "status", "list", "show"])
    parser.add_argument("key", nargs="?", help="for show: the key printed by list")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--maildir", default=str(DEFAULT_MAILDIR))
    parser.add_argument("--no-pipelining", action="store_true",
                        help="for serve: do not offer PIPELINING, as an older server would")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.host, args.port, args.maildir, pipelining=not args.no_pipelining)
    elif args.command == "start":
        start(args.host, args.port, args.maildir)
    elif args.command == "stop":
        stop()
    elif args.command == "status":
        pid = running_pid()
        print(f"mail catcher: running (pid {pid})" if pid else "mail catcher: stopped")
    elif args.command == "list":
        list_mail(args.maildir)
    else:
        if not args.key:
            parser.error("show needs the key of a mail (see list)")
        show(args.maildir, args.key)


if __name__ == "__main__":
    main()
