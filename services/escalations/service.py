"""Escalations service: carries each raised concern, as a case, from routing to its answer.

It routes each ``concern_raised`` (``routing``) or joins it to a chosen open case (``joining``),
once however often it arrives; ``act_on_case`` applies ``case_life`` in one update conditional
on the case's version, with the authority's documents (``case_attachments``); a timer reminds
and escalates what nobody acted on. Every RPC a user reaches takes the signed ``principal``
(None: a trusted internal caller), whose role ``shared.authorisation.PERMISSIONS`` must allow; a
case not theirs to see (``access``) is 404 like a missing one."""
from services.escalations import (
    acting,
    calendars,
    case_attachments,
    case_life,
    data_subjects,
    following,
    joining,
    officers,
    queries,
    reactions,
    redacting,
    registry_upkeep,
    rosters,
    store,
    upkeep,
)
from services.escalations import metrics as case_metrics
from services.escalations.dependencies import CaseRules, sweep_timer
from shared.attachment_records import decoded, download, reference
from shared.authorisation import principal_from, require, signed_in
from shared.consumer import subscribe
from shared.contracts import RedactWords
from shared.contracts.reuse import reused
from shared.contracts.rpc import attachments as attachment_schemas
from shared.contracts.rpc import authorities as registry_schemas
from shared.contracts.rpc import calendars as calendar_schemas
from shared.contracts.rpc import cases as schemas
from shared.contracts.rpc import receipts as receipt_schemas
from shared.contracts.rpc import rosters as roster_schemas
from shared.contracts.rpc import similar as similar_schemas
from shared.errors import InvalidInput, load_payload
from shared.files import FileStore
from shared.gauges import Gauges
from shared.rpc import rpc
from shared.store import ReportsHealth, Store


