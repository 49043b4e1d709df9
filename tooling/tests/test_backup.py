"""tooling.backup on the embedded stores, without a broker (the definitions and a whole system
under load: tests/integration/test_upgrade_and_restore.py)."""
import datetime as dt
import stat
import subprocess
import sys

import pytest

from docstore import DocStoreClient
from shared import event_log
from shared.config import ROOT
from tooling import backup

AT = dt.datetime(2026, 12, 6, 23, 50, tzinfo=dt.timezone.utc)


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    client = DocStoreClient(folder)
    client["visits"].visits.insert_many([{"_id": f"v{n}"} for n in range(50)])
    client["accounts"].users.insert_one({"_id": "u1", "password_hash": "$argon2id$…"})
    client.close()
    return folder


def test_a_backup_is_owner_only_complete_and_checked(data, tmp_path):
    made = backup.take(data, tmp_path / "backups", now=AT)
    assert made.name == "2026-12-06T23-50-00Z"
    assert mode(tmp_path / "backups") == mode(made) == 0o700
    assert sorted(path.name for path in made.iterdir()) == [
        "accounts.sqlite3", "manifest.json", "visits.sqlite3"]
    assert {mode(path) for path in made.iterdir()} == {0o600}
    copied = DocStoreClient(made)["visits"]
    assert copied.visits.count_documents({}) == 50
    assert backup.backups(tmp_path / "backups") == [made]


WRITER = """
import sys
from docstore import DocStoreClient
visits = DocStoreClient(sys.argv[1])["visits"].visits
number = 0
while True:
    visits.insert_one({"_id": f"w{number}", "pad": "x" * 2000})
    number += 1
    if number == 20:
        print("writing", flush=True)
"""


def test_a_backup_taken_while_another_process_writes_holds_a_consistent_store(data, tmp_path):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        made = backup.take(data, tmp_path / "backups", now=AT)
    finally:
        writer.kill()
        writer.wait()
    copied = DocStoreClient(made)["visits"]
    assert copied.visits.count_documents({"_id": "v49"}) == 1
    written = copied.visits.count_documents({"pad": {"$exists": True}})
    assert written >= 20  # the writer's rows up to the snapshot, each whole
    assert copied.visits.count_documents({"_id": f"w{written - 1}"}) == 1


def test_retention_keeps_the_newest_and_drops_interrupted_ones(data, tmp_path):
    to = tmp_path / "backups"
    interrupted = backup.owner_only_folder(to / "2026-12-06T23-00-00Z.partial")
    made = [backup.take(data, to, keep=2, now=AT + dt.timedelta(minutes=n)) for n in range(3)]
    assert backup.backups(to) == made[1:]
    assert not interrupted.exists()


def test_a_restore_refuses_a_folder_in_use_and_marks_each_store_restored(data, tmp_path):
    made = backup.take(data, tmp_path / "backups", now=AT)
    with pytest.raises(backup.BackupError, match="--replace"):
        backup.restore(made, data)
    DocStoreClient(data)["visits"].visits.insert_one({"_id": "after-the-backup"})

    assert backup.restore(made, data, replace=True, now=AT) == ["accounts", "visits"]
    aside = data.with_name("data.before-restore-2026-12-06T23-50-00Z")
    assert (aside / "visits.sqlite3").is_file() and mode(aside) == 0o700
    restored = DocStoreClient(data)["visits"]
    assert restored.visits.count_documents({"_id": "after-the-backup"}) == 0
    assert restored.visits.count_documents({}) == 50
    assert event_log.restores_to_republish(restored) == [{"_id": made.name}]
    assert mode(data / "visits.sqlite3") == 0o600


def test_a_tampered_or_incomplete_backup_is_refused_before_anything_changes(data, tmp_path):
    made = backup.take(data, tmp_path / "backups", now=AT)
    with open(made / "visits.sqlite3", "ab") as changed:
        changed.write(b"x")
    fresh = tmp_path / "fresh"
    with pytest.raises(backup.BackupError, match="sha256"):
        backup.restore(made, fresh)
    assert not fresh.exists()
    (made / "manifest.json").unlink()
    with pytest.raises(backup.BackupError, match="manifest.json"):
        backup.restore(made, fresh)


def test_the_command_refuses_to_go_without_the_broker_administrator_or_saying_so(
        data, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("RABBITMQ_ADMIN_URI", raising=False)
    to = tmp_path / "backups"
    assert backup.main(["take", "--data", str(data), "--to", str(to)]) == 1
    assert "--no-definitions" in capsys.readouterr().err
    assert backup.backups(to) == []
    assert backup.main(["take", "--data", str(data), "--to", str(to), "--no-definitions"]) == 0
    [made] = backup.backups(to)
    assert not (made / backup.DEFINITIONS).exists()


def test_mark_restored_after_a_restore_by_other_means_marks_every_store(tmp_path):
    uri = f"embedded:{tmp_path / 'restored'}"
    assert backup.main(["mark-restored", "2026-12-06T23-50-00Z", "--store-uri", uri]) == 0
    for name in backup.BACKEND_SERVICES:
        db = DocStoreClient(tmp_path / "restored")[name]
        assert event_log.restores_to_republish(db) == [{"_id": "2026-12-06T23-50-00Z"}], name


def test_a_manifest_past_its_limit_or_unreadable_is_refused(data, tmp_path, monkeypatch):
    made = backup.take(data, tmp_path / "backups", now=AT)
    monkeypatch.setattr(backup, "MAX_MANIFEST_BYTES", 10)
    with pytest.raises(backup.BackupError, match="giới hạn"):
        backup.restore(made, tmp_path / "fresh")
    monkeypatch.undo()
    (made / "manifest.json").write_text("{not json")
    with pytest.raises(backup.BackupError, match="không đọc được"):
        backup.restore(made, tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()
