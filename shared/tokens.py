"""Signed, expiring access tokens: what the gateway can check alone, and what it cannot.

The promise: a token is accepted only if it was signed with ``TOKEN_SECRET`` (HS256), has not
expired, and names a user, that user's ``token_version`` and the role and scope the user had
when it was issued. Signature and expiry are checked here, locally; whether the version is still
current (sign-out, a password change or reset, a role change and disabling bump it) the gateway
reads from its revocation view, fed by the accounts service's ``tokens_revoked`` events
(services/gateway/edge/revocations.py). A role change bumps the version, so the role a token
carries is the user's as long as the token is not revoked. Example::

    token, expires_at = issue(secret, 3600, "7f…", 3, scope={"role": "cadre", ...})
    claims = verify(secret, token)          # {"sub": "7f…", "ver": 3, ...} or Unauthorized
    claims = verify([secret, *previous], token)   # after a rotation: the older keys verify too
    principal_of(claims)                    # {"user_id": "7f…", "role": "cadre", ...}
"""
import time

import jwt

from shared.contracts import new_id
from shared.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "sausat"


# what a token says of its user's rights, beside ``sub``: a principal without the round trip
SCOPE_CLAIMS = ("role", "cadre_id", "authority_id", "authority_head")


def issue(secret, ttl_seconds, user_id, token_version, now=None, scope=None):
    """A new token and its expiry (epoch seconds). ``scope``: the user's role, cadre_id,
    authority_id and whether they head that authority, carried so the gateway needs no call
    to know them."""
    issued_at = int(now if now is not None else time.time())
    expires_at = issued_at + int(ttl_seconds)
    claims = {"sub": user_id, "ver": int(token_version), "iat": issued_at, "exp": expires_at,
              "iss": ISSUER, "jti": new_id()}
    if scope is not None:
        claims.update({key: scope.get(key) for key in SCOPE_CLAIMS})
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires_at


class _VerifiedThisSecond:
    """Tokens verified in the current second, by the keys that verified them: the same bytes
    verify the same way again within it, but for their expiry, checked anew (a page's several
    requests, or a cadre's burst of visits, cost one signature check; issue 27)."""
    second, verified = None, {}


def verify(secrets, token):
    """The token's claims, or :class:`Unauthorized` saying why not. ``secrets``: one key, or
    the signing key and the previous ones still accepted (TOKEN_PREVIOUS_SECRETS)."""
    keys = (secrets,) if isinstance(secrets, str) else tuple(secrets)
    now = int(time.time())
    if _VerifiedThisSecond.second != now:
        _VerifiedThisSecond.second, _VerifiedThisSecond.verified = now, {}
    known = _VerifiedThisSecond.verified.get((keys, token)) if isinstance(token, str) else None
    if known is not None and now < known["exp"]:  # PyJWT's own rule: expired at exp
        return dict(known)
    claims = _checked(keys, token)
    if isinstance(token, str):
        _VerifiedThisSecond.verified[(keys, token)] = claims
    return dict(claims)


def _checked(keys, token):
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


def principal_of(claims):
    """The principal a verified token carries, or None for a token issued without its scope
    (before tokens carried one): its holder is then asked of the accounts service."""
    if not isinstance(claims.get("role"), str):
        return None
    principal = {"user_id": claims["sub"], **{key: claims.get(key) for key in SCOPE_CLAIMS}}
    principal["authority_head"] = bool(principal["authority_head"])  # absent: heads nothing
    return principal


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
