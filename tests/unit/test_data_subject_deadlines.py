"""Each kind of request from a person concerned is due the days its own setting gives
(Decree 356/2025/NĐ-CP as deploy/config.yml quotes it), not one period for all."""
import datetime as dt
from types import SimpleNamespace

import pytest

from services.monitor import requests
from services.monitor.settings import settings
from shared.contracts import REQUEST_KINDS

RECEIVED = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone.utc)


def record(database, kind, configured):
    return requests.record_request(database, {
        "kind": kind, "name": "Trần Văn Dũng", "contact": None, "note": None,
        "received_on": RECEIVED}, SimpleNamespace(user_id="u-admin"), NOW, configured)


@pytest.mark.parametrize("kind", sorted(requests.DEADLINE_KEYS))
def test_a_request_is_due_the_days_its_kind_is_given(database, kind):
    configured = {key: 30 + i for i, key in enumerate(sorted(requests.DEADLINE_KEYS.values()))}
    recorded = record(database, kind, configured)
    days = configured[requests.DEADLINE_KEYS[kind]]
    assert recorded["due_on"] == (RECEIVED + dt.timedelta(days=days)).isoformat()


def test_every_kind_a_request_can_be_has_a_deadline_in_the_configuration():
    assert set(requests.DEADLINE_KEYS) == set(REQUEST_KINDS)
    loaded = settings({"DEPLOYMENT_MODE": "development", "AMQP_URI": "amqp://guest:guest@localhost"})
    # an objection: 15 days (Decree 356/2025 as summarised; the others unverified, 10)
    assert loaded["DATA_SUBJECT_OBJECTION_DAYS"] == 15
    assert {loaded[requests.DEADLINE_KEYS[k]] for k in ("access", "correction",
                                                        "deletion")} == {10}
