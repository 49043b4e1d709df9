"""The authority officer's pages: the inbox (overdue first, counts per state), what escalated
past us, a case with its timeline and only the actions the case's state and the user's side
allow (the case's ``allowed_actions``, as the escalations service tells the signed-in user),
and the authority's statistics.

Acting posts a form to ``POST /app/cases/<case_id>/<action>``, which calls the same
``escalations.act_on_case`` as the API; a refusal is shown beside the field that caused it.
"""
import datetime as dt
import re

from marshmallow import Schema, fields, validate

from services.gateway import schemas
from services.gateway.edge.http import form_args, http, query_args
from services.gateway.pages import i18n, officer_desk, pickers
from services.gateway.pages.case_attachments import FIELD, FORM_BODY_BYTES, with_documents
from services.gateway.pages.common import (
    CsrfForm,
    LanguageQuery,
    PagesApi,
    page_route,
    page_status,
    redirect,
)
from shared import clock, receipts
from shared.contracts import ANSWER_OUTCOMES, ANY_TOPIC, CONCERN_TOPICS, ID_PATTERN, Day
from shared.contracts.rpc.cases import (
    ASSIGNEES,
    CASE_STATUSES,
    DUE_FILTERS,
    INBOX_VIEWS,
    TEMPLATE_KINDS,
)
from shared.errors import SausatError

# the fields each action's form sends, as the API's body names them; what an answer carries
# besides its text (issue 25): how it settled the matter, the unit that answered, its letter
ANSWER_RECORD = ("outcome", "right_body", "law", "answering_unit", "letter_number",
                 "letter_date", "no_letter_reason")
# left out when empty, so the service's own refusal names what is missing
OPTIONAL_TEXT = frozenset({"note", "right_body", "law", "letter_number", "letter_date",
                           "no_letter_reason"})
ACTION_FIELDS = {
    "acknowledge": (), "start": (), "request_information": ("question",),
    "provide_information": ("information",), "redirect": ("authority_id", "reason"),
    "answer": ("answer", *ANSWER_RECORD), "close": ("outcome", "note"),
    "mark_duplicate": ("original_case_id",),
    "reopen": ("reason",), "escalate": ("reason",),
}


# a case's id as mails showed it before receipt codes, or its receipt code (shared.receipts)
CASE_CODE = r"^[0-9a-f]{32}$"
DAY = r"^\d{4}-\d{2}-\d{2}$"
# the inbox's filters, passed on to the escalations service's inbox query as they are
INBOX_FILTERS = ("status", "topic", "unit_id", "received_from", "received_to", "assignee", "q",
                 "due")


def opens_a_case(typed):
    """A case's id, a receipt code (as typed or read out: case, spaces and dashes forgiven), or
    what can only be a code mistyped (ten letters and digits, a digit among them: "kiểm tra lại
    mã" then); anything else is words of the text to search."""
    if re.fullmatch(CASE_CODE, typed) or receipts.is_code(typed):
        return True
    bare = re.sub(r"[\s.-]", "", typed)
    return bool(re.fullmatch(r"[0-9A-Za-z]{10}", bare)) and any(c.isdigit() for c in bare)


class blank_or(validate.Validator):  # noqa: N801 (read as a validator's name)
    """A filter's value, or "" (a GET form sends its fields left empty); ``validator`` stays
    readable, so that the schema tests can break what it checks."""

    def __init__(self, validator):
        self.validator = validator

    def __call__(self, value):
        return value if value == "" else self.validator(value)


class InboxPageQuery(LanguageQuery):
    view = fields.String(validate=validate.OneOf(INBOX_VIEWS))
    status = fields.String(validate=blank_or(validate.OneOf(CASE_STATUSES)))
    topic = fields.String(validate=blank_or(validate.OneOf(CONCERN_TOPICS)))
    unit_id = fields.String(validate=blank_or(validate.Regexp(ID_PATTERN)), metadata={
        "description": "cases raised at this unit or below it (a branch, a commune)"})
    received_from = fields.String(validate=blank_or(validate.Regexp(DAY)), metadata={
        "description": "received on or after this day (YYYY-MM-DD)"})
    received_to = fields.String(validate=blank_or(validate.Regexp(DAY)), metadata={
        "description": "received before this day (YYYY-MM-DD)"})
    assignee = fields.String(validate=blank_or(validate.OneOf(ASSIGNEES)), metadata={
        "description": "mine: the cases I took; unassigned: those nobody took"})
    due = fields.String(validate=blank_or(validate.OneOf(DUE_FILTERS)), metadata={
        "description": "at_risk: past half the time to their deadline, not yet overdue"})
    q = fields.String(validate=validate.Length(max=100), metadata={
        "description": "words of a case's summary (each beginning a word, diacritics or "
                       "not), or a case's receipt code or id (as in its mails): that case "
                       "opens"})
    cursor = fields.String(validate=validate.Length(1, 400))
    redirected = fields.String(validate=validate.Length(max=40), metadata={
        "description": "the receipt code of the case just redirected elsewhere (no longer "
                       "ours to open): the page says it went"})


class TemplateForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(validate=validate.Length(max=40))
    topic = fields.String(validate=validate.Length(max=40))
    title = fields.String(validate=validate.Length(max=400))
    text = fields.String(validate=validate.Length(max=10000))


class AfterActionQuery(LanguageQuery):
    done = fields.String(validate=validate.OneOf(sorted({*ACTION_FIELDS, "take", "assign",
                                                         "redact", "change_tier",
                                                          "interim_reply"})),
                         metadata={"description": "the action just taken (the page says so)"})
    template = fields.String(validate=validate.Regexp(CASE_CODE), metadata={
        "description": "a reply template whose text the answer or question form starts with"})


class StatisticsPageQuery(LanguageQuery):
    period_from = Day()
    period_to = Day()


class CaseActionForm(Schema.from_dict(pickers.pick_fields("authority_id"))):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    template_id = fields.String(validate=validate.Length(max=80))
    question = fields.String(validate=validate.Length(max=5000))
    information = fields.String(validate=validate.Length(max=5000))
    authority_id = fields.String(validate=validate.Length(max=200))  # a code or a name
    reason = fields.String(validate=validate.Length(max=5000))
    answer = fields.String(validate=validate.Length(max=10000))
    outcome = fields.String(validate=validate.Length(max=30))
    right_body = fields.String(validate=validate.Length(max=1000))
    law = fields.String(validate=validate.Length(max=1000))
    answering_unit = fields.String(validate=validate.Length(max=1000))
    letter_number = fields.String(validate=validate.Length(max=200))
    letter_date = fields.String(validate=validate.Length(max=20))
    no_letter_reason = fields.String(validate=validate.Length(max=2000))
    note = fields.String(validate=validate.Length(max=5000))
    original_case_id = fields.String(validate=validate.Length(max=80))


ROUTES = {
    ("GET", "/app/inbox"): page_route(
        "Officer: the inbox, overdue first, with counts per state", query=InboxPageQuery),
    ("GET", "/app/cases/<case_id>"): page_route(
        "A case: timeline and the actions allowed now", path=schemas.CasePath,
        query=AfterActionQuery),
    ("POST", "/app/cases/<case_id>/take"): page_route(
        "Officer: take a case our authority holds, to work on it", path=schemas.CasePath,
        form=CsrfForm),
    ("POST", "/app/cases/<case_id>/<action>"): page_route(
        "Act on a case from its page", path=schemas.CaseActionPath, form=CaseActionForm,
        files=FIELD, max_body=FORM_BODY_BYTES),  # the authority's documents: case_attachments
    ("GET", "/app/templates"): page_route("Officer: our authority's reply templates"),
    ("POST", "/app/templates"): page_route("Officer: add a reply template",
                                           form=TemplateForm),
    ("GET", "/app/statistics"): page_route(
        "Officer: our authority's statistics per topic", query=StatisticsPageQuery),
}


def action_arguments(action, form):
    """The API's body for ``action`` from its form: only the action's own fields, and empty
    optional text left out so the service's defaults and messages apply."""
    arguments = {}
    if form.get("template_id") and action in TEMPLATE_KINDS:
        arguments["template_id"] = form["template_id"]
    for name in ACTION_FIELDS[action]:
        value = form.get(name)
        if value is None:
            continue
        if name in OPTIONAL_TEXT and value.strip() == "":
            continue
        arguments[name] = value
    return arguments


def branch_choices(inbox, names):
    """``[(unit_id, name)]`` of every branch the authority's cases came from and the units
    above them (the inbox's ``units``), by name: the branch filter's choices."""
    return sorted(((unit["unit_id"], names.get(unit["unit_id"], unit["unit_id"]))
                   for unit in inbox.get("units", ())), key=lambda choice: choice[1])


