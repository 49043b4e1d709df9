"""The one definition of exchanges, queues and bindings, declared before anything publishes.

- ``sausat.events`` (topic): every event, routing key ``<source>.<event_type>``.
- One quorum queue per subscription, ``<service>.<name>``, bound to the events it wants.
  A message redelivered more than ``DELIVERY_LIMIT`` times (a handler that kills its process)
  is dead-lettered by RabbitMQ itself.
- ``<queue>.retry-<ms>ms``: one wait queue per retry delay; a message sits there for the delay,
  then RabbitMQ dead-letters it back onto ``<queue>`` through the default exchange.
- ``<queue>.dead`` on ``sausat.dead-letters`` (direct, routing key ``<queue>``): what failed for
  good, with the error in its headers, for operators to read and replay.
- ``rpc-<service>``: nameko's request queue of a service, a quorum queue too, so that on a
  cluster no single node takes every call to a service (sign-in included) down with it. Each
  service declares its own on start-up (:func:`adopt_rpc_queue`), replacing the classic queue
  an installed system has from before (docs/cluster.md).
- A *follower* (``FOLLOWERS``) is one process's view of some events, such as each gateway's
  revocation view: a queue of its own per process (``<service>.<name>-<hex>``), exclusive and
  deleted with its connection, declared by that process. What it misses while disconnected it
  reloads on reconnecting, so it needs neither retries nor dead letters.

Run ``python -m shared.topology`` to declare it all; services also declare it on start-up, so
no event is published into a queue-less void. Example::

    declare(connection, retry_delays=[1, 5, 30])
"""
import argparse
from dataclasses import dataclass
from logging import getLogger

from kombu import Connection, Exchange, Queue, binding

from shared import contracts

_log = getLogger(__name__)

EVENTS_EXCHANGE = Exchange("sausat.events", type="topic", durable=True)
DEAD_LETTER_EXCHANGE = Exchange("sausat.dead-letters", type="direct", durable=True)
DELIVERY_LIMIT = 10


@dataclass(frozen=True)
class Batching:
    """A subscription's deliveries applied together (shared/batches.py): up to ``size`` in one
    store transaction, acknowledged with one ack; the first of a batch waits at most ``window``
    seconds for others to join it. With ``quiet``, the batch also closes once ``quiet`` seconds
    pass without a delivery, so a lone event is late by no more than ``quiet``, while a steady
    stream fills batches for up to ``window``."""
    size: int = 50
    window: float = 0.005
    quiet: float = None

    def __post_init__(self):
        if self.quiet is not None and not 0 < self.quiet <= self.window:
            raise ValueError(f"a batch's quiet ({self.quiet} s) is more than 0 and at most its "
                             f"window ({self.window} s)")


# what no person waits on (the audit trail, a report's counts, coverage): a lone event waits
# 50 ms for company, and a batch grows while deliveries keep coming (up to 200 ms), so that
# under load batches are of many and share one commit and one ack (issue 27: a batch of one
# costs more than it saves, and with a flat 50 ms most batches here were of about 4)
UNHURRIED = Batching(size=50, window=0.2, quiet=0.05)


@dataclass(frozen=True)
class Subscription:
    """A service's durable interest in some events (``events=None``: every event), applied one
    at a time unless it declares ``batch``: only for handlers that write to their own store
    and nothing else (no RPC, no mail sent inline), since a batch holds the store for all."""
    service: str
    name: str
    events: tuple = None
    batch: Batching = None
    # events no longer bound (``declare`` removes their binding from an installed system) but
    # still handled: the ones already waiting in the queue when the binding went
    retired: tuple = ()

    @property
    def queue_name(self):
        return f"{self.service}.{self.name}"

    @property
    def binding_keys(self):
        if self.events is None:
            return ("#",)
        return tuple(event.routing_key for event in self.events)

    @property
    def retired_keys(self):
        return tuple(event.routing_key for event in self.retired)

    def wants(self, event_type):
        return self.events is None or event_type in self.events or event_type in self.retired


# what the notifications service learns of the world, and the case events it tells of
NOTIFICATIONS_LEARN = (
    contracts.AUTHORITY_REGISTERED, contracts.CADRE_REGISTERED, contracts.UNIT_REGISTERED,
    contracts.CONCERN_RAISED, contracts.AUTHORITY_CONTACT_CHANGED,
    contracts.CADRE_CONTACT_CHANGED, contracts.USER_CREATED, contracts.USER_CONTACT_CHANGED,
    # another branch's concern attached to a case: its cadre and raiser are told too
    contracts.CASE_JOINED)
