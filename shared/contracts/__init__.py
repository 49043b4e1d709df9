"""Event contracts: every event's name, source and payload schema, in one place.

An event travels as an envelope::

    {"event_id": "9f1c…", "event_type": "concern_raised", "source": "visits",
     "occurred_at": "2026-11-25T08:00:00+00:00", "payload": {...}}

published on the ``sausat.events`` topic exchange with routing key ``<source>.<event_type>``.
Producers build envelopes with :meth:`EventType.new`, which dumps the payload through the
schema and refuses one that would not load; consumers parse with :func:`parse_event`, which
loads it through the same schema. Example::

    event = CONCERN_RAISED.new({"concern_id": ..., ...})
    ...
    parsed = parse_event(body)          # -> Event(event_id, event_type, ..., payload)

The schemas live in one module per part of the domain (``registry``, ``visits``, ``cases``,
``accounts``, ``notifications``, ``operations``, ``audit``, ``data_subjects``,
``attachments``); every name is
re-exported here, so ``contracts.CONCERN_RAISED`` is how code reaches them, and
:data:`EVENT_TYPES` collects every :class:`EventType` defined in them. An event is defined
once, in its module; add new ones there.
"""
from shared.contracts import (
    accounts,
    attachments,
    audit,
    cases,
    data_subjects,
    notifications,
    operations,
    registry,
    visits,
)
from shared.contracts.accounts import *  # noqa: F401,F403
from shared.contracts.attachments import *  # noqa: F401,F403
from shared.contracts.audit import *  # noqa: F401,F403
from shared.contracts.base import *  # noqa: F401,F403
from shared.contracts.cases import *  # noqa: F401,F403
from shared.contracts.data_subjects import *  # noqa: F401,F403
from shared.contracts.envelope import Envelope, Event, EventType, parse_event  # noqa: F401
from shared.contracts.notifications import *  # noqa: F401,F403
from shared.contracts.operations import ALERT_CLEARED, ALERT_KINDS, ALERT_RAISED  # noqa: F401
from shared.contracts.registry import *  # noqa: F401,F403
from shared.contracts.visits import *  # noqa: F401,F403

PARTS = (registry, visits, cases, accounts, notifications, operations, audit, data_subjects,
         attachments)

EVENT_TYPES = {value.routing_key: value for part in PARTS for value in vars(part).values()
               if isinstance(value, EventType)}
