"""Monitor service: the audit trail of every event, traces, dead letters, queues and alerts.

- Every event is recorded once (keyed by event id) with its correlation, causation and the
  concern, case and visit it is about (``reactions``); ``trace`` follows a concern, case or
  visit across services (``queries``, rules in ``trail``). Operators see metadata only, never
  payloads.
- Queue figures come from RabbitMQ's management API (lagging a few seconds): depth,
  ready/unacknowledged, consumers, publish and deliver rates, age of the oldest message
  (``queues``).
- Dead letters are read, replayed and discarded over AMQP (``dead_letters``); every replay and
  discard is recorded with who, when and why.
- Every ``ALERT_INTERVAL_SECONDS`` the alert rules (``alerts``) judge the queues and the health
  of every backend service (``watch``); a new alert is raised and a gone one cleared as events,
  through the ``alerts`` outbox.
- Wait queues left by a changed ``EVENT_RETRY_DELAYS`` are reported and removable.

Every collection is read and written in ``store``.
"""
from nameko.dependency_providers import Config

from services.monitor import dead_letters, queries, queues, reactions, requests, store, watch
from services.monitor.dependencies import WATCHED_SERVICES, Findings, alert_timer
from services.monitor.settings import settings
from shared.authorisation import actor_of, principal_from, require
from shared.consumer import subscribe
from shared.contracts import utcnow
from shared.contracts.rpc import operations as schemas
from shared.errors import load_payload
from shared.retention import ACCESS_LOG
from shared.rpc import IdentifiedRpcProxy, rpc
from shared.store import ReportsHealth, Store