def origin_units(case):
    """The units a case's origin names: its branch, and the unit above it (the commune)."""
    path = case.get("unit_path") or [case["unit_id"]]
    return [unit_id for unit_id in path[-2:][::-1] if unit_id]


def default_period(today=None):
    """This year so far: from 1 January to tomorrow (period_to is excluded)."""
    today = today or clock.today()
    return dt.date(today.year, 1, 1), today + dt.timedelta(days=1)


def chart_rows(rows):
    """The statistics rows with bar widths (per cent of the largest figure)."""
    largest = max([row["received"] for row in rows] + [1])
    return [{**row, "received_pct": round(100 * row["received"] / largest),
             "answered_pct": round(100 * row["answered"] / largest)} for row in rows]


class OfficerPagesApi(PagesApi):
    @http("GET", "/app/inbox")
    def inbox_page(self, request):
        def build(view):
            asked = {**query_args(request)}
            asked["q"] = (asked.get("q") or "").strip()
            if opens_a_case(asked["q"]):  # a case's code: its page (404 there if not ours)
                return redirect(f"/app/cases/{self._case_id_of(asked['q'], view)}")
            query = {"authority_id": view.principal["authority_id"],
                     "view": asked.get("view", "holding"), "limit": 50}
            for name in (*INBOX_FILTERS, "cursor"):
                if asked.get(name):
                    query[name] = asked[name]
            inbox = self.escalations.inbox(query, view.principal)
            filters = {name: asked[name] for name in INBOX_FILTERS if asked.get(name)}
            listed = [unit["unit_id"] for unit in inbox.get("units", ())]
            units = self._unit_names(inbox["cases"], filters.get("unit_id"), *listed)
            return view.render("inbox.html", inbox=inbox, state=asked.get("status"),
                               redirected=asked.get("redirected"),
                               filters=filters, topics=CONCERN_TOPICS, states=CASE_STATUSES,
                               units=units, branch_choices=branch_choices(inbox, units))
        return self._page(request, "cases.inbox", build)

    def _case_id_of(self, code, view):
        """A case's id as typed, or the id of the case its receipt code names (404 alike
        when not the officer's)."""
        if re.fullmatch(CASE_CODE, code):
            return code
        return self.escalations.case_of_receipt(code, view.principal)["case_id"]

    def _unit_names(self, cases, *more):
        """``{unit_id: name}`` of each case's branch and the unit above it (its commune), in
        one call to the registry."""
        wanted = {unit_id for unit_id in more if unit_id}
        for case in cases:
            wanted.update(origin_units(case))
        if not wanted:
            return {}
        found = self.assignments.unit_names({"unit_ids": sorted(wanted)})["units"]
        return {unit["unit_id"]: unit["name"] for unit in found}

    @http("GET", "/app/cases/<case_id>")
    def case_page(self, request, case_id):
        return self._page(request, "cases.read",
                          lambda view: self._case_view(view, case_id))

    def _case_view(self, view, case_id, status=200, failed=None, errors=None, values=None):
        case = self.escalations.get_case(case_id, view.principal)
        if view.principal["role"] == "cadre":  # the raising side: the concern page
            return redirect(f"/app/concerns/{case['concern_id']}")
        templates = []
        if set(TEMPLATE_KINDS) & set(case["allowed_actions"]):
            templates = self.escalations.list_reply_templates(
                {"authority_id": view.principal["authority_id"], "topic": case["topic"]},
                view.principal)["templates"]
        chosen = query_args(view.request).get("template")
        values = values or {}
        for template in templates:  # the form starts from the template asked for
            if template["template_id"] == chosen and not values:
                failed = template["kind"]
                values = {"template_id": chosen, ACTION_FIELDS[template["kind"]][0]:
                          template["text"]}
        # the concern's photos and documents are kept where it was raised (visits)
        attachments = self.visits.get_concern(case["concern_id"], None).get("attachments")
        return view.render("case.html", status, case=case, units=self._unit_names(
                               [case], *[r["unit_id"] for r in case["raisings"]]),
                           attachments=attachments,
                           templates=templates, officers=self._assignable(view, case),
                           done=query_args(view.request).get("done") if status == 200 else None,
                           actions=case["allowed_actions"],
                           failed=failed, errors=errors or {},
                           values=values or {})

    def _assignable(self, view, case):
        """The authority's officers its head may assign the case to (none for anyone else,
        nor when nothing is left to do on it)."""
        principal = view.principal
        if not (principal.get("authority_head") and case["allowed_actions"]
                and case["authority_id"] == principal["authority_id"]):
            return []
        return self.escalations.list_officers({"authority_id": case["authority_id"]},
                                              principal)["officers"]

    @http("POST", "/app/cases/<case_id>/take")
    def take_case_page(self, request, case_id):
        def build(view):
            self._check_csrf(view)
            try:
                self.escalations.take_case(case_id, view.principal)
            except SausatError as error:
                if error.status != 409:
                    raise
                return self._case_view(view, case_id, 409, "take",
                                       {"_action": i18n.refusal(error, view.language)})
            return redirect(f"/app/cases/{case_id}?done=take")
        return self._page(request, "cases.take", build)

    @http("POST", "/app/cases/<case_id>/<action>")
    def act_on_case_page(self, request, case_id, action):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            if action == "redirect":  # the authority typed by name: its code, or choices
                form, refused = officer_desk.redirect_target(self, view, form)
                if refused:
                    return self._case_view(view, case_id, 422, action, *refused)
            try:
                case = self.escalations.act_on_case(case_id, action, with_documents(
                    self, view, case_id, action, action_arguments(action, form)), view.principal)
            except SausatError as error:
                if error.status not in (400, 409, 422):
                    raise
                errors = view.errors(error)
                errors.setdefault("_action", i18n.refusal(error, view.language))
                if view.principal["role"] == "cadre":
                    return self._concern_after_refusal(view, case_id, action, error, errors,
                                                       form)
                return self._case_view(view, case_id, page_status(error), action, errors, form)
            if view.principal["role"] == "cadre":
                return redirect(f"/app/concerns/{case['concern_id']}?done={action}")
            if action == "redirect":  # no longer ours to open: the inbox says it went
                return redirect(f"/app/inbox?redirected={case.get('receipt_code') or ''}")
            return redirect(f"/app/cases/{case_id}?done={action}")
        return self._page(request, "cases.act", build)

    def _concern_after_refusal(self, view, case_id, action, error, errors, form):
        case = self.escalations.get_case(case_id, view.principal)
        concern = self.visits.get_concern(case["concern_id"], view.principal)
        return view.render("concern.html", page_status(error), concern=concern, case=case,
                           done=None,
                           actions=case["allowed_actions"], failed=action,
                           errors=errors, values=form)

    @http("GET", "/app/templates")
    def templates_page(self, request):
        return self._page(request, "templates.manage",
                          lambda view: self._templates_view(view))

    def _templates_view(self, view, status=200, errors=None, values=None):
        templates = self.escalations.list_reply_templates(
            {"authority_id": view.principal["authority_id"]}, view.principal)["templates"]
        return view.render("templates.html", status, templates=templates,
                           kinds=TEMPLATE_KINDS, topics=(ANY_TOPIC, *CONCERN_TOPICS),
                           errors=errors or {}, values=values or {})

    @http("POST", "/app/templates")
    def add_template_page(self, request):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            template = {name: form.get(name, "") for name in ("kind", "topic", "title", "text")}
            try:
                self.escalations.add_reply_template(
                    {**template, "authority_id": view.principal["authority_id"]},
                    view.principal)
            except SausatError as error:
                if error.status not in (400, 422):
                    raise
                return self._templates_view(view, page_status(error), view.errors(error),
                                            template)
            return redirect("/app/templates")
        return self._page(request, "templates.manage", build)

    @http("GET", "/app/statistics")
    def officer_statistics_page(self, request):
        def build(view):
            authority_id = view.principal["authority_id"]
            return statistics_view(self, view, authority_id)
        return self._page(request, "cases.statistics", build)


def statistics_view(api, view, authority_id, picker=None):
    """An authority's statistics page: an officer's own; an administrator's chosen with the
    authority picker (``picker``: the chosen one's ``name``, or the refusal's ``errors``,
    ``status`` and ``values`` when what was typed named none or several: no figures then)."""
    asked = query_args(view.request)
    start, end = default_period()
    period = {"period_from": asked.get("period_from") or start.isoformat(),
              "period_to": asked.get("period_to") or end.isoformat()}
    statistics = None
    if authority_id:
        statistics = api.escalations.statistics({"authority_id": authority_id, **period},
                                                view.principal)
    return view.render("statistics.html", (picker or {}).get("status", 200),
                       statistics=statistics, period=period,
                       rows=chart_rows(statistics["rows"]) if statistics else [],
                       picker=picker, authority_id=authority_id,
                       answer_outcomes=ANSWER_OUTCOMES)
