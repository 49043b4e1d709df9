"""tooling.migrate on the stores commit ec6cc94 wrote (tests/fixtures/before-issue-22): where
each stands, then each brought to this code's version, and nothing more to do after."""
from shared.config import ROOT
from tests.integration.fixtures import unpack_stores
from tooling import migrate

FIXTURE = ROOT / "tests" / "fixtures" / "before-issue-22"


def test_the_command_says_what_is_pending_then_migrates_every_store_once(tmp_path, capsys):
    unpack_stores(FIXTURE, tmp_path / "data")
    uri = f"embedded:{tmp_path / 'data'}"
    assert migrate.migrate_services(uri, ["visits", "escalations"], status_only=True)
    said = capsys.readouterr().out.splitlines()
    assert said == ["visits: phiên bản 0/3; còn phải chạy: flag_pending_outboxes, "
                    "mark_raisers_held, give_receipt_codes",
                    "escalations: phiên bản 0/4; còn phải chạy: flag_pending_outboxes, "
                    "retire_duplicate_routing_rules, index_case_words, give_cases_their_commune"]
    assert migrate.migrate_services(uri, migrate.BACKEND_SERVICES)
    assert "escalations: phiên bản 4; đã chạy: flag_pending_outboxes, " \
           "retire_duplicate_routing_rules, index_case_words, give_cases_their_commune" in \
           capsys.readouterr().out
    assert migrate.migrate_services(uri, ["visits"])
    assert capsys.readouterr().out.splitlines()[-1] == "visits: phiên bản 3; không có gì phải chạy"


def test_a_store_a_newer_version_wrote_is_named_and_left_alone(tmp_path, capsys):
    unpack_stores(FIXTURE, tmp_path / "data")
    uri = f"embedded:{tmp_path / 'data'}"
    client, db = migrate.connect(uri, "visits")
    db.schema_migrations.insert_one({"_id": "schema", "version": 7, "applied": []})
    client.close()
    assert not migrate.migrate_services(uri, ["visits"])
    assert "schema version 7" in capsys.readouterr().out
