"""Assignments service: the organisation tree with its history, cadres, assignments and working
groups. Emits ``unit_registered``, ``unit_reorganised``, ``cadre_registered``,
``cadre_changed``, ``assignment_made``, ``assignment_ended``, ``working_group_formed``,
``working_group_changed`` and ``attendance_planned`` (among others) through its outbox.

Every read takes an optional ``as_of`` day and answers as the registry stood that day (default:
today in Vietnam). Every write is idempotent: the same call twice changes nothing the second
time (the importer relies on it); the same id with other data is a Conflict naming the field.
Rules live in plain modules: ``levels``, ``history``, ``reorganisation``, ``domain``; ``tree``,
``cadres``, ``assigning`` and ``groups`` carry out the writes, ``queries`` the reads, and only
``store`` touches the collections. Each entrypoint decodes, calls one of those, and encodes.
"""
from services.assignments import (
    assigning,
    cadres,
    feeds,
    groups,
    planning,
    queries,
    reactions,
    registering,
    reminders,
    reorganisation,
    reporting_jobs,
    store,
    tree,
    upkeep,
)
from services.assignments.dependencies import MeetingRules, reminder_timer, report_timer
from services.assignments.store import meetings as meeting_store
from services.assignments.store import reports as report_store
from shared.authorisation import actor_of, principal_from, require
from shared.consumer import subscribe
from shared.contracts.rpc import committee_seats as seat_schemas
from shared.contracts.rpc import meetings as meeting_schemas
from shared.contracts.rpc import registry as schemas
from shared.contracts.rpc import reports as report_schemas
from shared.errors import load_payload
from shared.pages import PageQuery
from shared.retention import ACCESS_LOG
from shared.rpc import rpc
from shared.store import ReportsHealth, Store


