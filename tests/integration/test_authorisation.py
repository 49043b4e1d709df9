"""Every endpoint as every role, through the real running system: the status each role gets
against its own and another's object, and that a refused request changed nothing. Then the
tokens that must not work (expired, tampered, from before a password reset, after sign-out, of a
disabled user) and the sign-in throttle."""
import base64
import json
import time

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from shared import tokens
from shared.config import DEVELOPMENT_TOKEN_SECRET
from tests.integration.endpoints import (
    CASES,
    HUONG_CANH_1,
    OTHER_AUTHORITY,
    OWN_AUTHORITY,
    ROLES,
    visit_body,
)
from tests.integration.fixtures import PLAIN_SHARED, principal_of

pytestmark = pytest.mark.integration

# the plain demo system, one for every module naming it (tests/integration/fixtures.py)
SYSTEM = PLAIN_SHARED


class World:
    """The running system, a token per role, and objects that are one role's own or another's."""

    def __init__(self, system):
        self.system = system
        self.url = system.base_url
        self.rpc_config = system.rpc_config
        # the snapshot reads as the gateway would for them: signed principals, no trusted None
        self.operator = principal_of(system, "operator")
        self.administrator = principal_of(system, "administrator")
        self.officer = principal_of(system, "officer")
        self.headers = {role: system.headers[role] for role in ROLES}

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
                # with what and whose, so that a difference names the request behind it
                "events": sorted((e["event_id"], e["routing_key"], e["actor"]) for e in
                                 cluster.monitor.recent_events(
                                     {"limit": 500}, self.operator)["events"]),
                "units": cluster.assignments.list_units({"limit": 500}),
                "authorities": cluster.escalations.list_authorities({"limit": 500}),
                "routing_rules": cluster.escalations.list_routing_rules({"limit": 500}),
                "users": cluster.accounts.list_users({"limit": 500}, self.administrator),
                "assignments": cluster.assignments.list_assignments("nguyen-van-an"),
                # reply templates are data, not events
                "reply_templates": cluster.escalations.list_reply_templates(
                    {"authority_id": self.officer["authority_id"]}, self.officer),
                # the working calendar and office hours: data, not events
                "calendar": cluster.escalations.working_calendar(
                    {"authority_id": self.officer["authority_id"]}, self.administrator),
            }


@pytest.fixture(scope="module")
def world(system):
    """The demo system, and objects that are one role's own or another's."""
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
    # each read as the cadre who raised the concern (binh's, and cuong's for the other)
    binh, cuong = principal_of(system, "cadre"), principal_of(system, world.headers["other_cadre"])
    found = [wait_for_case(world, concern_id, raiser)
             for concern_id, raiser in zip(concern_ids, [binh, cuong, binh, binh])]
    world.own_case, world.other_case, world.case_to_acknowledge, world.case_to_answer = [
        case["case_id"] for case in found]
    assert [case["authority_id"] for case in found] == [
        OWN_AUTHORITY, OTHER_AUTHORITY, OWN_AUTHORITY, OWN_AUTHORITY]
    acknowledged = world.call("officer", "POST",
                              f"/cases/{world.case_to_answer}/acknowledge", {})
    assert acknowledged.status_code == 200, acknowledged.text
    # reply templates of the own authority (one to change, one to delete) and another's
    world.create_user("huyen", "authority_officer", authority_id=OTHER_AUTHORITY)
    world.headers["other_officer"] = system.sign_in("huyen", "huyen-pass-1")
    world.own_template, world.template_to_delete, world.other_template = [
        world.call(role, "POST", f"/authorities/{authority}/reply-templates", {
            "kind": "answer", "topic": "*", "title": "Mẫu", "text": "Đã giải quyết."}
        ).json()["template_id"] for role, authority in (
            ("officer", OWN_AUTHORITY), ("officer", OWN_AUTHORITY),
            ("other_officer", OTHER_AUTHORITY))]
    return world


def wait_for_case(world, concern_id, principal, timeout=30):
    deadline = time.monotonic() + timeout
    with ClusterRpcProxy(world.rpc_config, timeout=30) as cluster:
        while True:
            try:
                return cluster.escalations.get_case_for_concern(concern_id, principal)
            except Exception:
                assert time.monotonic() < deadline, "case never routed"
                time.sleep(0.1)


# the writes the table expects refused: sent together between two snapshots (a snapshot
# waits for the system to settle, most of a second; once per row it took over two minutes)
REFUSED_WRITES = [case for case in CASES if case[1] != "GET" and case[5] >= 400]


