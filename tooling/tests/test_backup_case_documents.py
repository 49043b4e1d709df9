"""Backups carry the authority's documents (issue 31): the escalations service's files folder
(``escalations.files``, beside its store) is copied after the stores' snapshots and put back on
restore, each document's bytes found again under the digest its record names; a file changed
in the backup is refused before anything is restored."""
import pytest

from services.escalations.store import attachments as store
from shared.files import files_for
from shared.storage import connect
from tests import attachment_samples as samples
from tooling import backup


def keep_letter(data):
    client, db = connect(f"embedded:{data}", "escalations")
    try:
        files = files_for(f"embedded:{data}", "escalations", db)
        digest = files.put(samples.pdf())
        store.insert_attachment(db, {"_id": "letter-1", "case_id": "case-1", "sha256": digest,
                                     "upload_sha256": digest, "thumbnail_sha256": None,
                                     "steps": [{"action": "answer"}]})
    finally:
        client.close()
    return digest


def test_a_backup_restores_the_authoritys_documents_with_the_cases(tmp_path):
    data, kept, restored = tmp_path / "data", tmp_path / "backups", tmp_path / "restored"
    digest = keep_letter(data)
    taken = backup.take(data, kept)
    manifest = backup.read_manifest(taken)
    assert manifest["files"]["escalations"]["folder"] == "escalations.files"
    assert manifest["files"]["escalations"]["files"] == 1
    assert "escalations" in backup.restore(taken, restored)
    client, db = connect(f"embedded:{restored}", "escalations")
    try:
        letter = store.find_attachment(db, "case-1", "letter-1")
        files = files_for(f"embedded:{restored}", "escalations", db)
        assert files.get(letter["sha256"]) == samples.pdf() and letter["sha256"] == digest
    finally:
        client.close()


def test_a_document_changed_in_the_backup_is_refused_before_anything_is_restored(tmp_path):
    data, kept, restored = tmp_path / "data", tmp_path / "backups", tmp_path / "restored"
    digest = keep_letter(data)
    taken = backup.take(data, kept)
    (taken / "escalations.files" / digest[:2] / digest).write_bytes(b"%PDF-1.4 forged %%EOF")
    with pytest.raises(backup.BackupError):
        backup.restore(taken, restored)
    assert not restored.exists()