NOTIFICATIONS_TELL = (
    contracts.CASE_ROUTED, contracts.CASE_UNROUTED, contracts.CASE_REDIRECTED,
    contracts.CASE_ESCALATED, contracts.CASE_DEADLINE_NEAR, contracts.CASE_ANSWERED,
    contracts.CASE_INFORMATION_REQUESTED, contracts.CASE_INFORMATION_PROVIDED,
    contracts.CASE_REOPENED, contracts.CASE_ASSIGNED, contracts.DIGEST_COMPILED,
    contracts.CASE_INTERIM_REPLIED)

SUBSCRIPTIONS = (
    # branch meetings' plan against actual: the assignments service's read model of visits
    Subscription("assignments", "visit_logged", (contracts.VISIT_LOGGED,), batch=UNHURRIED),
    # ... and the periodic report's: visits as amended, concerns and what became of their
    # cases (services/assignments/reporting_events)
    Subscription("assignments", "visit_amended", (contracts.VISIT_AMENDED,)),
    Subscription("assignments", "concern_outcomes", (
        contracts.CONCERN_RAISED, contracts.CONCERN_WITHDRAWN, contracts.CASE_ANSWERED,
        contracts.CASE_REOPENED, contracts.CASE_CLOSED), batch=UNHURRIED),
    # branch meetings move by the days off administrators enter (an event-fed copy)
    Subscription("assignments", "working_calendar_changed",
                 (contracts.WORKING_CALENDAR_CHANGED,)),
    # a planned branch meeting near: its attendees mailed (services/notifications/meeting_mail)
    Subscription("notifications", "meeting_reminders", (contracts.ATTENDANCE_REMINDER_ISSUED,)),
    Subscription("visits", "unit_registered", (contracts.UNIT_REGISTERED,)),
    # routing writes only escalations' store (the case, its events in the outbox): what came
    # while the last batch was applied is routed in one transaction and one ack, and a lone
    # concern does not wait for company (window 0: the one-at-a-time latency stays as it was)
    Subscription("escalations", "concern_raised", (contracts.CONCERN_RAISED,),
                 batch=Batching(size=20, window=0.0)),
    Subscription("monitor", "audit", batch=UNHURRIED),
    # the visits service's own read model of who is assigned where (a cadre's write scope)
    Subscription("visits", "assignment_made", (contracts.ASSIGNMENT_MADE,)),
    Subscription("visits", "case_answered", (contracts.CASE_ANSWERED,)),
    Subscription("escalations", "case_answered", (contracts.CASE_ANSWERED,)),
    # what notifications learns (names, addresses, concerns) and the case events it mails, in
    # one queue (issue 27): a queue keeps order, so a case event no longer overtakes the
    # concern it needs (case_routed is published only after its concern_raised was routed
    # here), and the mail can wait 50 ms for company like any read model
    Subscription("notifications", "learn_then_tell", NOTIFICATIONS_LEARN + NOTIFICATIONS_TELL,
                 batch=UNHURRIED),
    # the two queues it was before: no longer bound, each drains what an installed system left
    # in it (issue 27: concern_raised names its carrier, so visit_logged was retired before)
    Subscription("notifications", "directory", (), batch=Batching(),
                 retired=NOTIFICATIONS_LEARN + (contracts.VISIT_LOGGED,)),
    Subscription("notifications", "case_events", (), batch=Batching(),
                 retired=NOTIFICATIONS_TELL),
    # the raiser told of an answer: asks visits for the address by RPC, so apart from the
    # batch above (a visits outage delays this mail only, not the others)
    Subscription("notifications", "raiser_answers", (contracts.CASE_ANSWERED,)),
    # reorganisations of the tree: the visits' units and escalations' routing follow them
    Subscription("visits", "unit_reorganised", (contracts.UNIT_REORGANISED,)),
    Subscription("escalations", "unit_reorganised", (contracts.UNIT_REORGANISED,)),
    # escalations' read model of each authority's officers (a head assigns cases by name)
    Subscription("escalations", "officers", (
        contracts.USER_CREATED, contracts.USER_ROLE_CHANGED, contracts.USER_DISABLED,
        contracts.USER_RESTATED)),
    # receipt codes given to concerns from before them (an upgrade): their cases carry them
    Subscription("escalations", "receipt_codes", (contracts.RECEIPT_CODES_GIVEN,)),
    # the imports service's read model for coverage and the export of cadres and assignments
    Subscription("imports", "coverage", (
        contracts.UNIT_REGISTERED, contracts.CADRE_REGISTERED, contracts.CADRE_CONTACT_CHANGED,
        contracts.ASSIGNMENT_MADE, contracts.ASSIGNMENT_ENDED, contracts.VISIT_LOGGED,
        contracts.CADRE_ANONYMISED,
        # coverage counts planned attendance (issue 28)
        contracts.ATTENDANCE_PLANNED),
        batch=UNHURRIED),
    # visits that close the loop: the branch withdraws a concern, or judges an answer read out
    Subscription("escalations", "concern_withdrawn", (contracts.CONCERN_WITHDRAWN,)),
    Subscription("escalations", "answer_reviewed", (contracts.ANSWER_REVIEWED,)),
    # visits' read model: working groups and ended assignments (who may log where), and the
    # life of the cases its concerns became (the branch brief)
    Subscription("visits", "registry", (
        contracts.WORKING_GROUP_FORMED, contracts.WORKING_GROUP_CHANGED,
        contracts.ASSIGNMENT_ENDED)),
    Subscription("visits", "case_life", (
        contracts.CASE_ROUTED, contracts.CASE_UNROUTED, contracts.CASE_ACKNOWLEDGED,
        contracts.CASE_INFORMATION_REQUESTED, contracts.CASE_INFORMATION_PROVIDED,
        contracts.CASE_REDIRECTED, contracts.CASE_ESCALATED, contracts.CASE_ANSWERED,
        contracts.CASE_CLOSED, contracts.CASE_MARKED_DUPLICATE, contracts.CASE_REOPENED,
        contracts.CASE_WITHDRAWN, contracts.CASE_DEADLINE_NEAR, contracts.CASE_INTERIM_REPLIED,
        # another branch's concern attached to the case: it follows the case from then on
        contracts.CASE_JOINED,
        # an officer's redaction by hand: visits keeps the concern and tells every copy
        contracts.CASE_SUMMARY_REDACTED),
        # not unhurried: a concern joins a case only once visits knows it from here
        batch=Batching()),
    # requests from the people concerned: visits finds (and removes) its raisers; whoever
    # keeps a copy of a concern's text takes it anonymised (docs/personal-data.md)
    Subscription("visits", "data_subject_requests", (contracts.DATA_SUBJECT_REQUEST_RECORDED,)),
    # ... and every service holding users' or cadres' data answers for its own (the monitor
    # hears the request on its audit queue)
    Subscription("accounts", "data_subject_requests", (contracts.DATA_SUBJECT_REQUEST_RECORDED,)),
    Subscription("assignments", "data_subject_requests",
                 (contracts.DATA_SUBJECT_REQUEST_RECORDED,)),
    Subscription("notifications", "data_subject_requests",
                 (contracts.DATA_SUBJECT_REQUEST_RECORDED,)),
    Subscription("escalations", "data_subject_requests",
                 (contracts.DATA_SUBJECT_REQUEST_RECORDED,)),
    # Party members' records (issue 29): the only event the members service hears
    Subscription("members", "data_subject_requests", (contracts.DATA_SUBJECT_REQUEST_RECORDED,)),
    Subscription("escalations", "concern_redacted", (contracts.CONCERN_REDACTED,)),
    Subscription("notifications", "concern_redacted", (contracts.CONCERN_REDACTED,)),
    # coverage follows the tree's reorganisations and the branches working groups attend
    Subscription("imports", "registry", (
        contracts.UNIT_REORGANISED, contracts.WORKING_GROUP_FORMED,
        contracts.WORKING_GROUP_CHANGED), batch=UNHURRIED),
)


