"""The sign-in throttle on every store backend (finding S3 of issue 20): counted per username at
a client address and per address, so failures elsewhere never lock an account's owner out;
attempts at once checked exactly as many times as the limit allows (a spy counts argon2
verifications); a full hashing queue answered 429 without counting a failure; a password
change's current password throttled the same way; an outdated hash made again on sign-in."""
import argon2
import eventlet
import pytest
from eventlet.patcher import original

from services.accounts import rules, signing_in
from services.accounts.hashing import HashGate
from shared.config import DEVELOPMENT_TOKEN_SECRET
from shared.errors import InvalidInput, TooManyRequests, Unauthorized

SETTINGS = {"RPC_TIMEOUT_SECONDS": 0.2, "TOKEN_SECRET": DEVELOPMENT_TOKEN_SECRET,
            "TOKEN_TTL_SECONDS": 3600}
PASSWORD = "binh-password-1"
OWNER_LIMIT = rules.PER_USERNAME_AT_ADDRESS.lock_after
ADDRESS_LIMIT = rules.PER_ADDRESS.lock_after


class CountingHasher:
    """argon2 with cheap parameters (the tests check counts, not cost), counting checks."""

    def __init__(self, memory_cost=64):
        self.inner = argon2.PasswordHasher(time_cost=1, memory_cost=memory_cost, parallelism=1)
        self.lock = original("threading").Lock()  # verify runs in tpool's native threads
        self.verified = 0

    def hash(self, password):
        return self.inner.hash(password)

    def verify(self, password_hash, password):
        with self.lock:
            self.verified += 1
        return self.inner.verify(password_hash, password)

    def check_needs_rehash(self, password_hash):
        return self.inner.check_needs_rehash(password_hash)


@pytest.fixture
def hasher(monkeypatch):
    spy = CountingHasher()
    monkeypatch.setattr(rules, "_hasher", spy)
    monkeypatch.setattr(rules, "_DUMMY_HASH", spy.hash("not-a-password-of-anyone"))
    return spy


def add_user(db, username="binh", password=PASSWORD, hasher=None, enabled=True):
    user = {"_id": f"u-{username}", "username": username, "display_name": username,
            "role": "cadre", "cadre_id": "tran-thi-binh", "authority_id": None,
            "enabled": enabled, "token_version": 0,
            "password_hash": (hasher or rules._hasher).hash(password)}
    db.users.insert_one(user)
    return user


def sign_in(db, password, address, username="binh", gate=None):
    return signing_in.sign_in(db, {"username": username, "password": password}, address,
                              SETTINGS, gate or HashGate(50, 50))


def outcomes(db, attempts):
    """Run ``attempts`` (argument tuples of ``sign_in``) at once: the class name of each
    outcome, counted."""
    def attempt(args):
        try:
            sign_in(db, *args)
            return "signed in"
        except (Unauthorized, TooManyRequests) as refused:
            return type(refused).__name__
    threads = [eventlet.spawn(attempt, args) for args in attempts]
    results = [thread.wait() for thread in threads]
    return {name: results.count(name) for name in set(results)}


def test_failures_from_five_addresses_never_lock_the_owner_out_from_a_sixth(database, hasher):
    add_user(database)
    attackers = [f"198.51.100.{n}" for n in range(1, 6)]
    for address in attackers:
        for _ in range(OWNER_LIMIT):
            with pytest.raises(Unauthorized):
                sign_in(database, "guess-password", address)
        with pytest.raises(TooManyRequests):  # each attacker's own address is locked...
            sign_in(database, "guess-password", address)
    # ...the owner, from an address that has not failed, signs in with the right password
    assert sign_in(database, PASSWORD, "203.0.113.7")["user"]["username"] == "binh"
    # and the attackers keep failing against locks without a single password checked
    checked = hasher.verified
    for address in attackers:
        with pytest.raises(TooManyRequests):
            sign_in(database, PASSWORD, address)
    assert hasher.verified == checked


def test_twenty_wrong_attempts_at_once_get_exactly_the_allowed_password_checks(database,
                                                                               hasher):
    add_user(database)
    counted = outcomes(database, [("guess-password", "198.51.100.1")] * 20)
    assert counted == {"Unauthorized": OWNER_LIMIT, "TooManyRequests": 20 - OWNER_LIMIT}
    assert hasher.verified == OWNER_LIMIT


def test_attempts_at_once_from_one_address_get_exactly_its_allowed_checks(database, hasher):
    # one guess each at many usernames: the per-address limit is the one that holds
    counted = outcomes(database, [("guess-password", "198.51.100.9", f"user-{n}")
                                  for n in range(ADDRESS_LIMIT + 10)])
    assert counted == {"Unauthorized": ADDRESS_LIMIT, "TooManyRequests": 10}
    assert hasher.verified == ADDRESS_LIMIT


