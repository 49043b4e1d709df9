"""Schema versions and the retained event log on every backend (embedded, mongomock, MongoDB
when MONGO_URI is set): migrations run once each, in order, finish after a crash midway, never
touch a store a newer version wrote; confirmed events are kept and re-published after a
restore (the services' side is in tests/integration/test_upgrade_and_restore.py)."""
import datetime as dt

import pytest

from shared import event_log, migrations
from shared.messaging import PublishOutcome
from shared.migrations import Migration, MigrationsPending, SchemaTooNew
from shared.outbox import PENDING, OutboxRelay, with_events

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)


class Killed(BaseException):
    """A process killed in the middle of a step (nothing below catches it)."""


def rename_status(batch=2, die_after=None):
    """A step over many documents, a batch at a time, each batch idempotent; with
    ``die_after`` batches it is killed midway."""
    def step(db):
        done = 0
        while True:
            batch_ids = [doc["_id"] for doc in db.cases.find({"state": {"$exists": True}},
                                                              {"_id": 1}).limit(batch)]
            if not batch_ids:
                return
            for case_id in batch_ids:
                old = db.cases.find_one({"_id": case_id})
                db.cases.update_one({"_id": case_id, "state": old["state"]},
                                    {"$set": {"status": old["state"]}, "$unset": {"state": ""}})
            done += 1
            if die_after is not None and done == die_after:
                raise Killed()
    return step


def count_runs(db):
    db.runs.update_one({"_id": "runs"}, {"$inc": {"n": 1}}, upsert=True)


def test_a_new_store_runs_every_step_once_and_records_its_version(database):
    schema = [Migration("count", count_runs), Migration("rename_status", rename_status())]
    assert migrations.migrate(database, "escalations", schema) == ["count", "rename_status"]
    assert migrations.migrate(database, "escalations", schema) == []  # the next start
    state = migrations.schema_state(database)
    assert (state["version"], state["applied"]) == (2, ["count", "rename_status"])
    assert "running" not in state
    assert database.runs.find_one({"_id": "runs"})["n"] == 1


def test_a_store_without_steps_records_version_zero(database):
    assert migrations.migrate(database, "imports", []) == []
    assert migrations.schema_state(database)["version"] == 0
    assert database[migrations.COLLECTION].count_documents({}) == 1


def test_a_migration_killed_midway_completes_on_the_next_start(database):
    database.cases.insert_many([{"_id": f"c{n}", "state": "routed"} for n in range(7)])
    schema = [Migration("count", count_runs), Migration("rename_status", rename_status())]
    killed = [schema[0], Migration("rename_status", rename_status(die_after=2))]
    with pytest.raises(Killed):
        migrations.migrate(database, "escalations", killed)
    state = migrations.schema_state(database)
    assert (state["version"], state["running"]) == (1, "rename_status")
    assert database.cases.count_documents({"status": "routed"}) == 4  # two batches of two

    assert migrations.migrate(database, "escalations", schema) == ["rename_status"]
    assert migrations.schema_state(database)["version"] == 2
    assert database.cases.count_documents({"status": "routed"}) == 7
    assert database.cases.count_documents({"state": {"$exists": True}}) == 0
    assert database.runs.find_one({"_id": "runs"})["n"] == 1  # the finished step not again


def test_a_store_a_newer_version_wrote_is_refused_and_left_untouched(database):
    database[migrations.COLLECTION].insert_one({"_id": "schema", "version": 3,
                                                "applied": ["a", "b", "c"]})
    with pytest.raises(SchemaTooNew) as refused:
        migrations.migrate(database, "visits", [Migration("count", count_runs)])
    assert "schema version 3" in str(refused.value) and "up to 1" in str(refused.value)
    assert database.runs.find_one({"_id": "runs"}) is None
    assert migrations.schema_state(database)["version"] == 3


