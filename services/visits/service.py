"""Visits service: logs visits to branch meetings, raises their concerns, and brings the
answers back to the branch.

The entrypoints only: each decodes its request, calls a plain function and encodes the reply.
Logging and amending a visit (one insert with its events, one per ``submission_id``; a new
version within the window) are in ``logbook``; who may log where is decided by ``rules`` from
the service's own read model, which ``reactions`` keeps from other services' events; the reads
(the branch brief, visits by branch, cadre and period, the meeting record) are in ``queries``;
only ``store`` touches the collections.
"""
from services.visits import (
    attachments,
    contacts,
    logbook,
    queries,
    raiser_mail,
    reactions,
    redacting,
    retention,
    store,
    upkeep,
)
from services.visits.dependencies import VisitRules, retention_timer
from services.visits.store import attachments as attachment_store
from shared.authorisation import principal_from, require
from shared.consumer import subscribe
from shared.contracts import RedactWords
from shared.contracts.reuse import reused
from shared.contracts.rpc import attachments as attachment_schemas
from shared.contracts.rpc import visits as schemas
from shared.contracts.rpc.contacts import ContactRecorded, RecordContact
from shared.errors import Forbidden, InvalidInput, load_payload
from shared.files import FileStore
from shared.pages import PageQuery
from shared.retention import ACCESS_LOG
from shared.rpc import rpc
from shared.store import ReportsHealth, Store


