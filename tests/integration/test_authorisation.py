"""Every endpoint as every role, through the real running system: the status each role gets
against its own and another's object, and that a refused request changed nothing. Then the
tokens that must not work (expired, tampered, from before a password reset, after sign-out, of a
disabled user) and the sign-in throttle."""
import base64
import datetime as dt
import json
import time

import pytest
import requests
import yaml
from nameko.standalone.rpc import ClusterRpcProxy

from shared import contracts, tokens
from shared.config import DEVELOPMENT_TOKEN_SECRET
from tests.integration.system import RunningSystem
from tooling.load_demo import DEMO_DATA, load_demo

pytestmark = pytest.mark.integration

DEMO = yaml.safe_load(DEMO_DATA.read_text(encoding="utf-8"))
PASSWORDS = {user["username"]: user["password"] for user in DEMO["users"]}
ROLES = ("anonymous", "cadre", "officer", "operator", "administrator")
DEMO_LOGIN = {"cadre": "binh", "officer": "tamhop-officer", "operator": "operator",
              "administrator": "admin"}
NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"          # binh is assigned here
HUONG_CANH_1 = "vinh-phuc.binh-xuyen.huong-canh.to-dan-pho-1"  # binh is not
OWN_AUTHORITY, OTHER_AUTHORITY = "ubnd-xa-tam-hop", "ubnd-huyen-binh-xuyen"


class World:
    """The running system, a token per role, and objects that are one role's own or another's."""

    def __init__(self, system):
        self.system = system
        self.url = system.base_url
        self.rpc_config = {"AMQP_URI": system.env["AMQP_URI"]}
        self.headers = {"anonymous": {}}
        for role, username in DEMO_LOGIN.items():
            self.headers[role] = system.sign_in(username, PASSWORDS[username])

    def call(self, role, method, path, body=None, headers=None):
        return requests.request(method, self.url + path, json=body, timeout=30,
                                headers={**self.headers[role], **(headers or {})})

    def create_user(self, username, role, **scope):
        response = self.call("administrator", "POST", "/users", {
            "username": username, "display_name": username, "password": f"{username}-pass-1",
            "role": role, **scope})
        assert response.status_code == 201, response.text
        return response.json()

    def settle(self, timeout=30):
        self.system.settle(timeout)

    def snapshot(self):
        """Everything a request could have changed: the audit trail of every event (every
        change emits one) and the registry lists that change without one."""
        self.settle()
        with ClusterRpcProxy(self.rpc_config, timeout=30) as cluster:
            return {
                "events": sorted(e["event_id"] for e in
                                 cluster.monitor.recent_events({"limit": 500})["events"]),
                "units": cluster.assignments.list_units({"limit": 500}),
                "authorities": cluster.escalations.list_authorities({"limit": 500}),
                "routing_rules": cluster.escalations.list_routing_rules({"limit": 500}),
                "users": cluster.accounts.list_users({"limit": 500}, None),
                "assignments": cluster.assignments.list_assignments("nguyen-van-an"),
            }


def visit_body(unit_id=NOI_PHAT, topic="infrastructure", **extra):
    return {"submission_id": contracts.new_id(), "unit_id": unit_id,
            "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
            "meeting_kind": "regular", "attendance": {"present": 20, "expected": 25},
            "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
            "concerns": [{"topic": topic, "raised_by": "resident",
                          "summary": f"Ý kiến {contracts.new_id()}"}], **extra}


