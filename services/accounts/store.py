"""Users and failed sign-ins in the store: the only module of the accounts service that reads or
writes a collection.

A user's every change is one update carrying its event (``shared.outbox``); the sign-in throttle
keeps one ``sign_in_attempts`` document per key (``username:<name>``, ``address:<client>``).
"""
from services.accounts import rules
from shared.errors import Conflict, NotFound
from shared.outbox import push_events, with_events
from shared.pages import read_page
from shared.storage import DuplicateKeyError

OUTBOX_COLLECTIONS = ["users"]
INDEXES = {"users": [([("username", 1)], {"unique": True})]}
# never shown: the events waiting to be relayed, the password's hash
HIDDEN = {"outbox": 0, "password_hash": 0}


# --- users -----------------------------------------------------------------------------------

def find_user(db, user_id):
    user = db.users.find_one({"_id": user_id}, {"outbox": 0})
    if user is None:
        raise NotFound("user not found", {"user_id": [str(user_id)]})
    return user


def user_named(db, username):
    """The user signing in as ``username`` (lower-cased), or None."""
    return db.users.find_one({"username": username.lower()})


def token_holder(db, user_id):
    """What a token's check needs of its user (None: no such user)."""
    return db.users.find_one({"_id": user_id}, {"role": 1, "cadre_id": 1, "authority_id": 1,
                                                "enabled": 1, "token_version": 1})


def insert_user(db, document, event):
    try:
        db.users.insert_one(with_events(document, [event]))
    except DuplicateKeyError:
        raise Conflict("username is taken", {"username": [document["username"]]}) from None


def revoke(db, user_id, event, actor, changes):
    """Bump the user's token_version (ending every token issued so far), with the event."""
    update = {"$inc": {"token_version": 1}, "$set": {**changes, "actor": actor}}
    db.users.update_one({"_id": user_id}, push_events(update, [event]))


def users_page(db, query):
    return read_page(db.users, {}, [("username", 1)], query, HIDDEN)


# --- the sign-in throttle --------------------------------------------------------------------

def attempts(db, key):
    doc = db.sign_in_attempts.find_one({"_id": key}) or {}
    return rules.Attempts(doc.get("failures", 0), doc.get("first_failure_at", 0.0),
                          doc.get("locked_until", 0.0))


def remember_attempts(db, key, attempts):
    db.sign_in_attempts.replace_one(
        {"_id": key}, {"failures": attempts.failures,
                       "first_failure_at": attempts.first_failure_at,
                       "locked_until": attempts.locked_until}, upsert=True)


def forget_attempts(db, key):
    db.sign_in_attempts.delete_one({"_id": key})