class VisitsService(ReportsHealth):
    name = "visits"
    db = Store(outbox_collections=store.OUTBOX_COLLECTIONS,
               indexes={**store.INDEXES, **attachment_store.INDEXES},
               migrations=upkeep.MIGRATIONS, sweeps=[ACCESS_LOG])
    rules = VisitRules()
    files = FileStore()

    # --- the read model, kept from events -----------------------------------------------------

    @subscribe("assignment_made")
    def record_assignment(self, event):
        reactions.record_assignment(self.db, event)

    @subscribe("unit_registered")
    def record_unit(self, event):
        reactions.record_unit(self.db, event)

    @subscribe("unit_reorganised")
    def follow_reorganisation(self, event):
        reactions.follow_reorganisation(self.db, event)

    @subscribe("registry")
    def record_registry(self, event):
        """Working groups formed or changed, and assignments ended."""
        reactions.record_registry(self.db, event)

    @subscribe("case_answered")
    def record_answer(self, event):
        reactions.record_answer(self.db, event)

    @subscribe("case_life")
    def record_case_event(self, event):
        reactions.record_case_event(self.db, event)

    @rpc
    def get_unit(self, unit_id):
        return queries.get_unit(self.db, unit_id)

    @rpc
    def knows_assignment(self, cadre_id, unit_id):
        """Whether the read model has an assignment of this cadre to this unit (for loaders)."""
        return queries.knows_assignment(self.db, cadre_id, unit_id)

    @rpc
    def knows_working_group(self, working_group_id):
        """Whether the read model has this working group (for loaders and tests)."""
        return queries.knows_working_group(self.db, working_group_id)

    @subscribe("data_subject_requests")
    def answer_data_subject_request(self, event):
        """A person's request: their concerns found, and removed for a deletion."""
        retention.answer_request(
            self.db, event.payload, self.rules.clock.now(),
            lambda concern_ids: attachments.forget_of_concerns(self.db, self.files, concern_ids))

    @retention_timer
    def sweep_raisers(self):
        """Who raised the concerns of visits idle past the retention period, removed."""
        now = self.rules.clock.now()
        return {**retention.sweep_raisers(self.db, now, self.rules.raisers_kept_for),
                "addresses_deleted": raiser_mail.sweep(self.db, now,
                                                       self.rules.addresses_kept_for),
                **attachments.sweep(self.db, self.files, now,
                                    self.rules.attachment_limits.unattached_for)}

    @rpc
    def raiser_to_tell(self, concern_id):
        """Notifications, when the answer arrives: where the raiser asked to be told (and the
        unsubscribe token of its link), or None (shared.callers lets notifications alone)."""
        return raiser_mail.to_tell(self.db, str(concern_id))

    @rpc
    def unsubscribe_raiser(self, token):
        """The link in the raiser's mail: their address deleted; False when none had it."""
        if not isinstance(token, str) or not 10 <= len(token) <= 100:
            raise InvalidInput("not an unsubscribe link", {"token": ["malformed"]})
        return raiser_mail.unsubscribe(self.db, token)

    # --- logging and amending a visit ---------------------------------------------------------

    @rpc
    def log_visit(self, visit, principal):
        principal = require(principal_from(principal), "visits.log")
        if principal is None:  # no internal caller logs visits: the cadre is who signed in
            raise InvalidInput("a visit is logged by a signed-in cadre",
                               {"principal": ["required"]})
        request_schema = reused(schemas.LogVisit)
        visit = load_payload(request_schema, visit, "visit")
        stored, replayed = logbook.log_visit(self.db, self.rules.clock, visit,
                                             request_schema.dump(visit), principal,
                                             self.rules.attachment_limits)
        return {**reused(schemas.Visit).dump(stored), "replayed": replayed}

    @rpc
    def amend_visit(self, visit_id, amendment, principal):
        """A new version of the author's own visit, within the window; concerns already
        raised are kept or withdrawn, new ones raised. Once per amendment ``submission_id``."""
        principal = require(principal_from(principal), "visits.log")
        if principal is None:
            raise InvalidInput("a visit is amended by its signed-in author",
                               {"principal": ["required"]})
        request_schema = schemas.AmendVisit()
        request = load_payload(request_schema, amendment, "amendment")
        current, replayed = logbook.amend_visit(self.db, self.rules.clock,
                                                self.rules.amend_window, visit_id,
                                                request_schema.dump(request), principal,
                                                self.rules.attachment_limits)
        return {**schemas.Visit().dump(current), "replayed": replayed}

    @rpc
    def record_contact(self, given, principal=None):
        """The concerns raised at a contact with a Party member or family (issue 29): only the
        members service calls it (``shared.callers``), having checked who logs the contact;
        the record names no member."""
        if principal is not None:
            raise Forbidden("a contact is logged through the members service",
                            {"principal": ["not accepted here"]})
        request_schema = RecordContact()
        given = load_payload(request_schema, given, "contact")
        document, replayed = contacts.record_contact(self.db, self.rules.clock, given,
                                                     request_schema.dump(given))
        return ContactRecorded().dump(contacts.recorded(document, replayed))

    # --- attachments: uploaded first, then named by the visit (docs/attachments.md) ----------

    @rpc
    def upload_attachment(self, upload, principal):
        """A photo or document of the signed-in cadre, checked and stored; the same bytes
        again answer the same attachment (``replayed``)."""
        principal = require(principal_from(principal), "visits.log")
        if principal is None:
            raise InvalidInput("an attachment is uploaded by a signed-in cadre",
                               {"principal": ["required"]})
        upload = load_payload(attachment_schemas.UploadAttachment(), upload, "upload")
        stored, replayed = attachments.upload(
            self.db, self.files, self.rules.clock.now(), self.rules.attachment_limits,
            upload["filename"], attachments.decoded(upload["content"]), principal.cadre_id)
        return {**attachment_schemas.Attachment().dump(attachments.reference(stored)),
                "replayed": replayed}

    @rpc
    def download_attachment(self, attachment_id, principal, concern_id=None, thumbnail=False):
        """An attachment's bytes (base64), or its thumbnail's: the cadre's own; or, with
        ``principal`` None, one on ``concern_id`` (the gateway asked escalations whether the
        officer's authority holds its case)."""
        principal = require(principal_from(principal), "visits.read")
        document, data = attachments.read(self.db, self.files, str(attachment_id),
                                          principal.cadre_id if principal else None,
                                          concern_id, thumbnail is True)
        return attachments.download(document, data)

    # --- reading visits and concerns ----------------------------------------------------------

    @rpc
    def get_visit(self, visit_id, principal):
        principal = require(principal_from(principal), "visits.read")
        return schemas.Visit().dump(queries.visit(self.db, visit_id, principal))

    @rpc
    def get_visit_version(self, visit_id, version, principal):
        """A visit as it stood at ``version`` (1: as first logged): the cadre's own."""
        principal = require(principal_from(principal), "visits.read")
        return schemas.Visit().dump(queries.visit_version(self.db, visit_id, version, principal))

    @rpc
    def get_concern(self, concern_id, principal):
        """A concern as raised: a cadre's own only; an authority officer's reads (``principal``
        None) without who raised it by name or contact."""
        principal = require(principal_from(principal), "concerns.read")
        return schemas.RaisedConcern().dump(queries.concern(self.db, concern_id, principal))

    @rpc
    def redact_concern(self, concern_id, request, principal):
        """The cadre who carried a concern redacts personal details typed into its summary,
        everywhere it is kept (``redacting``); the concern as they now see it."""
        principal = require(principal_from(principal), "concerns.redact")
        if principal is None:
            raise InvalidInput("a concern is redacted by its signed-in cadre",
                               {"principal": ["required"]})
        request = load_payload(RedactWords(), request, "redaction")
        redacting.redact_concern(self.db, concern_id, request["words"], principal,
                                 self.rules.clock.now())
        return schemas.RaisedConcern().dump(queries.concern(self.db, concern_id, principal))

    @rpc
    def visits_of_cadre(self, query, principal):
        """The signed-in cadre's own visits, newest meeting first (paged), each concern with
        the answer that came back, if any."""
        principal = require(principal_from(principal), "visits.read")
        if principal is None:
            raise InvalidInput("a cadre's visits are read by the cadre",
                               {"principal": ["required"]})
        query = load_payload(PageQuery(), query or {}, "query")
        return queries.visits_of_cadre(self.db, principal, query)

    @rpc
    def list_visits(self, query, principal):
        principal = require(principal_from(principal), "visits.list")
        query = load_payload(schemas.VisitsQuery(), query or {}, "query")
        return schemas.VisitsPage().dump(queries.list_visits(self.db, query, principal))

    @rpc
    def unscheduled_visits(self, query, principal):
        require(principal_from(principal), "visits.unscheduled")
        query = load_payload(schemas.UnscheduledQuery(), query or {}, "query")
        return schemas.VisitsPage().dump(queries.unscheduled_visits(self.db, query))

    # --- a branch: its brief and its year -----------------------------------------------------

    @rpc
    def branch_brief(self, unit_id, query, principal):
        """Before a visit: the branch's open concerns, the answers to read out, what is
        overdue, and the last visits."""
        principal = require(principal_from(principal), "visits.brief")
        query = load_payload(schemas.BriefQuery(), query or {}, "query")
        return schemas.Brief().dump(queries.branch_brief(self.db, unit_id, query, principal,
                                                         self.rules.clock.today()))

    @rpc
    def meeting_record(self, unit_id, query, principal):
        principal = require(principal_from(principal), "visits.record")
        query = load_payload(schemas.MeetingRecordQuery(), query or {}, "query")
        return schemas.MeetingRecord().dump(queries.meeting_record(
            self.db, unit_id, query["year"], principal, self.rules.clock.today()))
