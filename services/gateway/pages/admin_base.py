"""What the administrator's editing pages share: a form read and sent as the API's call, its
refusal (the page's own or the service's) kept for the form to show beside its fields, and
the users' names for who changed what."""
from services.gateway.pages import admin_forms, i18n
from services.gateway.pages.common import PagesApi, page_status
from shared.errors import NotFound, SausatError

# users, units, authorities, cadres and rules read for names and choices: one page of each
NAMES_LIMIT = 500


class Refused(Exception):
    """A form refused: the page's status and ``{field: words}``; nothing was changed."""

    def __init__(self, status, errors):
        super().__init__(status)
        self.status, self.errors = status, errors


class AdminPagesBase(PagesApi):
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
