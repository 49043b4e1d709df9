"""The officer's desk, part 2 (issue 24): the head of an authority assigns a case to a named
officer of it from the case's page, and officers change and delete their authority's reply
templates (each change kept: who, when, which fields). A case is redirected to any authority
chosen by typing its name (the picker's suggestions, or the server's resolution without
scripts), never from a list of the first few hundred.

Each form calls the same escalations RPC as the API (``assign_case``,
``change_reply_template``, ``delete_reply_template``) with the signed-in officer; a refusal
comes back beside the field that caused it, nothing changed.
"""
from marshmallow import Schema, fields, validate

from services.gateway import schemas
from services.gateway.edge.http import form_args, http, query_args
from services.gateway.edge.route import Route
from services.gateway.pages import i18n, pickers
from services.gateway.pages.admin_tree import SuggestionQuery, Suggestions, suggestions_response
from services.gateway.pages.common import (
    LanguageQuery,
    PagesApi,
    page_route,
    page_status,
    redirect,
)
from shared.contracts import ANY_TOPIC, CONCERN_TOPICS
from shared.errors import InvalidInput, NotFound, SausatError

CONFIRMED = "yes"


class TemplatePageQuery(LanguageQuery):
    done = fields.String(validate=validate.OneOf(["changed"]), metadata={
        "description": "the template was just changed (the page says so)"})


class CaseAssignForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    user_id = fields.String(validate=validate.Length(max=80))


class TemplateChangeForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    topic = fields.String(validate=validate.Length(max=40))
    title = fields.String(validate=validate.Length(max=400))
    text = fields.String(validate=validate.Length(max=10000))


class TemplateDeleteForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    confirm = fields.String(validate=validate.Length(max=20))


REDIRECT_PICKERS = {"authority_id": "authorities"}

ROUTES = {
    ("GET", "/app/suggestions/authorities"): Route(
        "Officer: authorities suggested for redirecting a case as one types (static/picker.js)",
        Suggestions, "pages", query=SuggestionQuery, public=True, errors=(403,),
        description="The first authorities whose names hold the words typed, from the "
                    "escalations service's index; the session cookie."),
    ("POST", "/app/cases/<case_id>/assign"): page_route(
        "The head of the authority: assign a case to a named officer of it",
        path=schemas.CasePath, form=CaseAssignForm),
    ("GET", "/app/templates/<template_id>"): page_route(
        "Officer: a reply template of our authority, to change or delete, with its changes",
        path=schemas.TemplatePath, query=TemplatePageQuery),
    ("POST", "/app/templates/<template_id>"): page_route(
        "Officer: change a reply template", path=schemas.TemplatePath, form=TemplateChangeForm),
    ("POST", "/app/templates/<template_id>/delete"): page_route(
        "Officer: delete a reply template (confirmed)", path=schemas.TemplatePath,
        form=TemplateDeleteForm),
}


def template_changes(form, template):
    """The fields the form changes (what differs from the template as it is)."""
    return {name: form[name] for name in ("topic", "title", "text")
            if form.get(name) is not None and form[name] != template.get(name)}


def change_lines(template, names):
    """The template's changes, newest first, with the officers' names."""
    return [{**line, "by_name": names.get(line["by"], line["by"])}
            for line in reversed(template.get("changes") or [])]


def authority_lookups(api):
    """The picker's ``(exact, search)`` of authorities, each one bounded call by id or by
    index (see :func:`pickers.resolve`)."""
    def exact(code):
        found = api.escalations.authority_names({"authority_ids": [code]})["authorities"]
        return found[0]["name"] if found else None

    def search(words, limit):
        return [(a["authority_id"], a["name"], a["name"]) for a in
                api.escalations.search_authorities({"q": words, "limit": limit})["authorities"]]
    return {"authorities": (exact, search)}


