"""The administrator's users: the list with search and a form to create one; a user's page
with its role and scope, disabling, a new password, and who changed what.

Each form posts to its own path and calls the RPC the API's handler calls
(``accounts.create_user``, ``change_user``, ``reset_password``) with the signed-in
administrator; a refusal comes back beside the field that caused it and changes nothing; a
change that ends the user's tokens is applied to this gateway's revocation view at once, as
the API does. Scopes and actors read as names: authorities from the registry, cadres' names
only (no contacts, so no personal data is shown).
"""
from marshmallow import Schema

from services.gateway import schemas
from services.gateway.edge.http import form_args, http
from services.gateway.pages import admin_forms, i18n, pickers
from services.gateway.pages.admin_base import (
    AdminPagesBase,
    NameSearch,
    Refused,
    csrf,
    done_query,
    text,
)
from services.gateway.pages.common import page_route, page_status, redirect
from shared.contracts import ROLES
from shared.errors import SausatError

USER_CHANGES = ("created", "role", "email", "disabled", "password")


UserPageQuery = done_query("UserPageQuery", USER_CHANGES)


# a user's scope, typed by name or code (pages/pickers.py)
SCOPE_PICKERS = {"cadre_id": "cadres", "authority_id": "authorities"}


class UserForm(Schema.from_dict(pickers.pick_fields(*SCOPE_PICKERS))):
    csrf = csrf()
    username, display_name, password = text(200), text(400), text(1000)
    role, cadre_id, authority_id = text(80), text(200), text(200)
    email = text(400)


class RoleForm(Schema.from_dict(pickers.pick_fields(*SCOPE_PICKERS))):
    csrf = csrf()
    role, cadre_id, authority_id = text(80), text(200), text(200)


class EmailForm(Schema):
    csrf = csrf()
    email = text(400)


class DisableForm(Schema):
    csrf = csrf()
    confirm = text(20)


class PasswordForm(Schema):
    csrf = csrf()
    new_password, new_password_again = text(1000), text(1000)


ROUTES = {
    ("GET", "/app/admin/users"): page_route(
        "Administrator: users, searched, and the form to create one", query=NameSearch),
    ("POST", "/app/admin/users"): page_route(
        "Administrator: create a user from the page", form=UserForm),
    ("GET", "/app/admin/users/<user_id>"): page_route(
        "Administrator: a user, its forms and who changed what", path=schemas.UserPath,
        query=UserPageQuery),
    ("POST", "/app/admin/users/<user_id>/role"): page_route(
        "Administrator: change a user's role and scope", path=schemas.UserPath, form=RoleForm),
    ("POST", "/app/admin/users/<user_id>/email"): page_route(
        "Administrator: change a user's e-mail address", path=schemas.UserPath, form=EmailForm),
    ("POST", "/app/admin/users/<user_id>/disable"): page_route(
        "Administrator: disable a user (confirmed)", path=schemas.UserPath, form=DisableForm),
    ("POST", "/app/admin/users/<user_id>/password-reset"): page_route(
        "Administrator: set a user's password", path=schemas.UserPath, form=PasswordForm),
}


class UsersPagesApi(AdminPagesBase):
    @http("GET", "/app/admin/users")
    def users_page(self, request):
        return self._page(request, "users.manage", self._users_view)

    def _users_view(self, view, status=200, errors=None, values=None):
        def fetch_page(query):
            page = self.accounts.list_users(query, view.principal)
            return page["users"], page["next_cursor"]
        listing = self._listing(view, status, fetch_page)
        return view.render("admin_users.html", status, role_choices=_role_choices(view),
                           errors=errors or {}, values=values or {}, **listing,
                           **self._scopes(view, listing["found"]))

    @http("POST", "/app/admin/users")
    def create_user_page(self, request):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            try:
                body, refused = admin_forms.user_to_create(
                    self._resolve(view, form, SCOPE_PICKERS))
                if refused:
                    raise admin_forms.refused_here(refused)
                user = self.accounts.create_user(body, view.principal)
            except SausatError as error:
                if error.status not in (400, 409, 422):
                    raise
                return self._users_view(view, page_status(error),
                                        self._refusal(view, error), form)
            except Refused as refused:
                return self._users_view(view, refused.status, refused.errors, {
                    **form, pickers.CANDIDATES_KEY: refused.candidates})
            return redirect(f"/app/admin/users/{user['user_id']}?done=created")
        return self._page(request, "users.manage", build)

    @http("GET", "/app/admin/users/<user_id>")
    def user_page(self, request, user_id):
        return self._page(request, "users.manage", lambda view: self._user_view(view, user_id))

    def _user_view(self, view, user_id, status=200, failed=None, errors=None, values=None):
        user = self.accounts.get_user(user_id, view.principal)
        return view.render("admin_user.html", status, account=user,
                           role_choices=_role_choices(view),
                           failed=failed, errors=errors or {}, values=values or {},
                           **self._record(view, user_id, status),
                           **self._scopes(view, [user]))

    @http("POST", "/app/admin/users/<user_id>/role")
    def change_role_page(self, request, user_id):
        return self._user_change(request, user_id, "role", admin_forms.role_change,
                                 self.accounts.change_user, SCOPE_PICKERS)

    @http("POST", "/app/admin/users/<user_id>/email")
    def change_email_page(self, request, user_id):
        return self._user_change(request, user_id, "email", admin_forms.contact_change,
                                 self.accounts.change_user)

    @http("POST", "/app/admin/users/<user_id>/disable")
    def disable_user_page(self, request, user_id):
        return self._user_change(request, user_id, "disabled", admin_forms.disabling,
                                 self.accounts.change_user)

    @http("POST", "/app/admin/users/<user_id>/password-reset")
    def reset_password_page(self, request, user_id):
        return self._user_change(request, user_id, "password", admin_forms.password_reset,
                                 self.accounts.reset_password)

    def _user_change(self, request, user_id, change, read_form, call, picked=None):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            try:
                body, refused = read_form(self._resolve(view, form, picked or {}))
                if refused:
                    raise admin_forms.refused_here(refused)
                self.auth.revoked(call(user_id, body, view.principal))
            except SausatError as error:
                if error.status not in (400, 409, 422):
                    raise
                return self._user_view(view, user_id, page_status(error), change,
                                       self._refusal(view, error), form)
            except Refused as refused:
                return self._user_view(view, user_id, refused.status, change, refused.errors, {
                    **form, pickers.CANDIDATES_KEY: refused.candidates})
            return redirect(f"/app/admin/users/{user_id}?done={change}")
        return self._page(request, "users.manage", build)

    # --- what the forms and lists share -----------------------------------------------------

    def _refusal(self, view, error):
        errors = view.errors(error)
        errors.setdefault("_form", i18n.refusal(error, view.language))
        return errors

    def _scopes(self, view, users):
        """The names of the cadres and authorities ``users`` are bound to (one read by id
        per kind; cadres' names only, never contacts: no personal data read)."""
        names = {**self._names_of(view, "authorities", [u.get("authority_id") for u in users]),
                 **self._names_of(view, "cadres", [u.get("cadre_id") for u in users])}
        return {"scopes": names}


def _role_choices(view):
    return [(role, i18n.label("role", role, view.language)) for role in ROLES]
