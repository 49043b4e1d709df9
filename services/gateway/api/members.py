"""Party members (issue 29; docs/members.md): a branch's members on a day, one member, the
absence flags for the branch committee, a meeting's attendance list, and the roll imported by
an administrator. Who may see a branch's members is decided by the members service (others get
404, as for no such branch); each read is on its access log.

A visit may carry its attendance member by member (``attendance.members``): the list goes to
the members service, the visit only its counts (:func:`with_member_counts`)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response, query_args
from services.gateway.edge.route import Route
from services.gateway.registry_schemas import UnitPath
from shared.contracts import Id
from shared.contracts.rpc import members as schemas
from shared.contracts.rpc.members import Code, Mark, derived_counts
from shared.contracts.rpc.visits import MAX_ATTENDANCE, LogVisit
from shared.errors import InvalidInput, load_payload
from shared.reasons import reason

READ = (403, 404)


class MemberPath(Schema):
    member_code = Code(member=True, required=True, metadata={"example": "00123"})


class SubmissionPath(Schema):
    submission_id = Id(required=True)


class RequestAttendance(Schema):
    """A visit's attendance as a client gives it: the counts, or the list member by member
    (the counts, when given too, must agree with it)."""
    present = fields.Integer(strict=True, load_default=None, allow_none=True,
                             validate=validate.Range(min=0, max=MAX_ATTENDANCE))
    expected = fields.Integer(strict=True, load_default=None, allow_none=True,
                              validate=validate.Range(min=1, max=MAX_ATTENDANCE))
    members = fields.List(fields.Nested(Mark), validate=validate.Length(
        min=1, max=schemas.MAX_BRANCH_MEMBERS))

    @validates_schema
    def _counts_or_a_list_that_agrees(self, data, **kwargs):
        if "members" not in data:
            for name in ("present", "expected"):
                if data.get(name) is None:
                    raise ValidationError(reason("required", "required without members"),
                                          name)
            return
        derived = derived_counts(data["members"])
        for name in ("present", "expected"):
            if data.get(name) is not None and data[name] != derived[name]:
                raise ValidationError(reason(
                    "disagrees_with_list", f"the list says {derived[name]}",
                    derived=derived[name]), name)


class LogVisitRequest(LogVisit):
    """``POST /visits`` as a client sends it: the visits service's visit, its attendance given
    as counts or member by member."""
    attendance = fields.Nested(RequestAttendance, required=True)


def with_member_counts(body, kept):
    """The visit as the visits service takes it: the counts of the list kept, not the list."""
    return {**body, "attendance": {"present": kept["present"], "expected": kept["expected"],
                                   "by_member": True}}


def iso_query(request):
    return {key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in query_args(request).items() if value is not None}


def member_list_of(body):
    """The visit's attendance list, the whole visit checked first (a refusal names the field
    as sent), or None when it gives counts only (the visits service checks it)."""
    attendance = body.get("attendance") if isinstance(body, dict) else None
    if not isinstance(attendance, dict) or not {"members", "by_member"} & set(attendance):
        return None
    visit = load_payload(LogVisitRequest(), body, "visit")  # by_member: not a client's field
    return {"submission_id": visit["submission_id"], "unit_id": visit["unit_id"],
            "meeting_date": visit["meeting_date"].isoformat(),
            "marks": visit["attendance"]["members"]}


def log_visit_by_member(service, body, principal):
    """``POST /visits`` and the visit form's: a list member by member kept by the members
    service first, pending; the visit with its counts; then the list confirmed. A resend
    mends any crash between (docs/members.md)."""
    listed = member_list_of(body)
    if listed is not None:
        try:
            kept = service.members.record_attendance(listed, principal)
        except InvalidInput as refused:
            raise as_sent(refused) from None
        body = with_member_counts(body, kept)
    visit = service.visits.log_visit(body, principal)
    if listed is not None:
        service.members.confirm_attendance(listed["submission_id"], visit["visit_id"],
                                           principal)
    return visit


def as_sent(refusal):
    """A refusal of the list by the members service, naming the fields as the visit sent
    them (``marks.2.member_code`` is ``attendance.members.2.member_code``)."""
    def renamed(found):
        return {("attendance.members" + key[len("marks"):] if key.startswith("marks") else key):
                value for key, value in found.items()}
    return type(refusal)(refusal.message, renamed(refusal.fields), renamed(refusal.reasons))


ROUTES = {
    ("GET", "/units/<unit_id>/members"): Route(
        "A branch's Party members on a day (its assigned cadres, its committee, "
        "administrators)", schemas.MemberList, "members", path=UnitPath,
        query=schemas.MembersQuery, errors=READ,
        description="404 for anyone else, as for no such branch. Each read is on the access "
                    "log."),
    ("GET", "/members/<member_code>"): Route(
        "One Party member, with the branches they were in", schemas.Member, "members",
        path=MemberPath, errors=READ),
    ("GET", "/units/<unit_id>/absence-flags"): Route(
        "Members the Charter's absence rule flags for the branch committee to consider",
        schemas.AbsenceFlags, "members", path=UnitPath, query=schemas.AbsenceQuery,
        errors=READ,
        description="Three months of a year with a branch meeting missed without a valid "
                    "reason (deploy/members_policy.yml), with the meetings. The system only "
                    "flags; the committee decides."),
    ("GET", "/visits/attendance/<submission_id>"): Route(
        "A logged meeting's attendance, member by member", schemas.AttendanceRecorded,
        "members", path=SubmissionPath, errors=READ),
    ("POST", "/members/imports"): Route(
        "Import Party members by their codes (administrators): one outcome per row",
        schemas.ImportOutcomes, "members", body=schemas.ImportMembers,
        errors=(403, 413, 415, 422),
        description="Rows whose organisation code matches no unit, or naming a member twice, "
                    "are refused with the reason; the others applied. The same rows again "
                    "change nothing."),
}


class MembersApi(Api):
    @http("GET", "/units/<unit_id>/members")
    def branch_members(self, request, unit_id):
        principal = self._as(request, "members.read")
        return json_response(self.members.list_members(unit_id, iso_query(request),
                                                       principal))

    @http("GET", "/members/<member_code>")
    def get_member(self, request, member_code):
        return json_response(self.members.get_member(member_code,
                                                     self._as(request, "members.read")))

    @http("GET", "/units/<unit_id>/absence-flags")
    def absence_flags(self, request, unit_id):
        principal = self._as(request, "members.read")
        return json_response(self.members.absence_flags(unit_id, query_args(request),
                                                        principal))

    @http("GET", "/visits/attendance/<submission_id>")
    def attendance_list(self, request, submission_id):
        return json_response(self.members.attendance_list(submission_id,
                                                          self._as(request, "members.read")))

    @http("POST", "/members/imports")
    def import_members(self, request):
        principal = self._as(request, "members.import")
        return json_response(self.members.import_members(json_body(request), principal))
