"""Issue 20, finding S3: argon2 bounded per accounts process (``HashGate``: never more at once
than allowed, the overflow refused with 429 and Retry-After), and the client address the
sign-in throttle counts by, read through trusted proxies only (``edge.client``), on both the
API's and the pages' way in."""
import pathlib
import time
from unittest import mock

import eventlet
import pytest
from eventlet.patcher import original
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.accounts import rules
from services.accounts import settings as accounts_settings
from services.accounts.hashing import HashGate
from services.gateway import settings as gateway_settings
from services.gateway.api.accounts import AccountsApi
from services.gateway.edge.client import ClientAddress, client_address, parse_networks
from shared.errors import ConfigError, InvalidInput, TooManyRequests

ROOT = pathlib.Path(__file__).resolve().parents[2]
native_sleep = original("time").sleep

# a guest URI: development mode says so (production refuses it)
DEV = {"AMQP_URI": "amqp://x", "DEPLOYMENT_MODE": "development"}


# --- the hashing gate ------------------------------------------------------------------------

class Meter:
    """Work done in tpool's native threads, counting how many run at once."""

    def __init__(self):
        self.lock = original("threading").Lock()
        self.now = self.most = self.done = 0

    def work(self, seconds):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        native_sleep(seconds)
        with self.lock:
            self.now -= 1
            self.done += 1
        return "hashed"


def run_at_once(gate, meter, count, seconds=0.05):
    def one():
        try:
            return gate.run(meter.work, seconds)
        except TooManyRequests as busy:
            return busy
    threads = [eventlet.spawn(one) for _ in range(count)]
    return [thread.wait() for thread in threads]


def test_no_more_hashes_run_at_once_than_allowed_and_the_overflow_is_refused():
    gate, meter = HashGate(concurrency=2, queue_limit=3), Meter()
    results = run_at_once(gate, meter, 10)
    refused = [r for r in results if isinstance(r, TooManyRequests)]
    assert results.count("hashed") == 2 + 3  # two at once, three waited their turn
    assert len(refused) == 5 and meter.done == 5
    assert meter.most == 2
    assert all(r.status == 429 and r.retry_after >= 1 for r in refused)
    assert refused[0].to_body()["retry_after"] == refused[0].retry_after
    assert "queue is full" in refused[0].fields["password"][0]
    assert (gate.waiting, run_at_once(gate, Meter(), 2)) == (0, ["hashed", "hashed"])


def test_a_turn_is_given_back_when_the_work_fails():
    gate = HashGate(concurrency=1, queue_limit=0)

    def broken():
        raise ValueError("argon2 said no")
    with pytest.raises(ValueError):
        gate.run(broken)
    assert gate.run(time.time) > 0  # the only turn is free again


def test_the_hashing_bounds_are_settings_with_their_defaults_in_the_config_file():
    loaded = accounts_settings.settings(DEV)
    assert (loaded["HASH_CONCURRENCY"], loaded["HASH_QUEUE_LIMIT"]) == (1, 4)
    for bad in ({"HASH_CONCURRENCY": 0}, {"HASH_QUEUE_LIMIT": -1}):
        with pytest.raises(ConfigError) as refused:
            accounts_settings.settings({**DEV, **bad})
        assert list(refused.value.fields) == list(bad)


# --- the throttle's name for a client ---------------------------------------------------------

