"""Who is calling: the broker user a message was published by, and what each caller may ask.

The promise: a service believes only what RabbitMQ vouches for. Every message carries the AMQP
property ``user_id``, which RabbitMQ refuses unless it equals the publishing connection's user
(no user has the ``impersonator`` tag), so the receiver knows which broker user sent it. Each
service connects as its own broker user, named as the service (plus ``BROKER_USER_SUFFIX``,
empty except in tests, where each test session has users of its own).

- An RPC acting for a signed-in user carries a *principal assertion*: the principal signed by
  the gateway (Ed25519, :data:`ASSERTION_SECONDS`), accepted only from the gateway's broker user
  and only when it names exactly the principal argument (:func:`verify_principal`).
- An RPC with no user is accepted only from a caller that :data:`SERVICE_CALLS` lists for it.
- An event is accepted only from the broker user of its ``source`` service.
"""
import json
import time

import jwt

from shared import broker_uri
from shared.errors import Forbidden, Unauthorized
from shared.services import BACKEND_SERVICES, SERVICES

GATEWAY = "gateway"
# the scripts' own identity (tooling/load_demo.py), a broker user in definitions.json
LOADER = "loader"
ASSERTION_ALGORITHM = "EdDSA"
ASSERTION_SECONDS = 60
ASSERTION_AUDIENCE = "sausat-rpc"

# context headers (nameko.<name>) that would claim an identity: only the broker's user_id and a
# verified assertion say who calls; any such header a caller sends is dropped on arrival
CALLER_KEY = "caller"
ASSERTION_KEY = "principal_assertion"
# the gateway's assertion a worker received with its call, kept for FORWARDS (never a header)
RECEIVED_ASSERTION_KEY = "received_principal_assertion"
IDENTITY_KEYS = frozenset({CALLER_KEY, ASSERTION_KEY, RECEIVED_ASSERTION_KEY})

_REGISTRY_READS = frozenset({
    "assignments.get_unit", "assignments.unit_names", "assignments.unit_history",
    "assignments.cadre_names", "escalations.authority_names",
    "assignments.list_units",
    "assignments.list_levels", "assignments.list_reorganisations", "assignments.get_cadre",
    "assignments.list_cadres", "assignments.list_assignments",
    "assignments.list_unit_assignments", "assignments.get_working_group",
    "assignments.list_working_groups", "assignments.search",
    "escalations.get_authority", "escalations.list_authorities",
    "escalations.search_authorities", "escalations.list_routing_rules",
})
_REGISTRY_WRITES = frozenset({
    "assignments.register_unit", "assignments.change_unit_details", "assignments.register_cadre",
    "assignments.change_cadre", "assignments.assign_cadre", "assignments.end_assignment",
    "assignments.replace_assignment", "assignments.form_working_group",
    "assignments.register_many",
    "assignments.change_working_group", "escalations.register_authority",
    "escalations.change_authority", "escalations.retire_authority",
    "escalations.add_routing_rule", "escalations.change_routing_rule",
})

# which caller may call which RPC with no signed-in user (principal None), from the proxies
# the services hold (grep BoundedRpcProxy / RpcProxy) and the scripts' calls
SERVICE_CALLS = {
    # RPCs that take no principal: the gateway checks the role itself (edge/auth.py), or the
    # call is the sign-in and the token check themselves
    GATEWAY: _REGISTRY_READS | {
        "accounts.sign_in", "accounts.principal_for",
        # the revocation view's load, at start and after each reconnect (edge/revocation_feed.py)
        "accounts.revocations",
        # an officer's concern, once escalations found its case in their authority
        # (services/gateway/api/visits.py): answered without who raised it
        "visits.get_concern",
        # and the photos and documents on that concern (issue 31, docs/attachments.md)
        "visits.download_attachment",
        "visits.get_unit", "visits.knows_assignment", "visits.knows_working_group",
        "notifications.list_notifications",
        # the public receipt page: what anyone holding a code may read (pages/following.py),
        # and the unsubscribe link of the raiser's mail
        "escalations.follow_receipt", "visits.unsubscribe_raiser",
        # a cadre's calendar feed, read by their phone at its secret address (issue 28)
        "assignments.meeting_feed",
    } | {f"{name}.health" for name in BACKEND_SERVICES},
    # where the raiser asked to be told of the answer (services/notifications/reactions.py)
    "notifications": frozenset({"visits.raiser_to_tell"}),
    # a user's scope must name a real cadre or authority (services/accounts/service.py)
    "accounts": frozenset({"assignments.get_cadre", "escalations.get_authority"}),
    # an import job applies its rows after the administrator's request has long returned
    "imports": _REGISTRY_READS | _REGISTRY_WRITES | {"members.import_members"},
    # the members import matches rows to units by organisation code; a branch's members are
    # seen by the cadres assigned to it or sitting on its committee (services/members/access)
    "members": frozenset({"assignments.units_by_organisation_code",
                          "assignments.list_unit_assignments", "assignments.get_cadre",
                          # whose committees may care for a branch's members (the one above),
                          # and who sits on them (the member page's choice of a carer)
                          "assignments.get_unit", "assignments.committee_seats",
                          # a contact's concerns, once the members service checked who logs it
                          "visits.record_contact"}),
    # the health of each watched service (services/monitor/watch.py)
    "monitor": frozenset({f"{name}.health" for name in BACKEND_SERVICES}),
    # the demo registry and users, and waiting until visits has heard of them
    LOADER: _REGISTRY_WRITES | {
        "assignments.reorganise", "accounts.create_user", "visits.get_unit",
        "visits.knows_assignment", "assignments.get_unit",
    },
}


