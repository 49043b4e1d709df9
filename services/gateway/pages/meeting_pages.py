"""The meeting pages (issue 28), for committee members on a phone:

- ``/app/meetings``: the meetings I am planned to attend (upcoming, and those past still to
  log), each leading to the visit form prefilled with its branch and day; my calendar feed's
  address (a new one, revoked); links to the committees I plan for and the branches whose
  dates I keep (``assignments.meeting_seats``);
- ``/app/committees/<unit_id>/plan``: a committee's month or quarter, every meeting of its
  branches with who is planned or a choice among those who may go, a refusal beside the
  meeting's field; plan against actual per cadre;
- ``/app/units/<unit_id>/meeting-schedule``: the branch secretary's form for its dates, its
  coming meetings and who changed what before.

Each calls the RPC the API's handler calls (``api/meetings.py``) with the signed-in principal;
the plain logic is ``meeting_forms``.
"""
import datetime as dt

from marshmallow import INCLUDE, Schema, fields, validate

from services.gateway.api.visits import UnitPath
from services.gateway.edge.http import form_args, http, query_args
from services.gateway.pages import i18n, meeting_forms
from services.gateway.pages.common import (
    CsrfForm,
    LanguageQuery,
    PagesApi,
    page_route,
    page_status,
    redirect,
)
from shared import clock
from shared.contracts import Id
from shared.contracts.rpc.registry import MEETING_DAY_OFF_RULES, MEETING_FREQUENCIES
from shared.errors import Forbidden, RuleViolated, SausatError

# the most working groups a committee page reads (small by nature, read whole)
GROUPS_READ = 500
NAMES_PER_CALL = 200
_A_DAY = dt.timedelta(days=1)
_PERIOD = fields.String(validate=validate.Length(1, 10), metadata={
    "description": "a month (2026-12) or a quarter (2026-Q4); default this month"})


class MyMeetingsQuery(LanguageQuery):
    unit_id = Id(metadata={"description": "with meeting_on: the meeting a reminder named"})
    meeting_on = fields.String(validate=validate.Length(1, 10))
    done = fields.String(validate=validate.OneOf(["feed_revoked"]))


class PlanQuery(LanguageQuery):
    period = _PERIOD
    done = fields.String(validate=validate.OneOf(["planned"]))


class PlanForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    period = fields.String(load_default="", validate=validate.Length(max=10))
    unit_id = fields.String(load_default="", validate=validate.Length(max=200))
    meeting_on = fields.String(load_default="", validate=validate.Length(max=20))
    attendee = fields.String(load_default="", validate=validate.Length(max=210))


class ScheduleQuery(LanguageQuery):
    done = fields.String(validate=validate.OneOf(["saved"]))


class ScheduleForm(Schema):
    """``meeting_schedule.<field>``: the request's own names, kept flat as sent."""
    class Meta:
        unknown = INCLUDE

    csrf = fields.String(required=True, validate=validate.Length(1, 200))


class CommitteePath(Schema):
    unit_id = Id(required=True)


ROUTES = {
    ("GET", "/app/meetings"): page_route(
        "Cadre: the meetings I am planned to attend, my calendar feed", query=MyMeetingsQuery),
    ("POST", "/app/meetings/feed"): page_route(
        "Cadre: a new calendar feed address (the old one stops), shown once", form=CsrfForm),
    ("POST", "/app/meetings/feed/revoke"): page_route(
        "Cadre: revoke my calendar feed address", form=CsrfForm),
    ("GET", "/app/committees/<unit_id>/plan"): page_route(
        "A committee's attendance plan for a month or quarter, plan against actual",
        path=CommitteePath, query=PlanQuery),
    ("POST", "/app/committees/<unit_id>/plan"): page_route(
        "Plan who attends one branch meeting (refused beside the meeting's field)",
        path=CommitteePath, form=PlanForm),
    ("GET", "/app/units/<unit_id>/meeting-schedule"): page_route(
        "The branch secretary: its meeting dates and who changed them", path=UnitPath,
        query=ScheduleQuery),
    ("POST", "/app/units/<unit_id>/meeting-schedule"): page_route(
        "The branch secretary: change its meeting schedule", path=UnitPath, form=ScheduleForm),
}


