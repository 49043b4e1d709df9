"""One contract suite for where attachments' bytes are kept (``shared.files``), run on both
adapters: content-addressed files in a folder beside the embedded store, and GridFS on MongoDB
(on mongomock with its GridFS integration, and on MongoDB when MONGO_URI is set)."""
import datetime as dt
import hashlib
import os

import pytest

from shared.files import FileMissing, FolderFiles, GridFiles, files_for, sweep
from tests.stores import MONGOMOCK_URI

UTC = dt.timezone.utc
PHOTO = b"\xff\xd8\xff\xe0 a photo of the flooded road" * 50


@pytest.fixture
def files(store_uri, database, tmp_path):
    if store_uri.startswith("embedded:"):
        return files_for(store_uri, database.name, database)
    if store_uri == MONGOMOCK_URI:
        import mongomock.gridfs
        mongomock.gridfs.enable_gridfs_integration()
    return GridFiles(database)


def test_a_file_is_named_by_its_sha256_and_read_back(files):
    digest = files.put(PHOTO)
    assert digest == hashlib.sha256(PHOTO).hexdigest()
    assert files.get(digest) == PHOTO
    assert files.exists(digest)


def test_the_same_bytes_twice_are_kept_once(files):
    assert files.put(PHOTO) == files.put(PHOTO)
    assert [digest for digest, _ in files.stored()] == [hashlib.sha256(PHOTO).hexdigest()]


def test_a_file_never_stored_is_missing(files):
    absent = hashlib.sha256(b"never").hexdigest()
    assert not files.exists(absent)
    with pytest.raises(FileMissing):
        files.get(absent)


@pytest.mark.parametrize("not_a_digest", ["../../etc/passwd", "ab", "A" * 64, None, 7])
def test_a_name_that_is_not_a_digest_reaches_no_file(files, not_a_digest):
    with pytest.raises(FileMissing):
        files.get(not_a_digest)
    assert not files.exists(not_a_digest)


def test_a_deleted_file_is_gone_and_deleting_again_is_harmless(files):
    digest = files.put(PHOTO)
    files.delete(digest)
    files.delete(digest)
    assert not files.exists(digest)
    assert list(files.stored()) == []


def test_stored_files_say_when_they_were_stored(files):
    before = dt.datetime.now(UTC) - dt.timedelta(seconds=5)
    digest = files.put(PHOTO)
    [(listed, stored_at)] = files.stored()
    assert listed == digest
    assert before <= stored_at <= dt.datetime.now(UTC) + dt.timedelta(seconds=5)


def test_the_sweep_removes_only_old_files_nothing_references(files):
    kept, orphan, in_flight = (files.put(PHOTO + bytes([n])) for n in range(3))
    later = dt.datetime.now(UTC) + dt.timedelta(hours=2)
    grace = dt.timedelta(hours=1)
    # in_flight: stored just now, its document still on its way
    removed = sweep(files, {kept}, later, grace)
    assert sorted(removed) == sorted([orphan, in_flight])
    assert files.exists(kept) and not files.exists(orphan)
    assert sweep(files, set(), dt.datetime.now(UTC), grace) == []  # kept is younger than grace
    assert files.exists(kept)


def test_a_damaged_folder_file_is_refused_not_served(tmp_path):
    files = FolderFiles(tmp_path / "visits.files")
    digest = files.put(PHOTO)
    path = tmp_path / "visits.files" / digest[:2] / digest
    path.write_bytes(b"other bytes")
    with pytest.raises(FileMissing):
        files.get(digest)


def test_a_folder_file_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    files = FolderFiles(tmp_path / "visits.files")

    def no_space(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(OSError):
        files.put(PHOTO)
    assert list(files.stored()) == []
    assert [p.name for p in (tmp_path / "visits.files").rglob("*") if p.is_file()] == []


def test_the_adapter_follows_the_store_uri(tmp_path):
    assert isinstance(files_for(f"embedded:{tmp_path}", "visits", None), FolderFiles)
    with pytest.raises(ValueError):
        files_for("sqlite:///x", "visits", None)