class MonitorService(ReportsHealth):
    name = "monitor"
    db = Store(outbox_collections=store.OUTBOX_COLLECTIONS, indexes=store.INDEXES,
               sweeps=[ACCESS_LOG])
    config = Config()
    findings = Findings()
    # every service of WATCHED_SERVICES, for its health (test_monitor_rules checks the list)
    assignments = IdentifiedRpcProxy("assignments")
    visits = IdentifiedRpcProxy("visits")
    escalations = IdentifiedRpcProxy("escalations")
    notifications = IdentifiedRpcProxy("notifications")
    accounts = IdentifiedRpcProxy("accounts")
    imports = IdentifiedRpcProxy("imports")
    members = IdentifiedRpcProxy("members")

    @subscribe("audit")
    def record_event(self, event):
        reactions.event_published(self.db, event)

    @rpc
    def recent_events(self, query=None, principal=None):
        """The latest events. A user (an operator) sees their metadata only, never payloads
        (names and texts of concerns); ``principal`` None is an internal caller."""
        principal = require(principal_from(principal), "monitor.read")
        query = load_payload(schemas.RecentEventsQuery(), query or {}, "query")
        return queries.recent_events(self.db, query, principal)

    # --- the journey of a concern, case or visit ---------------------------------------------

    @rpc
    def trace(self, subject_id, principal=None):
        require(principal_from(principal), "monitor.read")
        subject_id = load_payload(schemas.TraceQuery(), {"subject_id": subject_id},
                                  "path")["subject_id"]
        return queries.trace(self.db, subject_id)

    # --- who changed what ---------------------------------------------------------------------

    @rpc
    def changes_of(self, query, principal=None):
        """Who changed one administered record (user, unit, cadre, assignment, working group,
        authority), when and how, newest first: for administrators."""
        require(principal_from(principal), "audit.read")
        query = load_payload(schemas.ChangesQuery(), query, "query")
        return queries.changes_of(self.db, query)

    # --- reads of personal data -------------------------------------------------------------

    @rpc
    def personal_data_reads(self, query=None, principal=None):
        """Who read personal data (names and contacts of concerns' raisers, cadres' contacts,
        mail recipients), which records, when and why: for administrators."""
        require(principal_from(principal), "audit.read")
        query = load_payload(schemas.PersonalDataReadsQuery(), query or {}, "query")
        return queries.personal_data_reads(self.db, query)

    # --- requests from the people concerned ------------------------------------------------

    @rpc
    def record_data_subject_request(self, request, principal=None):
        """A person's request (access, correction, deletion, objection), due by law; every
        service holding people's data answers it by event."""
        principal = require(principal_from(principal), "audit.requests")
        request = load_payload(schemas.RecordRequest(), request, "request")
        return schemas.DataSubjectRequest().dump(requests.record_request(
            self.db, request, principal, utcnow(), settings(self.config)))

    @rpc
    def data_subject_requests(self, query=None, principal=None):
        require(principal_from(principal), "audit.requests")
        query = load_payload(schemas.RequestsQuery(), query or {}, "query")
        page = store.requests_page(self.db, query)
        return {"requests": schemas.DataSubjectRequest(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}

    @rpc
    def data_subject_request(self, request_id, principal=None):
        require(principal_from(principal), "audit.requests")
        path = load_payload(schemas.RequestPath(), {"request_id": request_id}, "path")
        return schemas.DataSubjectRequest().dump(
            requests.get_request(self.db, path["request_id"]))

    @rpc
    def close_data_subject_request(self, request_id, outcome, principal=None):
        """The outcome told to the person: the request is closed."""
        principal = require(principal_from(principal), "audit.requests")
        path = load_payload(schemas.RequestPath(), {"request_id": request_id}, "path")
        outcome = load_payload(schemas.RequestOutcome(), outcome, "outcome")
        return schemas.DataSubjectRequest().dump(requests.close_request(
            self.db, path["request_id"], outcome["outcome"], principal, utcnow()))

    # --- queues ------------------------------------------------------------------------------

    @rpc
    def queue_overview(self, principal=None):
        require(principal_from(principal), "monitor.read")
        return queries.queue_overview(settings(self.config), self.findings)

    # --- dead letters ------------------------------------------------------------------------

    @rpc
    def dead_letters(self, query=None, principal=None):
        """Each dead-letter queue with its depth and up to ``limit`` letters, oldest first."""
        require(principal_from(principal), "monitor.read")
        query = load_payload(schemas.DeadLettersQuery(), query or {}, "query")
        return dead_letters.listing(settings(self.config)["AMQP_URI"], query["queue"],
                                    query["limit"])

    @rpc
    def dead_letter(self, letter_id, principal=None):
        """One dead letter with its traceback."""
        require(principal_from(principal), "monitor.read")
        letter_id = load_payload(schemas.LetterPath(), {"letter_id": letter_id},
                                 "path")["letter_id"]
        return dead_letters.find_letter(settings(self.config)["AMQP_URI"], letter_id)

    @rpc
    def replay_dead_letters(self, selection, principal=None):
        """Re-publish the chosen dead letters to the queues they failed on (confirmed), then
        remove them from the dead-letter queue; each replay recorded."""
        principal = require(principal_from(principal), "monitor.operate")
        selection = load_payload(schemas.DeadLetterSelection(), selection, "selection")
        return dead_letters.replay(self.db, selection, actor_of(principal),
                                   settings(self.config))

    @rpc
    def discard_dead_letters(self, selection, principal=None):
        """Remove the chosen dead letters for good, each discard recorded with its reason."""
        principal = require(principal_from(principal), "monitor.operate")
        selection = load_payload(schemas.DiscardSelection(), selection, "selection")
        return dead_letters.discard(self.db, selection, actor_of(principal),
                                    settings(self.config))

    @rpc
    def dead_letter_actions(self, query=None, principal=None):
        """Replays and discards, newest first: who, when, why, which event."""
        require(principal_from(principal), "monitor.read")
        query = load_payload(schemas.ActionsQuery(), query or {}, "query")
        return queries.dead_letter_actions(self.db, query)

    # --- alerts ------------------------------------------------------------------------------

    @alert_timer
    def check_alerts(self):
        watched = {name: getattr(self, name) for name in WATCHED_SERVICES}
        watch.check_alerts(self.db, settings(self.config), self.findings, self.health(),
                           watched)

    @rpc
    def list_alerts(self, query=None, principal=None):
        require(principal_from(principal), "monitor.read")
        query = load_payload(schemas.AlertsQuery(), query or {}, "query")
        return queries.list_alerts(self.db, query)

    # --- housekeeping ------------------------------------------------------------------------

    @rpc
    def stale_wait_queues(self, principal=None):
        """Wait queues of retry delays no longer configured: what they hold still returns to
        its queue after its delay; an empty one can be removed."""
        require(principal_from(principal), "monitor.read")
        return queries.stale_wait_queues(settings(self.config), self.findings)

    @rpc
    def remove_wait_queues(self, removal, principal=None):
        """Delete stale wait queues, only if empty (a message waiting there is not lost)."""
        require(principal_from(principal), "monitor.operate")
        removal = load_payload(schemas.WaitQueuesRemoval(), removal, "removal")
        return queues.remove_wait_queues(settings(self.config), self.findings.nonempty_since,
                                         removal["queues"])
