"""Monitor service: the audit trail of every event, traces, dead letters, queues and alerts.

- Every event is recorded once (keyed by event id) with its correlation, causation and the
  concern, case and visit it is about; ``trace`` follows a concern, case or visit across
  services (``services.monitor.trail``). Operators see metadata only, never payloads.
- Queue figures come from RabbitMQ's management API (lagging a few seconds): depth,
  ready/unacknowledged, consumers, publish and deliver rates, age of the oldest message.
- Dead letters are read, replayed and discarded over AMQP (``services.monitor.dead_letters``);
  every replay and discard is recorded with who, when and why.
- Every ``ALERT_INTERVAL_SECONDS`` the alert rules (``services.monitor.alerts``) run; a new
  alert is raised and a gone one cleared as events, through the ``alerts`` outbox.
- Wait queues left by a changed ``EVENT_RETRY_DELAYS`` are reported and removable.
"""
import datetime as dt
import time
from logging import getLogger

import eventlet
from kombu import Connection
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy
from nameko.timer import Timer

from services.monitor import alerts as alert_rules
from services.monitor import dead_letters, trail
from services.monitor.queues import WAIT_QUEUE, queue_figures
from shared import contracts, topology
from shared.authorisation import actor_of, principal_from, require
from shared.config import settings
from shared.consumer import subscribe
from shared.contracts.rpc import operations as schemas
from shared.errors import Conflict, NotFound, Unavailable, load_payload
from shared.messaging import DEFAULT_EXCHANGE, ConfirmedPublisher
from shared.outbox import push_events
from shared.pages import read_page
from shared.rpc import rpc
from shared.storage import DuplicateKeyError
from shared.store import ReportsHealth, Store
from shared.topology import SUBSCRIPTIONS

_log = getLogger(__name__)


AUDIT_ORDER = [("occurred_at", -1), ("_id", -1)]
ACTIONS_ORDER = [("at", -1), ("_id", -1)]
HEALTH_TIMEOUT_SECONDS = 3
WATCHED_SERVICES = ("assignments", "visits", "escalations", "notifications", "accounts")


class AlertTimer(Timer):
    """nameko's timer every ``ALERT_INTERVAL_SECONDS``."""

    def __init__(self, eager=False, **kwargs):
        super().__init__(None, eager=eager, **kwargs)

    def setup(self):
        self.interval = settings(self.container.config)["ALERT_INTERVAL_SECONDS"]
        super().setup()


