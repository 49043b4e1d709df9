"""What the administrator's editing pages share: a form read and sent as the API's call, its
refusal (the page's own or the service's) kept for the form to show beside its fields, and
the users' names for who changed what."""
from marshmallow import fields, validate

from services.gateway.edge.http import form_args
from services.gateway.pages import admin_forms, i18n
from services.gateway.pages.common import LanguageQuery, PagesApi, page_status, redirect
from shared.errors import NotFound, SausatError

# users, units, authorities, cadres and rules read for names and choices: one page of each
NAMES_LIMIT = 500


def text(limit):
    """A form's text field: empty when not sent, judged by the service (or the form's reader)."""
    return fields.String(load_default="", validate=validate.Length(max=limit))


def csrf():
    return fields.String(required=True, validate=validate.Length(1, 200))


class NameSearch(LanguageQuery):
    q = fields.String(validate=validate.Length(max=200), metadata={
        "description": "words that begin a word of the name, with or without diacritics"})


def done_query(name, changes):
    """A record's page query: ``done`` names the change just made (the page says so)."""
    return type(name, (LanguageQuery,), {"done": fields.String(
        validate=validate.OneOf(changes), metadata={
            "description": "the change just made (the page says it was done)"})})


class Refused(Exception):
    """A form refused: the page's status and ``{field: words}``; nothing was changed."""

    def __init__(self, status, errors):
        super().__init__(status)
        self.status, self.errors = status, errors


class AdminPagesBase(PagesApi):
    def _submit(self, request, read, call, again, then):
        """A form posted: read by ``read`` and sent as ``call(body, principal)``; refused, the
        page again with the form as typed (``again(view, status, errors, form)``); done, 303 to
        ``then(answer)``."""
        def build(view):
            form = form_args(request)
            try:
                answer = self._call(view, read, form, call)
            except Refused as refused:
                return again(view, refused.status, refused.errors, form)
            return redirect(then(answer))
        return self._page(request, "registry.manage", build)

    def _call(self, view, read, form, call):
        """``call(body, principal)`` with the form read by ``read``; a refusal (the page's
        own or the service's) as :class:`Refused`, nothing changed."""
        self._check_csrf(view)
        try:
            body, refused = read(form)
            if refused:
                raise admin_forms.refused_here(refused)
            return call(body, view.principal)
        except SausatError as error:
            if error.status not in (400, 404, 409, 422):
                raise
            errors = view.errors(error)  # a 404: a chosen authority or unit that is gone
            errors.setdefault("_form", i18n.refusal(error, view.language))
            raise Refused(422 if error.status == 404 else page_status(error), errors) from None

    def _user_names(self, view):
        users = self.accounts.list_users({"limit": NAMES_LIMIT}, view.principal)["users"]
        return admin_forms.names_of(users, "user_id", "username")


def one(rows, key, wanted):
    for row in rows:
        if row[key] == wanted:
            return row
    raise NotFound("not found", {key: [wanted]})
