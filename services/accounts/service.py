"""Accounts service: users, password hashes, roles bound to a scope, and token revocation.

Every change is stored with its event in one update (``user_created``, ``user_role_changed``,
``user_disabled``, ``password_changed``, ``password_reset``, ``user_signed_out``). Each user
carries a ``token_version``: tokens name the version they were issued at, and sign-out, a
password change or reset, a role change and disabling bump it, so the gateway's per-request
:meth:`principal_for` refuses every earlier token at once. Failed sign-ins are counted here, per
username and per client address, so the throttle holds across gateway restarts.
"""
import time
from logging import getLogger

from eventlet import sleep, tpool
from nameko.dependency_providers import Config

from services.accounts import rules
from shared import contracts, tokens
from shared.authorisation import actor_of, check_scope, principal_from, require
from shared.config import settings
from shared.contracts.rpc import accounts as schemas
from shared.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthorized,
    load_payload,
)
from shared.outbox import push_events, with_events
from shared.pages import read_page
from shared.rpc import BoundedRpcProxy, rpc
from shared.storage import DuplicateKeyError
from shared.store import ReportsHealth, Store

_log = getLogger(__name__)

SIGN_IN_REFUSED = "username or password is wrong"
HIDDEN = {"outbox": 0, "password_hash": 0}


