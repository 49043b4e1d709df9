"""Who may do what: the role table, scopes, the accounts service's rules, visit ownership and
access tokens, checked without any service running."""
import datetime as dt

import jwt
import pytest

from services.accounts import rules
from services.escalations.access import actions_for, holds, may_read, raised, side_of
from services.escalations.case_life import (
    ACTIONS,
    HOLDER,
    RAISER,
    STATES,
    TRANSITIONS,
    allowed_actions,
)
from services.visits.rules import ASSIGNED_UNITS_ONLY, check_may_log_at, check_own_visit
from shared import tokens
from shared.authorisation import PERMISSIONS, Principal, may, principal_from, require
from shared.contracts import ROLES
from shared.errors import Forbidden, InvalidInput, NotFound, RuleViolated, Unauthorized

SECRET = "a-test-secret-of-at-least-32-characters"
CADRE = Principal("u-cadre", "cadre", cadre_id="tran-thi-binh")
OFFICER = Principal("u-officer", "authority_officer", authority_id="ubnd-xa-tam-hop")
OPERATOR = Principal("u-operator", "operator")
ADMIN = Principal("u-admin", "administrator")
EVERYONE = (CADRE, OFFICER, OPERATOR, ADMIN)

# the whole table, spelled out: a change to PERMISSIONS must change this test too
EXPECTED = {
    "registry.read": {CADRE, OFFICER, OPERATOR, ADMIN},
    "registry.manage": {ADMIN},
    "users.manage": {ADMIN},
    "visits.log": {CADRE},
    "visits.read": {CADRE},
    "concerns.read": {CADRE, OFFICER},
    "cases.inbox": {OFFICER},
    "cases.read": {CADRE, OFFICER},
    "cases.act": {CADRE, OFFICER},
    "cases.acknowledge": {OFFICER},
    "cases.start": {OFFICER},
    "cases.request_information": {OFFICER},
    "cases.provide_information": {CADRE},
    "cases.redirect": {OFFICER},
    "cases.answer": {OFFICER},
    "cases.close": {CADRE, OFFICER},
    "cases.mark_duplicate": {OFFICER},
    "cases.reopen": {CADRE},
    "cases.escalate": {OFFICER},
    "cases.name_officers": {OFFICER},
    "audit.requests": {ADMIN},
    "cases.take": {OFFICER},
    "concerns.redact": {CADRE},
    "cases.redact": {OFFICER},
    "cases.publish": {CADRE, OFFICER},
    "cases.assign": {OFFICER},
    "rosters.read": {OFFICER, ADMIN},
    "rosters.manage": {OFFICER, ADMIN},
    "cases.change_tier": {OFFICER},
    "calendars.manage": {ADMIN},
    "cases.interim_reply": {OFFICER},
    "templates.manage": {OFFICER},
    "cases.unrouted": {OFFICER, OPERATOR, ADMIN},
    "cases.statistics": {OFFICER, ADMIN},
    "monitor.read": {OPERATOR},
    "monitor.operate": {OPERATOR},
    "notifications.read": {ADMIN},
    "notifications.retry": {OPERATOR, ADMIN},
    "audit.read": {ADMIN},
    "self": {CADRE, OFFICER, OPERATOR, ADMIN},
    "registry.people.read": {CADRE, OFFICER, ADMIN},
    "registry.import": {ADMIN},
    "registry.export": {ADMIN},
    "coverage.read": {ADMIN},
    "visits.brief": {CADRE},
    "visits.list": {CADRE, ADMIN},
    "visits.record": {CADRE, ADMIN},
    "visits.unscheduled": {ADMIN},
    "meetings.schedule": {CADRE, ADMIN},
    "meetings.plan": {CADRE, ADMIN},
    "meetings.read": {CADRE, ADMIN},
    "meetings.feed": {CADRE},
    "meetings.report": {CADRE, ADMIN},
    "members.read": {CADRE, ADMIN},
    "members.import": {ADMIN},
    "members.attendance": {CADRE},
    "members.contact": {CADRE},
    "members.care": {CADRE, ADMIN},
}