def test_an_ipv6_client_is_counted_by_its_64_and_a_mapped_ipv4_as_itself():
    assert rules.client_of("2001:db8:1:2:aaaa::1") == rules.client_of("2001:db8:1:2:bbbb::9")
    assert rules.client_of("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert rules.client_of("2001:db8:1:3::1") != rules.client_of("2001:db8:1:2::1")
    assert rules.client_of("::ffff:192.0.2.1") == rules.client_of("192.0.2.1") == "192.0.2.1"
    for bad in ("", "192.0.2.1, 10.0.0.1", None, 3, "unknown"):
        with pytest.raises(InvalidInput):
            rules.client_of(bad)


def test_a_right_password_takes_back_its_count_and_only_the_lock_it_set():
    policy = rules.PER_USERNAME_AT_ADDRESS
    before = rules.Attempts(failures=policy.lock_after - 1, first_failure_at=1000.0)
    reserved, _ = rules.after_failure(policy, before, 1010.0)
    assert reserved.locked_until == 1010.0 + policy.lock_seconds  # the reservation locked it
    assert rules.after_release(reserved, before, reserved) == before
    # another attempt locked it again since: that lock stays, one failure fewer
    relocked = rules.Attempts(reserved.failures + 1, 1000.0, 1020.0 + policy.lock_seconds)
    assert rules.after_release(relocked, before, reserved) == rules.Attempts(
        reserved.failures, 1000.0, relocked.locked_until)
    assert rules.after_release(rules.Attempts(), before, reserved).failures == 0


# --- the client's address through trusted proxies ---------------------------------------------

PROXIES = parse_networks("10.0.0.0/8, 192.0.2.7")


def test_an_untrusted_peers_forwarded_for_is_ignored():
    assert client_address("203.0.113.5", "198.51.100.1", PROXIES) == "203.0.113.5"
    assert client_address("203.0.113.5", "198.51.100.1", ()) == "203.0.113.5"
    assert client_address("10.0.0.2", "198.51.100.1", ()) == "10.0.0.2"  # none trusted


def test_a_trusted_proxys_forwarded_address_is_the_client():
    assert client_address("10.0.0.2", "198.51.100.1", PROXIES) == "198.51.100.1"
    assert client_address("192.0.2.7", " 198.51.100.1 ", PROXIES) == "198.51.100.1"
    assert client_address("::ffff:10.0.0.2", "198.51.100.1", PROXIES) == "198.51.100.1"


def test_the_right_most_untrusted_hop_wins_over_a_forged_left_one():
    # the client wrote "1.1.1.1" itself; our proxies appended the hops to its right
    forwarded = "1.1.1.1, 198.51.100.1, 10.0.0.9"
    assert client_address("10.0.0.2", forwarded, PROXIES) == "198.51.100.1"
    # every hop a trusted proxy: the left-most of them is as far as we can see
    assert client_address("10.0.0.2", "10.0.0.8, 10.0.0.9", PROXIES) == "10.0.0.8"
    # no header, or garbage where the next hop should be: the last trustworthy address
    assert client_address("10.0.0.2", None, PROXIES) == "10.0.0.2"
    assert client_address("10.0.0.2", "198.51.100.1, not-an-address", PROXIES) == "10.0.0.2"
    assert client_address("10.0.0.2", "1.1.1.1," * 10_000 + "10.0.0.3", PROXIES) == "1.1.1.1"


def test_trusted_proxies_is_a_setting_refused_by_name_when_bad():
    loaded = gateway_settings.settings(DEV)
    assert loaded["TRUSTED_PROXIES"] == ()
    loaded = gateway_settings.settings({**DEV,
                                        "TRUSTED_PROXIES": "10.0.0.0/8, ::1"})
    assert [str(n) for n in loaded["TRUSTED_PROXIES"]] == ["10.0.0.0/8", "::1/128"]
    with pytest.raises(ConfigError) as refused:
        gateway_settings.settings({**DEV, "TRUSTED_PROXIES": "10.0.0.0/8, lb"})
    assert refused.value.fields == {
        "TRUSTED_PROXIES": ["'lb' is neither an IP address nor a CIDR"]}


def request(path, peer, forwarded=None, body=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return Request(EnvironBuilder(path=path, method="POST", json=body or {}, headers=headers,
                                  environ_base={"REMOTE_ADDR": peer}).get_environ())


class Gateway(AccountsApi):
    """The API's handlers with the accounts service mocked and a trusted proxy configured."""

    def __init__(self, trusted):
        self.accounts = mock.Mock()
        self.client = ClientAddress(lambda config: {"TRUSTED_PROXIES": parse_networks(trusted)})
        self.client.container = mock.Mock(config={})
        self.client.setup()
        self.auth = mock.Mock()
        self.auth.principal.return_value = {"user_id": "u-binh"}
        self.auth.revoked.side_effect = lambda answer: answer


@pytest.mark.parametrize("trusted, expected", [("10.0.0.0/8", "198.51.100.1"),
                                               ("", "10.0.0.2")])
def test_sign_in_and_password_change_pass_the_resolved_client(trusted, expected):
    gateway = Gateway(trusted)
    gateway.accounts.sign_in.return_value = {"access_token": "t"}
    gateway.accounts.change_password.return_value = {"password_changed": True}
    gateway.sign_in(request("/sessions", "10.0.0.2", "198.51.100.1", {"username": "b"}))
    gateway.change_password(request("/me/password", "10.0.0.2", "198.51.100.1"))
    assert gateway.accounts.sign_in.call_args.args[1] == expected
    assert gateway.accounts.change_password.call_args.args[2] == expected


def test_no_handler_reads_the_peer_address_but_the_one_resolution():
    readers = sorted(str(path.relative_to(ROOT)) for path in
                     (ROOT / "services" / "gateway").rglob("*.py")
                     if "remote_addr" in path.read_text(encoding="utf-8"))
    assert readers == ["services/gateway/edge/client.py"]
