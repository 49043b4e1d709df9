"""The accounts service in a nameko container on the real RabbitMQ with a real embedded store,
called over RPC the way the gateway and the demo loader call it."""
import time

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import replace_dependencies

from services.accounts import rules
from services.accounts.service import AccountsService
from shared import tokens
from shared.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolated,
    TooManyRequests,
    Unauthorized,
)
from tests import identities
from tests.interface.helpers import drain, wait_for

ADMIN = {"username": "admin", "display_name": "Quản trị", "password": "admin-password-1",
         "role": "administrator"}
BINH = {"username": "binh", "display_name": "Trần Thị Bình", "password": "binh-password-1",
        "role": "cadre", "cadre_id": "tran-thi-binh"}


KNOWN = {"cadre_id": {"tran-thi-binh"}, "authority_id": {"ubnd-xa-tam-hop"}}


def registry_lookup(field):
    """The registry services, mocked: they know only the cadre and authority in KNOWN."""
    def lookup(value):
        if value not in KNOWN[field]:
            raise NotFound(f"{field} not found", {field: [value]})
        return {field: value}
    return lookup


@pytest.fixture
def accounts(container_factory, config):
    # room for the address test's 30 sign-ins at once to queue for a hashing turn, and
    # hashing enough at once that the last is answered well within the proxy's timeout
    container = container_factory(AccountsService, {**config, "max_workers": 40,
                                                    "HASH_CONCURRENCY": 4,
                                                    "HASH_QUEUE_LIMIT": 40})
    assignments, escalations = replace_dependencies(container, "assignments", "escalations")
    assignments.get_cadre.side_effect = registry_lookup("cadre_id")
    escalations.get_authority.side_effect = registry_lookup("authority_id")
    container.start()
    with ServiceRpcProxy("accounts", config, timeout=30) as proxy:
        yield proxy


@pytest.fixture
def admin(accounts):
    user = accounts.create_user(ADMIN)
    return {"user_id": user["user_id"], "role": "administrator"}


def sign_in(accounts, username, password, address="10.0.0.1"):
    return accounts.sign_in({"username": username, "password": password}, address)


def principal_of(accounts, signed_in):
    claims = tokens.verify(identities.TOKEN_SECRET, signed_in["access_token"])
    return accounts.principal_for(claims["sub"], claims["ver"])


def events_of(config, queue="monitor.audit"):
    return [body for body, _ in drain(config, queue) if body["source"] == "accounts"]


def test_a_created_user_signs_in_and_the_token_names_their_role_and_scope(accounts, admin,
                                                                          config):
    created = accounts.create_user(BINH, admin)
    assert "password" not in created and "password_hash" not in created
    assert created["actor"] == admin["user_id"]
    signed_in = sign_in(accounts, "binh", BINH["password"])
    assert signed_in["token_type"] == "Bearer"
    assert principal_of(accounts, signed_in) == {"user_id": created["user_id"], "role": "cadre",
                                                 "cadre_id": "tran-thi-binh",
                                                 "authority_id": None,
                                                 "authority_head": False}
    # the same principal the token carries itself: the gateway reads it without a call
    claims = tokens.verify(identities.TOKEN_SECRET, signed_in["access_token"])
    assert tokens.principal_of(claims) == principal_of(accounts, signed_in)
    events = wait_for(lambda: [e for e in events_of(config)
                               if e["event_type"] == "user_created"
                               and e["payload"]["username"] == "binh"], what="user_created")
    assert events[0]["actor"] == admin["user_id"]
    assert "password" not in str(events[0])


def test_a_wrong_password_and_an_unknown_username_are_refused_alike(accounts, admin):
    accounts.create_user(BINH, admin)
    refusals = []
    for username, password in (("binh", "wrong-password-1"), ("nobody", "wrong-password-1")):
        started = time.perf_counter()
        with pytest.raises(Unauthorized) as refused:
            sign_in(accounts, username, password)
        refusals.append((refused.value.message, refused.value.fields))
        print(f"refusal for {username}: {time.perf_counter() - started:.3f} s")
    assert refusals[0] == refusals[1] == ("username or password is wrong", {})


def test_bad_new_users_are_refused_field_by_field_and_usernames_are_unique(accounts, admin):
    with pytest.raises(InvalidInput) as no_scope:
        accounts.create_user({**BINH, "cadre_id": None}, admin)
    assert no_scope.value.fields == {"cadre_id": ["required for role cadre"]}
    with pytest.raises(InvalidInput) as two_scopes:
        accounts.create_user({**BINH, "authority_id": "ubnd-xa-tam-hop"}, admin)
    assert two_scopes.value.fields == {"authority_id": ["not allowed for role cadre"]}
    with pytest.raises(InvalidInput) as short:
        accounts.create_user({**BINH, "password": "short"}, admin)
    assert "password" in short.value.fields
    with pytest.raises(InvalidInput) as unknown_cadre:
        accounts.create_user({**BINH, "cadre_id": "no-such-cadre"}, admin)
    assert unknown_cadre.value.fields == {"cadre_id": ["no-such-cadre is not in the registry"]}
    with pytest.raises(InvalidInput) as unknown_authority:
        accounts.create_user({**BINH, "role": "authority_officer", "cadre_id": None,
                              "authority_id": "no-such-authority"}, admin)
    assert "authority_id" in unknown_authority.value.fields
    accounts.create_user(BINH, admin)
    with pytest.raises(Conflict) as taken:
        accounts.create_user({**BINH, "display_name": "Someone else"}, admin)
    assert taken.value.fields == {"username": ["binh"]}
    assert [u["username"] for u in accounts.list_users({}, admin)["users"]] == ["admin", "binh"]