def test_the_table_covers_every_action_and_only_known_roles():
    assert set(PERMISSIONS) == set(EXPECTED)
    assert all(roles <= set(ROLES) for roles in PERMISSIONS.values())


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("principal", EVERYONE, ids=lambda p: p.role)
def test_each_role_may_do_exactly_its_actions(action, principal):
    allowed = principal in EXPECTED[action]
    assert may(principal, action) == allowed
    if allowed:
        assert require(principal, action) is principal
    else:
        with pytest.raises(Forbidden) as refused:
            require(principal, action)
        assert refused.value.fields["rule"][0].startswith(f"{action}: ")
        assert refused.value.fields["role"] == [principal.role]


def test_an_internal_caller_without_a_principal_passes():
    assert require(None, "users.manage") is None
    assert principal_from(None) is None


@pytest.mark.parametrize("data, field", [
    ({"user_id": "u1", "role": "cadre"}, "cadre_id"),
    ({"user_id": "u1", "role": "cadre", "cadre_id": "c", "authority_id": "a"}, "authority_id"),
    ({"user_id": "u1", "role": "authority_officer"}, "authority_id"),
    ({"user_id": "u1", "role": "operator", "cadre_id": "c"}, "cadre_id"),
    ({"user_id": "u1", "role": "king"}, "role"),
    ({"role": "operator"}, "user_id"),
])
def test_a_principal_is_bound_to_exactly_its_roles_scope(data, field):
    with pytest.raises(InvalidInput) as refused:
        principal_from(data)
    assert field in refused.value.fields


def test_a_principal_round_trips_as_a_dict():
    assert principal_from(OFFICER.to_dict()) == OFFICER


# --- passwords ---------------------------------------------------------------------------------

def test_password_policy_names_the_field_and_every_problem():
    rules.check_password_policy("a-long-enough-one", "binh")
    with pytest.raises(InvalidInput) as short:
        rules.check_password_policy("short", "binh", field="new_password")
    assert short.value.fields == {"new_password": ["must be at least 10 characters"]}
    with pytest.raises(InvalidInput) as same:
        rules.check_password_policy("Binh-admin", "binh-admin")
    assert same.value.fields == {"password": ["must not be the username"]}
    with pytest.raises(InvalidInput):
        rules.check_password_policy("x" * 201, "binh")


def test_hashes_are_argon2id_salted_and_verify_only_the_right_password():
    first, second = rules.hash_password("correct horse"), rules.hash_password("correct horse")
    assert first.startswith("$argon2id$") and first != second
    assert rules.password_matches(first, "correct horse")
    assert not rules.password_matches(first, "correct horsE")
    assert not rules.password_matches(None, "correct horse")  # unknown user: still hashed
    assert not rules.password_matches("not a hash", "correct horse")
    assert not rules.needs_rehash(first)


# --- role changes ------------------------------------------------------------------------------

def test_a_role_change_carries_its_scope_and_an_administrator_keeps_their_own_role():
    user = {"_id": "u2"}
    assert rules.role_change(user, "authority_officer", None, "ubnd", "u-admin") == {
        "role": "authority_officer", "cadre_id": None, "authority_id": "ubnd",
        "authority_head": False}
    with pytest.raises(InvalidInput):
        rules.role_change(user, "cadre", None, None, "u-admin")
    with pytest.raises(RuleViolated):
        rules.role_change({"_id": "u-admin"}, "operator", None, None, "u-admin")
    with pytest.raises(RuleViolated):
        rules.check_may_disable({"_id": "u-admin"}, "u-admin")
    rules.check_may_disable(user, "u-admin")


def test_only_an_officer_heads_an_authority():
    user = {"_id": "u2"}
    assert rules.role_change(user, "authority_officer", None, "ubnd", "u-admin",
                             authority_head=True)["authority_head"] is True
    with pytest.raises(InvalidInput) as refused:
        rules.role_change(user, "cadre", "tran-thi-binh", None, "u-admin", authority_head=True)
    assert "authority_head" in refused.value.fields
    with pytest.raises(InvalidInput):
        principal_from({"user_id": "u9", "role": "operator", "authority_head": True})
    assert principal_from({"user_id": "u9", "role": "authority_officer", "authority_id": "a",
                           "authority_head": True}).authority_head


# --- sign-in throttling ------------------------------------------------------------------------

POLICY = rules.ThrottlePolicy(free=2, first_delay=0.25, max_delay=1.0, lock_after=5,
                              lock_seconds=300, window=900)


