"""The gateway's token check (services/gateway/edge/auth.py) in production: it will not start
on the published key, refuses a token forged with it, and honours a rotation."""
from types import SimpleNamespace

import pytest

from services.gateway.edge.auth import Authenticator
from shared import tokens
from shared.config import DEVELOPMENT_TOKEN_SECRET
from shared.errors import ConfigError, Unauthorized

KEY = "this-installations-own-token-key-0123456789"
PREVIOUS = "the-key-before-the-last-rotation-0123456789"
PRODUCTION = {"AMQP_URI": "amqp://gateway:Zq8vN2sLw4Xr7TbY@localhost:5672/",
              "DEPLOYMENT_MODE": "production", "TOKEN_SECRET": KEY}


class Accounts:
    """Answers for any token that got past the signature check."""

    def principal_for(self, user_id, version):
        return {"user_id": user_id, "role": "administrator", "token_version": version}


def gateway(**config):
    auth = Authenticator()
    auth.container = SimpleNamespace(config={**PRODUCTION, **config})
    auth.setup()
    return auth


def test_the_gateway_will_not_start_on_the_published_key():
    with pytest.raises(ConfigError) as refused:
        gateway(TOKEN_SECRET=DEVELOPMENT_TOKEN_SECRET)
    assert "TOKEN_SECRET" in refused.value.fields


def test_the_gateway_will_not_start_without_a_key_of_its_own():
    config = dict(PRODUCTION)
    del config["TOKEN_SECRET"]  # the written default is the published one
    auth = Authenticator()
    auth.container = SimpleNamespace(config=config)
    with pytest.raises(ConfigError, match="TOKEN_SECRET"):
        auth.setup()


def test_an_administrators_token_forged_with_the_published_key_is_refused():
    forged, _ = tokens.issue(DEVELOPMENT_TOKEN_SECRET, 600, "the-admin", 0)
    with pytest.raises(Unauthorized, match="not valid"):
        gateway().principal_of_token(forged, Accounts(), "list_users")


def test_a_previous_key_verifies_until_retired():
    token, _ = tokens.issue(PREVIOUS, 600, "u1", 0)
    with pytest.raises(Unauthorized):
        gateway().principal_of_token(token, Accounts(), "read_me")
    claims = tokens.verify(gateway(TOKEN_PREVIOUS_SECRETS=PREVIOUS).keys, token)
    assert claims["sub"] == "u1"
