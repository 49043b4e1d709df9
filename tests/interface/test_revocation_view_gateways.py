"""Tokens checked without a call: two gateway instances on ports of their own in front of one
accounts service on the real RabbitMQ. The instance that handled a sign-out or a disabling
refuses the token at once, the other within a second; a gateway started later loads the
revocations before it judges a token. Each test then stops the accounts service: the gateways
still refuse the revoked token and accept the others, without a call (before, every request
asked accounts, and with it stopped answered 503)."""
import time

import pytest
import requests
from nameko.constants import WEB_SERVER_CONFIG_KEY
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import replace_dependencies
from nameko.testing.utils import find_free_port

from services.accounts.service import AccountsService
from services.gateway.service import GatewayService

OPERATOR = {"username": "van", "display_name": "Lê Văn", "password": "operator-password-1",
            "role": "operator"}
ADMIN = {"username": "admin", "display_name": "Quản trị", "password": "admin-password-1",
         "role": "administrator"}
WITHIN_SECONDS = 1.0


class Gateway:
    def __init__(self, container_factory, config):
        self.url = f"http://127.0.0.1:{find_free_port()}"
        self.container = container_factory(GatewayService, {
            **config, WEB_SERVER_CONFIG_KEY: self.url.removeprefix("http://")})
        self.container.start()
        self.session = requests.Session()

    def sign_in(self, user):
        answer = self.session.post(f"{self.url}/sessions", json={
            "username": user["username"], "password": user["password"]})
        assert answer.status_code == 201, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def me(self, headers):
        return self.session.get(f"{self.url}/me", headers=headers)


@pytest.fixture
def accounts(container_factory, config):
    container = container_factory(AccountsService, config)
    replace_dependencies(container, "assignments", "escalations")  # no scope to look up
    container.start()
    with ServiceRpcProxy("accounts", config, timeout=30) as proxy:
        proxy.create_user(ADMIN)  # as the demo loader does
        yield container, proxy


@pytest.fixture
def gateways(accounts, container_factory, config):
    return Gateway(container_factory, config), Gateway(container_factory, config)


def refused_within(gateway, headers, seconds):
    """Seconds until ``gateway`` answered 401 revoked, failing after ``seconds``."""
    started = time.monotonic()
    while True:
        answer = gateway.me(headers)
        if answer.status_code == 401:
            assert answer.json()["fields"] == {"token": ["revoked"]}
            return time.monotonic() - started
        assert answer.status_code == 200, answer.text
        assert time.monotonic() - started < seconds, f"still accepted after {seconds} s"
        time.sleep(0.02)


def test_a_sign_out_is_refused_at_once_where_it_happened_and_within_a_second_elsewhere(
        accounts, gateways):
    _, proxy = accounts
    here, there = gateways
    admin = here.sign_in(ADMIN)
    assert here.session.post(f"{here.url}/users", json=OPERATOR, headers=admin).status_code == 201
    operator = here.sign_in(OPERATOR)
    assert here.me(operator).status_code == 200 and there.me(operator).status_code == 200

    assert here.session.delete(f"{here.url}/sessions/current",
                               headers=operator).json() == {"signed_out": True}
    assert here.me(operator).status_code == 401  # this instance: at once
    refused_within(there, operator, WITHIN_SECONDS)
    again = here.sign_in(OPERATOR)  # a new token works
    accounts[0].stop()
    assert [here.me(operator).status_code, there.me(operator).status_code] == [401, 401]
    assert [here.me(again).status_code, there.me(again).status_code] == [200, 200]


def test_disabling_a_user_is_refused_within_a_second_on_the_other_gateway(accounts, gateways):
    here, there = gateways
    admin = here.sign_in(ADMIN)
    created = here.session.post(f"{here.url}/users", json=OPERATOR, headers=admin).json()
    operator = there.sign_in(OPERATOR)
    assert there.me(operator).status_code == 200
    changed = here.session.patch(f"{here.url}/users/{created['user_id']}",
                                 json={"enabled": False}, headers=admin)
    assert changed.status_code == 200 and "tokens_revoked" not in changed.json()
    assert here.me(operator).status_code == 401  # this instance: at once
    refused_within(there, operator, WITHIN_SECONDS)
    accounts[0].stop()
    assert there.me(operator).status_code == 401
    assert there.me(admin).json()["role"] == "administrator"


def test_a_gateway_started_later_loads_the_revocations_before_judging_a_token(
        accounts, gateways, container_factory, config):
    here, _ = gateways
    admin = here.sign_in(ADMIN)
    here.session.post(f"{here.url}/users", json=OPERATOR, headers=admin)
    operator = here.sign_in(OPERATOR)
    here.session.delete(f"{here.url}/sessions/current", headers=operator)
    later = Gateway(container_factory, config)
    assert later.me(admin).status_code == 200  # loaded: it judges
    accounts[0].stop()
    answer = later.me(operator)
    assert answer.status_code == 401 and answer.json()["fields"] == {"token": ["revoked"]}


def test_signed_in_requests_need_no_accounts_service(accounts, gateways):
    container, _ = accounts
    here, there = gateways
    operator = (here.sign_in(ADMIN), there.sign_in(ADMIN))
    container.stop()  # no call can be answered now: the gateways check tokens alone
    assert here.me(operator[0]).status_code == 200
    assert there.me(operator[1]).json()["role"] == "administrator"
