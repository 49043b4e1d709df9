"""The committee member's pages: my units, log a visit (kept on the phone while offline), my
visits, a concern with its answer.

The visit form is sent by ``static/outbox.js`` as JSON to ``POST /app/visits``, which calls the
same ``visits.log_visit`` as ``POST /visits``: once per ``submission_id`` (minted when the form
opens and kept with the draft), so a visit sent again after a lost reply answers 200 with the
visit already logged. Refusals come back in the one error shape, their ``fields`` translated.
"""

import datetime as dt

from marshmallow import fields, validate

from services.gateway import schemas
from services.gateway.api.members import LogVisitRequest, log_visit_by_member
from services.gateway.api.visits import UnitPath
from services.gateway.edge.http import form_args, http, json_body, query_args
from services.gateway.edge.route import Route
from services.gateway.pages import amend_files, amendment, attach_form, i18n
from services.gateway.pages.case_attachments import FORM_BODY_BYTES, answer_documents
from services.gateway.pages.common import (
    LanguageQuery,
    PagesApi,
    page_route,
    page_status,
    redirect,
)
from services.gateway.pages.officer import AfterActionQuery
from shared import clock
from shared.contracts import (
    CONCERN_TOPICS,
    MEETING_KINDS,
    RAISED_BY,
    URGENCIES,
    Day,
    Id,
    new_id,
)
from shared.errors import Forbidden, NotFound, SausatError

# how many of the cadre's latest visits the units page looks at (last visit, open concerns)
RECENT_VISITS = 200
# open concerns shown on a branch's brief page (the API pages them; a branch rarely has more)
BRIEF_CONCERNS = 100
NAMES_BATCH = 200  # authorities named per call (the names RPC's bound)
# how far back the visit form looks for a meeting already logged (a second log of it is
# warned of; a visit is logged within days of its meeting)
SAME_MEETING_DAYS = 62


class NewVisitQuery(LanguageQuery):
    unit_id = Id(metadata={"description": "the unit chosen in advance"})
    meeting_date = Day(metadata={"description": "the meeting's day, chosen in advance (a "
                                                "planned meeting's link)"})


class VisitPageQuery(LanguageQuery):
    done = fields.String(validate=validate.OneOf(["amended"]), metadata={
        "description": "amended: the page says the amendment was saved"})


class VisitsQuery(LanguageQuery):
    cursor = fields.String(validate=validate.Length(1, 400))


ROUTES = {
    ("GET", "/app/units"): page_route("Cadre: my units, their last visit and open concerns"),
    ("GET", "/app/units/<unit_id>/brief"): page_route(
        "Cadre: a branch's brief before a visit (open concerns, answers to read out, overdue, "
        "last visits)", path=UnitPath),
    ("GET", "/app/visits/new"): page_route("Cadre: the visit form (works offline)",
                                           query=NewVisitQuery),
    ("POST", "/app/visits"): Route(
        "Cadre: log a visit from the visit form (session cookie and X-CSRF-Token)",
        schemas.LoggedVisit, "pages", status=201, body=LogVisitRequest, public=True,
        errors=(401, 403, 404, 409, 413, 415, 422),
        description="What POST /visits does, for the page's script: 200 for a replayed "
                    "submission_id; refusals with their fields in the user's language.",
        also=((200, schemas.LoggedVisit, "this submission was logged before; nothing new"),)),
    ("GET", "/app/visits"): page_route("Cadre: my visits and their concerns", query=VisitsQuery),
    ("GET", "/app/visits/<visit_id>"): page_route("Cadre: a visit I logged",
                                                  path=schemas.VisitPath, query=VisitPageQuery),
    ("GET", "/app/visits/<visit_id>/amend"): page_route(
        "Cadre: amend a visit I logged, within the window", path=schemas.VisitPath),
    ("POST", "/app/visits/<visit_id>/amend"): page_route(
        "Cadre: send an amendment from its page (a new version; refused after the window, "
        "the reason shown above the form; the new concern's files sent with it)",
        path=schemas.VisitPath, form=amendment.AmendVisitForm, files=amend_files.FIELD,
        max_body=FORM_BODY_BYTES),
    ("GET", "/app/concerns/<concern_id>"): page_route(
        "A concern: its state, holder, timeline and answer", path=schemas.ConcernPath,
        query=AfterActionQuery),
}


