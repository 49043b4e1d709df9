"""Signing in: a token for a right username and password, the same refusal for everything else,
and failures counted per username and per client address (``rules`` decides, the store keeps
the counts, so the throttle holds across gateway restarts)."""
import time

from eventlet import sleep, tpool

from services.accounts import rules, store
from shared import tokens
from shared.errors import TooManyRequests, Unauthorized

SIGN_IN_REFUSED = "username or password is wrong"


def sign_in(db, credentials, client_address, settings):
    """The token, its expiry and the user, or TooManyRequests / Unauthorized."""
    keys = [f"username:{credentials['username'].lower()}", f"address:{client_address}"]
    now = time.time()
    for key in keys:
        wait = rules.retry_after(store.attempts(db, key), now)
        if wait:
            raise TooManyRequests("too many failed sign-ins; try again later",
                                  {"sign_in": [f"locked for {wait} s"]}, retry_after=wait)
    user = store.user_named(db, credentials["username"])
    stored_hash = user["password_hash"] if user else None
    matches = tpool.execute(rules.password_matches, stored_hash, credentials["password"])
    if not matches or not user["enabled"]:
        delay = max(count_failure(db, key, now, policy) for key, policy in
                    zip(keys, (rules.PER_USERNAME, rules.PER_ADDRESS)))
        # within the gateway's patience: a refused sign-in answers 401, never 503
        sleep(min(delay, settings["RPC_TIMEOUT_SECONDS"] / 4))
        raise Unauthorized(SIGN_IN_REFUSED)
    store.forget_attempts(db, keys[0])
    token, expires_at = tokens.issue(settings["TOKEN_SECRET"], settings["TOKEN_TTL_SECONDS"],
                                     user["_id"], user["token_version"])
    return {"access_token": token, "token_type": "Bearer", "expires_at": expires_at,
            "user": user}


def count_failure(db, key, now, policy):
    """Remember one more failure of ``key``; the seconds to delay the answer."""
    attempts, delay = rules.after_failure(policy, store.attempts(db, key), now)
    store.remember_attempts(db, key, attempts)
    return delay
