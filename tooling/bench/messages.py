"""What one request costs in broker traffic: publishes, deliveries and RPC round trips per
service, counted on RabbitMQ's firehose (``amq.rabbitmq.trace``), not sampled.

:class:`Firehose` switches tracing on for one vhost (through the management API, like
``rabbitmqctl trace_on -p``) and binds a queue of its own to the trace exchange: RabbitMQ copies
there every publish (routing key ``publish.<exchange>``) and every delivery (``deliver.<queue>``)
on the vhost, with the original properties and headers in the copy's headers.

:func:`tally` keeps what one correlation id caused and says which service did it:

- an event (``sausat.events``, or a retry re-publish) carries ``correlation_id`` and ``source``
  in its JSON envelope; a re-publish by a subscriber names its queue (``x-sausat-queue``); an
  event a timer sent later because of one of those (a mail) names it as its cause;
- an RPC request carries ``nameko.correlation_id`` and the caller's ``nameko.call_id_stack``
  in its headers (the gateway gives each HTTP request one, ``X-Correlation-Id``); it is one
  round trip of its caller;
- an RPC reply matches its request by the AMQP ``correlation_id`` property and is published by
  the callee;
- a delivery is counted for the service whose queue it came from.

Timers and everyone else's traffic carry other correlation ids and are left out. Example::

    with Firehose(management_uri, amqp_uri) as firehose:
        counted = measure(firehose, lambda cid: post_visit(headers={CORRELATION: cid}))
    counted.counts   # {"visits": {"publishes": 2, "deliveries": 1, "rpc_calls": 0}, ...}
"""
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from kombu import Connection, Exchange, Queue
from nameko.testing.rabbit import Client

from shared.messaging import QUEUE_HEADER
from shared.topology import EVENTS_EXCHANGE

TRACE_EXCHANGE = Exchange("amq.rabbitmq.trace", type="topic", durable=True, internal=True,
                          passive=True)
KINDS = ("publishes", "deliveries", "rpc_calls")
CORRELATION_HEADER = "nameko.correlation_id"
CALLER_HEADER = "nameko.call_id_stack"
REPLY_QUEUE_PREFIX = "rpc.reply-"  # nameko: rpc.reply-<service>-<uuid>
RPC_QUEUE_PREFIX = "rpc-"          # nameko: rpc-<service>


@dataclass(frozen=True)
class Trace:
    """One copy from the firehose: a publish or a delivery."""
    kind: str           # "publish" or "deliver"
    where: str          # the exchange published to, or the queue delivered from
    routing_key: str
    properties: dict
    body: bytes

    @property
    def headers(self):
        return self.properties.get("headers") or {}

    def envelope(self):
        """The event envelope in the body, or None (an RPC body, or not JSON)."""
        try:
            body = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) and "event_id" in body else None


def _trace(message):
    kind, _, where = message.delivery_info["routing_key"].partition(".")
    headers = message.headers or {}
    keys = headers.get("routing_keys") or [""]
    return Trace(kind, where, keys[0], dict(headers.get("properties") or {}), message.body)


class Firehose:
    """Every publish and delivery on the vhost of ``amqp_uri`` while it is open."""

    def __init__(self, management_uri, amqp_uri):
        self.manager = Client(management_uri)
        self.amqp_uri = amqp_uri
        self.vhost = unquote(urlparse(amqp_uri).path.lstrip("/")) or "/"
        self.traces = []
        self._connection = self._queue = None

    def __enter__(self):
        self._connection = Connection(self.amqp_uri)
        try:
            channel = self._connection.channel()
            self._queue = Queue(f"firehose-{uuid.uuid4().hex[:8]}", TRACE_EXCHANGE,
                                routing_key="#", exclusive=True, auto_delete=True,
                                durable=False)(channel)
            self._queue.declare()
            self._tracing(True)
        except Exception:
            self._connection.release()
            raise
        return self

    def __exit__(self, *exc):
        try:
            self._tracing(False)
        finally:
            self._connection.release()

    def _tracing(self, on):
        self.manager._put("vhosts", self.vhost, json={"tracing": on})

    def collect(self):
        """Take every copy waiting in the queue; returns how many were new."""
        taken = 0
        while (message := self._queue.get(no_ack=True)) is not None:
            self.traces.append(_trace(message))
            taken += 1
        return taken

    def wait_until_quiet(self, correlation_id, quiet_seconds=2.0, timeout=60.0):
        """Collect until nothing more of ``correlation_id`` came for ``quiet_seconds``."""
        deadline = time.monotonic() + timeout
        seen, quiet_since = -1, time.monotonic()
        while True:
            self.collect()
            now = len(tally(self.traces, correlation_id).lines)
            if now != seen:
                seen, quiet_since = now, time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_seconds:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"traffic of {correlation_id} still coming after {timeout} s")
            time.sleep(0.1)


