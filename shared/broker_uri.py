"""Broker URIs that may name several nodes of one cluster.

``AMQP_URI`` may list a cluster's nodes separated by ``;``: kombu (and so nameko) takes them as
alternates, connecting to the first that answers and failing over to the next. Every alternate
must name the same user and virtual host (they are one broker), so the user and vhost are read
from any of them. ``RABBIT_MANAGEMENT_URI`` is a list the same way, tried in turn.

    >>> alternates("amqp://a:b@n1:5701/v;amqp://a:b@n2:5702/v")
    ['amqp://a:b@n1:5701/v', 'amqp://a:b@n2:5702/v']
    >>> with_user("amqp://guest:guest@n1:5701/v;amqp://guest:guest@n2:5702/v", "visits", "s")
    'amqp://visits:s@n1:5701/v;amqp://visits:s@n2:5702/v'
"""
import logging
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

SEPARATOR = ";"


def alternates(uri):
    """The URIs of each node, in the order given; never empty for a non-empty ``uri``."""
    return [part.strip() for part in uri.split(SEPARATOR) if part.strip()]


def user(uri):
    """The user the URI connects as (RabbitMQ's default, guest, when it names none)."""
    name = urlsplit(alternates(uri)[0]).username
    return unquote(name) if name else "guest"


def password(uri):
    return urlsplit(alternates(uri)[0]).password


def vhost(uri):
    """The virtual host (``/`` when the path names none)."""
    return unquote(urlsplit(alternates(uri)[0]).path[1:]) or "/"


def with_user(uri, name, secret):
    """``uri`` with every alternate connecting as ``name`` with password ``secret``."""
    credentials = f"{quote(name, safe='')}:{quote(secret, safe='')}"
    return SEPARATOR.join(
        urlunsplit(parts._replace(netloc=f"{credentials}@{parts.netloc.rpartition('@')[2]}"))
        for parts in map(urlsplit, alternates(uri)))


def problem(uri, schemes):
    """Why ``uri`` is not a list of one broker's nodes, or None: each alternate a URI of one
    of ``schemes`` with a host, all with the same user, password and vhost."""
    parts = alternates(uri)
    if not parts:
        return "names no node"
    seen = set()
    for part in parts:
        try:
            split = urlsplit(part)
            split.port  # noqa: B018 (raises on a port that is not a number)
        except ValueError as error:
            return f"{part.split('@')[-1]!r} is not a valid URI ({error})"
        if split.scheme not in schemes or not split.hostname:
            return f"each node must be {' or '.join(s + '://host' for s in schemes)}"
        seen.add((split.username, split.password, split.path or "/"))
    if len(seen) > 1:
        return "every node must name the same user, password and virtual host"
    return None


_CREDENTIALS = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s;]*:)[^@\s;]+@", re.I)


def masked(text):
    """``text`` with the password of every URI in it masked (nameko masks only the first of
    a ``;``-separated list when it logs one)."""
    return _CREDENTIALS.sub(r"\1********@", text)


class PasswordsMasked(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        if "://" in message:
            record.msg, record.args = masked(message), None
        return True


# the loggers that print broker URIs (nameko's connection errors, kombu's reconnections)
URI_LOGGERS = ("nameko.messaging", "nameko.amqp.publish", "kombu", "kombu.mixins",
               "kombu.connection", "amqp")


def mask_passwords_in_logs():
    """Keep broker passwords out of the logs; harmless to call again."""
    for name in URI_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, PasswordsMasked) for f in logger.filters):
            logger.addFilter(PasswordsMasked())
