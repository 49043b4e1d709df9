"""Users changed: created, their password changed or reset, their role or scope changed,
disabled, signed out. Each change that ends the user's tokens bumps ``token_version`` with its
event (``store.revoke``); the rules are ``rules``'. Every hash is made through the process's
``HashGate`` (``hashing``), the current password checked through the sign-in throttle."""
from logging import getLogger

from services.accounts import rules, signing_in, store
from shared import contracts, folding
from shared.authorisation import actor_of, check_head, check_scope
from shared.errors import InvalidInput, NotFound
from shared.reasons import reason

_log = getLogger(__name__)


def revoke(db, user_id, event_type, principal, payload=None, **changes):
    """End every token of the user issued so far, with ``event_type``'s event and
    ``tokens_revoked``; the revocation (user_id, token_version, revoked_at), which the gateway
    that asked applies to its own view at once."""
    actor, now = actor_of(principal), contracts.utcnow()

    def events(version):
        return [event_type.new(payload or {"user_id": user_id}, actor=actor),
                contracts.TOKENS_REVOKED.new(revocation(version), actor=actor)]

    def revocation(version):
        return {"user_id": user_id, "token_version": version, "revoked_at": now}

    version = store.revoke(db, user_id, events, actor, changes, now)
    if version is None:
        raise NotFound("user not found", {"user_id": [str(user_id)]})
    return revocation(version)


def sign_out(db, principal):
    return {"signed_out": True,
            "tokens_revoked": revoke(db, principal.user_id, contracts.USER_SIGNED_OUT,
                                     principal)}


def change_password(db, change, principal, client_address, settings, gate):
    user = store.find_user(db, principal.user_id)
    signing_in.check_current_password(db, user, change["current_password"], client_address,
                                      settings, gate)
    rules.check_password_policy(change["new_password"], user["username"], "new_password")
    revoked = revoke(db, user["_id"], contracts.PASSWORD_CHANGED, principal,
                     password_hash=gate.run(rules.hash_password, change["new_password"]))
    return {"password_changed": True, "tokens_revoked": revoked}


def reset_password(db, user_id, reset, principal, gate):
    """The user, and the revocation of their tokens."""
    user = store.find_user(db, user_id)
    rules.check_password_policy(reset["new_password"], user["username"], "new_password")
    revoked = revoke(db, user["_id"], contracts.PASSWORD_RESET, principal,
                     password_hash=gate.run(rules.hash_password, reset["new_password"]))
    return store.find_user(db, user_id), revoked


def user_search(user):
    """What a user stores under ``search``: the words of their username and name."""
    return folding.search_key(user["username"], user["display_name"])


def create_user(db, user, principal, registry, gate):
    """``registry``: the lookups that tell whether a cadre or an authority exists."""
    check_scope(user["role"], user["cadre_id"], user["authority_id"])
    check_head(user["role"], user["authority_head"])
    rules.check_password_policy(user["password"], user["username"])
    check_scope_exists(user["cadre_id"], user["authority_id"], registry)
    user_id = contracts.new_id()
    profile = {key: user[key] for key in ("username", "display_name", "role", "cadre_id",
                                          "authority_id", "authority_head", "email")}
    document = {"_id": user_id, **profile, "enabled": True, "token_version": 0,
                "search": user_search(profile),
                "password_hash": gate.run(rules.hash_password, user["password"]),
                "created_at": contracts.utcnow(), "actor": actor_of(principal)}
    event = contracts.USER_CREATED.new({"user_id": user_id, **profile},
                                       actor=actor_of(principal))
    store.insert_user(db, document, event)
    _log.info("user %s (%s) created", user["username"], user["role"])
    return document


def change_user(db, user_id, change, principal, registry):
    """A new role and scope (``user_role_changed``), a new e-mail address
    (``user_contact_changed``: the tokens stay) and/or disabling (``user_disabled``); a new
    role and disabling end the user's tokens, since a token's rights come from its role. The
    user, and the last revocation of their tokens (None: none ended)."""
    if not change:
        raise InvalidInput("nothing to change",
                           {"_schema": ["give role, authority_head, email or enabled"]})
    user = store.find_user(db, user_id)
    revoked = None
    if "email" in change and change["email"] != user.get("email"):
        store.change_email(db, user_id, change["email"], contracts.USER_CONTACT_CHANGED.new(
            {"user_id": user_id, "email": change["email"]}, actor=actor_of(principal)))
    if set(change) == {"email"}:
        return store.find_user(db, user_id), None
    if "role" in change:
        scope = change["role"], change.get("cadre_id"), change.get("authority_id")
    elif "cadre_id" in change or "authority_id" in change:
        raise InvalidInput("a scope is changed with its role",
                           {"role": ["required with cadre_id or authority_id"]})
    else:
        scope = user["role"], user["cadre_id"], user["authority_id"]
    if "role" in change or "authority_head" in change:
        # a new role starts without heading anything unless it says so
        new = rules.role_change(user, *scope, principal.user_id,
                                change.get("authority_head", False))
        check_scope_exists(new["cadre_id"], new["authority_id"], registry)
        revoked = revoke(db, user_id, contracts.USER_ROLE_CHANGED, principal,
                         payload={"user_id": user_id, **new}, **new)
    if change.get("enabled") is False and user["enabled"]:
        rules.check_may_disable(user, principal.user_id)
        revoked = revoke(db, user_id, contracts.USER_DISABLED, principal, enabled=False)
    return store.find_user(db, user_id), revoked


def check_scope_exists(cadre_id, authority_id, registry):
    """A user is bound to a cadre or an authority of the registry, not to a typo.
    ``registry``: ``{"cadre_id": lookup, "authority_id": lookup}``, each raising NotFound."""
    for field, value in (("cadre_id", cadre_id), ("authority_id", authority_id)):
        if value is None:
            continue
        try:
            registry[field](value)
        except NotFound:
            raise InvalidInput("user refused", {field: [reason(
                "not_in_registry", f"{value} is not in the registry", key=value)]}) from None