@dataclass(frozen=True)
class Follower:
    """One process's non-durable view of ``events``, reloaded whole after each reconnect."""
    service: str
    name: str
    events: tuple

    @property
    def binding_keys(self):
        return tuple(event.routing_key for event in self.events)

    def queue(self, instance_id):
        """This process's queue (``instance_id``: 32 hex digits, new for each connection)."""
        return Queue(f"{self.service}.{self.name}-{instance_id}",
                     bindings=[binding(PASSIVE_EVENTS_EXCHANGE, routing_key=key)
                               for key in self.binding_keys],
                     exclusive=True, auto_delete=True, durable=False)


# the exchange as a follower binds to it: declared by the topology, never by a follower
PASSIVE_EVENTS_EXCHANGE = Exchange(EVENTS_EXCHANGE.name, type="topic", durable=True,
                                   no_declare=True)

FOLLOWERS = (
    # each gateway's revocation view: no call to accounts to check a token
    Follower("gateway", "revocations", (contracts.TOKENS_REVOKED,)),
)


def follower(service, name):
    for found in FOLLOWERS:
        if (found.service, found.name) == (service, name):
            return found
    raise LookupError(f"no follower {service}.{name} in shared.topology.FOLLOWERS")


def subscription(service, name):
    for sub in SUBSCRIPTIONS:
        if (sub.service, sub.name) == (service, name):
            return sub
    raise LookupError(f"no subscription {service}.{name} in shared.topology.SUBSCRIPTIONS")