class MeetingPagesApi(PagesApi):
    # --- the cadre's planned meetings and feed -----------------------------------------------

    @http("GET", "/app/meetings")
    def my_meetings_page(self, request):
        return self._page(request, "meetings.feed", lambda view: self._my_meetings(view))

    def _my_meetings(self, view, feed_address=None):
        principal, today = view.principal, clock.today()
        asked = query_args(view.request)
        meetings, to_log = [], []
        for month in [meeting_forms.month_of(today.replace(day=1) - _A_DAY),
                      *meeting_forms.months_ahead(today)]:
            plan = self.assignments.cadre_plan(principal["cadre_id"], month, principal)
            meetings += plan["meetings"]
            to_log += plan["comparison"]["planned_not_attended"]
        missed = {(m["unit_id"], m["meeting_on"]) for m in to_log}
        past = [m for m in meetings if m["meeting_on"] < today.isoformat()
                and (m["unit_id"], m["meeting_on"]) in missed]
        named = next((m for m in meetings if (m["unit_id"], m["meeting_on"])
                      == (asked.get("unit_id"), asked.get("meeting_on"))), None)
        return view.render("meetings_mine.html", upcoming=meeting_forms.upcoming(meetings, today),
                           to_log=sorted(past, key=lambda m: m["meeting_on"]), named=named,
                           seats=self.assignments.meeting_seats(principal),
                           feed_address=feed_address, done=asked.get("done"))

    @http("POST", "/app/meetings/feed")
    def new_feed_submit(self, request):
        def build(view):
            self._check_csrf(view)
            token = self.assignments.issue_meeting_feed(view.principal)["token"]
            return self._my_meetings(view, f"{request.host_url}meeting-feeds/{token}")
        return self._page(request, "meetings.feed", build)

    @http("POST", "/app/meetings/feed/revoke")
    def revoke_feed_submit(self, request):
        def build(view):
            self._check_csrf(view)
            self.assignments.revoke_meeting_feed(view.principal)
            return redirect("/app/meetings?done=feed_revoked")
        return self._page(request, "meetings.feed", build)

    # --- the committee's plan ----------------------------------------------------------------

    @http("GET", "/app/committees/<unit_id>/plan")
    def committee_plan_page(self, request, unit_id):
        def build(view):
            period = meeting_forms.period_asked(query_args(request).get("period"), clock.today())
            return self._plan_view(view, unit_id, period,
                                   done=query_args(request).get("done"))
        return self._page(request, "meetings.plan", build)

    def _plan_view(self, view, committee_id, period, status=200, errors=None, done=None):
        principal = view.principal
        plan = self.assignments.committee_plan(committee_id, period, principal)
        groups = [g for g in self.assignments.list_working_groups(
            {"limit": GROUPS_READ})["working_groups"] if g["formed_by_unit_id"] == committee_id]
        planned = {(entry["unit_id"], entry["meeting_on"]) for entry in plan["plan"]}
        members, choices = set(plan["members"]), {}
        for branch in plan["branches"]:
            open_days = [m["day"] for m in branch["meetings"]
                         if (branch["unit_id"], m["day"]) not in planned]
            if not open_days:
                continue
            assignments = self.assignments.list_unit_assignments(branch["unit_id"])
            for day in open_days:
                choices[(branch["unit_id"], day)] = meeting_forms.candidates(
                    assignments, members, groups, committee_id, branch["unit_id"], day)
        names = {**self._cadre_names(members | {c for entry in plan["plan"]
                                                for c in entry["attendee_cadre_ids"]}),
                 **{g["working_group_id"]: g["name"] for g in groups}}
        before, after = meeting_forms.neighbours(plan["period"])
        return view.render(
            "meeting_plan.html", status, plan=plan,
            committee=self.assignments.get_unit(committee_id),
            rows=meeting_forms.plan_rows(plan, choices, names),
            per_cadre=meeting_forms.comparison_rows(plan["comparison"], names),
            names=names, unit_names={b["unit_id"]: b["name"] for b in plan["branches"]},
            before=before, after=after, switched=meeting_forms.switched(plan["period"]),
            errors=errors or {}, done=done)

    def _cadre_names(self, cadre_ids):
        ids, names = sorted(cadre_ids), {}
        for start in range(0, len(ids), NAMES_PER_CALL):
            for cadre in self.assignments.cadre_names(
                    {"cadre_ids": ids[start:start + NAMES_PER_CALL]})["cadres"]:
                names[cadre["cadre_id"]] = cadre["name"]
        return names

    @http("POST", "/app/committees/<unit_id>/plan")
    def plan_submit(self, request, unit_id):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            period = meeting_forms.period_asked(form["period"], clock.today())
            body, refused = meeting_forms.plan_entry_of(form, unit_id)
            try:
                if refused:
                    raise RuleViolated("choose who attends", refused)
                self.assignments.plan_attendance(body, view.principal)
            except SausatError as error:
                if error.status not in (400, 422):
                    raise
                said = " ".join(view.errors(error).values()) or i18n.refusal(
                    error, view.language)
                errors = {(form["unit_id"], form["meeting_on"]): said}
                return self._plan_view(view, unit_id, period, page_status(error), errors)
            return redirect(f"/app/committees/{unit_id}/plan?period={period}&done=planned"
                            f"#meeting-{form['unit_id']}-{form['meeting_on']}")
        return self._page(request, "meetings.plan", build)

    # --- the branch secretary's schedule -----------------------------------------------------

    @http("GET", "/app/units/<unit_id>/meeting-schedule")
    def schedule_page(self, request, unit_id):
        def build(view):
            unit = self._kept_by(view, unit_id)
            return self._schedule_view(view, unit, meeting_forms.schedule_values(
                unit.get("meeting_schedule")), done=query_args(request).get("done"))
        return self._page(request, "meetings.schedule", build)

    def _kept_by(self, view, unit_id):
        """The branch, if the signed-in cadre is its secretary today (or an administrator):
        anyone else is refused before the form is shown."""
        if view.principal["role"] != "administrator":
            seats = self.assignments.meeting_seats(view.principal)["secretary_of"]
            if unit_id not in {seat["unit_id"] for seat in seats}:
                raise Forbidden("only the branch's secretary keeps its dates")
        return self.assignments.get_unit(unit_id)

    def _schedule_view(self, view, unit, values, status=200, errors=None, done=None):
        coming = []
        for month in meeting_forms.months_ahead(clock.today()):
            try:
                coming.append((month, self.assignments.meeting_dates(
                    unit["unit_id"], month, view.principal)["meetings"], None))
            except RuleViolated as refusal:
                coming.append((month, [], " ".join(view.errors(refusal).values())))
        changes = self.assignments.meeting_schedule_changes(unit["unit_id"], view.principal)
        names = self._cadre_names({c["cadre_id"] for c in changes if c["cadre_id"]})
        def value_words(kind, values):
            return [(str(value), i18n.label(kind, value, view.language)) for value in values]
        return view.render("meeting_schedule.html", status, unit=unit, values=values,
                           errors=errors or {}, coming=coming, done=done, names=names,
                           frequencies=value_words("meeting_frequency", MEETING_FREQUENCIES),
                           day_off_rules=value_words("day_off_rule", MEETING_DAY_OFF_RULES),
                           quarter_months=value_words("quarter_month", (1, 2, 3)),
                           changes=[(c, meeting_forms.change_lines(c)) for c in changes])

    @http("POST", "/app/units/<unit_id>/meeting-schedule")
    def schedule_submit(self, request, unit_id):
        def build(view):
            self._check_csrf(view)
            unit = self._kept_by(view, unit_id)
            form = form_args(request)
            schedule, refused = meeting_forms.schedule_of(form)
            try:
                if refused:
                    raise RuleViolated("a thematic meeting's line is not valid", refused)
                self.assignments.change_meeting_schedule(
                    unit_id, {"meeting_schedule": schedule}, view.principal)
            except SausatError as error:
                if error.status not in (400, 422):
                    raise
                errors = {_schedule_field(name): said
                          for name, said in view.errors(error).items()}
                errors.setdefault("_form", i18n.refusal(error, view.language))
                return self._schedule_view(view, unit, dict(form), page_status(error), errors)
            return redirect(f"/app/units/{unit_id}/meeting-schedule?done=saved")
        return self._page(request, "meetings.schedule", build)


def _schedule_field(name):
    """A refusal's field as the form names it: the date rule names ``day_of_month``, the
    request's schema ``meeting_schedule.day_of_month``."""
    return name if name.startswith("meeting_schedule.") or name == "_form" else \
        f"meeting_schedule.{name}"