class CadrePagesApi(PagesApi):
    @http("GET", "/app/units")
    def my_units_page(self, request):
        def build(view):
            cadre_id = view.principal["cadre_id"]
            assignments = self.assignments.list_assignments(cadre_id)
            visits = self.visits.visits_of_cadre({"limit": RECENT_VISITS}, view.principal)
            rows, today = [], clock.today().isoformat()
            for assignment in assignments:
                unit = self.assignments.get_unit(assignment["unit_id"])
                mine = [v for v in visits["visits"] if v["unit_id"] == unit["unit_id"]]
                open_concerns = sum(1 for v in mine for c in v["concerns"] if not c["answer"])
                rows.append({"unit": unit, "starts_on": assignment["starts_on"],
                             "last_visit": mine[0] if mine else None,
                             "open_concerns": open_concerns,
                             # assigned today: its members are theirs to see (members.access)
                             "sees_members": holds_on(assignment, today)})
            return view.render("cadre_units.html", rows=rows)
        return self._page(request, "visits.log", build)

    @http("GET", "/app/units/<unit_id>/brief")
    def brief_page(self, request, unit_id):
        def build(view):
            brief = self.visits.branch_brief(unit_id, {"limit": BRIEF_CONCERNS}, view.principal)
            # when it was read: a copy kept on the phone tells its age when read offline
            return view.render("cadre_brief.html", brief=brief,
                               as_of=dt.datetime.now(dt.timezone.utc),
                               authorities=self._authority_names(brief),
                               documents=answer_documents(self, view.principal, brief))
        return self._page(request, "visits.brief", build)

    @http("GET", "/app/visits/new")
    def visit_form_page(self, request):
        def build(view):
            assignments = self.assignments.list_assignments(view.principal["cadre_id"])
            units = [self.assignments.get_unit(a["unit_id"]) for a in assignments]
            chosen = query_args(request).get("unit_id")
            # the query as the route dumps it: the day is text already
            day = query_args(request).get("meeting_date") or clock.today().isoformat()
            return view.render(
                "visit_form.html", units=units, chosen=chosen,
                to_review=self._answers_to_read_out(chosen, view.principal),
                today=clock.today().isoformat(), meeting_date=day,
                topics=CONCERN_TOPICS,
                meeting_kinds=MEETING_KINDS, raised_by=RAISED_BY, urgencies=URGENCIES,
                error_words=error_words(view.language),
                logged=self._meetings_logged(view.principal),
                **attach_form.form_context(self.page_support.attachment_limits, view.language))
        return self._page(request, "visits.log", build)

    def _meetings_logged(self, principal):
        """The meetings this cadre logged lately, for the form's warning before a second log
        of one: ``[{unit_id, meeting_date, visit_id, unit_name}]``."""
        since = clock.today() - dt.timedelta(days=SAME_MEETING_DAYS)
        page = self.visits.list_visits({"cadre_id": principal["cadre_id"], "limit": 200,
                                        "period_from": since.isoformat()}, principal)
        return [{key: visit[key] for key in ("unit_id", "meeting_date", "visit_id", "unit_name")}
                for visit in page["visits"] if visit["cadre_id"] == principal["cadre_id"]]

    def _answers_to_read_out(self, unit_id, principal):
        """The answers the chosen branch's members review at this meeting (none when no
        branch is chosen, or the brief is not this cadre's to read today)."""
        if not unit_id:
            return []
        try:
            brief = self.visits.branch_brief(unit_id, {"limit": BRIEF_CONCERNS}, principal)
        except (Forbidden, NotFound):
            return []
        return [dict(answer, unit_id=unit_id) for answer in brief["answers_to_read_out"]]

    def _authority_names(self, brief):
        """The names of exactly the authorities holding the brief's concerns, read by id (a
        province's thousandth authority named like its first)."""
        wanted = sorted({concern["holder_authority_id"]
                         for key in ("answers_to_read_out", "overdue", "open_concerns")
                         for concern in brief.get(key) or ()
                         if concern.get("holder_authority_id")})
        names = {}
        for start in range(0, len(wanted), NAMES_BATCH):
            names.update({a["authority_id"]: a["name"] for a in self.escalations.authority_names(
                {"authority_ids": wanted[start:start + NAMES_BATCH]})["authorities"]})
        return names

    @http("POST", "/app/visits")
    def log_visit_from_page(self, request):
        def log(principal):
            # the attendance member by member too, as POST /visits takes it (issue 29)
            visit = log_visit_by_member(self, json_body(request), principal)
            visit["url"] = f"/app/visits/{visit['visit_id']}"
            return visit, 200 if visit["replayed"] else 201
        return self._from_script(request, "visits.log", log)

    @http("GET", "/app/visits")
    def my_visits_page(self, request):
        def build(view):
            query = {"limit": 20}
            if query_args(request).get("cursor"):
                query["cursor"] = query_args(request)["cursor"]
            page = self.visits.visits_of_cadre(query, view.principal)
            return view.render("cadre_visits.html", visits=page["visits"],
                               next_cursor=page["next_cursor"])
        return self._page(request, "visits.read", build)

    @http("GET", "/app/visits/<visit_id>")
    def visit_page(self, request, visit_id):
        def build(view):
            visit = self.visits.get_visit(visit_id, view.principal)
            return view.render("cadre_visit.html", visit=visit,
                               done=query_args(request).get("done"))
        return self._page(request, "visits.read", build)

    @http("GET", "/app/visits/<visit_id>/amend")
    def amend_visit_page(self, request, visit_id):
        def build(view):
            visit = self.visits.get_visit(visit_id, view.principal)
            return self._amend_form(view, visit, values_of(visit), {})
        return self._page(request, "visits.log", build)

    @http("POST", "/app/visits/<visit_id>/amend")
    def amend_visit_submit(self, request, visit_id):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            visit = self.visits.get_visit(visit_id, view.principal)
            body = amendment.amendment_of(form, visit)
            try:
                body = amend_files.with_new_concern_files(self, view, body)
                self.visits.amend_visit(visit_id, body, view.principal)
            except SausatError as error:
                if error.status not in (400, 409, 422):
                    raise
                errors = amendment.form_errors(view.errors(error), visit, body)
                window = errors.pop("logged_at", None)  # the window passed: above the form
                errors["_form"] = window or i18n.refusal(error, view.language)
                return self._amend_form(view, visit, amendment.form_values(form), errors,
                                        page_status(error))
            return redirect(f"/app/visits/{visit_id}?done=amended")
        return self._page(request, "visits.log", build)

    def _amend_form(self, view, visit, values, errors, status=200):
        return view.render("amend_visit.html", status, visit=visit, values=values,
                           errors=errors, topics=CONCERN_TOPICS, meeting_kinds=MEETING_KINDS,
                           raised_by=RAISED_BY, urgencies=URGENCIES,
                           attachment_limits=self.page_support.attachment_limits)

    @http("GET", "/app/concerns/<concern_id>")
    def concern_page(self, request, concern_id):
        def build(view):
            principal = view.principal
            if principal["role"] != "cadre":  # an officer: the case page says it all
                case = self.escalations.get_case_for_concern(concern_id, principal)
                return redirect_to_case(case)
            concern = self.visits.get_concern(concern_id, principal)
            try:
                case = self.escalations.get_case(
                    self.escalations.get_case_for_concern(concern_id, principal)["case_id"],
                    principal)
            except NotFound:
                case = None  # accepted, not routed yet: the event is on its way
            actions = case["allowed_actions"] if case else []  # the raising side's
            return view.render("concern.html", concern=concern, case=case, actions=actions,
                               failed=None, errors={}, values={},
                               done=query_args(request).get("done"))
        return self._page(request, "concerns.read", build)


def values_of(visit):
    """The amendment form as the visit stands, with a new submission_id (one per opening:
    the form sent twice is one amendment)."""
    values = {"submission_id": new_id(), "meeting_kind": visit["meeting_kind"],
              "new.raised_by": RAISED_BY[0], "new.urgency": URGENCIES[0]}
    for part in ("attendance", "assessment"):
        for name, value in visit[part].items():
            values[f"{part}.{name}"] = value
    values.setdefault("assessment.note", "")
    return values


def holds_on(assignment, day):
    """Whether ``assignment`` holds on ``day`` (ISO): an ended one lists the unit, no more."""
    return assignment["starts_on"] <= day and (assignment["ends_on"] is None
                                                or day <= assignment["ends_on"])


def redirect_to_case(case):
    return redirect(f"/app/cases/{case['case_id']}")


def error_words(language):
    """The words the visit form's script needs, in the page's language."""
    keys = ("sending", "kept_offline", "pending_visits", "visit_sent", "visit_refused",
            "session_expired", "csrf_failed", "unavailable", "concern_n", "remove_concern",
            "same_meeting", "same_meeting_waiting", "receipt_code")
    return {key: i18n.text(key, language) for key in keys}
