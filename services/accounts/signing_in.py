"""Signing in: a token for a right username and password, the same refusal for everything else,
and every password check throttled (``rules.throttle_keys``: per username at a client address,
and per client address; the store keeps the counts, so the throttle holds across restarts).

Each check is counted as a failure *before* the password is hashed, by a conditional update of
the counts (``store.reserve_attempt``): attempts at once cannot all read "not locked yet" and
all be checked. A success takes its reservation back. A locked key is answered 429 with
Retry-After without hashing anything, so failures from other addresses never lock an account's
owner out. Hashing runs through the process's ``HashGate`` (``hashing``).
"""
import time

from eventlet import sleep

from services.accounts import rules, store
from shared import tokens
from shared.errors import InvalidInput, TooManyRequests, Unauthorized

SIGN_IN_REFUSED = "username or password is wrong"


def sign_in(db, credentials, client_address, settings, gate):
    """The token, its expiry and the user, or TooManyRequests / Unauthorized."""
    user = store.user_named(db, credentials["username"])
    check_password(db, credentials["username"], client_address, credentials["password"],
                   user["password_hash"] if user else None, settings, gate,
                   refusal=Unauthorized(SIGN_IN_REFUSED),
                   # a disabled user's right password is refused as a wrong one, and counted
                   accepted=bool(user and user["enabled"]))
    rehash_if_outdated(db, user, credentials["password"], gate)
    token, expires_at = tokens.issue(settings["TOKEN_SECRET"], settings["TOKEN_TTL_SECONDS"],
                                     user["_id"], user["token_version"], scope=user)
    return {"access_token": token, "token_type": "Bearer", "expires_at": expires_at,
            "user": user}


def check_current_password(db, user, password, client_address, settings, gate):
    """A password change's proof, throttled like a sign-in: a stolen session must not become
    an unthrottled way to guess the password."""
    check_password(db, user["username"], client_address, password, user["password_hash"],
                   settings, gate, refusal=InvalidInput(
                       "password change refused",
                       {"current_password": ["is not your current password"]}),
                   check="password-change")


def check_password(db, username, client_address, password, password_hash, settings, gate,
                   refusal, accepted=True, check="username"):
    """Return when ``password`` matches ``password_hash`` (and ``accepted``); otherwise raise
    ``refusal`` after the throttle's delay, or TooManyRequests while a key is locked."""
    reserved = reserve(db, rules.throttle_keys(username, rules.client_of(client_address),
                                               check))
    try:
        matches = gate.run(rules.password_matches, password_hash, password)
    except TooManyRequests:
        release(db, reserved)  # nothing was checked, so nothing failed
        raise
    if matches and accepted:
        pair, address = reserved
        store.forget_attempts(db, pair[0])  # the owner, here: their earlier typos are forgiven
        release(db, [address])
        return
    # within the gateway's patience: a refused attempt answers 401, never 503
    sleep(min(max(delay for *_, delay in reserved), settings["RPC_TIMEOUT_SECONDS"] / 4))
    raise refusal


def reserve(db, keys):
    """One attempt counted under each ``(key, policy)``: ``[(key, policy, before, after,
    delay)]``, or TooManyRequests (taking back what was already counted) when one of them is
    locked."""
    now, reserved = time.time(), []
    for key, policy in keys:
        counted = store.reserve_attempt(db, key, policy, now)
        if counted is None or counted[1] is None:
            release(db, reserved)
            wait = rules.retry_after(counted[0], now) if counted else 1
            raise TooManyRequests("too many failed sign-ins; try again later",
                                  {"sign_in": [f"locked for {wait} s"]}, retry_after=wait)
        reserved.append((key, policy, *counted))
    return reserved


def release(db, reserved):
    for key, policy, before, after, _ in reserved:
        store.release_attempt(db, key, policy, before, after)


def rehash_if_outdated(db, user, password, gate):
    """After a right password: its hash made again if the hashing parameters changed since."""
    if not rules.needs_rehash(user["password_hash"]):
        return
    try:
        new_hash = gate.run(rules.hash_password, password)
    except TooManyRequests:
        return  # busy: the next sign-in will do it
    store.rehash(db, user["_id"], user["password_hash"], new_hash)
