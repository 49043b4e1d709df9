"""One SMTP conversation per notification (smtplib), its outcome sorted into retry or give up.

``deliver`` returns the server's reply to the message data (e.g. ``250 OK``) once the server
has accepted the mail; anything short of that raises :class:`MailDeferred` (server away, a
4xx reply, a broken connection: try again later), :class:`MailRejected` (a 5xx reply: the
server will not take this mail, retrying cannot help) or :class:`MailUnsendable` (the mail
cannot even be written or addressed here: retrying as it is cannot help). Header values are
written on one line: a line break in a name or subject becomes a space, so a name can never
add a header of its own.

The data's final dot is sent by ``hand_over(final_dot)``, a function the caller gives: it may
take its store's write lock first and record the mail sent before releasing it, so that
nothing (another writer, a batch) can come between the server's acceptance and the record
(``outgoing``). What it raises besides SMTP and socket errors (a store error) passes through
untouched. Example::

    reply = deliver(settings, mail)   # mail: the stored notification document
    reply = deliver(settings, mail, hand_over=lambda final_dot: record(final_dot()))
"""
import re
import smtplib
import socket
from email import policy
from email.errors import MessageError
from email.header import Header
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

SENDER_NAME = "Hệ thống Sâu Sát"


# what a conversation's failures raise (refused, reset, timed out, closed, a reply not wanted)
CONVERSATION_ERRORS = (OSError, smtplib.SMTPException)


class MailDeferred(Exception):
    """Not accepted now; the same mail may be accepted later."""


class MailRejected(Exception):
    """Refused for good by the server (5xx)."""


class MailUnsendable(Exception):
    """This mail cannot be written or addressed as it is stored (a broken value)."""


# line breaks, tabs and every other control character: a header value is one line
_NOT_ON_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value):
    """``value`` fit for a header: each run of control characters one space, trimmed."""
    return _NOT_ON_ONE_LINE.sub(" ", value or "").strip()


def build_email(mail, mail_from):
    # compat32's Header encodes the whole subject as encoded words with the spaces inside
    # them; the default policy's folding drops the space where it splits between words
    message = MIMEText(mail["body"], "plain", "utf-8")
    message["From"] = formataddr((SENDER_NAME, mail_from), "utf-8")
    message["To"] = formataddr((one_line(mail["recipient_name"]), mail["email"]), "utf-8")
    message["Subject"] = Header(one_line(mail["subject"]), "utf-8")
    message["Date"] = format_datetime(mail["created_at"])
    message["Message-ID"] = one_line(mail["message_id"])
    message["X-Sausat-Case"] = one_line(mail["case_id"])
    message["X-Sausat-Notification"] = one_line(mail["_id"])
    # smtplib sends bytes as they are: lines must end in CRLF
    return message.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))


def reply_text(code, text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


class FinalDot:
    """``dot()``: the end of the data and the server's reply to it, ``(250, text)``, or it
    raises; ``sent`` once it went (until then, the conversation is mid-data)."""

    def __init__(self, smtp):
        self.smtp, self.sent = smtp, False

    def __call__(self):
        self.sent = True
        self.smtp.send(b"." + smtplib.bCRLF)
        code, text = self.smtp.getreply()
        if code != 250:  # smtplib checks only the 354 before the data, not this reply
            raise smtplib.SMTPDataError(code, text)
        return code, text


def _send_data(smtp, message):
    """The data of ``message`` (bytes, CRLF lines) up to, not including, its final dot."""
    code, text = smtp.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, text)
    quoted = smtplib._quote_periods(message)  # what smtplib.SMTP.data sends, dot excluded
    smtp.send(quoted if quoted.endswith(smtplib.bCRLF) else quoted + smtplib.bCRLF)


def _just_send(final_dot):
    return final_dot()


def deliver(settings, mail, hand_over=_just_send):
    """One mail on a connection of its own."""
    with Courier(settings) as courier:
        return courier.deliver(mail, hand_over)


class Courier:
    """One SMTP connection kept for several mails in a row (a sender's pass): each mail a
    transaction of its own on it (MAIL, RCPT, DATA), QUIT once, at :meth:`close`, instead of a
    connection, a greeting, EHLO and QUIT per mail. A mail that fails in any way closes the
    connection (the next opens another); a connection the server closed while idle is opened
    again once before the mail is deferred. Example::

        with Courier(settings) as courier:
            for mail in due:
                reply = courier.deliver(mail)
    """

    def __init__(self, settings):
        self.settings, self.smtp = settings, None
        self.connections = 0  # opened so far

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        if self.smtp is not None:
            smtp, self.smtp = self.smtp, None
            _close_quietly(smtp)

    def deliver(self, mail, hand_over=_just_send):
        try:
            message = build_email(mail, self.settings["MAIL_FROM"])  # bytes, CRLF lines
        except (MessageError, ValueError, TypeError, LookupError) as error:
            raise MailUnsendable(f"the mail cannot be written: {type(error).__name__}: "
                                 f"{error}") from None
        dot, kept = None, False
        try:
            smtp = self._sender_accepted()
            code, text = smtp.rcpt(mail["email"])
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({mail["email"]: (code, text)})
            dot = FinalDot(smtp)
            _send_data(smtp, message)
            code, text = hand_over(dot)
            kept = True
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            _raise_for(code, text)
        except smtplib.SMTPResponseException as error:
            _raise_for(error.smtp_code, error.smtp_error)
        except ValueError as error:  # smtplib refuses a line break in an address
            raise MailUnsendable(f"the mail cannot be addressed: {error}") from None
        except CONVERSATION_ERRORS as error:
            raise MailDeferred(f"{type(error).__name__}: {error}") from None
        finally:
            if not kept and self.smtp is not None:
                smtp, self.smtp = self.smtp, None
                if dot is not None and not dot.sent:
                    smtp.close()  # a QUIT inside the data would be read as data: closing
                else:             # discards it
                    _close_quietly(smtp)
        return reply_text(code, text)

    def _sender_accepted(self):
        """The connection, the sender's MAIL FROM accepted on it."""
        reused = self.smtp is not None
        try:
            return self._mail_from(self._connection())
        except CONVERSATION_ERRORS:
            if not reused:
                raise
            stale, self.smtp = self.smtp, None  # closed by the server while idle: once
            stale.close()                       # more, on a new connection
            return self._mail_from(self._connection())

    def _connection(self):
        if self.smtp is None:
            settings = self.settings
            self.smtp = smtplib.SMTP(settings["SMTP_HOST"], settings["SMTP_PORT"],
                                     timeout=settings["SMTP_TIMEOUT_SECONDS"])
            self.connections += 1
            # the final dot is sent apart from the data (under the store's lock): without
            # this, Nagle holds it back until the server acknowledges the data, up to 40 ms of
            # delayed ACK added to every mail and to the window a crash doubles a mail in
            self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.smtp.ehlo_or_helo_if_needed()
        return self.smtp

    def _mail_from(self, smtp):
        code, text = smtp.mail(self.settings["MAIL_FROM"])
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, text, self.settings["MAIL_FROM"])
        return smtp


def _close_quietly(smtp):
    # once the data is accepted the mail is out: a failed QUIT must not make it look unsent
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        pass
    finally:
        smtp.close()


def _raise_for(code, text):
    reply = reply_text(code, text)
    if 500 <= code < 600:
        raise MailRejected(reply) from None
    raise MailDeferred(reply) from None