def consumer_queue(sub):
    return Queue(
        sub.queue_name,
        bindings=[binding(EVENTS_EXCHANGE, routing_key=key) for key in sub.binding_keys],
        durable=True,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE.name,
            "x-dead-letter-routing-key": sub.queue_name,
            # at-least-once dead-lettering: RabbitMQ keeps the message until the DLQ confirms
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )


def retry_queue_name(sub, delay_seconds):
    return f"{sub.queue_name}.retry-{round(delay_seconds * 1000)}ms"


def retry_queue(sub, delay_seconds):
    return Queue(
        retry_queue_name(sub, delay_seconds),
        durable=True,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-message-ttl": round(delay_seconds * 1000),
            "x-dead-letter-exchange": "",  # the default exchange: back to the consumer queue
            "x-dead-letter-routing-key": sub.queue_name,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )


def dead_letter_queue_name(sub):
    return f"{sub.queue_name}.dead"


def dead_letter_queue(sub):
    return Queue(
        dead_letter_queue_name(sub),
        exchange=DEAD_LETTER_EXCHANGE,
        routing_key=sub.queue_name,
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def queues(retry_delays):
    """Every queue of the topology, for ``retry_delays`` (seconds)."""
    for sub in SUBSCRIPTIONS:
        yield consumer_queue(sub)
        for delay in retry_delays:
            yield retry_queue(sub, delay)
        yield dead_letter_queue(sub)


def declare(connection, retry_delays):
    """Declare exchanges, queues and bindings; harmless to repeat."""
    channel = connection.default_channel
    EVENTS_EXCHANGE(channel).declare()
    DEAD_LETTER_EXCHANGE(channel).declare()
    for queue in queues(retry_delays):
        queue(channel).declare()
    for sub in SUBSCRIPTIONS:
        for key in sub.retired_keys:
            unbind_retired(connection, sub.queue_name, key)
    _log.info("topology declared: %d subscriptions", len(SUBSCRIPTIONS))


def unbind_retired(connection, queue_name, routing_key):
    """The binding of an event a queue no longer subscribes to, left by an older release:
    removed, so the broker stops delivering it (nothing if it is not there)."""
    channel = connection.channel()
    try:
        channel.queue_unbind(queue_name, EVENTS_EXCHANGE.name, routing_key)
    finally:
        channel.close()


RPC_QUEUE_ARGUMENTS = {"x-queue-type": "quorum"}
_INEQUIVALENT = 406  # PRECONDITION_FAILED: the queue exists with other arguments


def rpc_queue(service, exchange):
    """nameko's ``rpc-<service>`` request queue, as a quorum queue."""
    return Queue(f"rpc-{service}", exchange=exchange, routing_key=f"{service}.*", durable=True,
                 queue_arguments=RPC_QUEUE_ARGUMENTS)


def adopt_rpc_queue(connection, queue):
    """Declare ``queue`` (from :func:`rpc_queue`); a classic queue of that name, left by an
    installed system, is replaced when no instance consumes from it. Requests still in it are
    dropped and counted: their callers have been told the service is unavailable (their RPC
    timed out), and nothing they sent was carried out. While an older instance still consumes,
    this raises: every instance of the service must stop before the new code starts."""
    try:
        queue(connection.channel()).declare()
        return 0
    except connection.channel_errors as error:
        if getattr(error, "code", None) != _INEQUIVALENT:
            raise
    channel = connection.channel()
    _, waiting, consumers = channel.queue_declare(queue.name, passive=True)
    if consumers:
        raise RuntimeError(
            f"{queue.name} is still a classic queue with {consumers} consumer(s): stop every "
            f"instance of the service, then start them again (docs/cluster.md, 'RPC queues')")
    channel.queue_delete(queue.name, if_unused=True)
    queue(connection.channel()).declare()
    _log.warning("%s replaced by a quorum queue; %d request(s) left in the classic queue were "
                 "dropped (their callers had timed out)", queue.name, waiting)
    return waiting


def main():
    from shared.config import load_config_file, settings
    parser = argparse.ArgumentParser(description="Declare Sâu Sát's RabbitMQ topology.")
    parser.add_argument("--config", default=None, help="config file (default deploy/config.yml)")
    args = parser.parse_args()
    config = settings(load_config_file(args.config) if args.config else load_config_file())
    with Connection(config["AMQP_URI"]) as connection:
        declare(connection, config["EVENT_RETRY_DELAYS"])
    print(f"declared {len(SUBSCRIPTIONS)} subscriptions on {EVENTS_EXCHANGE.name}")


if __name__ == "__main__":
    main()
