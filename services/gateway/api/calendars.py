"""The working calendar (administrators) and a case's severity tier (the holder's officers):
escalations keeps both (``services.escalations.calendars``, ``case_tiers``)."""
from marshmallow import Schema

from services.gateway import schemas
from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response, query_args
from services.gateway.edge.route import Route
from shared.contracts import Day, Id
from shared.contracts.rpc import calendars
from shared.contracts.rpc.cases import CaseWithTimeline

EDIT = (403, 404, 409, 413, 415, 422)


class EntryPath(Schema):
    day = Day(required=True, metadata={"example": "2026-01-02"})


class EntryScope(Schema):
    authority_id = Id(load_default=None, metadata={
        "description": "the authority whose own entry it is (none: a national entry)"})


ROUTES = {
    ("POST", "/cases/<case_id>/tier"): Route(
        "Put a case in another severity tier, with a reason (an officer of the holder)",
        CaseWithTimeline, "cases", path=schemas.CasePath, body=calendars.ChangeTier,
        errors=EDIT, example={"tier": "complex", "reason": "Cần khảo sát thực địa"},
        description="Not a change of state: acknowledge_by (a moment in the authority's "
                    "office hours) and answer_by are recomputed from when the case arrived, "
                    "the timeline says who changed the tier and why. 409 for the same tier or "
                    "a case with nothing left to run; 422 when a target would fall before the "
                    "case arrived."),
    ("GET", "/calendar"): Route(
        "The working calendar: national entries (and an authority's own) with office hours",
        calendars.Calendar, "calendar", query=calendars.CalendarQuery, errors=(403, 404),
        description="Administrators. Each entry says who entered it and when; the national "
                    "table was seeded from deploy/case_policy.yml."),
    ("POST", "/calendar/entries"): Route(
        "Add a day off, a day worked or a morning only (administrator)",
        calendars.CalendarEdited, "calendar", body=calendars.AddCalendarEntry, errors=EDIT,
        example={"day": "2027-02-12", "kind": "day_off",
                 "reason": "Công văn nghỉ bù Tết Đinh Mùi"},
        description="Replaces that day's entry in the same scope (national, or authority_id's "
                    "own, which wins over the national one). Every open case whose deadline "
                    "it moves is recomputed, with a line on its timeline (cases_recomputed). "
                    "422 naming the reason, and nothing changed, when a deadline would fall "
                    "before its case arrived or sixty days would pass without a working day."),
    ("DELETE", "/calendar/entries/<day>"): Route(
        "Remove a calendar entry (administrator)", calendars.CalendarEdited, "calendar",
        path=EntryPath, query=EntryScope, errors=EDIT,
        description="The entry is kept with who removed it, and no longer counts; open "
                    "cases are recomputed as for an added one."),
    ("PUT", "/authorities/<authority_id>/office-hours"): Route(
        "Set an authority's office hours (administrator)", calendars.CalendarEdited,
        "calendar", path=schemas.AuthorityPath, body=calendars.SetOfficeHours, errors=EDIT,
        example={"sessions": [["07:30", "11:30"], ["13:00", "17:00"]],
                 "saturday_morning": True, "reason": "Bộ phận một cửa tiếp dân sáng thứ Bảy"},
        description="Acceptance deadlines count these hours; the authority's open cases "
                    "are recomputed."),
}


class CalendarsApi(Api):
    @http("POST", "/cases/<case_id>/tier")
    def change_case_tier(self, request, case_id):
        principal = self._as(request, "cases.change_tier")
        return json_response(self.escalations.change_case_tier(case_id, json_body(request),
                                                               principal))

    @http("GET", "/calendar")
    def working_calendar(self, request):
        principal = self._as(request, "calendars.manage")
        return json_response(self.escalations.working_calendar(query_args(request),
                                                               principal))

    @http("POST", "/calendar/entries")
    def add_calendar_entry(self, request):
        principal = self._as(request, "calendars.manage")
        return json_response(self.escalations.add_calendar_entry(json_body(request),
                                                                 principal))

    @http("DELETE", "/calendar/entries/<day>")
    def remove_calendar_entry(self, request, day):
        principal = self._as(request, "calendars.manage")
        entry = {"day": day, "authority_id": query_args(request).get("authority_id")}
        return json_response(self.escalations.remove_calendar_entry(entry, principal))

    @http("PUT", "/authorities/<authority_id>/office-hours")
    def set_office_hours(self, request, authority_id):
        principal = self._as(request, "calendars.manage")
        return json_response(self.escalations.set_office_hours(authority_id, json_body(request),
                                                               principal))