@pytest.fixture(scope="module")
def world(vhost_pipeline, request, tmp_path_factory):
    amqp = request.config.getoption("RABBIT_AMQP_URI").rstrip("/")
    with vhost_pipeline.get() as vhost:
        system = RunningSystem(f"{amqp}/{vhost}", tmp_path_factory.mktemp("authorisation"))
        try:
            system.start_all()
            load_demo({"AMQP_URI": system.env["AMQP_URI"]}, DEMO)
            world = World(system)
            # another cadre, assigned to the same branch: their visit is "another's"
            world.create_user("cuong", "cadre", cadre_id="le-van-cuong")
            world.headers["other_cadre"] = system.sign_in("cuong", "cuong-pass-1")
            own = world.call("cadre", "POST", "/visits", visit_body())
            other = world.call("other_cadre", "POST", "/visits", visit_body(topic="land"))
            assert (own.status_code, other.status_code) == (201, 201), (own.text, other.text)
            world.own_visit, world.other_visit = own.json(), other.json()
            # binh's concern is held by UBND xã Tam Hợp (infrastructure); cuong's by the
            # district (land): own and another's for the cadre and the officer alike
            world.own_concern = own.json()["concerns"][0]["concern_id"]
            world.other_concern = other.json()["concerns"][0]["concern_id"]
            # two more of binh's concerns, held by UBND xã Tam Hợp: one to acknowledge, one
            # acknowledged already, to answer
            more = [world.call("cadre", "POST", "/visits", visit_body()) for _ in range(2)]
            assert [r.status_code for r in more] == [201, 201], [r.text for r in more]
            world.target_user = world.create_user("target", "operator")["user_id"]
            world.settle()
            concern_ids = [world.own_concern, world.other_concern] + [
                r.json()["concerns"][0]["concern_id"] for r in more]
            found = [wait_for_case(world, concern_id) for concern_id in concern_ids]
            world.own_case, world.other_case, world.case_to_acknowledge, world.case_to_answer = [
                case["case_id"] for case in found]
            assert [case["authority_id"] for case in found] == [
                OWN_AUTHORITY, OTHER_AUTHORITY, OWN_AUTHORITY, OWN_AUTHORITY]
            acknowledged = world.call("officer", "POST",
                                      f"/cases/{world.case_to_answer}/acknowledge", {})
            assert acknowledged.status_code == 200, acknowledged.text
            yield world
        finally:
            system.stop_all()


def wait_for_case(world, concern_id, timeout=30):
    deadline = time.monotonic() + timeout
    with ClusterRpcProxy(world.rpc_config, timeout=30) as cluster:
        while True:
            try:
                return cluster.escalations.get_case_for_concern(concern_id)
            except Exception:
                assert time.monotonic() < deadline, "case never routed"
                time.sleep(0.1)


def statistics_of(authority_id):
    today = dt.date.today()
    return (f"/authorities/{authority_id}/statistics?period_from={today.isoformat()}"
            f"&period_to={(today + dt.timedelta(days=1)).isoformat()}")


def everyone(status, **exceptions):
    """Expected status per role: ``status`` for every signed-in role but the exceptions;
    anonymous always 401."""
    return {"anonymous": 401, **{role: exceptions.get(role, status) for role in ROLES[1:]}}


def n():
    return contracts.new_id()[:10]