def failures(n, start=1000.0, step=1.0):
    attempts, delays = rules.Attempts(), []
    for i in range(n):
        attempts, delay = rules.after_failure(POLICY, attempts, start + i * step)
        delays.append(delay)
    return attempts, delays


def test_failures_are_free_then_slowed_doubling_up_to_a_cap_then_locked():
    attempts, delays = failures(6)
    assert delays == [0, 0, 0.25, 0.5, 1.0, 1.0]
    assert attempts.failures == 6
    assert attempts.locked_until == 1005.0 + 300


def test_a_lock_tells_how_long_to_wait_and_ends():
    attempts, _ = failures(5)
    assert rules.retry_after(attempts, 1004.0) == 300
    assert rules.retry_after(attempts, 1004.0 + 299.5) == 1
    assert rules.retry_after(attempts, 1004.0 + 300) == 0
    assert rules.retry_after(rules.Attempts(), 1004.0) == 0


def test_failures_older_than_the_window_are_forgotten():
    attempts, _ = failures(4)
    later, delay = rules.after_failure(POLICY, attempts, 1003.0 + POLICY.window + 1)
    assert (later.failures, delay, later.locked_until) == (1, 0, 0.0)


def test_the_shipped_policies_lock_an_address_later_than_a_username():
    assert rules.PER_USERNAME_AT_ADDRESS.lock_after < rules.PER_ADDRESS.lock_after


# --- visits ------------------------------------------------------------------------------------

def test_a_cadre_logs_only_where_assigned_on_the_meeting_date():
    assigned = [{"starts_on": "2026-01-01"}]
    check_may_log_at(assigned, "np", dt.date(2026, 1, 1))
    check_may_log_at(assigned + [{"starts_on": "2027-01-01"}], "np", dt.date(2026, 6, 1))
    for assignments, day in ((assigned, dt.date(2025, 12, 31)), ([], dt.date(2026, 6, 1))):
        with pytest.raises(Forbidden) as refused:
            check_may_log_at(assignments, "np", day)
        assert refused.value.fields["rule"] == [ASSIGNED_UNITS_ONLY]
        assert ASSIGNED_UNITS_ONLY in refused.value.message


def test_another_cadres_visit_is_not_found_like_a_missing_one():
    visit = {"_id": "v1", "cadre_id": "tran-thi-binh"}
    assert check_own_visit(visit, CADRE) is visit
    assert check_own_visit(visit, None) is visit
    for other in (Principal("u9", "cadre", cadre_id="le-van-cuong"), OFFICER):
        with pytest.raises(NotFound) as hidden:
            check_own_visit(visit, other)
        assert (hidden.value.message, hidden.value.fields) == ("visit not found",
                                                               {"visit_id": ["v1"]})
    with pytest.raises(NotFound) as concern:
        check_own_visit(visit, OFFICER, "concern", "c1")
    assert concern.value.fields == {"concern_id": ["c1"]}


def test_an_officer_holds_only_their_own_authoritys_cases():
    assert holds(OFFICER, "ubnd-xa-tam-hop")
    assert not holds(OFFICER, "ubnd-huyen-binh-xuyen")
    assert not holds(Principal("u9", "cadre", cadre_id="ubnd-xa-tam-hop"), "ubnd-xa-tam-hop")
    assert not holds(ADMIN, "ubnd-xa-tam-hop")
    assert holds(None, "ubnd-xa-tam-hop")


def test_a_case_is_seen_by_its_holders_officers_and_the_cadre_who_carried_it():
    case = {"_id": "k1", "authority_id": "ubnd-xa-tam-hop", "raised_by_user": CADRE.user_id}
    assert may_read(OFFICER, case) and may_read(CADRE, case) and may_read(None, case)
    assert raised(CADRE, case) and not raised(OFFICER, case)
    other_cadre = Principal("u-other", "cadre", cadre_id="le-van-cuong")
    other_officer = Principal("u-o2", "authority_officer", authority_id="ubnd-huyen-binh-xuyen")
    for principal in (other_cadre, other_officer, OPERATOR, ADMIN):
        assert not may_read(principal, case)
    # a concern raised with no signed-in user (a script) is no cadre's
    assert not may_read(CADRE, {**case, "raised_by_user": None})
    assert not may_read(OFFICER, {**case, "authority_id": None})


