"""Users and failed sign-ins in the store: the only module of the accounts service that reads or
writes a collection.

A user's every change is one update carrying its event (``shared.outbox``); the sign-in throttle
keeps one ``sign_in_attempts`` document per key (``username:<name>@<client>``,
``address:<client>``), changed only by conditional updates on the state it was read in.
"""
import datetime as dt

from services.accounts import rules
from shared import folding
from shared.data_subjects import ANSWERS
from shared.errors import Conflict, NotFound
from shared.outbox import push_events, with_events
from shared.pages import read_page
from shared.reasons import reason
from shared.storage import DuplicateKeyError

OUTBOX_COLLECTIONS = ["users", ANSWERS]
INDEXES = {"users": [([("username", 1)], {"unique": True}),
                     # the revocations younger than a token's life, for the gateways' views
                     ([("revoked_at", 1)], {}),
                     # found by the words of their username and name (shared.folding)
                     ([("search.prefixes", 1), ("username", 1)], {})],
           # a key's counts go once its window and its lock have passed: guessers spraying
           # usernames and addresses leave nothing behind for long
           "sign_in_attempts": [([("forget_after", 1)], {"expireAfterSeconds": 0})]}
# never shown: the events waiting to be relayed, the password's hash
HIDDEN = {"outbox": 0, "password_hash": 0, "search": 0}


# --- users -----------------------------------------------------------------------------------

def find_user(db, user_id):
    user = db.users.find_one({"_id": user_id}, {"outbox": 0})
    if user is None:
        raise NotFound("user not found", {"user_id": [str(user_id)]})
    return user


def user_or_none(db, user_id):
    return db.users.find_one({"_id": user_id}, {"outbox": 0})


def user_named(db, username):
    """The user signing in as ``username`` (lower-cased), or None."""
    return db.users.find_one({"username": username.lower()})


def token_holder(db, user_id):
    """What a token's check needs of its user (None: no such user)."""
    return db.users.find_one({"_id": user_id}, {"role": 1, "cadre_id": 1, "authority_id": 1,
                                                "authority_head": 1, "enabled": 1,
                                                "token_version": 1})


def insert_user(db, document, event):
    try:
        db.users.insert_one(with_events(document, [event]))
    except DuplicateKeyError:
        raise Conflict("username is taken", {"username": [reason(
            "username_taken", document["username"], username=document["username"])]}) from None


def change_email(db, user_id, email, event):
    """The user's new e-mail address, with its event (not a change of rights: the tokens
    stay)."""
    db.users.update_one({"_id": user_id}, push_events({"$set": {"email": email}}, [event]))


def revoke(db, user_id, events, actor, changes, now):
    """Bump the user's token_version (ending every token issued so far), with the events
    ``events(new_version)`` makes; the new version, or None for no such user. One conditional
    update on the version it read (again if another revocation got there first), so the
    ``tokens_revoked`` event names the very version the bump made."""
    for _ in range(MAX_SWAPS):
        user = db.users.find_one({"_id": user_id}, {"token_version": 1})
        if user is None:
            return None
        version = user["token_version"] + 1
        update = {"$set": {**changes, "actor": actor, "token_version": version,
                           "revoked_at": now}}
        if db.users.update_one({"_id": user_id, "token_version": user["token_version"]},
                               push_events(update, events(version))).matched_count:
            return version
    raise Conflict("the user's tokens are being revoked by another request; try again",
                   {"user_id": [user_id]})


def recent_revocations(db, since):
    """The users whose tokens were last revoked at or after ``since``."""
    return list(db.users.find({"revoked_at": {"$gte": since}},
                              {"token_version": 1, "revoked_at": 1}))


def users_named(db, user_ids):
    """The ids and usernames of the users ``user_ids`` (one indexed read)."""
    return list(db.users.find({"_id": {"$in": user_ids}}, {"username": 1}))


def users_page(db, query):
    """Users by username a page at a time; with ``q``, those a word of whose username or name
    begins with each word of it (an indexed equality per word, never a scan)."""
    criteria = folding.search_criteria(query["q"]) if query.get("q") else {}
    return read_page(db.users, criteria, [("username", 1)], query, HIDDEN)


def rehash(db, user_id, old_hash, new_hash):
    """Store a hash of the same password with the current parameters, unless the password
    changed meanwhile (the filter): not a password change, so no event and no revocation."""
    db.users.update_one({"_id": user_id, "password_hash": old_hash},
                        {"$set": {"password_hash": new_hash}})


# --- the sign-in throttle --------------------------------------------------------------------

# a compare-and-set lost this many times in a row: refuse rather than spin (fail closed)
MAX_SWAPS = 50