def broker_user(amqp_uri):
    """The user an AMQP URI connects as (RabbitMQ's default, guest, when it names none)."""
    return broker_uri.user(amqp_uri)


def service_user(service, suffix=""):
    """The broker user a service (or the loader) connects as."""
    return f"{service}{suffix}"


def caller_service(user, suffix=""):
    """The service (or loader) name of a broker user, or None for anyone else."""
    if not user or not user.endswith(suffix):
        return None
    name = user[:len(user) - len(suffix)] if suffix else user
    return name if name in SERVICES or name == LOADER else None


# RPCs a service may call with the principal of the user it serves, passing on the gateway's
# assertion it received for it: the registry then records that user as the reader of the
# personal data it shows (an export of cadres, services/imports/queries.py)
FORWARDS = {
    "imports": frozenset({"assignments.list_cadres"}),
}


def may_forward(caller, rpc_name):
    """True when ``caller`` may pass on a user's principal, gateway-signed, to ``rpc_name``."""
    return rpc_name in FORWARDS.get(caller, frozenset())


def may_call_without_user(caller, rpc_name):
    """True when ``caller`` (a service or the loader) may call ``rpc_name`` with no user."""
    return rpc_name in SERVICE_CALLS.get(caller, frozenset())


class _SignedThisSecond:
    """The assertions signed in the current second: Ed25519 is deterministic, so the same key,
    principal and second sign to the same bytes; an officer's burst of requests is signed once
    (a signature cost more than the rest of the gateway's call)."""
    second, signed = None, {}


def sign_principal(private_key, principal, now=None):
    """The gateway's short-lived assertion that it acts for ``principal`` (a dict)."""
    issued = int(now if now is not None else time.time())
    if _SignedThisSecond.second != issued:
        _SignedThisSecond.second, _SignedThisSecond.signed = issued, {}
    # the key object itself (not its id): a key made later cannot take a discarded one's entry
    wanted = (private_key, json.dumps(principal, sort_keys=True))
    assertion = _SignedThisSecond.signed.get(wanted)
    if assertion is None:
        claims = {"principal": principal, "iat": issued, "exp": issued + ASSERTION_SECONDS,
                  "aud": ASSERTION_AUDIENCE, "iss": GATEWAY}
        assertion = jwt.encode(claims, private_key, algorithm=ASSERTION_ALGORITHM)
        _SignedThisSecond.signed[wanted] = assertion
    return assertion


def verify_principal(public_key, assertion, principal):
    """Refuse unless ``assertion`` is the gateway's signature over exactly ``principal``."""
    if not isinstance(assertion, str) or not assertion:
        raise Unauthorized("a principal needs the gateway's signed assertion",
                           {"principal": ["not signed"]})
    claims = _verified(public_key, assertion)
    if claims.get("principal") != principal:
        raise Forbidden("the principal argument is not the one the gateway signed",
                        {"principal": ["does not match its assertion"]})


class _VerifiedThisSecond:
    """Assertions verified in the current second, by id of the key (the key kept to compare):
    the same bytes verify the same way again within it, but for their expiry, checked anew
    (a burst of one officer's calls costs one signature check)."""
    second, verified = None, {}


def _verified(public_key, assertion):
    now = time.time()
    if _VerifiedThisSecond.second != int(now):
        _VerifiedThisSecond.second, _VerifiedThisSecond.verified = int(now), {}
    key, claims = _VerifiedThisSecond.verified.get((id(public_key), assertion), (None, None))
    if key is public_key and now < claims["exp"]:
        return claims
    try:
        claims = jwt.decode(assertion, public_key, algorithms=[ASSERTION_ALGORITHM],
                            audience=ASSERTION_AUDIENCE, issuer=GATEWAY,
                            options={"require": ["exp", "iat", "aud", "iss"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the principal's assertion has expired",
                           {"principal": ["expired"]}) from None
    except jwt.InvalidTokenError as error:
        raise Unauthorized("the principal's assertion does not verify",
                           {"principal": [f"invalid: {error}"]}) from None
    _VerifiedThisSecond.verified[(id(public_key), assertion)] = (public_key, claims)
    return claims


def load_key(path, private):
    """An Ed25519 key from a PEM file (the gateway's private one, everyone's public one)."""
    from cryptography.hazmat.primitives import serialization
    with open(path, "rb") as handle:
        data = handle.read()
    if private:
        return serialization.load_pem_private_key(data, password=None)
    return serialization.load_pem_public_key(data)
