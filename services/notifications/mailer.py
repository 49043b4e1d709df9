"""One SMTP conversation per notification (smtplib), its outcome sorted into retry or give up.

``deliver`` returns the server's reply to the message data (e.g. ``250 OK``) once the server
has accepted the mail; anything short of that raises :class:`MailDeferred` (server away, a
4xx reply, a broken connection: try again later), :class:`MailRejected` (a 5xx reply: the
server will not take this mail, retrying cannot help) or :class:`MailUnsendable` (the mail
cannot even be written or addressed here: retrying as it is cannot help). Header values are
written on one line: a line break in a name or subject becomes a space, so a name can never
add a header of its own.

MAIL FROM, RCPT TO and DATA go in one write where the server offers PIPELINING (RFC 2920, as
Postfix does). The data and its final dot go in one write too, by ``hand_over(final_dot)``, a
function the caller gives: it may take its store's write lock first and record the mail sent
before releasing it, so that nothing (another writer, a batch) can come between the server's
acceptance and the record (``outgoing``). What it raises besides SMTP and socket errors (a
store error) passes through untouched. Example::

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
    """``dot()``: the message's data and its final dot, in one write, and the server's reply
    to them, ``(250, text)``, or it raises; ``sent`` once they went (until then, the
    conversation waits in the data state, after the server's 354)."""

    def __init__(self, smtp, message):
        self.smtp, self.sent = smtp, False
        quoted = smtplib._quote_periods(message)  # what smtplib.SMTP.data sends
        self.data = (quoted if quoted.endswith(smtplib.bCRLF) else quoted + smtplib.bCRLF) \
            + b"." + smtplib.bCRLF

    def __call__(self):
        self.sent = True
        self.smtp.send(self.data)
        code, text = self.smtp.getreply()
        if code != 250:  # smtplib checks only the 354 before the data, not this reply
            raise smtplib.SMTPDataError(code, text)
        return code, text


def command_line(verb, argument):
    """One command, CRLF-ended; as ``smtplib.SMTP.putcmd`` builds it, so it refuses a line
    break the same way (``ValueError``)."""
    line = f"{verb} {argument}"
    if "\r" in line or "\n" in line:
        raise ValueError("command and arguments contain prohibited newline characters: "
                         + line.replace("\n", "\\n").replace("\r", "\\r"))
    return line + "\r\n"


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
            smtp = self._data_opened(mail["email"])
            dot = FinalDot(smtp, message)
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

    def _data_opened(self, recipient):
        """The connection in the data state: MAIL FROM, RCPT TO and DATA answered."""
        reused = self.smtp is not None
        try:
            smtp = self._connection()
            pipelined = self._sender_accepted(smtp, recipient)
        except CONVERSATION_ERRORS:
            if not reused:
                raise
            stale, self.smtp = self.smtp, None  # closed by the server while idle: once
            if stale is not None:               # more, on a new connection
                stale.close()
            smtp = self._connection()
            pipelined = self._sender_accepted(smtp, recipient)
        self._recipient_accepted(smtp, recipient, pipelined)
        return smtp

    def _sender_accepted(self, smtp, recipient):
        """MAIL FROM sent and accepted. Where the server offers PIPELINING (RFC 2920), RCPT TO
        and DATA go in the same write, their replies still to read: returns whether they did.
        One write instead of three, and one wait for the server instead of three."""
        sender = self.settings["MAIL_FROM"]
        commands = command_line("mail", f"FROM:{smtplib.quoteaddr(sender)}")
        pipelined = smtp.has_extn("pipelining")
        if pipelined:
            commands += command_line("rcpt", f"TO:{smtplib.quoteaddr(recipient)}") + "data\r\n"
        smtp.send(commands)  # ascii only, as smtplib's own commands (UnicodeEncodeError)
        code, text = smtp.getreply()
        if code != 250:
            if pipelined:
                self._answers_read(smtp, 2, refused=True)
            raise smtplib.SMTPSenderRefused(code, text, sender)
        return pipelined

    def _recipient_accepted(self, smtp, recipient, pipelined):
        """RCPT TO and DATA answered 250 (or 251) and 354, else raises the refusal."""
        if not pipelined:
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: (code, text)})
            code, text = smtp.docmd("data")
            if code != 354:
                raise smtplib.SMTPDataError(code, text)
            return
        (rcpt_code, rcpt_text), (data_code, data_text) = self._answers_read(smtp, 2)
        if rcpt_code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (rcpt_code, rcpt_text)})
        if data_code != 354:
            raise smtplib.SMTPDataError(data_code, data_text)

    def _answers_read(self, smtp, count, refused=False):
        """The replies to the rest of a pipelined group. A server that opened the data
        (354) after refusing what came before it is left by closing the connection: a QUIT
        there would be read as the mail's data."""
        replies = [smtp.getreply() for _ in range(count)]
        if replies[-1][0] == 354 and (
                refused or any(code not in (250, 251) for code, _ in replies[:-1])):
            self.smtp = None
            smtp.close()
        return replies

    def _connection(self):
        if self.smtp is None:
            settings = self.settings
            self.smtp = smtplib.SMTP(settings["SMTP_HOST"], settings["SMTP_PORT"],
                                     timeout=settings["SMTP_TIMEOUT_SECONDS"])
            self.connections += 1
            # each write leaves at once: the final dot goes under the store's lock, and
            # Nagle would hold a write back until the server acknowledged the one before,
            # up to 40 ms of delayed ACK added to every mail and to the window a crash
            # doubles a mail in
            self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.smtp.ehlo_or_helo_if_needed()
        return self.smtp


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