def _attempts(doc):
    return rules.Attempts(doc.get("failures", 0), doc.get("first_failure_at", 0.0),
                          doc.get("locked_until", 0.0))


def _fields(attempts):
    return {"failures": attempts.failures, "first_failure_at": attempts.first_failure_at,
            "locked_until": attempts.locked_until}


def _with_expiry(attempts, policy_window):
    forget_after = max(attempts.locked_until, attempts.first_failure_at + policy_window)
    return {**_fields(attempts),
            "forget_after": dt.datetime.fromtimestamp(forget_after, dt.timezone.utc)}


def _swap(db, key, change, window):
    """Apply ``change(attempts) -> new attempts (or None: leave it)`` to ``key``'s document as
    one conditional update on the state it was read in, again while another writer got there
    first: never read-then-write. The (old, new) attempts, or None after MAX_SWAPS losses."""
    for _ in range(MAX_SWAPS):
        doc = db.sign_in_attempts.find_one({"_id": key})
        old = _attempts(doc or {})
        new = change(old)
        if new is None:
            return old, None
        if doc is None:
            try:
                db.sign_in_attempts.insert_one({"_id": key, **_with_expiry(new, window)})
                return old, new
            except DuplicateKeyError:
                continue
        if db.sign_in_attempts.update_one({"_id": key, **_fields(old)},
                                          {"$set": _with_expiry(new, window)}).matched_count:
            return old, new
    return None


def reserve_attempt(db, key, policy, now):
    """Count one attempt of ``key`` as a failure before its password is checked, unless the key
    is locked. ``(attempts before, attempts after, delay)``; after is None when locked."""
    delays = []

    def count(old):
        if rules.retry_after(old, now):
            return None
        new, delay = rules.after_failure(policy, old, now)
        delays[:] = [delay]
        return new

    swapped = _swap(db, key, count, policy.window)
    if swapped is None:
        return None
    return swapped[0], swapped[1], (delays[0] if delays else 0.0)


def release_attempt(db, key, policy, reserved_from, reserved_to):
    """The reserved attempt was not a failure: take it back (``rules.after_release``); a key
    already forgotten stays so."""
    _swap(db, key, lambda now: None if now == rules.Attempts() else
          rules.after_release(now, reserved_from, reserved_to), policy.window)


def forget_attempts(db, key):
    db.sign_in_attempts.delete_one({"_id": key})


# the checks whose counts name a username (rules.throttle_keys): "<check>:<username>@<client>"
NAMED_CHECKS = ("username", "password-change")


def _attempts_of(username):
    """The keys counting failures of ``username`` at any client, as one _id range each
    ("@" < "A": every client's key sorts between the two bounds)."""
    return [{"_id": {"$gte": f"{check}:{username.lower()}@",
                     "$lt": f"{check}:{username.lower()}A"}} for check in NAMED_CHECKS]


def has_sign_in_attempts(db, username):
    return any(db.sign_in_attempts.find_one(query, {"_id": 1}) for query in _attempts_of(username))


def forget_sign_in_attempts(db, username):
    """A deleted user's failed sign-ins: their keys name the username and the client address."""
    for query in _attempts_of(username):
        db.sign_in_attempts.delete_many(query)


def last_enabled_administrator(db, user):
    """Whether ``user`` is an enabled administrator and no other is (administrators are few:
    the read stops at the first other one)."""
    if user.get("role") != "administrator" or not user.get("enabled"):
        return False
    other = db.users.find_one({"role": "administrator", "enabled": True,
                               "_id": {"$ne": user["_id"]}}, {"_id": 1})
    return other is None


# --- migrations (services.accounts.upkeep) ---------------------------------------------------

def officers_after(db, after, limit):
    """Authority officers in ``_id`` order after ``after``: what the restating walks."""
    query = {"role": "authority_officer"}
    if after is not None:
        query["_id"] = {"$gt": after}
    return list(db.users.find(query, {"_id": 1, "display_name": 1, "role": 1, "authority_id": 1,
                                      "authority_head": 1, "enabled": 1})
                .sort("_id", 1).limit(limit))


def users_without_search(db, after, limit):
    query = {"search": {"$exists": False}}
    if after is not None:
        query["_id"] = {"$gt": after}
    return list(db.users.find(query, {"_id": 1, "username": 1, "display_name": 1})
                .sort("_id", 1).limit(limit))


def set_user_search(db, user_id, search):
    db.users.update_one({"_id": user_id, "search": {"$exists": False}},
                        {"$set": {"search": search}})


def restate_user(db, user_id, event):
    """The user's event in its outbox, after any it holds: in order with the user's others."""
    db.users.update_one({"_id": user_id}, push_events({}, [event]))
