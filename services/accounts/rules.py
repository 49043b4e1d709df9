"""Rules of the accounts service: passwords, who may change whom, and how sign-in is throttled.

Plain functions and frozen dataclasses, no nameko and no database: the service loads, decides
here, then stores. Password hashes are argon2id (argon2-cffi's current default parameters).
"""
import ipaddress
from dataclasses import dataclass

import argon2

from shared.authorisation import check_head, check_scope
from shared.errors import InvalidInput, RuleViolated
from shared.reasons import reason

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200

_hasher = argon2.PasswordHasher()
# verified against when the username is unknown, so a miss costs the same time as a wrong password
_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


# --- passwords -------------------------------------------------------------------------------

def check_password_policy(password, username, field="password"):
    """Refuse a password too short, too long, or equal to the username."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(reason("too_short", f"must be at least {MIN_PASSWORD_LENGTH} characters",
                               min=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(reason("too_long", f"must be at most {MAX_PASSWORD_LENGTH} characters",
                               max=MAX_PASSWORD_LENGTH))
    if password.strip().lower() == username.lower():
        problems.append(reason("password_is_username", "must not be the username"))
    if problems:
        raise InvalidInput("password refused", {field: problems})


def hash_password(password):
    return _hasher.hash(password)


def password_matches(password_hash, password):
    """True when ``password`` matches; ``password_hash`` None (no such user) costs the same."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher.check_needs_rehash(password_hash)


# --- role changes ----------------------------------------------------------------------------

def role_change(user, role, cadre_id, authority_id, acting_user_id, authority_head=False):
    """The new role and scope of ``user`` (and whether an officer heads their authority); an
    administrator cannot demote or disable themself (the system would lose its last way to
    manage users)."""
    check_scope(role, cadre_id, authority_id)
    check_head(role, authority_head)
    if user["_id"] == acting_user_id and role != "administrator":
        raise RuleViolated("administrators cannot take their own administrator role",
                           {"role": [reason(
                               "own_administrator_role",
                               "you are an administrator; another one must change this")]})
    return {"role": role, "cadre_id": cadre_id, "authority_id": authority_id,
            "authority_head": authority_head}


def check_may_disable(user, acting_user_id):
    if user["_id"] == acting_user_id:
        raise RuleViolated("administrators cannot disable themselves",
                           {"enabled": [reason("cannot_disable_self",
                                               "another administrator must do this")]})


# --- sign-in throttling ----------------------------------------------------------------------

@dataclass(frozen=True)
class ThrottlePolicy:
    """Failed password checks counted per key (a username at a client address, or an address)
    within ``window`` seconds: the first ``free`` fail without delay, each further one waits
    twice as long as the one before (from ``first_delay``, at most ``max_delay``), and the
    ``lock_after``-th locks the key for ``lock_seconds``. The store counts each attempt as a
    failure *before* its password is checked (a reservation), so attempts at once cannot
    overtake the count."""
    free: int
    first_delay: float
    max_delay: float
    lock_after: int
    lock_seconds: int
    window: int = 900


# one username from one client address: a person mistyping does not lock themself out in fewer
# than 5 tries, and failures from other addresses never lock them out (finding S3: five
# addresses failing once each used to lock any account, the administrator's included)
PER_USERNAME_AT_ADDRESS = ThrottlePolicy(free=2, first_delay=0.25, max_delay=2.0, lock_after=5,
                                         lock_seconds=300)
# one client address, whoever it names: may be a whole office behind one NAT, so more room
PER_ADDRESS = ThrottlePolicy(free=10, first_delay=0.25, max_delay=2.0, lock_after=30,
                             lock_seconds=300)


@dataclass(frozen=True)
class Attempts:
    """What is remembered of one key: failures since ``first_failure_at`` and any lock."""
    failures: int = 0
    first_failure_at: float = 0.0
    locked_until: float = 0.0


def retry_after(attempts, now):
    """Seconds until a locked key may try again (0: not locked)."""
    return max(0, int(attempts.locked_until - now + 0.999))


def after_failure(policy, attempts, now):
    """The attempts after one more failure, and how long to delay the answer."""
    if now - attempts.first_failure_at > policy.window:
        attempts = Attempts(failures=0, first_failure_at=now)
    failures = attempts.failures + 1
    locked_until = attempts.locked_until
    if failures >= policy.lock_after:
        locked_until = now + policy.lock_seconds
    delay = 0.0
    if failures > policy.free:
        delay = min(policy.first_delay * 2 ** (failures - policy.free - 1), policy.max_delay)
    return Attempts(failures, attempts.first_failure_at, locked_until), delay


def after_release(attempts, reserved_from, reserved_to):
    """``attempts`` once a reservation (``reserved_from`` -> ``reserved_to``, counted as a
    failure before the password was checked) turned out a success: one failure fewer, and the
    lock it set, if nobody set another since, lifted."""
    locked_until = attempts.locked_until
    if locked_until == reserved_to.locked_until != reserved_from.locked_until:
        locked_until = reserved_from.locked_until
    return Attempts(max(0, attempts.failures - 1), attempts.first_failure_at, locked_until)


def client_of(address):
    """The throttle's name for a client address: an IPv4 address, or an IPv6 address's /64
    (one machine's share: counting each IPv6 address alone would give an attacker 2**64 tries).
    Anything not an IP address is refused."""
    try:
        parsed = ipaddress.ip_address(address if isinstance(address, str) else "")
    except ValueError:
        raise InvalidInput("sign-in refused", {"client_address": [
            f"{str(address)[:60]!r} is not an IP address"]}) from None
    if parsed.version == 6 and parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def throttle_keys(username, client, check="username"):
    """The keys one password check is counted under, each with its policy: the username at
    this client, and the client whoever it names (never the username alone: failures elsewhere
    must not lock its owner out). ``check`` names what is checked: a sign-in (``username``) and
    a password change's current password (``password-change``) each get their own count per
    username and client, and share the client's."""
    return [(f"{check}:{username.lower()}@{client}", PER_USERNAME_AT_ADDRESS),
            (f"address:{client}", PER_ADDRESS)]