class RefusedWrites:
    """Every refused write's answer, and the snapshots taken before the first and after the
    last of them."""

    def __init__(self, world):
        self.before = world.snapshot()
        self.answers = {(name, role): world.call(role, method, path(world),
                                                 body(world) if body else None)
                        for name, method, path, body, role, _ in REFUSED_WRITES}
        self.after = world.snapshot()

    def changes(self):
        """The events that appeared (what, by whom) and the other parts that differ."""
        return {"events": sorted(set(self.after["events"]) - set(self.before["events"])),
                "parts": [part for part in self.before
                          if part != "events" and self.before[part] != self.after[part]]}


@pytest.fixture(scope="module")
def refused_writes(world):
    return RefusedWrites(world)


def test_the_refused_writes_together_changed_nothing(refused_writes):
    assert refused_writes.before == refused_writes.after, (
        f"refused requests changed something: {refused_writes.changes()}")


@pytest.mark.parametrize("name, method, path, body, role, expected", CASES,
                         ids=[f"{c[0]} as {c[4]}" for c in CASES])
def test_every_endpoint_as_every_role(world, refused_writes, name, method, path, body, role,
                                      expected):
    writes = method != "GET"
    batched = writes and expected >= 400
    before = world.snapshot() if writes and not batched else None
    response = (refused_writes.answers[(name, role)] if batched
                else world.call(role, method, path(world), body(world) if body else None))
    assert response.status_code == expected, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    if expected >= 400:
        error = response.json()
        assert error["error"] == {400: "INVALID_INPUT", 401: "UNAUTHORIZED", 403: "FORBIDDEN",
                                  404: "NOT_FOUND"}[expected]
        if batched and refused_writes.before != refused_writes.after:
            # one of them changed something: each sends its own again between two snapshots,
            # so the one that did fails by name
            before = world.snapshot()
            world.call(role, method, path(world), body(world) if body else None)
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

def claims_of(world, headers):
    return tokens.verify(world.system.env["TOKEN_SECRET"], headers["Authorization"].split()[1])


def refused_with(world, token):
    response = requests.get(world.url + "/me", headers={"Authorization": f"Bearer {token}"},
                            timeout=30)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "UNAUTHORIZED"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    return response.json()


def test_an_expired_token_is_refused(world):
    claims = claims_of(world, world.headers["cadre"])
    expired, _ = tokens.issue(world.system.env["TOKEN_SECRET"], 60, claims["sub"], claims["ver"],
                              now=time.time() - 3600)
    assert refused_with(world, expired)["fields"] == {"token": ["expired"]}


def test_an_administrators_token_forged_with_the_published_key_is_refused(world):
    # issue 19 (S1): the development key is in the repository; this system has its own
    admin = claims_of(world, world.headers["administrator"])
    forged, _ = tokens.issue(DEVELOPMENT_TOKEN_SECRET, 600, admin["sub"], admin["ver"])
    assert "Signature" in refused_with(world, forged)["fields"]["token"][0]


def test_a_tampered_token_is_refused(world):
    header, payload, signature = world.headers["cadre"]["Authorization"].split()[1].split(".")
    admin_id = claims_of(world, world.headers["administrator"])["sub"]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "sub": admin_id}).encode())
    refused_with(world, f"{header}.{forged.decode().rstrip('=')}.{signature}")
    refused_with(world, "not-a-token")


def test_a_token_from_before_a_password_reset_is_refused(world):
    world.create_user("reset-me", "operator")
    headers = world.system.sign_in("reset-me", "reset-me-pass-1")
    assert world.call("anonymous", "GET", "/me", headers=headers).status_code == 200
    user_id = claims_of(world, headers)["sub"]
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
    # a user of its own: the lock outlasts this module, and later modules on the same shared
    # system sign the demo users in
    world.create_user("guessed", "operator")
    statuses = []
    for _ in range(6):
        response = requests.post(world.url + "/sessions", timeout=30,
                                 json={"username": "guessed", "password": "guessing-1234"})
        statuses.append(response.status_code)
    assert statuses == [401] * 5 + [429]
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["error"] == "TOO_MANY_REQUESTS"
    assert response.json()["retry_after"] == int(response.headers["Retry-After"])
    # locked even with the right password; the other users sign in as before
    right = requests.post(world.url + "/sessions", timeout=30,
                          json={"username": "guessed", "password": "guessed-pass-1"})
    assert right.status_code == 429
    world.system.sign_in("binh", world.system.passwords["binh"])