def test_each_case_action_is_allowed_to_the_roles_of_the_sides_that_take_it():
    side_roles = {HOLDER: "authority_officer", RAISER: "cadre"}
    for action in ACTIONS:  # EVENT_ACTIONS: nobody takes those by hand
        wanted = {side_roles[side] for row in TRANSITIONS if row.action == action
                  for side in row.sides if side in side_roles}
        assert PERMISSIONS[f"cases.{action}"] == wanted, action
        assert wanted <= PERMISSIONS["cases.act"]


def test_a_case_tells_each_side_only_its_own_actions():
    case = {"_id": "k1", "authority_id": "ubnd-xa-tam-hop", "raised_by_user": CADRE.user_id}
    # the holder's officer: the holder's actions only (close is both sides' once answered)
    assert actions_for({**case, "status": "routed"}, OFFICER) == [
        "acknowledge", "start", "redirect", "mark_duplicate", "escalate"]
    assert actions_for({**case, "status": "awaiting_information"}, OFFICER) == []
    assert actions_for({**case, "status": "closed_resolved"}, OFFICER) == []
    assert actions_for({**case, "status": "answered"}, OFFICER) == ["close"]
    # the cadre who carried it: the raising side's only
    assert actions_for({**case, "status": "routed"}, CADRE) == []
    assert actions_for({**case, "status": "awaiting_information"}, CADRE) == [
        "provide_information"]
    assert actions_for({**case, "status": "closed_resolved"}, CADRE) == ["reopen"]
    assert actions_for({**case, "status": "answered"}, CADRE) == ["close"]
    for status in STATES:
        held, raised_ = ({**case, "status": status}, OFFICER), ({**case, "status": status}, CADRE)
        assert side_of(*held) == HOLDER and side_of(*raised_) == RAISER
        assert set(actions_for(*held)) <= {row.action for row in TRANSITIONS if HOLDER in row.sides}
        assert set(actions_for(*raised_)) <= {row.action for row in TRANSITIONS
                                              if RAISER in row.sides}
        # on no side of it: nothing to do, whatever the role
        other_officer = Principal("u-o2", "authority_officer",
                                  authority_id="ubnd-huyen-binh-xuyen")
        for nobody in (Principal("u-other", "cadre", cadre_id="le-van-cuong"), other_officer,
                       OPERATOR, ADMIN):
            assert side_of({**case, "status": status}, nobody) is None
            assert actions_for({**case, "status": status}, nobody) == []
        # a trusted internal caller is told either side's
        assert actions_for({**case, "status": status}, None) == allowed_actions(status)


# --- tokens ------------------------------------------------------------------------------------

def test_a_token_carries_its_user_and_version_until_it_expires():
    token, expires_at = tokens.issue(SECRET, 60, "u1", 3)
    claims = tokens.verify(SECRET, token)
    assert (claims["sub"], claims["ver"], claims["exp"]) == ("u1", 3, expires_at)


@pytest.mark.parametrize("make, reason", [
    (lambda: tokens.issue(SECRET, 60, "u1", 0, now=1_000_000)[0], "expired"),
    (lambda: tokens.issue("another-secret-of-at-least-32-chars", 60, "u1", 0)[0], "Signature"),
    (lambda: tokens.issue(SECRET, 60, "u1", 0)[0][:-3] + "abc", "Signature"),
    (lambda: jwt.encode({"sub": "u1", "ver": 0}, SECRET, algorithm="HS256"), "exp"),
    (lambda: jwt.encode({"sub": "u1", "ver": 0, "exp": 9e9, "iat": 0, "iss": "sausat"},
                        key=None, algorithm="none"), "alg"),
    (lambda: "not.a.token", "token"),
])
def test_expired_tampered_foreign_and_unsigned_tokens_are_refused(make, reason):
    with pytest.raises(Unauthorized) as refused:
        tokens.verify(SECRET, make())
    assert reason.lower() in str(refused.value).lower()


@pytest.mark.parametrize("header", [None, "", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer"])
def test_a_missing_or_non_bearer_authorization_header_is_refused(header):
    with pytest.raises(Unauthorized) as refused:
        tokens.bearer_token(header)
    assert "Authorization" in refused.value.fields
    assert tokens.bearer_token("Bearer abc.def.ghi") == "abc.def.ghi"