class AccountsService(ReportsHealth):
    name = "accounts"
    db = Store(
        outbox_collections=["users"],
        indexes={"users": [([("username", 1)], {"unique": True})]},
    )
    config = Config()
    # asked only when an administrator binds a user to a scope: does that cadre or authority
    # exist in the registry?
    assignments = BoundedRpcProxy("assignments")
    escalations = BoundedRpcProxy("escalations")

    # --- signing in and out -----------------------------------------------------------------

    @rpc
    def sign_in(self, credentials, client_address):
        """A token for a right username and password; the same refusal for everything else."""
        credentials = load_payload(schemas.SignIn(), credentials, "sign-in")
        keys = [f"username:{credentials['username'].lower()}", f"address:{client_address}"]
        now = time.time()
        for key in keys:
            wait = rules.retry_after(self._attempts(key), now)
            if wait:
                raise TooManyRequests("too many failed sign-ins; try again later",
                                      {"sign_in": [f"locked for {wait} s"]}, retry_after=wait)
        user = self.db.users.find_one({"username": credentials["username"].lower()})
        stored_hash = user["password_hash"] if user else None
        matches = tpool.execute(rules.password_matches, stored_hash, credentials["password"])
        if not matches or not user["enabled"]:
            delay = max(self._count_failure(key, now, policy) for key, policy in
                        zip(keys, (rules.PER_USERNAME, rules.PER_ADDRESS)))
            # within the gateway's patience: a refused sign-in answers 401, never 503
            sleep(min(delay, settings(self.config)["RPC_TIMEOUT_SECONDS"] / 4))
            raise Unauthorized(SIGN_IN_REFUSED)
        self.db.sign_in_attempts.delete_one({"_id": keys[0]})
        config = settings(self.config)
        token, expires_at = tokens.issue(config["TOKEN_SECRET"], config["TOKEN_TTL_SECONDS"],
                                         user["_id"], user["token_version"])
        return {"access_token": token, "token_type": "Bearer", "expires_at": expires_at,
                "user": schemas.User().dump(user)}

    def _attempts(self, key):
        doc = self.db.sign_in_attempts.find_one({"_id": key}) or {}
        return rules.Attempts(doc.get("failures", 0), doc.get("first_failure_at", 0.0),
                              doc.get("locked_until", 0.0))

    def _count_failure(self, key, now, policy):
        attempts, delay = rules.after_failure(policy, self._attempts(key), now)
        self.db.sign_in_attempts.replace_one(
            {"_id": key}, {"failures": attempts.failures,
                           "first_failure_at": attempts.first_failure_at,
                           "locked_until": attempts.locked_until}, upsert=True)
        return delay

    @rpc
    def principal_for(self, user_id, token_version):
        """The principal of a token's user, if the token's version is still current."""
        user = self.db.users.find_one({"_id": user_id}, {"role": 1, "cadre_id": 1,
                                                         "authority_id": 1, "enabled": 1,
                                                         "token_version": 1})
        if user is None or not user["enabled"] or user["token_version"] != token_version:
            raise Unauthorized("access token was revoked; sign in again",
                               {"token": ["revoked"]})
        return {"user_id": user["_id"], "role": user["role"], "cadre_id": user["cadre_id"],
                "authority_id": user["authority_id"]}

    @rpc
    def sign_out(self, principal):
        principal = require(principal_from(principal), "self")
        self._revoke(principal.user_id, contracts.USER_SIGNED_OUT, principal)
        return {"signed_out": True}

    # --- passwords --------------------------------------------------------------------------

    @rpc
    def change_password(self, change, principal):
        principal = require(principal_from(principal), "self")
        change = load_payload(schemas.ChangePassword(), change, "password change")
        user = self._user(principal.user_id)
        if not tpool.execute(rules.password_matches, user["password_hash"],
                             change["current_password"]):
            raise InvalidInput("password change refused",
                               {"current_password": ["is not your current password"]})
        rules.check_password_policy(change["new_password"], user["username"], "new_password")
        self._revoke(user["_id"], contracts.PASSWORD_CHANGED, principal,
                     password_hash=tpool.execute(rules.hash_password, change["new_password"]))
        return {"password_changed": True}

    @rpc
    def reset_password(self, user_id, reset, principal):
        principal = require(principal_from(principal), "users.manage")
        reset = load_payload(schemas.ResetPassword(), reset, "password reset")
        user = self._user(user_id)
        rules.check_password_policy(reset["new_password"], user["username"], "new_password")
        self._revoke(user["_id"], contracts.PASSWORD_RESET, principal,
                     password_hash=tpool.execute(rules.hash_password, reset["new_password"]))
        return schemas.User().dump(self._user(user_id))

    def _revoke(self, user_id, event_type, principal, payload=None, **changes):
        """Bump the user's token_version (ending every token issued so far), with the event."""
        event = event_type.new(payload or {"user_id": user_id}, actor=actor_of(principal))
        update = {"$inc": {"token_version": 1},
                  "$set": {**changes, "actor": actor_of(principal)}}
        self.db.users.update_one({"_id": user_id}, push_events(update, [event]))

    # --- administration ---------------------------------------------------------------------

    @rpc
    def create_user(self, user, principal=None):
        principal = require(principal_from(principal), "users.manage")
        user = load_payload(schemas.CreateUser(), user, "user")
        check_scope(user["role"], user["cadre_id"], user["authority_id"])
        rules.check_password_policy(user["password"], user["username"])
        self._check_scope_exists(user["cadre_id"], user["authority_id"])
        user_id = contracts.new_id()
        profile = {key: user[key] for key in ("username", "display_name", "role", "cadre_id",
                                              "authority_id")}
        document = {"_id": user_id, **profile, "enabled": True, "token_version": 0,
                    "password_hash": tpool.execute(rules.hash_password, user["password"]),
                    "created_at": contracts.utcnow(), "actor": actor_of(principal)}
        event = contracts.USER_CREATED.new({"user_id": user_id, **profile},
                                           actor=actor_of(principal))
        try:
            self.db.users.insert_one(with_events(document, [event]))
        except DuplicateKeyError:
            raise Conflict("username is taken", {"username": [user["username"]]}) from None
        _log.info("user %s (%s) created", user["username"], user["role"])
        return schemas.User().dump(document)

    @rpc
    def list_users(self, query, principal):
        require(principal_from(principal), "users.manage")
        query = load_payload(schemas.UsersQuery(), query, "query")
        page = read_page(self.db.users, {}, [("username", 1)], query, HIDDEN)
        return {"users": schemas.User(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}

    @rpc
    def get_user(self, user_id, principal):
        require(principal_from(principal), "users.manage")
        return schemas.User().dump(self._user(user_id))

    @rpc
    def change_user(self, user_id, change, principal):
        """A new role and scope (``user_role_changed``) and/or disabling (``user_disabled``);
        both end the user's tokens, since a token's rights come from its role."""
        principal = require(principal_from(principal), "users.manage")
        change = load_payload(schemas.ChangeUser(), change, "user change")
        if not change:
            raise InvalidInput("nothing to change", {"_schema": ["give role or enabled"]})
        user = self._user(user_id)
        if "role" in change:
            new = rules.role_change(user, change["role"], change.get("cadre_id"),
                                    change.get("authority_id"), principal.user_id)
            self._check_scope_exists(new["cadre_id"], new["authority_id"])
            self._revoke(user_id, contracts.USER_ROLE_CHANGED, principal,
                         payload={"user_id": user_id, **new}, **new)
        elif "cadre_id" in change or "authority_id" in change:
            raise InvalidInput("a scope is changed with its role",
                               {"role": ["required with cadre_id or authority_id"]})
        if change.get("enabled") is False and user["enabled"]:
            rules.check_may_disable(user, principal.user_id)
            self._revoke(user_id, contracts.USER_DISABLED, principal, enabled=False)
        return schemas.User().dump(self._user(user_id))

    def _check_scope_exists(self, cadre_id, authority_id):
        """A user is bound to a cadre or an authority of the registry, not to a typo."""
        for field, value, lookup in (("cadre_id", cadre_id, self.assignments.get_cadre),
                                     ("authority_id", authority_id,
                                      self.escalations.get_authority)):
            if value is None:
                continue
            try:
                lookup(value)
            except NotFound:
                raise InvalidInput("user refused", {field: [
                    f"{value} is not in the registry"]}) from None

    def _user(self, user_id):
        user = self.db.users.find_one({"_id": user_id}, {"outbox": 0})
        if user is None:
            raise NotFound("user not found", {"user_id": [str(user_id)]})
        return user