def test_right_passwords_take_their_count_back_so_an_office_is_not_locked(database, hasher):
    add_user(database)
    for _ in range(ADDRESS_LIMIT + 5):  # one office behind one NAT signing in all day
        sign_in(database, PASSWORD, "192.0.2.50")
    assert database.sign_in_attempts.find_one({"_id": "address:192.0.2.50"})["failures"] == 0
    for _ in range(OWNER_LIMIT - 1):  # typos, then the right password: the typos are forgiven
        with pytest.raises(Unauthorized):
            sign_in(database, "typo-password", "192.0.2.50")
    sign_in(database, PASSWORD, "192.0.2.50")
    for _ in range(OWNER_LIMIT):
        with pytest.raises(Unauthorized):
            sign_in(database, "typo-password", "192.0.2.50")
    with pytest.raises(TooManyRequests):
        sign_in(database, PASSWORD, "192.0.2.50")


def test_a_keys_counts_say_when_they_may_be_forgotten(database, hasher):
    # the TTL index (store.INDEXES) drops a key once its window and any lock have passed
    for _ in range(OWNER_LIMIT):
        with pytest.raises(Unauthorized):
            sign_in(database, "guess-password", "198.51.100.8", username="nobody")
    pair = database.sign_in_attempts.find_one({"_id": "username:nobody@198.51.100.8"})
    address = database.sign_in_attempts.find_one({"_id": "address:198.51.100.8"})
    policy = rules.PER_USERNAME_AT_ADDRESS
    assert pair["forget_after"].timestamp() == pytest.approx(
        max(pair["locked_until"], pair["first_failure_at"] + policy.window), abs=0.01)
    assert pair["locked_until"] > 0
    assert address["forget_after"].timestamp() == pytest.approx(
        address["first_failure_at"] + rules.PER_ADDRESS.window, abs=0.01)


def test_a_disabled_users_right_password_is_refused_and_counted_like_a_wrong_one(database,
                                                                                 hasher):
    add_user(database, enabled=False)
    for _ in range(OWNER_LIMIT):
        with pytest.raises(Unauthorized):
            sign_in(database, PASSWORD, "198.51.100.3")
    with pytest.raises(TooManyRequests):
        sign_in(database, PASSWORD, "198.51.100.3")


def test_a_full_hashing_queue_answers_429_with_retry_after_and_counts_no_failure(database,
                                                                                 hasher):
    add_user(database)
    gate = HashGate(concurrency=1, queue_limit=0)
    first = eventlet.spawn(sign_in, database, PASSWORD, "192.0.2.1", "binh", gate)
    eventlet.sleep(0)  # the first holds the only turn (its check runs in a native thread)
    with pytest.raises(TooManyRequests) as busy:
        sign_in(database, PASSWORD, "192.0.2.2", gate=gate)
    assert busy.value.retry_after >= 1
    assert first.wait()["user"]["username"] == "binh"
    assert hasher.verified == 1
    for key in ("username:binh@192.0.2.2", "address:192.0.2.2"):
        assert (database.sign_in_attempts.find_one({"_id": key}) or {}).get("failures", 0) == 0


def test_a_password_change_checks_the_current_password_through_the_throttle(database, hasher):
    user = add_user(database)

    def check(password, address):
        signing_in.check_current_password(database, user, password, address, SETTINGS,
                                          HashGate(2, 2))
    for _ in range(OWNER_LIMIT):
        with pytest.raises(InvalidInput) as wrong:
            check("guess-password", "198.51.100.4")
        assert wrong.value.fields == {"current_password": ["is not your current password"]}
    with pytest.raises(TooManyRequests):  # a stolen session guesses no further
        check(PASSWORD, "198.51.100.4")
    check(PASSWORD, "203.0.113.8")  # the owner, elsewhere
    assert hasher.verified == OWNER_LIMIT + 1
    # a count of its own per user and address: signing in there is not locked by it, and the
    # address's own count holds the failures of both
    sign_in(database, PASSWORD, "198.51.100.4")
    address = database.sign_in_attempts.find_one({"_id": "address:198.51.100.4"})
    assert address["failures"] == OWNER_LIMIT


def test_a_sign_in_makes_an_outdated_hash_again_with_the_current_parameters(database,
                                                                            monkeypatch):
    old = CountingHasher(memory_cost=64)
    add_user(database, hasher=old)
    current = CountingHasher(memory_cost=128)
    monkeypatch.setattr(rules, "_hasher", current)
    sign_in(database, PASSWORD, "192.0.2.9")
    stored = database.users.find_one({"_id": "u-binh"})
    assert argon2.extract_parameters(stored["password_hash"]).memory_cost == 128
    assert stored["token_version"] == 0  # not a password change: no token ends
    sign_in(database, PASSWORD, "192.0.2.9")  # the new hash holds the same password
    assert database.users.find_one({"_id": "u-binh"})["password_hash"] == stored["password_hash"]


def test_a_client_address_that_is_not_one_is_refused_and_counts_nothing(database, hasher):
    add_user(database)
    with pytest.raises(InvalidInput) as refused:
        sign_in(database, PASSWORD, "x" * 500)
    assert list(refused.value.fields) == ["client_address"]
    assert len(refused.value.fields["client_address"][0]) < 100
    assert database.sign_in_attempts.count_documents({}) == 0
    assert hasher.verified == 0