@dataclass
class Tally:
    """Per service, publishes / deliveries / RPC round trips; ``lines`` says what each was."""
    counts: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)

    def add(self, service, kind, line):
        self.counts.setdefault(service, dict.fromkeys(KINDS, 0))[kind] += 1
        self.lines.append(f"{service:<14} {kind:<10} {line}")


def caller_of(headers):
    """The service whose worker made an RPC request: the last call id of its stack."""
    stack = headers.get(CALLER_HEADER) or ["standalone"]
    return str(stack[-1]).split(".", 1)[0]


def service_of_queue(name):
    if name.startswith(REPLY_QUEUE_PREFIX):
        return name[len(REPLY_QUEUE_PREFIX):].split("-", 1)[0]
    if name.startswith(RPC_QUEUE_PREFIX):
        return name[len(RPC_QUEUE_PREFIX):]
    return name.split(".", 1)[0]


def events_of(traces, correlation_id):
    """The ids of the events ``correlation_id`` caused: those correlated with it, and those
    that name one of them as their cause (a mail sent later by a timer names the event that
    asked for it, ``cause_event_id``, but starts a chain of its own)."""
    envelopes = [e for t in traces if t.kind == "publish" and (e := t.envelope())]
    ours, grown = set(), True
    while grown:
        before = len(ours)
        for envelope in envelopes:
            cause = (envelope.get("payload") or {}).get("cause_event_id")
            if envelope.get("correlation_id") == correlation_id \
                    or envelope.get("causation_id") in ours or cause in ours:
                ours.add(envelope["event_id"])
        grown = len(ours) > before
    return ours


def tally(traces, correlation_id):
    """What ``correlation_id`` caused, attributed to services (see the module's doc)."""
    counted = Tally()
    events = events_of(traces, correlation_id)
    requests = {}  # AMQP correlation_id of an RPC request → (caller, callee, method)
    for trace in traces:
        if trace.kind == "publish" and trace.properties.get("reply_to") \
                and trace.headers.get(CORRELATION_HEADER) == correlation_id:
            caller, method = caller_of(trace.headers), trace.routing_key
            requests[trace.properties.get("correlation_id")] = (
                caller, method.split(".", 1)[0], method)
            counted.add(caller, "publishes", f"RPC request {method}")
            counted.add(caller, "rpc_calls", f"{method}")
    for trace in traces:
        request = None if trace.properties.get("reply_to") \
            else requests.get(trace.properties.get("correlation_id"))
        envelope = None if request else trace.envelope()
        if envelope and envelope["event_id"] not in events:
            envelope = None
        if trace.kind == "publish":
            if request:
                counted.add(request[1], "publishes", f"RPC reply of {request[2]}")
            elif envelope:
                by = envelope.get("source") if trace.where == EVENTS_EXCHANGE.name \
                    else service_of_queue(trace.headers.get(QUEUE_HEADER, trace.routing_key))
                counted.add(by, "publishes", f"event {envelope.get('source')}."
                            f"{envelope.get('event_type')} → {trace.where or trace.routing_key}")
        elif trace.kind == "deliver":
            if request:
                what = f"RPC reply of {request[2]}"
            elif envelope:
                what = f"event {envelope.get('source')}.{envelope.get('event_type')}"
            elif trace.headers.get(CORRELATION_HEADER) == correlation_id:
                what = f"RPC request {trace.routing_key}"
            else:
                continue
            counted.add(service_of_queue(trace.where), "deliveries", f"{what} from {trace.where}")
    return counted


def new_correlation_id(scenario):
    return f"budget-{scenario.replace('_', '-')}-{uuid.uuid4().hex[:12]}"


def measure(firehose, act, scenario="request", settle=None, quiet_seconds=2.0, timeout=60.0):
    """Run ``act(correlation_id)`` (it sends the request under that id), wait until the
    system is quiet, and tally what the request caused. ``settle()``, if given, waits for the
    system's own signs of quiet before and after: the act then starts from a still system."""
    correlation_id = new_correlation_id(scenario)
    if settle is not None:
        settle()
    act(correlation_id)
    if settle is not None:
        settle()
    firehose.wait_until_quiet(correlation_id, quiet_seconds, timeout)
    return tally(firehose.traces, correlation_id)


def table(counts, budget=None):
    """A plain-text table of ``counts`` per service (and ``budget`` beside it, if given)."""
    services = sorted(set(counts) | set(budget or {}))
    zero = dict.fromkeys(KINDS, 0)
    heading = f"{'service':<14}" + "".join(f"{kind:>22}" for kind in KINDS)
    lines = [heading]
    for service in services + ["total"]:
        if service == "total":
            got = {k: sum(c[k] for c in counts.values()) for k in KINDS}
            allowed = {k: sum(c[k] for c in (budget or {}).values()) for k in KINDS}
        else:
            got, allowed = counts.get(service, zero), (budget or {}).get(service, zero)
        cells = [f"{got[k]} (budget {allowed[k]})" if budget is not None else str(got[k])
                 for k in KINDS]
        lines.append(f"{service:<14}" + "".join(f"{cell:>22}" for cell in cells))
    return "\n".join(lines)
