"""Outside development no service starts with a secret anyone could know (issue 19, S1), and
a rotated token key keeps verifying until it is retired."""
import logging
import os

import pytest

from shared import tokens
from shared.config import DEVELOPMENT_TOKEN_SECRET, settings
from shared.errors import ConfigError, Unauthorized

KEY = "k" * 20 + "this-installation-only"      # 42 characters
PREVIOUS = "p" * 20 + "rotated-out-last-month"
BROKER = "amqp://accounts:Zq8vN2sLw4Xr7TbY@localhost:5672/"


def production(**overrides):
    return {"AMQP_URI": BROKER, "TOKEN_SECRET": KEY, "DEPLOYMENT_MODE": "production",
            **overrides}


def refused(given):
    with pytest.raises(ConfigError) as caught:
        settings(given)
    return caught.value.fields


def test_production_with_its_own_secrets_starts():
    loaded = settings(production())
    assert loaded["DEPLOYMENT_MODE"] == "production" and loaded["TOKEN_SECRET"] == KEY


def test_production_is_the_written_default():
    given = production()
    del given["DEPLOYMENT_MODE"]
    assert settings(given)["DEPLOYMENT_MODE"] == "production"
    given.pop("TOKEN_SECRET")  # the written one is the development key
    assert "TOKEN_SECRET" in refused(given)


@pytest.mark.parametrize("key", [DEVELOPMENT_TOKEN_SECRET, "dev-only-" + "x" * 40])
def test_production_refuses_a_published_token_key(key):
    fields = refused(production(TOKEN_SECRET=key))
    assert "published" in fields["TOKEN_SECRET"][0]
    assert "DEPLOYMENT_MODE" in fields["TOKEN_SECRET"][-1]


@pytest.mark.parametrize("key", ["", "short", "x" * 31])
def test_a_missing_or_short_token_key_is_refused(key):
    assert "TOKEN_SECRET" in refused(production(TOKEN_SECRET=key))


@pytest.mark.parametrize("uri, why", [
    ("amqp://localhost:5672/", "no password"),
    ("amqp://accounts@localhost:5672/", "no password"),
    ("amqp://guest:guest@localhost:5672/", "published"),
    ("amqp://deploy:dev-only-rabbitmq-deploy@rabbitmq:5672/", "published"),
    ("amqp://accounts:tooShort15chars@localhost/", "at least 16"),
])
def test_production_refuses_a_known_or_weak_broker_password(uri, why):
    assert why in refused(production(AMQP_URI=uri))["AMQP_URI"][0]


def test_production_refuses_a_published_store_password():
    uri = "mongodb://visits:dev-only-mongo-visits@mongo:27017/visits?authSource=visits"
    assert "published" in refused(production(STORE_URI=uri))["STORE_URI"][0]
    settings(production(STORE_URI=uri.replace("dev-only-mongo-visits", "Zq8vN2sLw4Xr7TbYq")))


def test_production_refuses_a_published_previous_key():
    # a published key still verifying would let the forged tokens in all the same
    fields = refused(production(TOKEN_PREVIOUS_SECRETS=f"{PREVIOUS},{DEVELOPMENT_TOKEN_SECRET}"))
    assert "TOKEN_PREVIOUS_SECRETS" in fields


def test_development_accepts_the_published_secrets_and_says_so(caplog):
    import shared.config
    shared.config._announced.discard("development")
    with caplog.at_level(logging.INFO, logger="shared.config"):
        loaded = settings({"AMQP_URI": "amqp://guest:guest@localhost:5672/",
                           "DEPLOYMENT_MODE": "development"})
    assert loaded["TOKEN_SECRET"] == DEVELOPMENT_TOKEN_SECRET
    assert [r.getMessage() for r in caplog.records if "DEPLOYMENT_MODE" in r.getMessage()] == [
        "DEPLOYMENT_MODE=development: published development secrets accepted"]


def test_an_unknown_mode_is_refused():
    assert "DEPLOYMENT_MODE" in refused(production(DEPLOYMENT_MODE="staging"))


# --- TOKEN_SECRET_FILE -----------------------------------------------------------------------

def secret_file(tmp_path, content=KEY, mode=0o600):
    path = tmp_path / "token_secret"
    path.write_text(content + "\n")
    os.chmod(path, mode)
    return str(path)


def test_the_token_key_is_read_from_its_file(tmp_path):
    given = production(TOKEN_SECRET_FILE=secret_file(tmp_path))
    del given["TOKEN_SECRET"]
    assert settings(given)["TOKEN_SECRET"] == KEY


def test_a_key_file_others_may_read_is_refused(tmp_path):
    given = production(TOKEN_SECRET_FILE=secret_file(tmp_path, mode=0o644))
    del given["TOKEN_SECRET"]
    fields = refused(given)
    assert "owner-only" in fields["TOKEN_SECRET_FILE"][0] and KEY not in str(fields)


def test_a_missing_key_file_is_refused(tmp_path):
    given = production(TOKEN_SECRET_FILE=str(tmp_path / "nowhere"))
    del given["TOKEN_SECRET"]
    assert "cannot read" in refused(given)["TOKEN_SECRET_FILE"][0]


def test_a_key_file_and_a_key_at_once_are_refused(tmp_path):
    assert "not both" in refused(production(
        TOKEN_SECRET_FILE=secret_file(tmp_path)))["TOKEN_SECRET_FILE"][0]


def test_a_published_key_in_the_file_is_refused(tmp_path):
    given = production(TOKEN_SECRET_FILE=secret_file(tmp_path, DEVELOPMENT_TOKEN_SECRET))
    del given["TOKEN_SECRET"]
    assert "TOKEN_SECRET" in refused(given)


# --- rotation --------------------------------------------------------------------------------

def test_a_token_signed_with_a_previous_key_verifies_until_retired():
    old_token, _ = tokens.issue(PREVIOUS, 60, "u1", 2)
    rotated = settings(production(TOKEN_PREVIOUS_SECRETS=f" {PREVIOUS} ,"))
    assert rotated["TOKEN_PREVIOUS_SECRETS"] == [PREVIOUS]
    assert tokens.verify(tokens.verification_keys(rotated), old_token)["sub"] == "u1"
    retired = settings(production())
    assert retired["TOKEN_PREVIOUS_SECRETS"] == []
    with pytest.raises(Unauthorized, match="not valid"):
        tokens.verify(tokens.verification_keys(retired), old_token)


def test_an_expired_token_under_a_previous_key_is_still_expired():
    expired, _ = tokens.issue(PREVIOUS, 60, "u1", 2, now=1_000_000)
    with pytest.raises(Unauthorized, match="expired"):
        tokens.verify([KEY, PREVIOUS], expired)


def test_production_names_its_mode_once_per_process(caplog):
    import shared.config
    shared.config._announced.discard("production")
    with caplog.at_level(logging.INFO, logger="shared.config"):
        settings(production())
        settings(production())  # every dependency of a service loads the settings
    assert [r.getMessage() for r in caplog.records] == ["DEPLOYMENT_MODE=production"]