def test_only_administrators_manage_users(accounts, admin):
    binh = accounts.create_user(BINH, admin)
    cadre = {"user_id": binh["user_id"], "role": "cadre", "cadre_id": "tran-thi-binh"}
    for call in (lambda: accounts.create_user({**BINH, "username": "x"}, cadre),
                 lambda: accounts.list_users({}, cadre),
                 lambda: accounts.change_user(admin["user_id"], {"enabled": False}, cadre),
                 lambda: accounts.reset_password(admin["user_id"],
                                                 {"new_password": "taken-over-1"}, cadre)):
        with pytest.raises(Forbidden) as refused:
            call()
        assert refused.value.fields["rule"] == ["users.manage: administrator only"]
    sign_in(accounts, "admin", ADMIN["password"])  # nothing changed


@pytest.mark.parametrize("revoke", ["sign_out", "change_password", "reset_password",
                                    "disable", "change_role"])
def test_every_revocation_ends_earlier_tokens_at_once(accounts, admin, revoke):
    binh = accounts.create_user(BINH, admin)
    earlier = sign_in(accounts, "binh", BINH["password"])
    principal = principal_of(accounts, earlier)
    new_password = "binh-new-password-2"
    if revoke == "sign_out":
        answer = accounts.sign_out(principal)
    elif revoke == "change_password":
        answer = accounts.change_password({"current_password": BINH["password"],
                                           "new_password": new_password}, principal, "10.0.0.1")
    elif revoke == "reset_password":
        answer = accounts.reset_password(binh["user_id"], {"new_password": new_password}, admin)
    elif revoke == "disable":
        answer = accounts.change_user(binh["user_id"], {"enabled": False}, admin)
        assert answer["enabled"] is False
    else:
        answer = accounts.change_user(binh["user_id"], {"role": "authority_officer",
                                                        "authority_id": "ubnd-xa-tam-hop"},
                                      admin)
        assert (answer["role"], answer["cadre_id"]) == ("authority_officer", None)
    # the answer names the revocation (the gateway that asked applies it at once), and the
    # gateways' load lists it: every token below the new version is refused
    ver = tokens.verify(identities.TOKEN_SECRET, earlier["access_token"])["ver"]
    assert {key: answer["tokens_revoked"][key] for key in ("user_id", "token_version")} == \
        {"user_id": binh["user_id"], "token_version": ver + 1}
    loaded = accounts.revocations()
    assert [(r["user_id"], r["token_version"]) for r in loaded["revocations"]] == \
        [(binh["user_id"], ver + 1)]
    with pytest.raises(Unauthorized) as refused:
        principal_of(accounts, earlier)
    assert refused.value.fields == {"token": ["revoked"]}
    if revoke in ("change_password", "reset_password"):
        with pytest.raises(Unauthorized):
            sign_in(accounts, "binh", BINH["password"])
        sign_in(accounts, "binh", new_password)
    elif revoke == "disable":
        with pytest.raises(Unauthorized):
            sign_in(accounts, "binh", BINH["password"])
    else:
        assert principal_of(accounts, sign_in(accounts, "binh", BINH["password"]))


def test_a_password_change_needs_the_current_password_and_changes_nothing_otherwise(
        accounts, admin):
    accounts.create_user(BINH, admin)
    signed_in = sign_in(accounts, "binh", BINH["password"])
    principal = principal_of(accounts, signed_in)
    with pytest.raises(InvalidInput) as wrong:
        accounts.change_password({"current_password": "not-it-at-all",
                                  "new_password": "binh-new-password-2"}, principal,
                                 "10.0.0.1")
    assert wrong.value.fields == {"current_password": ["is not your current password"]}
    with pytest.raises(InvalidInput) as weak:
        accounts.change_password({"current_password": BINH["password"], "new_password": "binh"},
                                 principal, "10.0.0.1")
    assert "new_password" in weak.value.fields
    assert principal_of(accounts, signed_in) == principal  # the token still works