class EscalationsService(ReportsHealth):
    name = "escalations"
    db = Store(outbox_collections=store.OUTBOX_COLLECTIONS, indexes=store.INDEXES,
               migrations=upkeep.MIGRATIONS)
    files = FileStore()  # the authority's documents' bytes (case_attachments)
    rules = CaseRules()
    # cases by state and overdue, for Prometheus (refreshed in the background)
    case_gauges = Gauges(case_metrics.case_figures, case_metrics.GAUGES)

    # --- the registry: authorities and routing rules ----------------------------------------

    @rpc
    def register_authority(self, authority, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        authority = load_payload(schemas.RegisterAuthority(), authority, "authority")
        return schemas.Authority().dump(
            registry_upkeep.register_authority(self.db, authority, principal))

    @rpc
    def change_authority(self, authority_id, changes, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        schema = registry_schemas.ChangeAuthority()
        changes = schema.dump(load_payload(schema, changes, "authority changes"))
        return registry_schemas.DatedAuthority().dump(
            registry_upkeep.change_authority(self.db, authority_id, changes, principal))

    @rpc
    def retire_authority(self, authority_id, retirement, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        retired_on = load_payload(registry_schemas.RetireAuthority(), retirement,
                                  "retirement")["retired_on"]
        return registry_schemas.DatedAuthority().dump(
            registry_upkeep.retire_authority(self.db, authority_id, retired_on, principal))

    @rpc
    def get_authority(self, authority_id):
        # dated: an authority's page says whether it is retired
        return registry_schemas.DatedAuthority().dump(queries.get_authority(self.db,
                                                                             authority_id))

    @rpc
    def list_authorities(self, query=None):
        """Authorities a page at a time; with ``as_of``, those in service that day."""
        query = load_payload(registry_schemas.RegistryQuery(), query or {}, "query")
        found = queries.list_authorities(self.db, query)
        return {**found, "authorities": registry_schemas.DatedAuthority(many=True).dump(
            found["authorities"])}

    @rpc
    def search_authorities(self, query):
        query = load_payload(registry_schemas.SearchQuery(), query, "search")
        found = queries.search_authorities(self.db, query)
        return {"authorities": registry_schemas.DatedAuthority(many=True).dump(
            found["authorities"])}

    @rpc
    def authority_names(self, query):
        """The names of a page's authorities, in one call (ended ones too)."""
        query = load_payload(registry_schemas.AuthorityNamesQuery(), query, "query")
        names = queries.authority_names(self.db, sorted(set(query["authority_ids"])))
        return {"authorities": registry_schemas.AuthorityName(many=True).dump(
            [{"authority_id": key, "name": name} for key, name in names.items()])}

    @rpc
    def add_routing_rule(self, rule, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        rule = load_payload(schemas.AddRoutingRule(), rule, "routing rule")
        return schemas.RoutingRule().dump(
            registry_upkeep.add_routing_rule(self.db, rule, principal))

    @rpc
    def change_routing_rule(self, rule_id, change, principal=None):
        """Retire a rule (``effective_to``) or hand it to another authority from a day."""
        principal = require(principal_from(principal), "registry.manage")
        change = load_payload(registry_schemas.ChangeRoutingRule(), change,
                              "routing rule change")
        return registry_schemas.RuleChanged().dump(
            registry_upkeep.change_routing_rule(self.db, rule_id, change, principal))

    @rpc
    def list_routing_rules(self, query=None):
        """Routing rules a page at a time; with ``as_of``, those in force that day."""
        query = load_payload(registry_schemas.RegistryQuery(), query or {}, "query")
        found = queries.list_routing_rules(self.db, query)
        return {**found, "routing_rules": schemas.RoutingRule(many=True).dump(
            found["routing_rules"])}

    # --- reply templates -------------------------------------------------------------------

    @rpc
    def add_reply_template(self, template, principal=None):
        """A reply template an officer adds for their own authority."""
        principal = require(principal_from(principal), "templates.manage")
        template = load_payload(schemas.AddReplyTemplate(), template, "reply template")
        return schemas.ReplyTemplate().dump(registry_upkeep.add_reply_template(
            self.db, template, principal, self.rules.clock.now()))

    @rpc
    def change_reply_template(self, template_id, changes, principal=None):
        """An officer changes their authority's template (kept: who changed which fields)."""
        principal = require(principal_from(principal), "templates.manage")
        changes = load_payload(schemas.ChangeReplyTemplate(), changes, "reply template change")
        return schemas.ReplyTemplate().dump(registry_upkeep.change_reply_template(
            self.db, template_id, changes, principal, self.rules.clock.now()))

    @rpc
    def delete_reply_template(self, template_id, principal=None):
        """An officer deletes their authority's template: no longer listed nor usable."""
        principal = require(principal_from(principal), "templates.manage")
        return schemas.ReplyTemplate().dump(registry_upkeep.delete_reply_template(
            self.db, template_id, principal, self.rules.clock.now()))

    @rpc
    def list_reply_templates(self, query, principal=None):
        """An authority's reply templates: its own officers' only (another's: 404)."""
        principal = require(principal_from(principal), "templates.manage")
        query = load_payload(schemas.ReplyTemplatesQuery(), query, "query")
        return {"templates": schemas.ReplyTemplate(many=True).dump(
            queries.list_reply_templates(self.db, query, principal))}

    # --- acting on a case -------------------------------------------------------------------

    @rpc
    def act_on_case(self, case_id, action, args=None, principal=None):
        """Apply ``action`` as the signed-in ``principal``: a role that may never take it, 403;
        a case not theirs to see, 404; a side that may not take it now, 403."""
        principal = signed_in(require(principal_from(principal), "cases.act"),
                              "a case is acted on")
        if action not in schemas.ACTION_ARGUMENTS:
            raise InvalidInput("unknown action",
                               {"action": [f"must be one of: {', '.join(case_life.ACTIONS)}"]})
        require(principal, f"cases.{action}")
        args = load_payload(schemas.ACTION_ARGUMENTS[action](), args or {}, f"{action} request")
        return schemas.CaseWithTimeline().dump(
            acting.act_on_case(self.db, self.rules, case_id, action, args, principal))

    @rpc
    def upload_case_attachment(self, case_id, upload, principal=None):
        """A document for the case's next step (``case_attachments``); idempotent by content."""
        principal = require(principal_from(principal), "cases.act")
        upload = load_payload(attachment_schemas.UploadAttachment(), upload, "upload")
        stored, replayed = case_attachments.upload(
            self.db, self.files, self.rules.clock.now(), self.rules.attachment_limits, case_id,
            upload["filename"], decoded(upload["content"]), principal)
        return {**attachment_schemas.Attachment().dump(reference(stored)), "replayed": replayed}

    @rpc
    def download_case_attachment(self, case_id, attachment_id, principal=None, thumbnail=False):
        """A document of the case (or a photo's thumbnail): to whom may see it, else 404."""
        principal = require(principal_from(principal), "cases.read")
        return download(*case_attachments.read(self.db, self.files, case_id, attachment_id,
                                               principal, bool(thumbnail)))

    @rpc
    def name_officers(self, case_id, naming, principal=None):
        """The head of the holding authority names who else reads a confidential case."""
        principal = require(principal_from(principal), "cases.name_officers")
        naming = load_payload(schemas.NameOfficers(), naming, "officers named")
        return schemas.CaseWithTimeline().dump(acting.name_officers(
            self.db, self.rules, case_id, naming["user_ids"], principal))

    @rpc
    def redact_case(self, case_id, request, principal=None):
        """An officer of the holding authority redacts personal details from the summary."""
        principal = require(principal_from(principal), "cases.redact")
        request = load_payload(RedactWords(), request, "redaction")
        return schemas.CaseWithTimeline().dump(redacting.redact_case(
            self.db, self.rules, case_id, request["words"], principal))

    @rpc
    def take_case(self, case_id, principal=None):
        """The signed-in officer takes a case their authority holds, to work on (``holding``)."""
        principal = signed_in(require(principal_from(principal), "cases.take"),
                              "a case is taken")
        return schemas.CaseWithTimeline().dump(
            acting.take_case(self.db, self.rules, case_id, principal))

    # --- following a case by its receipt code ------------------------------------------------

    @rpc
    def follow_receipt(self, lookup):
        """The public page's lookup (``public_view``), counted per address (``following``)."""
        lookup = load_payload(receipt_schemas.FollowReceipt(), lookup, "lookup")
        return receipt_schemas.PublicCase().dump(following.follow(
            self.db, self.rules, lookup["code"], lookup["client_address"]))

    @rpc
    def case_of_receipt(self, code, principal=None):
        """The case a receipt code names, if the principal may read it (else NotFound)."""
        principal = require(principal_from(principal), "cases.read")
        case = following.case_of_code(self.db, code, principal)
        return schemas.Case().dump(queries.show(self.db, case, self.rules.clock.now(),
                                                principal))

    @rpc
    def publish_text(self, case_id, kind, text, principal=None):
        """The cadre's public summary or the holder's public answer (``kind``)."""
        principal = require(principal_from(principal), "cases.publish")
        if principal is None or kind not in following.WRITERS:
            raise InvalidInput("a public text is written by a signed-in user, of a known kind",
                               {"kind": [str(kind)], "principal": ["required"]})
        text = load_payload(receipt_schemas.PublishText(), text, "public text")
        return schemas.CaseWithTimeline().dump(following.publish(
            self.db, self.rules, case_id, kind, text, principal))
    @rpc
    def assign_case(self, case_id, assignment, principal=None):
        """The head of the holding authority assigns the case to a named officer of it."""
        principal = signed_in(require(principal_from(principal), "cases.assign"),
                              "a case is assigned")
        assignment = load_payload(schemas.AssignCase(), assignment, "assignment")
        return schemas.CaseWithTimeline().dump(acting.assign_case(
            self.db, self.rules, case_id, assignment["user_id"], principal))

    @rpc
    def give_interim_reply(self, case_id, reply, principal=None):
        """The holder's interim reply (gia hạn): the committed date (``interim_reply``)."""
        principal = signed_in(require(principal_from(principal), "cases.interim_reply"),
                              "an interim reply is given")
        reply = load_payload(schemas.InterimReply(), reply, "interim reply")
        return schemas.CaseWithTimeline().dump(acting.give_interim_reply(
            self.db, self.rules, case_id, reply, principal))

    @rpc
    def change_case_tier(self, case_id, change, principal=None):
        """The holder's officer puts the case in another severity tier, with a reason."""
        principal = signed_in(require(principal_from(principal), "cases.change_tier"),
                              "a tier is changed")
        change = load_payload(calendar_schemas.ChangeTier(), change, "tier change")
        return schemas.CaseWithTimeline().dump(acting.change_tier(
            self.db, self.rules, case_id, change, principal))

    # --- the working calendar ----------------------------------------------------------------

    @rpc
    def working_calendar(self, query, principal=None):
        """The national entries, an authority's own and its office hours (administrators)."""
        require(principal_from(principal), "calendars.manage")
        query = load_payload(calendar_schemas.CalendarQuery(), query or {}, "query")
        return calendar_schemas.Calendar().dump(
            calendars.calendar_view(self.db, query["authority_id"]))

    @rpc
    def add_calendar_entry(self, entry, principal=None):
        """A day off, a worked day or a morning only; the open cases it moves recomputed."""
        principal = require(principal_from(principal), "calendars.manage")
        entry = load_payload(calendar_schemas.AddCalendarEntry(), entry, "calendar entry")
        return calendar_schemas.CalendarEdited().dump(
            calendars.add_entry(self.db, self.rules, entry, principal))

    @rpc
    def remove_calendar_entry(self, entry, principal=None):
        principal = require(principal_from(principal), "calendars.manage")
        entry = load_payload(calendar_schemas.RemoveCalendarEntry(), entry, "calendar entry")
        return calendar_schemas.CalendarEdited().dump(calendars.remove_entry(
            self.db, self.rules, entry["authority_id"], entry["day"], principal))

    @rpc
    def set_office_hours(self, authority_id, hours, principal=None):
        principal = require(principal_from(principal), "calendars.manage")
        hours = load_payload(calendar_schemas.SetOfficeHours(), hours, "office hours")
        return calendar_schemas.CalendarEdited().dump(
            calendars.set_office_hours(self.db, self.rules, authority_id, hours, principal))

    @rpc
    def list_officers(self, query, principal=None):
        """An authority's officers by name: its own officers only (another's: 404)."""
        principal = require(principal_from(principal), "cases.inbox")
        query = load_payload(schemas.OfficersQuery(), query, "query")
        return {"officers": schemas.Officer(many=True).dump(
            queries.list_officers(self.db, query, principal))}

    @rpc
    def get_roster(self, authority_id, principal=None):
        """An authority's duty roster: its officers and administrators (another's: 404)."""
        principal = require(principal_from(principal), "rosters.read")
        path = load_payload(roster_schemas.RosterPath(), {"authority_id": authority_id},
                            "authority")
        return roster_schemas.Roster().dump(
            rosters.get_roster(self.db, path["authority_id"], principal))

    @rpc
    def set_roster(self, authority_id, roster, principal=None):
        """Its head (or an administrator) replaces the authority's duty roster as a whole."""
        principal = require(principal_from(principal), "rosters.manage")
        path = load_payload(roster_schemas.RosterPath(), {"authority_id": authority_id},
                            "authority")
        roster = load_payload(roster_schemas.SetRoster(), roster, "roster")
        calendar = self.rules.policy.calendar.for_authority(path["authority_id"])
        return roster_schemas.Roster().dump(rosters.set_roster(
            self.db, path["authority_id"], roster, principal, self.rules.clock.now(),
            calendar))

    @sweep_timer
    def sweep_deadlines(self):
        return acting.sweep_deadlines(self.db, self.rules, self.files)

    # --- reading cases ----------------------------------------------------------------------

    @rpc
    def get_case(self, case_id, principal=None):
        """A case with its timeline, to whom may see it (``access``; anyone else: 404)."""
        principal = require(principal_from(principal), "cases.read")
        return schemas.CaseWithTimeline().dump(
            queries.get_case(self.db, case_id, principal, self.rules.clock.now(),
                             self.rules.policy.calendar))

    @rpc
    def get_case_for_concern(self, concern_id, principal=None):
        """The case of a concern, as ``get_case`` (404 too for a concern with no case yet)."""
        principal = require(principal_from(principal), "concerns.read")
        return schemas.Case().dump(
            queries.get_case_for_concern(self.db, concern_id, principal, self.rules.clock.now(),
                                         self.rules.policy.calendar))

    @rpc
    def similar_cases(self, query, principal=None):
        """Open cases of a topic in the branch's commune, for the visit form (issue 25)."""
        require(principal_from(principal), "visits.log")
        query = load_payload(similar_schemas.SimilarCasesQuery(), query, "query")
        return similar_schemas.SimilarCases().dump({"cases": joining.similar(self.db, query)})

    @rpc
    def inbox(self, query, principal=None):
        """An authority's cases: only its own officers'; another's answers like a missing one."""
        principal = require(principal_from(principal), "cases.inbox")
        query = load_payload(reused(schemas.InboxQuery), query, "inbox query")
        found = queries.inbox(self.db, query, principal, self.rules.clock.now(),
                              self.rules.policy.calendar)
        return {**found, "authority": reused(schemas.Authority).dump(found["authority"]),
                "cases": reused(schemas.Case, many=True).dump(found["cases"])}

    @rpc
    def list_unrouted(self, query=None, principal=None):
        """Cases no routing rule covered (see ``queries.list_unrouted``)."""
        principal = require(principal_from(principal), "cases.unrouted")
        query = load_payload(schemas.UnroutedQuery(), query or {}, "unrouted query")
        found = queries.list_unrouted(self.db, query, principal, self.rules.clock.now(),
                                      self.rules.policy.triage_authority_id)
        return {**found, "cases": schemas.Case(many=True).dump(found["cases"])}

    @rpc
    def statistics(self, query, principal=None):
        """An authority's statistics: its own officers' or an administrator's (else 404)."""
        principal = require(principal_from(principal), "cases.statistics")
        query = load_payload(schemas.StatisticsQuery(), query, "statistics query")
        return queries.case_statistics(self.db, query, principal)

    # --- events -----------------------------------------------------------------------------

    @subscribe("concern_raised")
    def route_concern(self, event):
        reactions.route_concern(self.db, self.rules, event)

    @subscribe("concern_redacted")
    def redact_summary(self, event):
        reactions.redact_summary(self.db, event)

    @subscribe("case_answered")
    def answer_duplicates(self, event):
        reactions.answer_duplicates(self.db, self.rules, event)

    @subscribe("concern_withdrawn")
    def withdraw_case(self, event):
        reactions.withdraw_case(self.db, self.rules, event)

    @subscribe("answer_reviewed")
    def review_answer(self, event):
        reactions.review_answer(self.db, self.rules, event)

    @subscribe("officers")
    def learn_officers(self, event):
        officers.learn(self.db, event)

    @subscribe("receipt_codes")
    def learn_receipt_codes(self, event):
        reactions.give_receipt_codes(self.db, event)

    @subscribe("data_subject_requests")
    def answer_data_subject_request(self, event):
        """A request naming an officer: their name here and their cases."""
        data_subjects.answer_request(self.db, event.payload)

    @subscribe("unit_reorganised")
    def follow_reorganisation(self, event):
        reactions.follow_reorganisation(self.db, event)
