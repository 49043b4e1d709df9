"""Members service: Party members per branch, known by the Party-member database's codes, their
attendance at branch meetings member by member, and the Charter's absence rule (issue 29;
docs/members.md).

Party membership is sensitive personal data (Law 91/2025/QH15, Decree 356/2025/NĐ-CP): it is
kept in this service's store alone, reached only through these RPCs, and no member id or
absence leaves it in an event. Who may see a branch's members is asked of the registry
(``assignments``) at each read; every read is on the access log.

Each entrypoint decodes, calls ``roster``, ``attendance``, ``queries`` or ``reactions``, and
encodes; only ``store`` touches the collections. The store's sweeps forget the access log and,
past their period, former members (``retention``).
"""
from nameko.dependency_providers import Config

from services.members import (
    absence,
    attendance,
    care,
    contacts,
    queries,
    reactions,
    roster,
    store,
)
from services.members.retention import FORMER_MEMBERS
from shared import clock
from shared.authorisation import principal_from, require
from shared.consumer import subscribe
from shared.contracts.rpc import contacts as contact_schemas
from shared.contracts.rpc import members as schemas
from shared.contracts.rpc.registry import OrganisationCodes
from shared.errors import InvalidInput, load_payload
from shared.retention import ACCESS_LOG
from shared.rpc import BoundedRpcProxy, rpc
from shared.store import ReportsHealth, Store


class MembersService(ReportsHealth):
    name = "members"
    db = Store(outbox_collections=store.OUTBOX_COLLECTIONS,
               indexes={**store.INDEXES, **store.CONTACT_INDEXES, **store.CARE_INDEXES},
               sweeps=[ACCESS_LOG, FORMER_MEMBERS])
    config = Config()
    # the units of organisation codes, and who is assigned to a branch or sits on its committee
    assignments = BoundedRpcProxy("assignments")
    # the concerns raised at a contact with a member or family: visits owns concerns
    visits = BoundedRpcProxy("visits")

    @rpc
    def import_members(self, batch, principal=None):
        """A window of an import's rows (or an administrator's call): one outcome per row."""
        require(principal_from(principal), "members.import")
        batch = load_payload(schemas.ImportMembers(), batch, "members")
        codes = sorted({row["organisation_code"] for row in batch["items"]})
        units = self.assignments.units_by_organisation_code(
            OrganisationCodes().dump({"codes": codes}))
        return {"results": roster.import_rows(self.db, batch["items"], units["units"],
                                              clock.today())}

    @rpc
    def list_members(self, unit_id, query=None, principal=None):
        principal = require(principal_from(principal), "members.read")
        day = load_payload(schemas.MembersQuery(), query or {}, "query")["as_of"] or clock.today()
        members = care.with_carers(self.db, queries.list_members(
            self.db, unit_id, day.isoformat(), principal, self.assignments))
        return schemas.MemberList().dump({"unit_id": unit_id, "as_of": day, "members": members})

    @rpc
    def get_member(self, member_code, principal=None):
        principal = require(principal_from(principal), "members.read")
        return schemas.Member().dump(care.with_carers(self.db, [queries.get_member(
            self.db, member_code, clock.today().isoformat(), principal, self.assignments)])[0])

    @rpc
    def record_attendance(self, given, principal=None):
        """The meeting's list, before its visit is logged with the counts it answers."""
        principal = require(principal_from(principal), "members.attendance")
        given = load_payload(schemas.RecordAttendance(), given, "attendance")
        queries.require_sight(principal, given["unit_id"], given["meeting_date"].isoformat(),
                              self.assignments)
        return schemas.AttendanceRecorded().dump(attendance.record(
            self.db, given, principal.user_id if principal else None))

    @rpc
    def confirm_attendance(self, submission_id, visit_id, principal=None):
        """The list tied to its visit once logged: it counts from now on."""
        principal = require(principal_from(principal), "members.attendance")
        held = queries.attendance_list(self.db, submission_id, clock.today().isoformat(),
                                       principal, self.assignments, purpose=None)
        return schemas.AttendanceRecorded().dump(attendance.confirm(
            self.db, held["submission_id"], visit_id))

    @rpc
    def attendance_list(self, submission_id, principal=None):
        principal = require(principal_from(principal), "members.read")
        return schemas.AttendanceRecorded().dump(queries.attendance_list(
            self.db, submission_id, clock.today().isoformat(), principal, self.assignments))

    @rpc
    def absence_flags(self, unit_id, query=None, principal=None):
        """The members the Charter's absence rule flags for the branch committee to consider."""
        principal = require(principal_from(principal), "members.read")
        query = load_payload(schemas.AbsenceQuery(), query or {}, "query")
        today = clock.today()
        return schemas.AbsenceFlags().dump(queries.absence_flags(
            self.db, unit_id, query["year"] or today.year, today.isoformat(), principal,
            self.assignments, absence.load()))

    @rpc
    def log_contact(self, member_code, given, principal=None):
        """A contact with a member or their family, its concerns sent into case life."""
        principal = require(principal_from(principal), "members.contact")
        if principal is None:
            raise InvalidInput("a contact is logged by a signed-in cadre",
                               {"principal": ["required"]})
        request_schema = contact_schemas.LogContact()
        given = load_payload(request_schema, given, "contact")
        return contact_schemas.Contact().dump(contacts.log(
            self.db, member_code, given, request_schema.dump(given), principal,
            self.assignments, self.visits, clock.today()))

    @rpc
    def member_contacts(self, member_code, principal=None):
        principal = require(principal_from(principal), "members.read")
        return contact_schemas.ContactList().dump(contacts.of_member(
            self.db, member_code, principal, self.assignments, clock.today()))

    @rpc
    def put_in_care(self, member_code, given, principal=None):
        """The committee member caring for a Party member from today."""
        principal = require(principal_from(principal), "members.care")
        given = load_payload(contact_schemas.PutInCare(), given, "care")
        return contact_schemas.Care().dump(care.put(
            self.db, member_code, given["cadre_id"], principal, self.assignments,
            clock.today()))

    @rpc
    def care_choices(self, unit_id, principal=None):
        """Whom the caller may put the branch's members in the care of today, if anyone."""
        principal = require(principal_from(principal), "members.read")
        return contact_schemas.CareChoices().dump(care.choices(
            principal, unit_id, self.assignments, clock.today()))

    @rpc
    def members_in_care(self, principal=None):
        """The members in the signed-in cadre's care, across branches."""
        principal = require(principal_from(principal), "members.read")
        if principal is None or principal.cadre_id is None:
            raise InvalidInput("the members in a cadre's care are read by the cadre",
                               {"principal": ["a signed-in cadre"]})
        return contact_schemas.MembersInCare().dump(care.in_care_of(
            self.db, principal, self.assignments, clock.today()))

    @subscribe("data_subject_requests")
    def answer_data_subject_request(self, event):
        """A person's request: the members' records naming them found, erased for a
        deletion where the rule allows (``people``)."""
        reactions.answer_data_subject_request(self.db, event)
