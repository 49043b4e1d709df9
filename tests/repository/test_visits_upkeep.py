"""The visits service's migration on a store written before retention existed (the data folder
of commit ec6cc94, tests/fixtures/before-issue-22): its visits are marked as holding raisers,
idle since logged, so the retention sweep finds and anonymises them on time."""
import datetime as dt
import gzip
import pathlib
import shutil

import pytest

from docstore import DocStoreClient
from services.visits import retention
from services.visits.service import VisitsService
from shared import migrations

FIXTURE = pathlib.Path(__file__).parents[1] / "fixtures" / "before-issue-22" / "visits.sqlite3.gz"
KEPT_FOR = dt.timedelta(days=730)


@pytest.fixture
def old_store(tmp_path):
    with gzip.open(FIXTURE) as packed, open(tmp_path / "visits.sqlite3", "wb") as plain:
        shutil.copyfileobj(packed, plain)
    client = DocStoreClient(tmp_path)
    yield client["visits"]
    client.close()


def test_visits_from_before_retention_are_marked_idle_since_they_were_logged(old_store):
    before = {v["_id"]: v for v in old_store.visits.find({})}
    assert before and not any("raisers_held" in v for v in before.values())
    ran = migrations.migrate(old_store, "visits", VisitsService.db.schema())
    assert "mark_raisers_held" in ran
    for visit in old_store.visits.find({}):
        assert visit["raisers_held"] is True
        assert visit["last_activity_at"] == before[visit["_id"]]["logged_at"]
    assert migrations.migrate(old_store, "visits", VisitsService.db.schema()) == []


def test_the_sweep_finds_the_migrated_visits_only_once_their_period_is_over(old_store):
    logged = max(v["logged_at"] for v in old_store.visits.find({}))
    # unmigrated, the sweep never sees them, however late it runs
    assert retention.sweep_raisers(old_store, logged + 2 * KEPT_FOR, KEPT_FOR) == {
        "anonymised": 0}
    migrations.migrate(old_store, "visits", VisitsService.db.schema())
    day_short = logged + KEPT_FOR - dt.timedelta(days=1)
    assert retention.sweep_raisers(old_store, day_short, KEPT_FOR) == {"anonymised": 0}
    after = logged + KEPT_FOR + dt.timedelta(days=1)
    count = old_store.visits.count_documents({})
    assert retention.sweep_raisers(old_store, after, KEPT_FOR) == {"anonymised": count}
    for visit in old_store.visits.find({}):
        assert visit["raisers_held"] is False
        assert all(c["raiser_removed_at"] == after for c in visit["concerns"])
