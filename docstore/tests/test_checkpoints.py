"""Issue 27: a commit does not pay for copying the WAL into the database file every 1,000 pages
(SQLite's default), which rewrote the same hot index pages again and again; the WAL is still
copied back once it holds ``CHECKPOINT_PAGES``, so it does not grow without bound. Counted in
WAL frames (pages written), never timed."""
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