# (name, method, path, body, expected status per role). Paths and bodies are functions of the
# world so that own and another's objects, and fresh ids for allowed writes, fit each call.
TABLE = [
    ("health", "GET", lambda w: "/health", None, {role: 200 for role in ROLES}),
    ("me", "GET", lambda w: "/me", None, everyone(200)),
    ("units", "GET", lambda w: "/units", None, everyone(200)),
    ("authorities", "GET", lambda w: "/authorities", None, everyone(200)),
    ("routing rules", "GET", lambda w: "/routing-rules", None, everyone(200)),
    ("register unit", "POST", lambda w: "/units", lambda w: {
        "unit_id": f"vinh-phuc.binh-xuyen.tam-hop.u{n()}", "name": "Chi bộ mới",
        "level": "branch", "kind": "residential", "parent_id": "vinh-phuc.binh-xuyen.tam-hop"},
     everyone(403, administrator=201)),
    ("register cadre", "POST", lambda w: "/cadres", lambda w: {
        "cadre_id": f"cadre-{n()}", "full_name": "Phạm Văn Đức", "home_unit_id": "vinh-phuc",
        "positions": ["province_committee_member"]}, everyone(403, administrator=201)),
    ("assign cadre", "POST", lambda w: "/assignments", lambda w: {
        "cadre_id": "nguyen-van-an", "unit_id": "vinh-phuc.binh-xuyen.huong-canh",
        "starts_on": "2026-01-01"}, everyone(403, administrator=201)),
    ("register authority", "POST", lambda w: "/authorities", lambda w: {
        "authority_id": f"auth-{n()}", "name": "Phòng TN-MT", "kind": "department",
        "level": "district", "unit_id": "vinh-phuc.binh-xuyen"},
     everyone(403, administrator=201)),
    ("add routing rule", "POST", lambda w: "/routing-rules", lambda w: {
        "rule_id": f"rule-{n()}", "topic": "economy", "unit_id": f"vinh-phuc.u{n()}",
        "authority_id": OTHER_AUTHORITY}, everyone(403, administrator=201)),
    ("create user", "POST", lambda w: "/users", lambda w: {
        "username": f"user-{n()}", "display_name": "Người mới", "password": "new-user-pass-1",
        "role": "operator"}, everyone(403, administrator=201)),
    ("create user of an unknown cadre", "POST", lambda w: "/users", lambda w: {
        "username": f"user-{n()}", "display_name": "Người mới", "password": "new-user-pass-1",
        "role": "cadre", "cadre_id": "no-such-cadre"}, everyone(403, administrator=400)),
    ("list users", "GET", lambda w: "/users", None, everyone(403, administrator=200)),
    ("get user", "GET", lambda w: f"/users/{w.target_user}", None,
     everyone(403, administrator=200)),
    ("change user role", "PATCH", lambda w: f"/users/{w.target_user}", lambda w: {
        "role": "authority_officer", "authority_id": OTHER_AUTHORITY},
     everyone(403, administrator=200)),
    ("reset password", "POST", lambda w: f"/users/{w.target_user}/password-reset",
     lambda w: {"new_password": f"reset-{n()}"}, everyone(403, administrator=200)),
    ("change own password, wrong current", "POST", lambda w: "/me/password", lambda w: {
        "current_password": "not-my-password", "new_password": "whatever-new-1"},
     everyone(400)),
    ("log visit where assigned", "POST", lambda w: "/visits", lambda w: visit_body(),
     everyone(403, cadre=201)),
    ("log visit where not assigned", "POST", lambda w: "/visits",
     lambda w: visit_body(unit_id=HUONG_CANH_1), everyone(403)),
    ("log visit naming a cadre", "POST", lambda w: "/visits",
     lambda w: visit_body(cadre_id="le-van-cuong"), everyone(403, cadre=400)),
    ("own visit", "GET", lambda w: f"/visits/{w.own_visit['visit_id']}", None,
     everyone(403, cadre=200)),
    ("another's visit", "GET", lambda w: f"/visits/{w.other_visit['visit_id']}", None,
     everyone(403, cadre=404)),
    ("own concern", "GET", lambda w: f"/concerns/{w.own_concern}", None,
     everyone(403, cadre=200, officer=200)),
    ("another's concern", "GET", lambda w: f"/concerns/{w.other_concern}", None,
     everyone(403, cadre=404, officer=404)),
    ("own inbox", "GET", lambda w: f"/authorities/{OWN_AUTHORITY}/inbox", None,
     everyone(403, officer=200)),
    ("another's inbox", "GET", lambda w: f"/authorities/{OTHER_AUTHORITY}/inbox", None,
     everyone(403, officer=404)),
    # binh carried the concern of the own authority's case; cuong that of the other's
    ("own authority's case", "GET", lambda w: f"/cases/{w.own_case}", None,
     everyone(403, cadre=200, officer=200)),
    ("another authority's case", "GET", lambda w: f"/cases/{w.other_case}", None,
     everyone(403, cadre=404, officer=404)),
    ("acknowledge own authority's case", "POST",
     lambda w: f"/cases/{w.case_to_acknowledge}/acknowledge", lambda w: {},
     everyone(403, officer=200)),
    ("acknowledge another authority's case", "POST",
     lambda w: f"/cases/{w.other_case}/acknowledge", lambda w: {}, everyone(403, officer=404)),
    ("answer own authority's case", "POST", lambda w: f"/cases/{w.case_to_answer}/answer",
     lambda w: {"answer": "Xã đã sửa xong"}, everyone(403, officer=200)),
    ("answer another authority's case", "POST", lambda w: f"/cases/{w.other_case}/answer",
     lambda w: {"answer": "Huyện đã xử lý"}, everyone(403, officer=404)),
    ("unrouted cases", "GET", lambda w: "/cases/unrouted", None,
     everyone(403, officer=200, operator=200, administrator=200)),
    ("own authority's statistics", "GET", lambda w: statistics_of(OWN_AUTHORITY), None,
     everyone(403, officer=200, administrator=200)),
    ("another authority's statistics", "GET", lambda w: statistics_of(OTHER_AUTHORITY), None,
     everyone(403, officer=404, administrator=200)),
    ("queues", "GET", lambda w: "/monitor/queues", None, everyone(403, operator=200)),
    ("event metadata", "GET", lambda w: "/monitor/events", None, everyone(403, operator=200)),
    ("a concern's trace", "GET", lambda w: f"/monitor/trace/{w.own_concern}", None,
     everyone(403, operator=200)),
    ("dead letters", "GET", lambda w: "/monitor/dead-letters", None,
     everyone(403, operator=200)),
    ("replay a missing dead letter", "POST", lambda w: "/monitor/dead-letters/replay",
     lambda w: {"letter_ids": ["0" * 24], "reason": "handler fixed"},
     everyone(403, operator=404)),
    ("discard a missing dead letter", "POST", lambda w: "/monitor/dead-letters/discard",
     lambda w: {"letter_ids": ["0" * 24], "reason": "test"}, everyone(403, operator=404)),
    ("dead letter actions", "GET", lambda w: "/monitor/dead-letter-actions", None,
     everyone(403, operator=200)),
    ("alerts", "GET", lambda w: "/monitor/alerts", None, everyone(403, operator=200)),
    ("stale wait queues", "GET", lambda w: "/monitor/wait-queues", None,
     everyone(403, operator=200)),
    # addresses, and subjects that quote concerns: administrators only
    ("mail sent", "GET", lambda w: "/notifications", None, everyone(403, administrator=200)),
    ("API description", "GET", lambda w: "/openapi.json", None, {role: 200 for role in ROLES}),
]
CASES = [(name, method, path, body, role, expected[role])
         for name, method, path, body, expected in TABLE for role in ROLES]


