"""Branch meetings (issue 28): a branch's dates for a month or quarter, its schedule changed by
its secretary (with who changed what), a committee's attendance plan and plan against what was
logged, a cadre's planned meetings, and the cadre's calendar feed at a secret address.

The calendar feed (``GET /meeting-feeds/<token>``) is read without signing in: the phone's
calendar cannot sign in. It carries branch names and times only, answers 404 for an unknown or
revoked address, and is limited per client address (429 with Retry-After; docs/security.md)."""
from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response, query_args
from services.gateway.edge.route import Route
from services.gateway.registry_schemas import CadrePath, UnitPath
from shared.contracts import Id
from shared.contracts.rpc import meetings as schemas
from shared.contracts.rpc import registry

WRITE = (403, 404, 409, 413, 415, 422)
CALENDAR = "text/calendar"


class CommitteePath(Schema):
    unit_id = Id(required=True, metadata={"example": "vinh-phuc.binh-xuyen"})


class FeedPath(Schema):
    token = fields.String(required=True, validate=validate.Length(20, 100))


class FeedToken(Schema):
    token = fields.String(required=True)


class Changes(Schema):
    changes = fields.List(fields.Nested(schemas.ScheduleChange))


ROUTES = {
    ("GET", "/units/<unit_id>/meetings"): Route(
        "A branch's meetings of a month or a quarter", schemas.MeetingDates, "meetings",
        path=UnitPath, query=schemas.PeriodQuery, errors=(403, 404, 422),
        description="Regular meetings moved off days off as the schedule says (the working "
                    "calendar: deploy/case_policy.yml's seed with the national days "
                    "administrators entered since), and the thematic ones. 422 with the "
                    "reason when the rule yields no date that period."),
    ("PUT", "/units/<unit_id>/meeting-schedule"): Route(
        "Set a branch's meeting schedule (its secretary, or an administrator)", registry.Unit,
        "meetings", path=UnitPath, body=schemas.ChangeMeetingSchedule, errors=WRITE,
        description="Checked over the coming twelve months: a rule yielding no date is 422 "
                    "with the reason. Who changed what is recorded (GET .../changes)."),
    ("GET", "/units/<unit_id>/meeting-schedule/changes"): Route(
        "Who changed a branch's meeting schedule, from what to what", Changes, "meetings",
        path=UnitPath, errors=(403, 404)),
    ("POST", "/committees/<unit_id>/meeting-plan"): Route(
        "Plan who attends one branch meeting (the committee's leading members, or an "
        "administrator)", schemas.PlanEntry, "meetings", status=201, path=CommitteePath,
        body=schemas.PlanAttendanceBody, errors=WRITE,
        description="422 for a cadre not assigned to the branch that day, a second entry for "
                    "the same meeting, or a day the branch does not meet; nothing changes."),
    ("GET", "/committees/<unit_id>/meeting-plan"): Route(
        "A committee's plan for a month or quarter, its branches' meetings, and plan against "
        "what was logged", schemas.CommitteePlan, "meetings", path=CommitteePath,
        query=schemas.PeriodQuery, errors=(403, 404, 422)),
    ("GET", "/cadres/<cadre_id>/meeting-plan"): Route(
        "The meetings a cadre is planned to attend (their own, or an administrator's read)",
        schemas.CadrePlan, "meetings", path=CadrePath, query=schemas.PeriodQuery,
        errors=(403, 404, 422)),
    ("PUT", "/me/meeting-feed"): Route(
        "A new secret address for the signed-in cadre's calendar feed (the old one stops)",
        FeedToken, "meetings", status=201, errors=(403, 404)),
    ("DELETE", "/me/meeting-feed"): Route(
        "Revoke the signed-in cadre's calendar feed address", schemas.FeedRevoked, "meetings",
        errors=(403,)),
    ("GET", "/meeting-feeds/<token>"): Route(
        "Anyone holding the address: a cadre's planned meetings as iCalendar", (CALENDAR,),
        "meetings", path=FeedPath, public=True, errors=(404, 429),
        description="Branch names and times (Asia/Ho_Chi_Minh) only; 404 for an unknown or "
                    "revoked address; reads from one address limited (429, Retry-After)."),
}


class MeetingsApi(Api):
    @http("GET", "/units/<unit_id>/meetings")
    def branch_meetings(self, request, unit_id):
        principal = self._as(request, "registry.read")
        return json_response(self.assignments.meeting_dates(
            unit_id, query_args(request)["period"], principal))

    @http("PUT", "/units/<unit_id>/meeting-schedule")
    def change_meeting_schedule(self, request, unit_id):
        principal = self._as(request, "meetings.schedule")
        return json_response(self.assignments.change_meeting_schedule(
            unit_id, json_body(request), principal))

    @http("GET", "/units/<unit_id>/meeting-schedule/changes")
    def meeting_schedule_changes(self, request, unit_id):
        principal = self._as(request, "meetings.schedule")
        return json_response({"changes": self.assignments.meeting_schedule_changes(
            unit_id, principal)})

    @http("POST", "/committees/<unit_id>/meeting-plan")
    def plan_attendance(self, request, unit_id):
        principal = self._as(request, "meetings.plan")
        entry = {**json_body(request), "committee_unit_id": unit_id}
        return json_response(self.assignments.plan_attendance(entry, principal), 201)

    @http("GET", "/committees/<unit_id>/meeting-plan")
    def committee_plan(self, request, unit_id):
        principal = self._as(request, "meetings.plan")
        return json_response(self.assignments.committee_plan(
            unit_id, query_args(request)["period"], principal))

    @http("GET", "/cadres/<cadre_id>/meeting-plan")
    def cadre_plan(self, request, cadre_id):
        principal = self._as(request, "meetings.read")
        return json_response(self.assignments.cadre_plan(
            cadre_id, query_args(request)["period"], principal))

    @http("PUT", "/me/meeting-feed")
    def issue_meeting_feed(self, request):
        principal = self._as(request, "meetings.feed")
        return json_response(self.assignments.issue_meeting_feed(principal), 201)

    @http("DELETE", "/me/meeting-feed")
    def revoke_meeting_feed(self, request):
        principal = self._as(request, "meetings.feed")
        return json_response(self.assignments.revoke_meeting_feed(principal))

    @http("GET", "/meeting-feeds/<token>")
    def meeting_feed(self, request, token):
        answer = self.assignments.meeting_feed(
            {"token": token, "client_address": self._client_address(request)})
        return Response(answer["calendar"], mimetype=CALENDAR)
