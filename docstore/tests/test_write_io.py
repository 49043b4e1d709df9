"""Issue 27: what a write costs in input and output beyond its own pages, counted, never timed.

- A commit does not pay for copying the WAL into the database file every 1,000 pages (SQLite's
  default), which rewrote the same hot index pages again and again; the WAL is still copied
  back once it holds ``CHECKPOINT_PAGES``, so it does not grow without bound (WAL frames).
- A write inside a transaction (a savepoint: each write of a batch) keeps its statement
  journal in memory, never in a temporary file (the files the process has open)."""
import os

from docstore import DocStoreClient
from docstore.client import CHECKPOINT_PAGES

PAGE_OF_TEXT = "x" * 3000  # a document of about one page


def _frames_in_wal(db):
    """Frames the WAL holds now (SQLite's ``wal_checkpoint`` answers busy, log, checkpointed)."""
    return db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]


def _write_pages(db, pages, per_commit=100):
    for first in range(0, pages, per_commit):
        db.notes.insert_many([{"_id": f"n{first + i}", "text": PAGE_OF_TEXT}
                              for i in range(per_commit)])


def test_the_wal_is_not_copied_back_every_thousand_pages(tmp_path):
    db = DocStoreClient(tmp_path)["bench"]
    _write_pages(db, 1300)
    assert _frames_in_wal(db) > 1300


def test_the_wal_is_copied_back_once_it_holds_the_bound(tmp_path):
    db = DocStoreClient(tmp_path)["bench"]
    _write_pages(db, CHECKPOINT_PAGES + 600)
    frames = _frames_in_wal(db)
    assert 0 < frames < CHECKPOINT_PAGES
    # and what was copied back reads the same
    assert db.notes.count_documents({}) == CHECKPOINT_PAGES + 600


def _open_files():
    paths = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            paths.append(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:  # the listing's own descriptor, closed by now
            pass
    return paths


def test_a_write_inside_a_transaction_opens_no_temporary_file(tmp_path):
    db = DocStoreClient(tmp_path)["bench"]
    for n in range(12):  # a document with many indexes: a statement journal past 64 KiB
        db.cases.create_index([(f"f{n}", 1)])
    db.cases.insert_many([{"_id": i, **{f"f{n}": f"{i:05d}-{n}" * 20 for n in range(12)}}
                          for i in range(3000)])
    with db.transaction():
        db.cases.insert_one({"_id": "new", **{f"f{n}": "m" * 200 for n in range(12)}})
        opened = _open_files()
    # SQLite names its temporary files etilqs_… and unlinks them at once
    assert not [path for path in opened if "etilqs_" in path]
    assert db.cases.count_documents({"f0": "m" * 200}) == 1
