"""A signed-in browser: the API's own access token in a cookie, and a CSRF token bound to it.

The promise: the pages act with exactly the token ``POST /sessions`` gives (the same expiry, the
same revocation, the same authorisation), kept where page scripts cannot read it (``HttpOnly``),
not sent by other sites' forms (``SameSite=Lax``) and only over https when served over https
(``Secure``; ``PAGES_COOKIE_SECURE``: ``auto`` follows the request's scheme, ``always``,
``never`` for local http). Every form POST carries a CSRF token that is an HMAC of the session's
token under the gateway's secret, checked on the server: a page of another site cannot know it,
and it dies with the session. Before sign-in the same holds for a random pre-session value.
Example::

    cookie = session_cookie(token, secure=False)          # ("sausat_session", token, {...})
    form_token = csrf_token(secret, token)
    check_csrf(secret, token, request.form.get(CSRF_FIELD))   # raises CsrfRefused if not equal
"""
import hashlib
import hmac
import secrets

from services.gateway.edge.headers import is_secure  # noqa: F401 (the pages' name for it)
from shared.contracts import CONTROL_CHARACTERS

SESSION_COOKIE = "sausat_session"
# before sign-in: binds the sign-in form's CSRF token to this browser
PRE_SESSION_COOKIE = "sausat_presession"
LANGUAGE_COOKIE = "sausat_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


class CsrfRefused(Exception):
    """A form POST without the token of this session."""


def csrf_token(secret, session_value):
    return hmac.new(secret.encode(), b"csrf:" + session_value.encode(),
                    hashlib.sha256).hexdigest()


def check_csrf(secret, session_value, submitted):
    if not session_value or not submitted or not hmac.compare_digest(
            csrf_token(secret, session_value), str(submitted)):
        raise CsrfRefused("the form's CSRF token does not belong to this session")


def new_pre_session():
    return secrets.token_urlsafe(24)


def cookie_options(secure, max_age=None):
    return {"httponly": True, "samesite": "Lax", "secure": secure, "path": "/",
            "max_age": max_age}


def safe_next(target):
    """Where to go after sign-in: a path of this site only (no open redirect)."""
    if (isinstance(target, str) and target.startswith("/app/") and not target.startswith("//")
            and "\\" not in target and len(target) < 500
            and not CONTROL_CHARACTERS.search(target)):  # a line break would split Location
        return target
    return "/app"