@pytest.mark.parametrize("name, method, path, body, role, expected", CASES,
                         ids=[f"{c[0]} as {c[4]}" for c in CASES])
def test_every_endpoint_as_every_role(world, name, method, path, body, role, expected):
    writes = method != "GET"
    before = world.snapshot() if writes else None
    response = world.call(role, method, path(world), body(world) if body else None)
    assert response.status_code == expected, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    if expected >= 400:
        error = response.json()
        assert error["error"] == {400: "INVALID_INPUT", 401: "UNAUTHORIZED", 403: "FORBIDDEN",
                                  404: "NOT_FOUND"}[expected]
        if writes:
            assert world.snapshot() == before, "a refused request changed something"
    elif writes:
        assert world.snapshot() != before, "an accepted request changed nothing"


def test_anothers_object_answers_exactly_like_a_missing_one(world):
    pairs = [
        ("cadre", f"/visits/{world.other_visit['visit_id']}", "/visits/{}"),
        ("cadre", f"/concerns/{world.other_concern}", "/concerns/{}"),
        ("officer", f"/concerns/{world.other_concern}", "/concerns/{}"),
        ("officer", f"/authorities/{OTHER_AUTHORITY}/inbox", "/authorities/{}/inbox"),
        ("cadre", f"/cases/{world.other_case}", "/cases/{}"),
        ("officer", f"/cases/{world.other_case}", "/cases/{}"),
        ("officer", f"/cases/{world.other_case}/acknowledge", "/cases/{}/acknowledge"),
    ]
    for role, path, missing_path in pairs:
        real_id = path.split("/")[2]
        method = "POST" if path.endswith("/acknowledge") else "GET"
        hidden = world.call(role, method, path, {} if method == "POST" else None)
        missing = world.call(role, method, missing_path.format("no-such-id"),
                             {} if method == "POST" else None)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.text.replace(real_id, "no-such-id") == missing.text


def test_refusals_name_the_rule(world):
    not_assigned = world.call("cadre", "POST", "/visits", visit_body(unit_id=HUONG_CANH_1))
    assert not_assigned.json()["fields"]["rule"] == ["assigned_units_only"]
    assert "assigned_units_only" in not_assigned.json()["message"]
    cadre_chosen = world.call("cadre", "POST", "/visits", visit_body(cadre_id="le-van-cuong"))
    assert cadre_chosen.json()["fields"] == {"cadre_id": ["Unknown field."]}
    as_admin = world.call("administrator", "POST", "/visits", visit_body())
    assert as_admin.json()["fields"]["rule"] == ["visits.log: cadre only"]


def test_visits_and_events_record_the_signed_in_user(world):
    me = world.call("cadre", "GET", "/me").json()
    assert world.own_visit["cadre_id"] == "tran-thi-binh"
    assert world.own_visit["logged_by"] == me["user_id"]
    events = world.call("operator", "GET", "/monitor/events", None).json()["events"]
    mine = [e for e in events if e["actor"] == me["user_id"]]
    assert {e["routing_key"] for e in mine} >= {"visits.visit_logged", "visits.concern_raised"}
    assert all("payload" not in e for e in events)  # operators never see names or texts
    assert all(set(e) == {"event_id", "routing_key", "occurred_at", "actor"} for e in events)


def test_an_officer_sees_only_their_authoritys_cases(world):
    cases = world.call("officer", "GET", f"/authorities/{OWN_AUTHORITY}/inbox").json()["cases"]
    assert cases and {case["authority_id"] for case in cases} == {OWN_AUTHORITY}
    assert world.own_concern in {case["concern_id"] for case in cases}
    assert world.other_concern not in {case["concern_id"] for case in cases}