class MonitorService(ReportsHealth):
    name = "monitor"
    db = Store(outbox_collections=["alerts"],
               indexes={"audit_trail": [([("occurred_at", -1), ("_id", -1)], {}),
                                        ([("routing_key", 1), ("occurred_at", -1)], {}),
                                        ([("subjects.id", 1)], {}),
                                        ([("correlation_id", 1)], {})],
                        "dead_letter_actions": [([("at", -1), ("_id", -1)], {})],
                        "alerts": [([("active", 1), ("raised_at", -1)], {}),
                                   ([("raised_at", -1), ("_id", -1)], {})]})
    config = Config()
    assignments = RpcProxy("assignments")
    visits = RpcProxy("visits")
    escalations = RpcProxy("escalations")
    notifications = RpcProxy("notifications")
    accounts = RpcProxy("accounts")
    # queue -> epoch seconds it was first seen non-empty (quorum queues report no head age)
    nonempty_since = {}
    # alert key -> monotonic time its finding was first seen (see alerts.due)
    held_since = {}

    @subscribe("audit")
    def record_event(self, event):
        try:
            self.db.audit_trail.insert_one(trail.audit_entry(event))
        except DuplicateKeyError:
            pass  # recorded already: one entry per event

    @rpc
    def recent_events(self, query=None, principal=None):
        """The latest events. A user (an operator) sees their metadata only, never payloads
        (names and texts of concerns); ``principal`` None is an internal caller."""
        principal = require(principal_from(principal), "monitor.read")
        query = load_payload(schemas.RecentEventsQuery(), query or {}, "query")
        page = read_page(self.db.audit_trail, {}, AUDIT_ORDER, query)
        events = []
        for doc in page["items"]:
            event = {"event_id": doc["_id"], "routing_key": doc["routing_key"],
                     "occurred_at": doc["occurred_at"].isoformat(), "actor": doc.get("actor")}
            if principal is None:
                event["payload"] = doc["payload"]
            events.append(event)
        return {"events": events, "next_cursor": page["next_cursor"]}

    # --- the journey of a concern, case or visit ---------------------------------------------

    @rpc
    def trace(self, subject_id, principal=None):
        """Every event about a concern, case or visit (or of one correlation), in order, with
        the acting user and the time between steps; ids and timings only."""
        require(principal_from(principal), "monitor.read")
        subject_id = load_payload(schemas.TraceQuery(), {"subject_id": subject_id},
                                  "path")["subject_id"]
        projection = {"payload": 1, "routing_key": 1, "occurred_at": 1, "actor": 1,
                      "correlation_id": 1, "causation_id": 1}

        def find_about(value):
            return list(self.db.audit_trail.find({"subjects.id": value}, projection))

        entries = trail.collect(subject_id, find_about)
        if not entries:  # perhaps a correlation id: everything one request caused
            entries = list(self.db.audit_trail.find({"correlation_id": subject_id}, projection))
        if not entries:
            raise NotFound("no event is about this id", {"subject_id": [subject_id]})
        return {"subject_id": subject_id, "steps": trail.journey(entries)}

    # --- queues ------------------------------------------------------------------------------

    def _queues(self, config):
        return queue_figures(config, self.nonempty_since)

    @rpc
    def queue_overview(self, principal=None):
        require(principal_from(principal), "monitor.read")
        return self._queues(settings(self.config))

    # --- dead letters ------------------------------------------------------------------------

    @rpc
    def dead_letters(self, query=None, principal=None):
        """Each dead-letter queue with its depth and up to ``limit`` letters, oldest first."""
        require(principal_from(principal), "monitor.read")
        query = load_payload(schemas.DeadLettersQuery(), query or {}, "query")
        uri = settings(self.config)["AMQP_URI"]
        result = []
        for queue in self._dead_queues(query["queue"]):
            letters = dead_letters.peek(uri, queue, query["limit"])
            result.append({"queue": queue, "failed_on": queue[:-len(".dead")],
                           "depth": self._depth(uri, queue), "letters": letters})
        return {"queues": result}

    @rpc
    def dead_letter(self, letter_id, principal=None):
        """One dead letter with its traceback."""
        require(principal_from(principal), "monitor.read")
        letter_id = load_payload(schemas.LetterPath(), {"letter_id": letter_id},
                                 "path")["letter_id"]
        uri = settings(self.config)["AMQP_URI"]
        for queue in self._dead_queues(None):
            if not self._depth(uri, queue):
                continue
            for letter in dead_letters.peek(uri, queue, dead_letters.MAX_TAKEN,
                                            with_traceback=True):
                if letter["letter_id"] == letter_id:
                    return letter
        raise NotFound("no such dead letter (replayed or discarded already?)",
                       {"letter_id": [letter_id]})

    @rpc
    def replay_dead_letters(self, selection, principal=None):
        """Re-publish the chosen dead letters to the queues they failed on (confirmed), then
        remove them from the dead-letter queue; each replay recorded."""
        principal = require(principal_from(principal), "monitor.operate")
        selection = load_payload(schemas.DeadLetterSelection(), selection, "selection")
        config = settings(self.config)
        publisher = ConfirmedPublisher(config["AMQP_URI"])
        by = actor_of(principal)

        def replay(letter, message):
            at = dt.datetime.now(dt.timezone.utc)
            publisher.publish_raw(
                message.body, exchange=DEFAULT_EXCHANGE, routing_key=letter["failed_on"],
                content_type=message.properties.get("content_type"),
                content_encoding=message.properties.get("content_encoding"),
                headers=dead_letters.replay_headers(message, by, at.isoformat()))
            self._record("replayed", letter, by, at, selection["reason"])

        return self._act_on(selection, replay, config)

    @rpc
    def discard_dead_letters(self, selection, principal=None):
        """Remove the chosen dead letters for good, each discard recorded with its reason."""
        principal = require(principal_from(principal), "monitor.operate")
        selection = load_payload(schemas.DiscardSelection(), selection, "selection")
        by = actor_of(principal)

        def discard(letter, message):
            self._record("discarded", letter, by, dt.datetime.now(dt.timezone.utc),
                         selection["reason"])

        return self._act_on(selection, discard, settings(self.config))

    @rpc
    def dead_letter_actions(self, query=None, principal=None):
        """Replays and discards, newest first: who, when, why, which event."""
        require(principal_from(principal), "monitor.read")
        query = load_payload(schemas.ActionsQuery(), query or {}, "query")
        page = read_page(self.db.dead_letter_actions, {}, ACTIONS_ORDER, query)
        return {"actions": [{**{k: v for k, v in doc.items() if k != "_id"},
                             "action_id": doc["_id"], "at": doc["at"].isoformat()}
                            for doc in page["items"]],
                "next_cursor": page["next_cursor"]}

    def _dead_queues(self, queue):
        known = dead_letters.dead_letter_queues()
        if queue is None:
            return known
        if queue not in known:
            raise NotFound("no such dead-letter queue", {"queue": [queue]})
        return [queue]

    @staticmethod
    def _depth(uri, queue):
        with Connection(uri) as connection:
            return connection.default_channel.queue_declare(queue, passive=True).message_count

    def _act_on(self, selection, act, config):
        chosen = set(selection["letter_ids"]) if selection["letter_ids"] else None
        done = []
        for queue in self._dead_queues(selection["queue"]):
            if chosen is not None and not (chosen - {d["letter_id"] for d in done}):
                break
            if not self._depth(config["AMQP_URI"], queue):
                continue
            wanted = None if chosen is None else chosen - {d["letter_id"] for d in done}
            done += dead_letters.take(config["AMQP_URI"], queue, wanted, act)
        missing = sorted((chosen or set()) - {d["letter_id"] for d in done})
        if chosen is not None and not done:
            raise NotFound("no such dead letter (replayed or discarded already?)",
                           {"letter_ids": missing})
        return {"done": [{k: letter[k] for k in ("letter_id", "queue", "failed_on", "event_id",
                                                  "event_type")} for letter in done],
                "not_found": missing}

    def _record(self, action, letter, by, at, reason):
        self.db.dead_letter_actions.insert_one({
            "_id": contracts.new_id(), "action": action, "by": by, "at": at, "reason": reason,
            **{k: letter[k] for k in ("letter_id", "queue", "failed_on", "event_id",
                                      "event_type", "source", "attempts", "error")}})

    # --- alerts ------------------------------------------------------------------------------

    @AlertTimer.decorator
    def check_alerts(self):
        self.evaluate_alerts()

    def evaluate_alerts(self):
        config = settings(self.config)
        try:
            queues = self._queues(config)
        except Unavailable as error:
            _log.warning("alerts: queues unknown this round: %s", error)
            return None
        holding = alert_rules.due(
            alert_rules.evaluate(queues, self._health_of_all(),
                                 alert_rules.Thresholds.from_settings(config)),
            self.held_since, time.monotonic(), config["ALERT_HOLD_SECONDS"])
        active = {doc["_id"]: doc for doc in self.db.alerts.find({"active": True})}
        to_raise, to_clear = alert_rules.changes(active, holding)
        now = dt.datetime.now(dt.timezone.utc)
        for key in to_raise:
            alert = holding[key]
            raised = contracts.ALERT_RAISED.new({"alert_id": key, **alert, "raised_at": now})
            _log.warning("alert raised: %s (%s)", key, alert["detail"])
            self.db.alerts.update_one(
                {"_id": key}, push_events({"$set": {**alert, "active": True, "raised_at": now,
                                                    "cleared_at": None}}, [raised]),
                upsert=True)
        for key in to_clear:
            doc = active[key]
            cleared = contracts.ALERT_CLEARED.new({
                "alert_id": key, "kind": doc["kind"], "subject": doc["subject"],
                "raised_at": doc["raised_at"], "cleared_at": now})
            _log.info("alert cleared: %s", key)
            self.db.alerts.update_one({"_id": key, "active": True}, push_events(
                {"$set": {"active": False, "cleared_at": now}}, [cleared]))
        return {"raised": to_raise, "cleared": to_clear}

    def _health_of_all(self):
        replies, report = {}, {"monitor": self.health()}
        for name in WATCHED_SERVICES:
            try:
                replies[name] = getattr(self, name).health.call_async()
            except Exception as error:  # UnknownService: nobody consumes its RPC queue
                report[name] = {"service": name, "status": f"error: {type(error).__name__}"}
        for name, reply in replies.items():
            try:
                with eventlet.Timeout(HEALTH_TIMEOUT_SECONDS):
                    report[name] = reply.result()
            except eventlet.Timeout:
                report[name] = {"service": name, "status": "not answering"}
            except Exception as error:
                report[name] = {"service": name, "status": f"error: {type(error).__name__}"}
        return report

    @rpc
    def list_alerts(self, query=None, principal=None):
        require(principal_from(principal), "monitor.read")
        query = load_payload(schemas.AlertsQuery(), query or {}, "query")
        criteria = {"active": True} if query["state"] == "active" else {}
        # (active, raised_at) answers the active ones, (raised_at, _id) all of them
        order = [("raised_at", -1)] if criteria else [("raised_at", -1), ("_id", -1)]
        docs = self.db.alerts.find(criteria, {"outbox": 0, "outbox_pending": 0}) \
            .sort(order).limit(query["limit"])
        return {"alerts": [{
            "alert_id": doc["_id"], "kind": doc["kind"], "subject": doc["subject"],
            "detail": doc["detail"], "active": doc["active"],
            "raised_at": doc["raised_at"].isoformat(),
            "cleared_at": doc["cleared_at"].isoformat() if doc.get("cleared_at") else None}
            for doc in docs]}

    # --- housekeeping ------------------------------------------------------------------------

    @rpc
    def stale_wait_queues(self, principal=None):
        """Wait queues of retry delays no longer configured: what they hold still returns to
        its queue after its delay; an empty one can be removed."""
        require(principal_from(principal), "monitor.read")
        config = settings(self.config)
        wanted = {topology.retry_queue_name(sub, delay) for sub in SUBSCRIPTIONS
                  for delay in config["EVENT_RETRY_DELAYS"]}
        consumers = {sub.queue_name for sub in SUBSCRIPTIONS}
        stale = []
        for queue in self._queues(config):
            match = WAIT_QUEUE.match(queue["queue"])
            if match and match["queue"] in consumers and queue["queue"] not in wanted:
                stale.append({"queue": queue["queue"], "delay_ms": int(match["ms"]),
                              "messages": queue["messages"]})
        return {"configured_delays": config["EVENT_RETRY_DELAYS"], "stale": stale}

    @rpc
    def remove_wait_queues(self, removal, principal=None):
        """Delete stale wait queues, only if empty (a message waiting there is not lost)."""
        require(principal_from(principal), "monitor.operate")
        removal = load_payload(schemas.WaitQueuesRemoval(), removal, "removal")
        stale = {q["queue"]: q for q in self.stale_wait_queues(principal)["stale"]}
        unknown = [q for q in removal["queues"] if q not in stale]
        if unknown:
            raise NotFound("not a stale wait queue", {"queues": unknown})
        removed, kept = [], []
        with Connection(settings(self.config)["AMQP_URI"]) as connection:
            for queue in removal["queues"]:
                channel = connection.channel()
                try:
                    if channel.queue_declare(queue, passive=True).message_count:
                        kept.append(queue)
                        continue
                    channel.queue_delete(queue, if_empty=True)
                    removed.append(queue)
                finally:
                    try:
                        channel.close()
                    except Exception:  # the broker closed it on a refusal already
                        pass
        if kept and not removed:
            raise Conflict("messages still wait there; they return to their queue after "
                           "the delay, then remove it", {"queues": kept})
        return {"removed": removed, "kept_not_empty": kept}
