"""Accounts service: users, password hashes, roles bound to a scope, and token revocation.

Every change is stored with its event in one update (``user_created``, ``user_role_changed``,
``user_disabled``, ``password_changed``, ``password_reset``, ``user_signed_out``). Each user
carries a ``token_version``: tokens name the version they were issued at, and sign-out, a
password change or reset, a role change and disabling bump it with ``tokens_revoked``, which the
gateways follow: they check tokens without calling here (their views start from
:meth:`revocations`; :meth:`principal_for` serves tokens issued before tokens carried a role).
Password checks (sign-in, a password change's current password) are throttled here, per
username at a client address and per client address, so the throttle holds across gateway
restarts (``signing_in``); argon2 runs at most ``HASH_CONCURRENCY`` at once per process
(``hashing``).

Each entrypoint decodes, calls ``signing_in``, ``users`` or ``queries``, and encodes; only
``store`` touches the collections.
"""
import datetime as dt

from nameko.dependency_providers import Config

from services.accounts import queries, signing_in, store, upkeep, users
from services.accounts.hashing import PasswordHashing
from services.accounts.settings import settings
from shared.authorisation import principal_from, require
from shared.contracts import utcnow
from shared.contracts.rpc import accounts as schemas
from shared.errors import load_payload
from shared.rpc import BoundedRpcProxy, rpc
from shared.store import ReportsHealth, Store

# a revocation is kept this much longer than a token lives: gateway clocks may be apart
CLOCK_MARGIN_SECONDS = 60


class AccountsService(ReportsHealth):
    name = "accounts"
    db = Store(outbox_collections=store.OUTBOX_COLLECTIONS, indexes=store.INDEXES,
               migrations=upkeep.MIGRATIONS)
    config = Config()
    # at most HASH_CONCURRENCY argon2 operations at once in this process (hashing.HashGate)
    hashing = PasswordHashing()
    # asked only when an administrator binds a user to a scope: does that cadre or authority
    # exist in the registry?
    assignments = BoundedRpcProxy("assignments")
    escalations = BoundedRpcProxy("escalations")

    # --- signing in and out -----------------------------------------------------------------

    @rpc
    def sign_in(self, credentials, client_address):
        """A token for a right username and password; the same refusal for everything else."""
        credentials = load_payload(schemas.SignIn(), credentials, "sign-in")
        signed_in = signing_in.sign_in(self.db, credentials, client_address,
                                       settings(self.config), self.hashing)
        return {**signed_in, "user": schemas.User().dump(signed_in["user"])}

    @rpc
    def principal_for(self, user_id, token_version):
        """The principal of a token's user, if the token's version is still current."""
        return queries.principal_for(self.db, user_id, token_version)

    @rpc
    def revocations(self):
        """The revocations a token still alive may be hit by: those younger than a token's
        life (and a minute for clocks apart), with the time they were read at."""
        config = settings(self.config)
        as_of = utcnow()
        since = as_of - dt.timedelta(seconds=config["TOKEN_TTL_SECONDS"] + CLOCK_MARGIN_SECONDS)
        return schemas.Revocations().dump({"revocations": queries.revocations_since(self.db, since),
                                           "as_of": as_of})

    @rpc
    def sign_out(self, principal):
        principal = require(principal_from(principal), "self")
        return schemas.SignedOut().dump(users.sign_out(self.db, principal))

    # --- passwords --------------------------------------------------------------------------

    @rpc
    def change_password(self, change, principal, client_address):
        """Throttled like a sign-in, per user at ``client_address`` and per address."""
        principal = require(principal_from(principal), "self")
        change = load_payload(schemas.ChangePassword(), change, "password change")
        return schemas.PasswordChanged().dump(users.change_password(
            self.db, change, principal, client_address, settings(self.config), self.hashing))

    @rpc
    def reset_password(self, user_id, reset, principal):
        principal = require(principal_from(principal), "users.manage")
        reset = load_payload(schemas.ResetPassword(), reset, "password reset")
        user, revoked = users.reset_password(self.db, user_id, reset, principal, self.hashing)
        return schemas.RevokingUser().dump({**user, "tokens_revoked": revoked})

    # --- administration ---------------------------------------------------------------------

    @rpc
    def create_user(self, user, principal=None):
        principal = require(principal_from(principal), "users.manage")
        user = load_payload(schemas.CreateUser(), user, "user")
        registry = {"cadre_id": self.assignments.get_cadre,
                    "authority_id": self.escalations.get_authority}
        return schemas.User().dump(users.create_user(self.db, user, principal, registry,
                                                     self.hashing))

    @rpc
    def list_users(self, query, principal):
        require(principal_from(principal), "users.manage")
        query = load_payload(schemas.UsersQuery(), query, "query")
        page = queries.list_users(self.db, query)
        return {"users": schemas.User(many=True).dump(page["users"]),
                "next_cursor": page["next_cursor"]}

    @rpc
    def get_user(self, user_id, principal):
        require(principal_from(principal), "users.manage")
        return schemas.User().dump(queries.get_user(self.db, user_id))

    @rpc
    def change_user(self, user_id, change, principal):
        """A new role and scope (``user_role_changed``) and/or disabling (``user_disabled``);
        both end the user's tokens, since a token's rights come from its role."""
        principal = require(principal_from(principal), "users.manage")
        change = load_payload(schemas.ChangeUser(), change, "user change")
        registry = {"cadre_id": self.assignments.get_cadre,
                    "authority_id": self.escalations.get_authority}
        user, revoked = users.change_user(self.db, user_id, change, principal, registry)
        return schemas.RevokingUser().dump({**user, "tokens_revoked": revoked})