def test_without_migrate_on_start_a_pending_step_refuses_naming_it_and_the_command(database):
    schema = [Migration("count", count_runs), Migration("rename_status", rename_status())]
    migrations.migrate(database, "escalations", schema[:1])
    with pytest.raises(MigrationsPending) as refused:
        migrations.at_start(database, "escalations", schema, migrate_on_start=False)
    assert refused.value.pending == ["rename_status"]
    assert "python -m tooling.migrate escalations" in str(refused.value)
    assert migrations.schema_state(database)["version"] == 1
    assert migrations.at_start(database, "escalations", schema, True) == ["rename_status"]


def test_events_an_older_store_left_without_the_pending_flag_are_flagged(database):
    database.visits.insert_many([
        {"_id": "unflagged", "outbox": [{"event_id": "e1"}]},
        {"_id": "empty", "outbox": []},
        {"_id": "flagged", "outbox": [{"event_id": "e2"}], "outbox_pending": True},
        {"_id": "none"}])
    step = migrations.flag_pending_outboxes(["visits"], batch=2)
    step(database)
    step(database)  # idempotent
    assert sorted(doc["_id"] for doc in database.visits.find(PENDING)) == ["flagged",
                                                                           "unflagged"]


# --- the retained event log ------------------------------------------------------------------

def envelope(event_id):
    return {"event_id": event_id, "event_type": "case_routed", "source": "escalations",
            "occurred_at": "2026-12-06T00:00:00+00:00", "payload": {"case_id": event_id}}


class Publisher:
    def __init__(self, refuse=()):
        self.sent, self.refuse = [], set(refuse)

    def publish_events(self, envelopes):
        outcome = PublishOutcome()
        for sent in envelopes:
            if sent["event_id"] in self.refuse:
                outcome.failed[sent["event_id"]] = "refused"
            else:
                self.sent.append(sent)
                outcome.confirmed.add(sent["event_id"])
        return outcome


def test_the_relay_keeps_what_was_confirmed_and_a_restore_republishes_it_once(database):
    database.cases.insert_one(with_events({"_id": "c1"}, [envelope("e1"), envelope("e2")]))
    database.cases.insert_one(with_events({"_id": "c2"}, [envelope("e3")]))
    with pytest.raises(Exception):  # e3 not confirmed: kept pending, not logged
        OutboxRelay(database, ["cases"], Publisher(refuse={"e3"})).relay_pending()
    assert sorted(doc["_id"] for doc in database.event_log.find({})) == ["e1", "e2"]
    event_log.retain(database, [envelope("e1")])  # again, as after a crash: kept once
    assert database.event_log.count_documents({}) == 2

    publisher = Publisher()
    assert event_log.republish_after_restore(database, publisher, hours=48) == 0  # no restore
    event_log.mark_restored(database, "2026-12-06T12-00-00Z")
    assert event_log.republish_after_restore(database, publisher, hours=48) == 2
    assert [sent["event_id"] for sent in publisher.sent] == ["e1", "e2"]
    assert event_log.republish_after_restore(database, publisher, hours=48) == 0  # done once


def test_only_the_retained_hours_are_republished_and_a_failure_keeps_the_marker(database):
    event_log.retain(database, [envelope("old")], now=NOW - dt.timedelta(hours=50))
    event_log.retain(database, [envelope("recent")], now=NOW - dt.timedelta(hours=2))
    event_log.mark_restored(database, "b1")
    with pytest.raises(RuntimeError):
        event_log.republish_after_restore(database, Publisher(refuse={"recent"}), 48, now=NOW)
    assert event_log.restores_to_republish(database) == [{"_id": "b1"}]
    publisher = Publisher()
    assert event_log.republish_after_restore(database, publisher, 48, now=NOW) == 1
    assert [sent["event_id"] for sent in publisher.sent] == ["recent"]


def test_an_instance_that_finds_its_step_recorded_by_another_goes_on_from_there(database):
    def another_instance_finished_everything(db):
        db[migrations.COLLECTION].update_one({"_id": "schema"}, {"$set": {
            "version": 2, "applied": ["first", "second"]}})

    schema = [Migration("first", another_instance_finished_everything),
              Migration("second", count_runs)]
    assert migrations.migrate(database, "visits", schema) == []
    assert migrations.schema_state(database)["version"] == 2
    assert database.runs.find_one({"_id": "runs"}) is None
