"""The gateway's revocation view (services/gateway/edge/revocations.py): a token below its
user's last revocation is refused, nothing is judged before the first load, and revocations
older than a token's life are forgotten."""
import datetime as dt
import time

import pytest

from services.gateway.edge.revocations import CLOCK_MARGIN_SECONDS, RevocationView
from shared import tokens
from shared.errors import Unauthorized, Unavailable

NOW = dt.datetime(2026, 12, 6, 23, 0, tzinfo=dt.timezone.utc)


def revocation(user_id="u1", version=2, at=NOW):
    return {"user_id": user_id, "token_version": version, "revoked_at": at.isoformat()}


def loaded(*revocations, ttl=3600, now=NOW):
    view = RevocationView(ttl, wait_seconds=0.01)
    view.merge(list(revocations), now=now.timestamp())
    return view


def test_a_token_below_the_users_last_revocation_is_refused_and_later_ones_pass():
    view = loaded(revocation(version=2))
    with pytest.raises(Unauthorized) as refused:
        view.check({"sub": "u1", "ver": 1})
    assert refused.value.fields == {"token": ["revoked"]}
    view.check({"sub": "u1", "ver": 2})  # issued after the revocation
    view.check({"sub": "u2", "ver": 0})  # another user


def test_versions_only_grow_so_an_older_or_repeated_revocation_changes_nothing():
    view = loaded(revocation(version=3))
    view.apply(revocation(version=2))
    view.apply(revocation(version=3))
    with pytest.raises(Unauthorized):
        view.check({"sub": "u1", "ver": 2})
    view.check({"sub": "u1", "ver": 3})


def test_nothing_is_judged_before_the_first_load():
    view = RevocationView(3600, wait_seconds=0.01)
    with pytest.raises(Unavailable) as refused:
        view.check({"sub": "u1", "ver": 0})
    assert refused.value.fields == {"token": ["not checked yet"]}
    view.apply(revocation())  # an event before the load: still not judged
    with pytest.raises(Unavailable):
        view.check({"sub": "u1", "ver": 5})
    view.merge([])
    view.check({"sub": "u1", "ver": 5})


def test_a_revocation_older_than_a_tokens_life_is_forgotten_and_a_younger_one_kept():
    ttl = 600
    old = revocation("old", 4, NOW - dt.timedelta(seconds=ttl + CLOCK_MARGIN_SECONDS + 1))
    young = revocation("young", 4, NOW - dt.timedelta(seconds=ttl))
    view = loaded(old, young, ttl=ttl)
    assert set(view.floors) == {"young"}
    # every token the old one refused has expired by now: its signature check refuses it
    with pytest.raises(Unauthorized, match="expired"):
        tokens.verify("k" * 32, tokens.issue("k" * 32, ttl, "old", 3,
                                             now=NOW.timestamp() - ttl - 1)[0])


def test_a_forgotten_revocation_is_forgotten_on_a_later_sweep_too():
    view = loaded(revocation(at=dt.datetime.now(dt.timezone.utc)), ttl=10)
    view.forget_old(now=time.time() + 10 + CLOCK_MARGIN_SECONDS + 1)
    assert view.floors == {}