class AssignmentsService(ReportsHealth):
    name = "assignments"
    db = Store(outbox_collections=[*store.OUTBOX_COLLECTIONS, meeting_store.PLANS],
               indexes={**store.INDEXES, **meeting_store.INDEXES, **report_store.INDEXES},
               sweeps=[ACCESS_LOG], migrations=upkeep.MIGRATIONS)
    meeting_rules = MeetingRules()

    # --- units ------------------------------------------------------------------------------

    @rpc
    def register_unit(self, unit, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        return registering.register_unit(self.db, unit, principal)

    @rpc
    def register_many(self, registrations, principal=None):
        """Many units, cadres, assignments or working groups in one call (the importer's):
        each registered or refused as its own RPC would, answered in order."""
        principal = require(principal_from(principal), "registry.manage")
        registrations = load_payload(schemas.RegisterMany(), registrations, "registrations")
        return schemas.RegisteredMany().dump({"results": registering.register_many(
            self.db, registrations["kind"], registrations["items"], principal)})

    @rpc
    def get_unit(self, unit_id, as_of=None):
        query = load_payload(schemas.AsOfQuery(), {"as_of": as_of} if as_of else {}, "query")
        return schemas.Unit().dump(queries.get_unit(self.db, unit_id, query))

    @rpc
    def unit_names(self, query):
        """Today's names of a page's units, in one call (the officer's inbox)."""
        query = load_payload(schemas.UnitNamesQuery(), query, "query")
        return {"units": schemas.UnitName(many=True).dump(queries.unit_names(self.db, query))}

    @rpc
    def cadre_names(self, query):
        """The names of a page's cadres, in one call: names only, no contact read."""
        query = load_payload(schemas.CadreNamesQuery(), query, "query")
        return {"cadres": schemas.CadreName(many=True).dump(
            queries.cadre_names(self.db, query))}

    @rpc
    def committee_seats(self, query):
        """Who sits on these committees (whom a branch's members may be put in the care of)."""
        query = load_payload(seat_schemas.CommitteeSeatsQuery(), query, "query")
        return {"cadres": seat_schemas.SeatHolder(many=True).dump(
            queries.committee_seats(self.db, query))}

    @rpc
    def unit_history(self, unit_id):
        return schemas.UnitHistory().dump(queries.unit_history(self.db, unit_id))

    @rpc
    def list_units(self, query=None):
        query = load_payload(schemas.UnitListQuery(), query or {}, "query")
        page = queries.list_units(self.db, query)
        return {"units": schemas.Unit(many=True).dump(page["units"]),
                "next_cursor": page["next_cursor"]}

    @rpc
    def units_by_organisation_code(self, query):
        """``{"units": {code: unit_id}}``: the members service matching its import's rows."""
        query = load_payload(schemas.OrganisationCodes(), query, "query")
        return {"units": queries.units_by_organisation_code(self.db, query["codes"])}

    @rpc
    def change_unit_details(self, unit_id, details, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        details = schemas.ChangeUnitDetails().dump(
            load_payload(schemas.ChangeUnitDetails(), details, "unit details"))
        return schemas.Unit().dump(tree.change_details(self.db, unit_id, details,
                                                       actor_of(principal)))

    @rpc
    def list_levels(self):
        return queries.list_levels()

    # --- reorganisations --------------------------------------------------------------------

    @rpc
    def reorganise(self, operation, principal=None):
        """Carry out one rename, move, merge or split effective on a day (see
        ``reorganisation``); the same ``operation_id`` again finishes or answers it."""
        principal = require(principal_from(principal), "registry.manage")
        schema = schemas.Reorganise()
        operation = load_payload(schema, operation, "reorganisation")
        stored = tree.reorganise(self.db, operation, schema.dump(operation), actor_of(principal))
        return schemas.Reorganisation().dump(reorganisation.shown(stored))

    @rpc
    def list_reorganisations(self, query=None):
        query = load_payload(PageQuery(), query or {}, "query")
        page = queries.list_reorganisations(self.db, query)
        return {"reorganisations": schemas.Reorganisation(many=True).dump(
                    page["reorganisations"]),
                "next_cursor": page["next_cursor"]}

    # --- cadres -----------------------------------------------------------------------------

    @rpc
    def register_cadre(self, cadre, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        return registering.register_cadre(self.db, cadre, principal)

    @rpc
    def change_cadre(self, cadre_id, changes, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        schema = schemas.ChangeCadre()
        changes = schema.dump(load_payload(schema, changes, "cadre changes"))
        return schemas.Cadre().dump(cadres.change(self.db, cadre_id, changes,
                                                  actor_of(principal)))

    @rpc
    def get_cadre(self, cadre_id, principal=None):
        """A cadre with their contacts; a user's read (``principal``) is audited."""
        principal = require(principal_from(principal), "registry.people.read")
        return schemas.Cadre().dump(queries.get_cadre(self.db, cadre_id, principal))

    @rpc
    def list_cadres(self, query=None, principal=None):
        principal = require(principal_from(principal), "registry.people.read")
        query = load_payload(schemas.CadreListQuery(), query or {}, "query")
        page = queries.list_cadres(self.db, query, principal)
        return {"cadres": schemas.Cadre(many=True).dump(page["cadres"]),
                "next_cursor": page["next_cursor"]}

    # --- assignments ------------------------------------------------------------------------

    @rpc
    def assign_cadre(self, assignment, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        return registering.assign_cadre(self.db, assignment, principal)

    @rpc
    def end_assignment(self, assignment_id, end, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        end = load_payload(schemas.EndAssignment(), end, "end of assignment")
        return schemas.Assignment().dump(assigning.end_by_id(
            self.db, assignment_id, end["ends_on"], end["reason"], actor_of(principal)))

    @rpc
    def replace_assignment(self, assignment_id, replacement, principal=None):
        """End an assignment the day before ``starts_on`` and assign ``cadre_id`` to the same
        unit from then; both stay in the history."""
        principal = require(principal_from(principal), "registry.manage")
        replacement = load_payload(schemas.ReplaceAssignment(), replacement, "replacement")
        return schemas.Assignment().dump(assigning.replace(self.db, assignment_id, replacement,
                                                           actor_of(principal)))

    @rpc
    def list_assignments(self, cadre_id, as_of=None):
        """A cadre's assignments (all of them; with ``as_of``, those holding that day)."""
        day = None if as_of is None else load_payload(
            schemas.AsOfQuery(), {"as_of": as_of}, "query")["as_of"]
        return schemas.Assignment(many=True).dump(
            queries.list_assignments(self.db, cadre_id, day))

    @rpc
    def list_unit_assignments(self, unit_id, as_of=None):
        day = None if as_of is None else load_payload(
            schemas.AsOfQuery(), {"as_of": as_of}, "query")["as_of"]
        return schemas.Assignment(many=True).dump(
            queries.list_unit_assignments(self.db, unit_id, day))

    # --- working groups ---------------------------------------------------------------------

    @rpc
    def form_working_group(self, group, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        return registering.form_working_group(self.db, group, principal)

    @rpc
    def change_working_group(self, working_group_id, changes, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        schema = schemas.ChangeWorkingGroup()
        changes = schema.dump(load_payload(schema, changes, "working group changes"))
        return schemas.WorkingGroup().dump(
            groups.change(self.db, working_group_id, changes, actor_of(principal)))

    @rpc
    def get_working_group(self, working_group_id):
        return schemas.WorkingGroup().dump(queries.get_working_group(self.db, working_group_id))

    @rpc
    def list_working_groups(self, query=None):
        query = load_payload(schemas.UnitQuery(), query or {}, "query")
        page = queries.list_working_groups(self.db, query)
        return {"working_groups": schemas.WorkingGroup(many=True).dump(page["working_groups"]),
                "next_cursor": page["next_cursor"]}

    # --- search -----------------------------------------------------------------------------

    @rpc
    def search(self, query, principal=None):
        """Units (as they stood ``as_of``) and cadres whose names hold every query word as the
        start of a word, with or without diacritics; a user's read (``principal``, who may see
        cadres' contacts) is audited."""
        principal = require(principal_from(principal), "registry.people.read")
        query = load_payload(schemas.SearchQuery(), query, "search")
        found = queries.search(self.db, query, principal)
        return {"units": schemas.Unit(many=True).dump(found["units"]),
                "cadres": schemas.Cadre(many=True).dump(found["cadres"])}

    # --- requests from the people concerned ----------------------------------------------

    @subscribe("data_subject_requests")
    def answer_data_subject_request(self, event):
        """A request naming a cadre: their record, assignments and groups found, and the cadre
        anonymised for a deletion."""
        reactions.answer_data_subject_request(self.db, event)

    # --- branch meetings: dates, the secretary's changes, committees' plans ------------------

    @rpc
    def meeting_dates(self, unit_id, period, principal=None):
        """The branch's meetings of a month or quarter; a rule yielding no date: refused."""
        require(principal_from(principal), "registry.read")
        rules = self.meeting_rules
        return meeting_schemas.MeetingDates().dump(planning.dates_of(
            self.db, unit_id, planning.period_of(period), rules.calendar_of(self.db),
            rules.clock.today()))

    @rpc
    def change_meeting_schedule(self, unit_id, change, principal=None):
        """The branch's secretary (or an administrator) sets its meeting dates, recorded."""
        principal = require(principal_from(principal), "meetings.schedule")
        change = meeting_schemas.ChangeMeetingSchedule().dump(
            load_payload(meeting_schemas.ChangeMeetingSchedule(), change, "meeting schedule"))
        rules = self.meeting_rules
        return schemas.Unit().dump(planning.change_schedule(
            self.db, unit_id, change["meeting_schedule"], principal, rules.calendar_of(self.db),
            rules.clock.today()))

    @rpc
    def meeting_schedule_changes(self, unit_id, principal=None):
        require(principal_from(principal), "meetings.schedule")
        return meeting_schemas.ScheduleChange(many=True).dump(
            planning.schedule_changes(self.db, unit_id))

    @rpc
    def plan_attendance(self, entry, principal=None):
        """One meeting's attendance planned by a committee (refused: see ``planning.plan``)."""
        principal = require(principal_from(principal), "meetings.plan")
        entry = load_payload(meeting_schemas.PlanAttendance(), entry, "plan entry")
        rules = self.meeting_rules
        return meeting_schemas.PlanEntry().dump(planning.plan(
            self.db, entry, principal, rules.calendar_of(self.db), rules.clock.today()))

    @rpc
    def committee_plan(self, committee_unit_id, period, principal=None):
        principal = require(principal_from(principal), "meetings.plan")
        rules = self.meeting_rules
        return meeting_schemas.CommitteePlan().dump(planning.committee_plan(
            self.db, committee_unit_id, planning.period_of(period), principal,
            rules.calendar_of(self.db), rules.clock.today()))

    @rpc
    def cadre_plan(self, cadre_id, period, principal=None):
        principal = require(principal_from(principal), "meetings.read")
        return meeting_schemas.CadrePlan().dump(planning.cadre_plan(
            self.db, cadre_id, planning.period_of(period), principal))

    @rpc
    def meeting_seats(self, principal=None):
        """The committees the signed-in cadre plans for and the branches whose dates they keep
        today (their pages' links)."""
        principal = require(principal_from(principal), "meetings.read")
        return meeting_schemas.MeetingSeats().dump(planning.seats_of(
            self.db, principal.cadre_id, self.meeting_rules.clock.today()))

    @subscribe("working_calendar_changed")
    def record_calendar_day(self, event):
        """Branch meetings move by the days off administrators enter (an event-fed copy)."""
        reactions.record_calendar_day(self.db, event)

    @subscribe("visit_logged")
    def record_visit(self, event):
        """Plan against actual learns visits from their events, never by asking visits."""
        reactions.record_visit(self.db, event)

    @subscribe("visit_amended")
    def record_amended_visit(self, event):
        reactions.record_visit(self.db, event)

    @subscribe("concern_outcomes")
    def record_concern_outcome(self, event):
        """The periodic report's concerns and their cases' outcomes, from their events."""
        reactions.record_concern_outcome(self.db, event)

    # --- the periodic report a committee files upward -----------------------------------------

    @rpc
    def request_report(self, request, principal=None):
        """A report job for a committee's month, quarter or year, computed in the background."""
        principal = require(principal_from(principal), "meetings.report")
        request = load_payload(report_schemas.RequestReport(), request, "report request")
        return report_schemas.ReportJob().dump(reporting_jobs.request(
            self.db, request["committee_unit_id"], request["period"], principal,
            self.meeting_rules.clock.today()))

    @rpc
    def committee_reports(self, committee_unit_id, principal=None):
        """The committee's latest reports asked for, newest first (no figures)."""
        principal = require(principal_from(principal), "meetings.report")
        return {"reports": report_schemas.ReportJobSummary(many=True).dump(reporting_jobs.recent(
            self.db, committee_unit_id, principal, self.meeting_rules.clock.today()))}

    @rpc
    def report_job(self, job_id, principal=None):
        principal = require(principal_from(principal), "meetings.report")
        return report_schemas.ReportJob().dump(reporting_jobs.job_of(
            self.db, job_id, principal, self.meeting_rules.clock.today()))

    @report_timer
    def compute_reports(self):
        return reporting_jobs.run_pending(self.db)

    @reminder_timer
    def remind_attendees(self):
        """Planned meetings within the lead time: one reminder each, once."""
        rules = self.meeting_rules
        return reminders.remind_due(self.db, rules.clock.now(), rules.remind_before)

    # --- a cadre's calendar feed ---------------------------------------------------------------

    @rpc
    def issue_meeting_feed(self, principal=None):
        """A new secret address for the signed-in cadre's calendar (the old one stops)."""
        principal = require(principal_from(principal), "meetings.feed")
        return {"token": feeds.issue(self.db, principal.cadre_id, self.meeting_rules.clock.now())}

    @rpc
    def revoke_meeting_feed(self, principal=None):
        principal = require(principal_from(principal), "meetings.feed")
        feeds.revoke(self.db, principal.cadre_id, self.meeting_rules.clock.now())
        return {"revoked": True}

    @rpc
    def meeting_feed(self, query):
        """The iCalendar text at a feed's secret address (no user: the token is the key)."""
        query = load_payload(meeting_schemas.FeedQuery(), query, "query")
        rules = self.meeting_rules
        return {"calendar": feeds.feed(self.db, query["token"], query["client_address"],
                                       rules.clock.now(), rules.clock.today())}
