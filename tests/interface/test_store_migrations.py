"""A service starting on a store an older version wrote (issue 21): unique indexes hold a missing
field and null as one key, so what an older store let in is resolved before the index is built
(the escalations service's duplicate routing rules) or stops the service at start, named.

The stores are written directly into the service's folder, as an older version left them, and
the service is then started on the test RabbitMQ."""
import datetime as dt
import logging

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from docstore import DocStoreClient
from services.escalations import registry_upkeep, store
from services.escalations.service import EscalationsService
from shared.errors import Conflict
from shared.migrations import MigrationsPending, SchemaTooNew
from shared.store import DuplicateKeysAtStart

RULE_INDEX = "topic_1_unit_id_1_urgency_1_effective_from_1"
LAST_YEAR = (dt.date.today() - dt.timedelta(days=365)).isoformat()


def older_store(config):
    """The escalations database in the service's folder, with the rules' unique index as an
    older store built it: SQLite's UNIQUE alone, which lets null keys repeat."""
    db = DocStoreClient(config["STORE_URI"][len("embedded:"):])["escalations"]
    db.routing_rules.create_index([(field, 1) for field in store.RULE_KEYS[1]], unique=True)
    db.execute(f'DROP INDEX "routing_rules__{RULE_INDEX}__nulls"')
    return db


def rule(rule_id, authority_id, **fields):
    return {"_id": rule_id, "topic": "infrastructure", "unit_id": "vp.bx.th",
            "authority_id": authority_id, **fields}


def test_duplicate_rules_keep_the_one_routing_picks_and_retire_the_others(
        container_factory, config, caplog):
    db = older_store(config)
    db.authorities.insert_many([
        {"_id": authority_id, "name": authority_id, "kind": "peoples_committee",
         "level": "grassroots", "unit_id": "vp.bx.th"} for authority_id in ("ubnd-a", "ubnd-b")])
    db.routing_rules.insert_many([
        rule("infra-a", "ubnd-a"),  # urgency and effective_from missing
        rule("infra-b", "ubnd-b", urgency=None, effective_from=None),  # ... or null
        # the largest id, but ended last year: routing picks infra-b today
        rule("infra-c", "ubnd-a", effective_to=LAST_YEAR),
        rule("land", "ubnd-a", topic="land")])
    with caplog.at_level(logging.WARNING, logger="services.escalations.registry_upkeep"):
        container_factory(EscalationsService, config).start()

    with ServiceRpcProxy("escalations", config, timeout=15) as escalations:
        listed = escalations.list_routing_rules({})["routing_rules"]
        assert [found["rule_id"] for found in listed] == ["infra-b", "land"]
        # the index holds now: the same key again is refused, not stored beside it
        with pytest.raises(Conflict):
            escalations.add_routing_rule({"rule_id": "infra-d", "topic": "infrastructure",
                                          "unit_id": "vp.bx.th", "authority_id": "ubnd-a"})
    retired = {doc["_id"]: doc for doc in db[store.RETIRED_RULES].find({})}
    assert sorted(retired) == ["infra-a", "infra-c"]
    assert {doc["retired"]["duplicate_of"] for doc in retired.values()} == {"infra-b"}
    assert retired["infra-c"]["effective_to"] == LAST_YEAR  # kept whole, with why
    said = [record.getMessage() for record in caplog.records]
    assert any("kept infra-b" in line and "infra-a" in line and "infra-c" in line
               for line in said), said
    # run again (a restart, or after a crash mid-way): nothing is left to resolve
    assert registry_upkeep.resolve_duplicate_rules(db) == []


def test_the_migration_finishes_what_a_crash_left_half_done(config):
    db = older_store(config)
    db.routing_rules.insert_many([rule("infra-a", "ubnd-a"), rule("infra-b", "ubnd-b")])
    # a crash after the copy, before the removal
    db[store.RETIRED_RULES].insert_one({**rule("infra-a", "ubnd-a"), "retired": {}})
    assert registry_upkeep.resolve_duplicate_rules(db) == [("infra-b", ["infra-a"])]
    assert [doc["_id"] for doc in db.routing_rules.find({})] == ["infra-b"]
    assert db[store.RETIRED_RULES].find_one({"_id": "infra-a"})["retired"]["duplicate_of"] == \
        "infra-b"


def test_a_duplicate_no_migration_resolves_stops_the_service_naming_it(
        container_factory, config):
    db = DocStoreClient(config["STORE_URI"][len("embedded:"):])["escalations"]
    # two cases of one concern, as no older store could make but a hand-made restore may
    db.cases.insert_many([{"_id": "case-1", "concern_id": "concern-1"},
                          {"_id": "case-2", "concern_id": "concern-1"}])
    with pytest.raises(DuplicateKeysAtStart) as refused:
        container_factory(EscalationsService, config).start()
    assert (refused.value.collection, refused.value.index) == ("cases", "concern_id_1")
    assert refused.value.duplicates == [["case-1", "case-2"]]
    assert "case-1" in str(refused.value) and "concern_id_1" in str(refused.value)


# --- schema versions at start (issue 22) -----------------------------------------------------

def test_a_start_finishes_a_migration_a_crash_left_midway(container_factory, config):
    db = older_store(config)
    db.routing_rules.insert_many([rule("infra-a", "ubnd-a"), rule("infra-b", "ubnd-b")])
    # killed in the middle of version 2's step: infra-a copied, not yet removed
    db[store.RETIRED_RULES].insert_one({**rule("infra-a", "ubnd-a"), "retired": {}})
    db.schema_migrations.insert_one({"_id": "schema", "version": 1, "running":
                                     "retire_duplicate_routing_rules",
                                     "applied": ["flag_pending_outboxes"]})
    container_factory(EscalationsService, config).start()
    state = db.schema_migrations.find_one({"_id": "schema"})
    assert (state["version"], state["applied"]) == (
        4, ["flag_pending_outboxes", "retire_duplicate_routing_rules", "index_case_words",
            "give_cases_their_commune"])
    assert "running" not in state
    assert [doc["_id"] for doc in db.routing_rules.find({})] == ["infra-b"]


def test_a_store_a_newer_version_wrote_stops_the_service_at_start(container_factory, config):
    db = DocStoreClient(config["STORE_URI"][len("embedded:"):])["escalations"]
    db.schema_migrations.insert_one({"_id": "schema", "version": 9, "applied": []})
    with pytest.raises(SchemaTooNew) as refused:
        container_factory(EscalationsService, config).start()
    assert "schema version 9" in str(refused.value)
    assert db.schema_migrations.find_one({"_id": "schema"})["version"] == 9


def test_without_migrate_on_start_an_older_store_stops_the_service_naming_the_command(
        container_factory, config):
    older_store(config)
    with pytest.raises(MigrationsPending) as refused:
        container_factory(EscalationsService, {**config, "MIGRATE_ON_START": False}).start()
    assert refused.value.pending == ["flag_pending_outboxes", "retire_duplicate_routing_rules",
                                     "index_case_words", "give_cases_their_commune"]
    assert "python -m tooling.migrate escalations" in str(refused.value)
