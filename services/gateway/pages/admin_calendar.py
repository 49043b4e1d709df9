"""The administrator's working calendar: the national entries (seeded from the policy file),
an authority's own and its office hours, with who entered each and when; a form adds a day off,
a worked day or a morning only (nationally or for the authority chosen), each entry can be
removed, and the authority's office hours set.

Each form calls the RPC the API's handler calls (``escalations.add_calendar_entry``,
``remove_calendar_entry``, ``set_office_hours``); the service recomputes the open cases an
edit moves and the page says how many; a refusal (a deadline before its case arrived, sixty
days without a working day, sessions out of order) is said beside the field, nothing changed.
"""
from marshmallow import fields, validate

from services.gateway.edge.http import http, query_args
from services.gateway.pages import i18n, pickers
from services.gateway.pages.admin_base import AdminPagesBase, Refused, csrf, text
from services.gateway.pages.common import LanguageQuery, page_route

CALENDAR = "/app/admin/calendar"
KINDS = ("day_off", "working_day", "morning_only")
# what the page says after each change (how many open cases it recomputed)
DONE_WORDS = {"added": "calendar_done_added", "removed": "calendar_done_removed",
              "hours": "calendar_done_hours"}
CHANGES = tuple(DONE_WORDS)
# the authority shown or an entry is for: any authority, by typing its name or code
SCOPE_PICKERS = {"authority_id": "authorities"}


class CalendarQuery(LanguageQuery.from_dict(pickers.pick_fields(*SCOPE_PICKERS))):
    authority_id = fields.String(validate=validate.Length(max=200), metadata={
        "description": "the authority whose own entries and hours are shown beside the "
                       "national ones: its code, or words of its name"})
    done = fields.String(validate=validate.OneOf(CHANGES))
    recomputed = fields.Integer(validate=validate.Range(0, 10 ** 7), metadata={
        "description": "how many open cases the change just made recomputed"})


class EntryForm(LanguageQuery.from_dict(pickers.pick_fields(*SCOPE_PICKERS))):
    csrf = csrf()
    day, kind, reason, authority_id = text(40), text(40), text(500), text(200)


class HoursForm(LanguageQuery):
    csrf = csrf()
    authority_id, reason = text(200), text(500)
    morning_from, morning_to, afternoon_from, afternoon_to = text(5), text(5), text(5), text(5)
    saturday_morning = text(10)


ROUTES = {
    ("GET", CALENDAR): page_route(
        "Administrator: the working calendar, an authority's own entries and office hours",
        query=CalendarQuery),
    ("POST", CALENDAR): page_route("Administrator: add a calendar entry", form=EntryForm),
    ("POST", f"{CALENDAR}/remove"): page_route(
        "Administrator: remove a calendar entry", form=EntryForm),
    ("POST", f"{CALENDAR}/office-hours"): page_route(
        "Administrator: set an authority's office hours", form=HoursForm),
}


def entry_to_form(form):
    """The add form as ``AddCalendarEntry``: an empty authority is a national entry."""
    body = {"day": form.get("day") or "", "kind": form.get("kind") or "",
            "reason": form.get("reason") or "", "authority_id": form.get("authority_id") or None}
    return body, {}


def removal_to_form(form):
    return {"day": form.get("day") or "", "authority_id": form.get("authority_id") or None}, {}


def hours_to_form(form):
    """Two sessions (morning, afternoon) as ``SetOfficeHours``; Saturday mornings ticked."""
    sessions = [[form.get("morning_from") or "", form.get("morning_to") or ""],
                [form.get("afternoon_from") or "", form.get("afternoon_to") or ""]]
    return {"sessions": sessions, "saturday_morning": bool(form.get("saturday_morning")),
            "reason": form.get("reason") or ""}, {}


def _back(authority_id, change, answer):
    scope = f"authority_id={authority_id}&" if authority_id else ""
    return f"{CALENDAR}?{scope}done={change}&recomputed={answer['cases_recomputed']}"


class CalendarPagesApi(AdminPagesBase):
    @http("GET", CALENDAR)
    def calendar_page(self, request):
        return self._page(request, "calendars.manage", self._calendar_view)

    def _calendar_view(self, view, status=200, errors=None, values=None, failed=None):
        asked = query_args(view.request)
        errors, scope_refused = errors or {}, {}
        try:  # the authority shown: after a form, the one it was for; else as asked
            # (the hours and removal forms send a code; the add form what was typed)
            authority_id = ((values or {}).get("authority_id")
                            if failed in ("hours", "remove") else None)
            authority_id = authority_id or self._resolve(
                view, dict(asked), SCOPE_PICKERS).get("authority_id") or None
        except Refused as refused:  # named none or several: the choices beside the field
            authority_id, status = None, refused.status
            scope_refused = {"errors": refused.errors, "values": {
                **asked, pickers.CANDIDATES_KEY: refused.candidates}}
        calendar = self.escalations.working_calendar(
            {"authority_id": authority_id} if authority_id else {}, view.principal)
        names = self._names_of(view, "authorities", [authority_id] + [
            entry.get("authority_id") for entry in calendar["entries"]])
        return view.render(
            "admin_calendar.html", status, calendar=calendar, authority_id=authority_id,
            authority_names=names, user_names=self._user_names(view),
            kind_choices=[(kind, i18n.label("calendar_kind", kind, view.language))
                          for kind in KINDS], scope_refused=scope_refused,
            errors=errors, values=values or {}, failed=failed,
            done=DONE_WORDS.get(asked.get("done")) if status == 200 else None,
            recomputed=asked.get("recomputed"))

    def _again(self, failed):
        return lambda view, status, errors, form: self._calendar_view(
            view, status, errors, form, failed)

    @http("POST", CALENDAR)
    def add_calendar_entry_page(self, request):
        return self._submit(request, entry_to_form, self.escalations.add_calendar_entry,
                            self._again("add"), lambda answer: _back(
                                answer["entry"]["authority_id"], "added", answer),
                            SCOPE_PICKERS)

    @http("POST", f"{CALENDAR}/remove")
    def remove_calendar_entry_page(self, request):
        return self._submit(request, removal_to_form, self.escalations.remove_calendar_entry,
                            self._again("remove"), lambda answer: _back(
                                answer["entry"]["authority_id"], "removed", answer))

    @http("POST", f"{CALENDAR}/office-hours")
    def office_hours_page(self, request):
        chosen = {}

        def read(form):
            chosen["authority_id"] = form.get("authority_id") or ""
            return hours_to_form(form)
        return self._submit(
            request, read,
            lambda body, principal: self.escalations.set_office_hours(
                chosen["authority_id"], body, principal),
            self._again("hours"),
            lambda answer: _back(chosen["authority_id"], "hours", answer))
