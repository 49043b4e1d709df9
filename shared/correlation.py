"""Correlation: every event knows the request that started its chain and the event that caused it.

The promise: an envelope built while a worker runs (:meth:`shared.contracts.EventType.new`)
carries ``correlation_id``, the id the gateway gave the HTTP request that started the chain
(passed on through nameko's context data, so it crosses RPC), and ``causation_id``, the event
whose handler wrote it. A chain that began without a request (a timer, a script) is correlated
by its first event's id. Nothing is looked up: the ids travel with the worker.

Workers bind them on set-up (``shared.store.Store`` does it for every service, the consumer
puts the causing event's ids into the context data); code outside a worker binds them by hand.
Example::

    with bound(correlation_id="9f1c…", causation_id=None):
        envelope = CONCERN_RAISED.new(payload)     # envelope["correlation_id"] == "9f1c…"
"""
import contextlib
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Correlation-Id"
# what a client may send as its own correlation id: the ids' pattern (shared.contracts.base)
WELL_FORMED = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")

# one per green thread: greenlet gives each its own context, and each worker runs in its own
_ids = ContextVar("correlation", default=(None, None))


def current():
    """``(correlation_id, causation_id)`` bound to this green thread, or ``(None, None)``."""
    return _ids.get()


def bind(correlation_id=None, causation_id=None):
    _ids.set((correlation_id, causation_id))


def unbind():
    _ids.set((None, None))


@contextlib.contextmanager
def bound(correlation_id=None, causation_id=None):
    previous = current()
    bind(correlation_id, causation_id)
    try:
        yield
    finally:
        bind(*previous)


def bind_worker(context_data):
    """Bind what a worker's context data carries (nameko's ``worker_ctx.data``)."""
    bind(context_data.get("correlation_id"), context_data.get("causation_id"))


def caused_by(event):
    """Context data of a worker handling ``event``: its chain, and itself as the cause."""
    return {"correlation_id": event.correlation_id or event.event_id,
            "causation_id": event.event_id}


def from_client(value):
    """The client's ``X-Correlation-Id`` when well-formed (lower-cased), else a fresh id."""
    if value:
        value = value.strip().lower()
        if WELL_FORMED.fullmatch(value):
            return value
    return new_correlation_id()


def new_correlation_id():
    return uuid.uuid4().hex
