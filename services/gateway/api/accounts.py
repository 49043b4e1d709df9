"""Sessions, one's own account, and users (services.accounts)."""
from services.gateway import schemas
from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response, query_args
from services.gateway.edge.route import Route
from shared.contracts.rpc.accounts import (
    ChangePassword,
    ChangeUser,
    CreateUser,
    ResetPassword,
    SignIn,
    User,
    UsersQuery,
)

ROUTES = {
    # --- sessions and one's own account -----------------------------------------------------
    ("POST", "/sessions"): Route(
        "Sign in: an access token for a username and password", schemas.Session, "accounts",
        status=201, body=SignIn, errors=(401, 413, 415, 429), public=True,
        description="The same 401 for an unknown user, a wrong password and a disabled user. "
                    "Failed attempts are counted per username at a client address and per "
                    "client address (through TRUSTED_PROXIES only): past the limit, or while "
                    "too many passwords are being checked, 429 with Retry-After.",
        example={"username": "binh", "password": "binh-dev-only-2026"}),
    ("DELETE", "/sessions/current"): Route(
        "Sign out: this user's tokens stop working", schemas.SignedOut, "accounts"),
    ("GET", "/me"): Route(
        "Who is signed in: the role and its scope", schemas.Me, "accounts"),
    ("POST", "/me/password"): Route(
        "Change one's own password (every token of the user stops working)",
        schemas.PasswordChanged, "accounts", body=ChangePassword, errors=(413, 415, 429),
        description="The current password is checked through the sign-in throttle: past the "
                    "limit, 429 with Retry-After."),
    # --- users ------------------------------------------------------------------------------
    ("POST", "/users"): Route(
        "Create a user with a role and its scope (administrator)", User, "accounts",
        status=201, body=CreateUser, errors=(403, 409, 413, 415, 422)),
    ("GET", "/users"): Route(
        "List the users (administrator)", schemas.UsersPage, "accounts",
        query=UsersQuery, errors=(400, 403), description="Ordered by username; q finds "
        "those a word of whose username or name begins with each of its words."),
    ("GET", "/users/<user_id>"): Route(
        "A user (administrator)", User, "accounts", path=schemas.UserPath, errors=(403, 404)),
    ("PATCH", "/users/<user_id>"): Route(
        "Change a user's role and scope, e-mail address, or disable it (administrator)", User,
        "accounts", path=schemas.UserPath, body=ChangeUser,
        errors=(403, 404, 409, 413, 415, 422),
        description="A new role or disabling ends every token of the user; a new e-mail "
                    "address (null: none) does not."),
    ("POST", "/users/<user_id>/password-reset"): Route(
        "Set a user's password (administrator)", User, "accounts", path=schemas.UserPath,
        body=ResetPassword, errors=(403, 404, 409, 413, 415)),
}


class AccountsApi(Api):
    # --- sessions and one's own account -----------------------------------------------------

    @http("POST", "/sessions")
    def sign_in(self, request):
        signed_in = self.accounts.sign_in(json_body(request), self._client_address(request))
        return json_response(signed_in, 201)

    @http("DELETE", "/sessions/current")
    def sign_out(self, request):
        return json_response(self.auth.revoked(self.accounts.sign_out(self._as(request, "self"))))

    @http("GET", "/me")
    def me(self, request):
        return json_response(self._as(request, "self"))

    @http("POST", "/me/password")
    def change_password(self, request):
        principal = self._as(request, "self")
        return json_response(self.auth.revoked(self.accounts.change_password(
            json_body(request), principal, self._client_address(request))))

    # --- users ------------------------------------------------------------------------------

    @http("POST", "/users")
    def create_user(self, request):
        principal = self._as(request, "users.manage")
        return json_response(self.accounts.create_user(json_body(request), principal), 201)

    @http("GET", "/users")
    def list_users(self, request):
        principal = self._as(request, "users.manage")
        return json_response(self.accounts.list_users(query_args(request), principal))

    @http("GET", "/users/<user_id>")
    def get_user(self, request, user_id):
        return json_response(self.accounts.get_user(user_id, self._as(request, "users.manage")))

    @http("PATCH", "/users/<user_id>")
    def change_user(self, request, user_id):
        principal = self._as(request, "users.manage")
        return json_response(self.auth.revoked(self.accounts.change_user(
            user_id, json_body(request), principal)))

    @http("POST", "/users/<user_id>/password-reset")
    def reset_password(self, request, user_id):
        principal = self._as(request, "users.manage")
        return json_response(self.auth.revoked(self.accounts.reset_password(
            user_id, json_body(request), principal)))
