"""Counted, never timed (issue 27): the gateway checks the signature of the same access token
once per second; its expiry, another key or other bytes are still checked at every use."""
import time

import jwt
import pytest

from shared import tokens
from shared.errors import Unauthorized

KEY = "this-installations-own-token-key-0123456789"
PREVIOUS = "the-key-before-the-last-rotation-0123456789"
SCOPE = {"role": "cadre", "cadre_id": "cb-1", "authority_id": None, "authority_head": False}


@pytest.fixture
def clock(monkeypatch):
    """The tokens module's clock (PyJWT keeps the real one: moved forward only)."""
    state = {"now": float(int(time.time())) + 0.25}
    monkeypatch.setattr(tokens.time, "time", lambda: state["now"])
    monkeypatch.setattr(tokens._VerifiedThisSecond, "second", None)
    return state


@pytest.fixture
def decoded(monkeypatch):
    """How many times a token's signature was checked."""
    calls = []
    real = jwt.decode

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)
    monkeypatch.setattr(tokens.jwt, "decode", counting)
    return calls


def test_the_same_token_in_the_same_second_is_checked_once(clock, decoded):
    token, _ = tokens.issue(KEY, 600, "u-1", 3, now=clock["now"], scope=SCOPE)
    answers = [tokens.verify([KEY], token) for _ in range(50)]
    assert len(decoded) == 1
    assert all(answer == answers[0] for answer in answers) and answers[0]["sub"] == "u-1"
    answers[0]["role"] = "administrator"  # a caller's change stays its own
    assert tokens.verify([KEY], token)["role"] == "cadre"
    clock["now"] += 1.0  # the next second checks it again
    tokens.verify([KEY], token)
    assert len(decoded) == 2


def test_a_token_checked_in_its_last_second_is_refused_in_the_next(decoded):
    time.sleep(1.01 - time.time() % 1)  # just after a second begins: both checks in it
    token, expires_at = tokens.issue(KEY, 1, "u-1", 3, now=time.time(), scope=SCOPE)
    assert tokens.verify(KEY, token)["exp"] == expires_at
    assert tokens.verify(KEY, token)["sub"] == "u-1" and len(decoded) == 1
    time.sleep(expires_at - time.time() + 0.01)
    with pytest.raises(Unauthorized, match="expired"):
        tokens.verify(KEY, token)


def test_other_keys_or_other_bytes_are_checked_anew(clock, decoded):
    old, _ = tokens.issue(PREVIOUS, 600, "u-1", 3, now=clock["now"], scope=SCOPE)
    assert tokens.verify([KEY, PREVIOUS], old)["sub"] == "u-1"
    with pytest.raises(Unauthorized, match="not valid"):  # the previous key retired
        tokens.verify([KEY], old)
    head, payload, signature = old.split(".")
    forged = ".".join([head, payload, signature[:-2] + ("A" if signature[-2] != "A" else "B")
                       + signature[-1]])
    for _ in range(3):
        with pytest.raises(Unauthorized, match="not valid"):
            tokens.verify([KEY, PREVIOUS], forged)
    assert decoded.count(forged) >= 3  # a refused token is never remembered
