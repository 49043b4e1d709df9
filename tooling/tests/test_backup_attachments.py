"""Backups carry the attachments' files (issue 31): taken after the stores, checked by their
content's SHA-256 on restore, and put back beside the stores."""
import datetime as dt

import pytest

from docstore import DocStoreClient
from shared.files import FolderFiles
from tests import attachment_samples as samples
from tooling import backup

AT = dt.datetime(2026, 12, 6, 23, 50, tzinfo=dt.timezone.utc)


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    files = FolderFiles(folder / "visits.files")
    digests = [files.put(samples.pdf()), files.put(samples.jpeg())]
    client = DocStoreClient(folder)
    client["visits"].attachments.insert_many(
        [{"_id": f"a{n}", "sha256": digest} for n, digest in enumerate(digests)])
    client.close()
    return folder


def test_a_backup_and_restore_round_trip_carries_the_attachments(data, tmp_path):
    made = backup.take(data, tmp_path / "backups", now=AT)
    assert backup.read_manifest(made)["files"] == {"visits": {
        "folder": "visits.files", "files": 2,
        "bytes": len(samples.pdf()) + len(samples.jpeg())}}
    fresh = tmp_path / "fresh"
    assert backup.restore(made, fresh, now=AT) == ["visits"]
    restored = DocStoreClient(fresh)["visits"]
    files = FolderFiles(fresh / "visits.files")
    for attachment in restored.attachments.find():
        assert files.get(attachment["sha256"]) in (samples.pdf(), samples.jpeg())


def test_a_restore_over_a_folder_in_use_moves_its_files_aside(data, tmp_path):
    made = backup.take(data, tmp_path / "backups", now=AT)
    later = FolderFiles(data / "visits.files").put(b"%PDF-1.4 after the backup %%EOF")
    backup.restore(made, data, replace=True, now=AT)
    assert not FolderFiles(data / "visits.files").exists(later)
    aside = data.with_name("data.before-restore-2026-12-06T23-50-00Z")
    assert FolderFiles(aside / "visits.files").exists(later)


def test_a_tampered_attachment_in_a_backup_is_refused_before_anything_changes(data, tmp_path):
    made = backup.take(data, tmp_path / "backups", now=AT)
    [kept] = [p for p in (made / "visits.files").rglob("*") if p.is_file()][:1]
    kept.write_bytes(b"other bytes")
    fresh = tmp_path / "fresh"
    with pytest.raises(backup.BackupError, match="sha256"):
        backup.restore(made, fresh)
    assert not fresh.exists()