# --- tokens that must not work ---------------------------------------------------------------

def claims_of(headers):
    return tokens.verify(DEVELOPMENT_TOKEN_SECRET, headers["Authorization"].split()[1])


def refused_with(world, token):
    response = requests.get(world.url + "/me", headers={"Authorization": f"Bearer {token}"},
                            timeout=30)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "UNAUTHORIZED"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    return response.json()


def test_an_expired_token_is_refused(world):
    claims = claims_of(world.headers["cadre"])
    expired, _ = tokens.issue(DEVELOPMENT_TOKEN_SECRET, 60, claims["sub"], claims["ver"],
                              now=time.time() - 3600)
    assert refused_with(world, expired)["fields"] == {"token": ["expired"]}


def test_a_tampered_token_is_refused(world):
    header, payload, signature = world.headers["cadre"]["Authorization"].split()[1].split(".")
    admin_id = claims_of(world.headers["administrator"])["sub"]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "sub": admin_id}).encode())
    refused_with(world, f"{header}.{forged.decode().rstrip('=')}.{signature}")
    refused_with(world, "not-a-token")


def test_a_token_from_before_a_password_reset_is_refused(world):
    world.create_user("reset-me", "operator")
    headers = world.system.sign_in("reset-me", "reset-me-pass-1")
    assert world.call("anonymous", "GET", "/me", headers=headers).status_code == 200
    user_id = claims_of(headers)["sub"]
    reset = world.call("administrator", "POST", f"/users/{user_id}/password-reset",
                       {"new_password": "reset-me-new-pass-2"})
    assert reset.status_code == 200, reset.text
    assert refused_with(world, headers["Authorization"].split()[1])["fields"] == {
        "token": ["revoked"]}
    world.system.sign_in("reset-me", "reset-me-new-pass-2")


def test_a_token_after_sign_out_is_refused_and_so_are_the_users_other_tokens(world):
    world.create_user("leaving", "operator")
    phone = world.system.sign_in("leaving", "leaving-pass-1")
    laptop = world.system.sign_in("leaving", "leaving-pass-1")
    out = world.call("anonymous", "DELETE", "/sessions/current", headers=phone)
    assert out.status_code == 200, out.text
    for headers in (phone, laptop):
        refused_with(world, headers["Authorization"].split()[1])


def test_a_disabled_users_token_and_sign_in_are_refused(world):
    user = world.create_user("disabled", "operator")
    headers = world.system.sign_in("disabled", "disabled-pass-1")
    patch = world.call("administrator", "PATCH", f"/users/{user['user_id']}", {"enabled": False})
    assert patch.status_code == 200 and patch.json()["enabled"] is False
    refused_with(world, headers["Authorization"].split()[1])
    again = requests.post(world.url + "/sessions", timeout=30,
                          json={"username": "disabled", "password": "disabled-pass-1"})
    wrong = requests.post(world.url + "/sessions", timeout=30,
                          json={"username": "no-such-user", "password": "disabled-pass-1"})
    assert again.status_code == wrong.status_code == 401
    assert again.json() == wrong.json() == {"error": "UNAUTHORIZED",
                                            "message": "username or password is wrong"}


def test_own_password_change_works_and_ends_earlier_tokens(world):
    world.create_user("changer", "operator")
    headers = world.system.sign_in("changer", "changer-pass-1")
    changed = world.call("anonymous", "POST", "/me/password", headers=headers, body={
        "current_password": "changer-pass-1", "new_password": "changer-pass-2"})
    assert changed.status_code == 200, changed.text
    refused_with(world, headers["Authorization"].split()[1])
    world.system.sign_in("changer", "changer-pass-2")


def test_repeated_failed_sign_ins_are_refused_for_a_while_with_retry_after(world):
    statuses = []
    for _ in range(6):
        response = requests.post(world.url + "/sessions", timeout=30,
                                 json={"username": "admin", "password": "guessing-1234"})
        statuses.append(response.status_code)
    assert statuses == [401] * 5 + [429]
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["error"] == "TOO_MANY_REQUESTS"
    assert response.json()["retry_after"] == int(response.headers["Retry-After"])
    # locked even with the right password; the other users sign in as before
    right = requests.post(world.url + "/sessions", timeout=30,
                          json={"username": "admin", "password": PASSWORDS["admin"]})
    assert right.status_code == 429
    world.system.sign_in("binh", PASSWORDS["binh"])
