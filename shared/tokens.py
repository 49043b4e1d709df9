"""Signed, expiring access tokens: what the gateway can check alone, and what it cannot.

The promise: a token is accepted only if it was signed with ``TOKEN_SECRET`` (HS256), has not
expired, and names a user and that user's ``token_version``. Signature and expiry are checked
here, locally; whether the version is still the user's current one (sign-out, password change
or reset and disabling bump it) only the accounts service knows, so the gateway asks it on each
request and a revoked token stops working at once. Example::

    token, expires_at = issue(secret, ttl_seconds=3600, user_id="7f…", token_version=3)
    claims = verify(secret, token)          # {"sub": "7f…", "ver": 3, ...} or Unauthorized
    claims = verify([secret, *previous], token)   # after a rotation: the older keys verify too
"""
import time

import jwt

from shared.contracts import new_id
from shared.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "sausat"


def issue(secret, ttl_seconds, user_id, token_version, now=None):
    """A new token and its expiry (epoch seconds)."""
    issued_at = int(now if now is not None else time.time())
    expires_at = issued_at + int(ttl_seconds)
    claims = {"sub": user_id, "ver": int(token_version), "iat": issued_at, "exp": expires_at,
              "iss": ISSUER, "jti": new_id()}
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires_at


def verify(secrets, token):
    """The token's claims, or :class:`Unauthorized` saying why not. ``secrets``: one key, or
    the signing key and the previous ones still accepted (TOKEN_PREVIOUS_SECRETS)."""
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    try:
        claims = _decode(keys, token)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("access token has expired; sign in again",
                           {"token": ["expired"]}) from None
    except jwt.InvalidTokenError as error:
        raise Unauthorized("access token is not valid; sign in again",
                           {"token": [str(error)]}) from None
    if not isinstance(claims["sub"], str) or not isinstance(claims["ver"], int):
        raise Unauthorized("access token is not valid; sign in again",
                           {"token": ["malformed claims"]})
    return claims


def _decode(keys, token):
    for key in keys[:-1]:
        try:
            return jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                              options={"require": ["sub", "ver", "exp", "iat", "iss"]})
        except jwt.InvalidSignatureError:
            continue  # signed with another key: maybe one of the next
    return jwt.decode(token, keys[-1], algorithms=[ALGORITHM], issuer=ISSUER,
                      options={"require": ["sub", "ver", "exp", "iat", "iss"]})


def verification_keys(settings):
    """The keys a token may be signed with: TOKEN_SECRET, then TOKEN_PREVIOUS_SECRETS."""
    return [settings["TOKEN_SECRET"], *settings.get("TOKEN_PREVIOUS_SECRETS", [])]


def bearer_token(authorization_header):
    """The token of an ``Authorization: Bearer <token>`` header, or Unauthorized."""
    if not authorization_header:
        raise Unauthorized("sign in first: this needs an access token",
                           {"Authorization": ["missing; send 'Bearer <token>'"]})
    scheme, _, token = authorization_header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("sign in first: this needs an access token",
                           {"Authorization": ["must be 'Bearer <token>'"]})
    return token.strip()