def redirect_target(api, view, form):
    """The redirect form with the authority typed replaced by its code; or ``None`` and the
    refusal (``{field: words}``) with the authorities to choose from beside the field."""
    resolved, because, candidates = pickers.resolve_form(form, REDIRECT_PICKERS,
                                                         authority_lookups(api))
    if not because:
        return resolved, None
    errors = {field: i18n.text(f"reason.{code}", view.language)
              for field, code in because.items()}
    return None, (errors, {**form, pickers.CANDIDATES_KEY: candidates})


class DeskPagesApi(PagesApi):
    @http("GET", "/app/suggestions/authorities")
    def authority_suggestions(self, request):
        def build(view):
            exact, search = authority_lookups(self)["authorities"]
            try:
                rows = search(query_args(request)["q"], pickers.CANDIDATES)
            except InvalidInput:  # no letter or digit yet: nothing to suggest
                rows = []
            return suggestions_response(view, rows)
        return self._page(request, "cases.redirect", build)

    @http("POST", "/app/cases/<case_id>/assign")
    def assign_case_page(self, request, case_id):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            try:
                self.escalations.assign_case(case_id, {"user_id": form.get("user_id") or ""},
                                             view.principal)
            except SausatError as error:
                if error.status not in (400, 409, 422):
                    raise
                errors = view.errors(error)
                errors["assign"] = errors.get("user_id") or i18n.refusal(error, view.language)
                return self._case_view(view, case_id, page_status(error), "assign", errors,
                                       form)
            return redirect(f"/app/cases/{case_id}?done=assign")
        return self._page(request, "cases.assign", build)

    @http("GET", "/app/templates/<template_id>")
    def template_page(self, request, template_id):
        return self._page(request, "templates.manage",
                          lambda view: self._template_view(view, template_id))

    def _own_template(self, view, template_id):
        """One of our authority's templates as listed (another's, or a deleted one: 404)."""
        templates = self.escalations.list_reply_templates(
            {"authority_id": view.principal["authority_id"]}, view.principal)["templates"]
        for template in templates:
            if template["template_id"] == template_id:
                return template
        raise NotFound("reply template not found", {"template_id": [template_id]})

    def _template_view(self, view, template_id, status=200, failed=None, errors=None,
                       values=None):
        template = self._own_template(view, template_id)
        officers = self.escalations.list_officers(
            {"authority_id": view.principal["authority_id"]}, view.principal)["officers"]
        names = {officer["user_id"]: officer["display_name"] for officer in officers}
        return view.render("template.html", status, reply=template, names=names,
                           changes=change_lines(template, names),
                           done=query_args(view.request).get("done") if status == 200 else None,
                           topics=(ANY_TOPIC, *CONCERN_TOPICS), failed=failed,
                           errors=errors or {}, values=values or {})

    @http("POST", "/app/templates/<template_id>")
    def change_template_page(self, request, template_id):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            template = self._own_template(view, template_id)
            try:
                self.escalations.change_reply_template(
                    template_id, template_changes(form, template), view.principal)
            except SausatError as error:
                if error.status not in (400, 422):
                    raise
                return self._template_view(view, template_id, page_status(error), "change",
                                           self._desk_refusal(view, error), form)
            return redirect(f"/app/templates/{template_id}?done=changed")
        return self._page(request, "templates.manage", build)

    @http("POST", "/app/templates/<template_id>/delete")
    def delete_template_page(self, request, template_id):
        def build(view):
            self._check_csrf(view)
            if form_args(request).get("confirm") != CONFIRMED:
                return self._template_view(view, template_id, 422, "delete", {
                    "confirm": i18n.text("reason.confirm_first", view.language)})
            self.escalations.delete_reply_template(template_id, view.principal)
            return redirect("/app/templates")
        return self._page(request, "templates.manage", build)

    def _desk_refusal(self, view, error):
        errors = view.errors(error)
        errors.setdefault("_form", i18n.refusal(error, view.language))
        return errors