def test_administrators_cannot_lock_themselves_out_and_changes_are_events(accounts, admin,
                                                                          config):
    with pytest.raises(RuleViolated):
        accounts.change_user(admin["user_id"], {"enabled": False}, admin)
    with pytest.raises(RuleViolated):
        accounts.change_user(admin["user_id"], {"role": "operator"}, admin)
    with pytest.raises(NotFound):
        accounts.change_user("no-such-user", {"enabled": False}, admin)
    with pytest.raises(InvalidInput) as scope_alone:
        accounts.change_user(admin["user_id"], {"cadre_id": "tran-thi-binh"}, admin)
    assert "role" in scope_alone.value.fields
    binh = accounts.create_user(BINH, admin)
    accounts.change_user(binh["user_id"], {"role": "operator"}, admin)
    accounts.reset_password(binh["user_id"], {"new_password": "binh-reset-password"}, admin)
    accounts.change_user(binh["user_id"], {"enabled": False}, admin)
    seen = []
    wait_for(lambda: seen.extend(events_of(config)) or len(seen) >= 8, what="account events")
    assert [(e["event_type"], e["actor"]) for e in seen] == [
        ("user_created", None), ("user_created", admin["user_id"]),
        ("user_role_changed", admin["user_id"]), ("tokens_revoked", admin["user_id"]),
        ("password_reset", admin["user_id"]), ("tokens_revoked", admin["user_id"]),
        ("user_disabled", admin["user_id"]), ("tokens_revoked", admin["user_id"])]
    assert seen[2]["payload"] == {"user_id": binh["user_id"], "role": "operator",
                                  "cadre_id": None, "authority_id": None,
                                  "authority_head": False}
    # each revocation names the first version still valid: what the gateways' views hold
    assert [(e["payload"]["user_id"], e["payload"]["token_version"]) for e in seen[3::2]] == [
        (binh["user_id"], 1), (binh["user_id"], 2), (binh["user_id"], 3)]


def test_repeated_failures_for_one_username_lock_it_with_retry_after(accounts, admin):
    accounts.create_user(BINH, admin)
    for _ in range(rules.PER_USERNAME_AT_ADDRESS.lock_after):
        with pytest.raises(Unauthorized):
            sign_in(accounts, "binh", "wrong-password-1")
    with pytest.raises(TooManyRequests) as locked:
        sign_in(accounts, "binh", BINH["password"])  # even the right password, for a while
    assert 0 < locked.value.retry_after <= rules.PER_USERNAME_AT_ADDRESS.lock_seconds
    assert locked.value.to_body()["retry_after"] == locked.value.retry_after
    # an unknown username locks the same way: locking says nothing of who exists
    for _ in range(rules.PER_USERNAME_AT_ADDRESS.lock_after):
        with pytest.raises(Unauthorized):
            sign_in(accounts, "nobody", "wrong-password-1", address="10.0.0.2")
    with pytest.raises(TooManyRequests):
        sign_in(accounts, "nobody", "wrong-password-1", address="10.0.0.2")
    sign_in(accounts, "admin", ADMIN["password"])  # other users are not affected


def test_repeated_failures_from_one_address_lock_that_address(accounts, admin):
    accounts.create_user(BINH, admin)
    replies = [accounts.sign_in.call_async({"username": f"guess-{n}", "password": "x"},
                                           "10.9.9.9")
               for n in range(rules.PER_ADDRESS.lock_after)]
    for reply in replies:  # concurrent: the delays overlap instead of adding up
        with pytest.raises(Unauthorized):
            reply.result()
    with pytest.raises(TooManyRequests):
        sign_in(accounts, "binh", BINH["password"], address="10.9.9.9")
    sign_in(accounts, "binh", BINH["password"], address="10.0.0.3")  # from elsewhere: fine


def test_who_changed_what_is_named_by_id_in_one_call_for_administrators_only(accounts,
                                                                            admin):
    binh = accounts.create_user(BINH, admin)
    named = accounts.user_names({"user_ids": [binh["user_id"], admin["user_id"], "gone"]},
                                admin)["users"]
    assert sorted(user["username"] for user in named) == ["admin", BINH["username"]]
    assert all(set(user) == {"user_id", "username"} for user in named)
    cadre = {"user_id": binh["user_id"], "role": "cadre", "cadre_id": "tran-thi-binh"}
    with pytest.raises(Forbidden):
        accounts.user_names({"user_ids": [admin["user_id"]]}, cadre)


def test_the_users_list_finds_by_words_of_the_name_past_its_first_page(accounts, admin):
    for number in range(7):
        accounts.create_user({**BINH, "username": f"can-bo-{number}", "cadre_id": None,
                              "display_name": f"Nguyễn Văn Hùng {number}", "role": "operator"},
                             admin)
    accounts.create_user({**BINH, "username": "lan-tamhop", "display_name": "Lê Thị Lan"}, admin)
    found = accounts.list_users({"q": "NGUYEN hung", "limit": 4}, admin)
    assert [user["username"] for user in found["users"]] == [f"can-bo-{n}" for n in range(4)]
    rest = accounts.list_users({"q": "NGUYEN hung", "limit": 4, "cursor": found["next_cursor"]},
                               admin)
    assert [user["username"] for user in rest["users"]] == [f"can-bo-{n}" for n in (4, 5, 6)]
    assert rest["next_cursor"] is None
    assert [u["username"] for u in accounts.list_users({"q": "tamh"}, admin)["users"]] == [
        "lan-tamhop"]  # a word of the username too
    assert "search" not in found["users"][0]
    with pytest.raises(InvalidInput):
        accounts.list_users({"q": "…"}, admin)  # no letter: said, nothing searched
