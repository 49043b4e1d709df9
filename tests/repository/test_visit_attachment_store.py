"""The visits service's attachments on the store itself, on every backend (no broker): an upload
written file first and once per content, the references a visit's lists resolve to (limits and
strangers' ids named in ``refused``), the sweep of uploads no visit took and of files nothing
references, and a raiser's erasure deleting only what is shown on their concerns."""
import datetime as dt
import os

import pytest

from services.visits import attachments
from services.visits.store import attachments as store
from shared.files import FolderFiles
from tests import attachment_samples as samples

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone.utc)
LIMITS = attachments.AttachmentLimits(per_item=2, per_visit=3)


@pytest.fixture
def files(tmp_path):
    return FolderFiles(tmp_path / "visits.files")


def stored_at(files, moment):
    """Every file of ``files`` as if stored at ``moment`` (its folder's modification times)."""
    stamp = moment.timestamp()
    for path in files.folder.glob("??/*"):
        os.utime(path, (stamp, stamp))


def up(database, files, name, data, cadre="binh", at=NOW):
    return attachments.upload(database, files, at, LIMITS, name, data, cadre)[0]["_id"]


def test_the_file_is_written_before_its_document_and_a_retry_finds_the_first(database, files):
    for collection, specs in store.INDEXES.items():
        for keys, options in specs:
            database[collection].create_index(keys, **options)
    first, replayed = attachments.upload(database, files, NOW, LIMITS, "a.jpg",
                                         samples.jpeg(gps=True), "binh")
    assert replayed is False and files.exists(first["sha256"])
    assert files.exists(first["thumbnail_sha256"])
    again, replayed = attachments.upload(database, files, NOW, LIMITS, "a.jpg",
                                         samples.jpeg(gps=True), "binh")
    assert (again["_id"], replayed) == (first["_id"], True)
    other, replayed = attachments.upload(database, files, NOW, LIMITS, "a.jpg",
                                         samples.jpeg(gps=True), "cuong")
    assert other["_id"] != first["_id"] and other["sha256"] == first["sha256"]
    assert len(list(files.stored())) == 2  # one photo, one thumbnail: the bytes once


def test_a_visits_lists_resolve_to_references_and_name_what_was_left_out(database, files):
    ids = [up(database, files, f"{n}.pdf", samples.pdf() + bytes([n])) for n in range(4)]
    stranger = up(database, files, "x.pdf", samples.pdf() + b"x", cadre="cuong")
    minutes, [first, second], refused = attachments.resolve(database, LIMITS, "binh", {
        "attachments": [ids[0]],
        "concerns": [{"attachments": [ids[1], ids[1], stranger, ids[2]]},
                     {"attachments": [ids[3]]}]})
    assert [r["attachment_id"] for r in minutes] == [ids[0]]
    assert [r["attachment_id"] for r in first] == [ids[1], ids[2]]
    assert second == []  # past ATTACHMENTS_PER_VISIT (3)
    assert [(r["field"], r["reason"]["code"]) for r in refused] == [
        ("concerns.0.attachments.1", "listed_twice"),
        ("concerns.0.attachments.2", "attachment_unknown"),
        ("concerns.1.attachments.0", "too_many_attachments")]
    assert set(first[0]) == {"attachment_id", "filename", "kind", "media_type", "size",
                             "sha256", "uploaded_at", "has_thumbnail"}


def test_the_sweep_takes_uploads_no_visit_took_and_then_their_files(database, files):
    taken = up(database, files, "t.pdf", samples.pdf(), at=NOW - dt.timedelta(days=30))
    left = up(database, files, "l.pdf", samples.pdf() + b" ", at=NOW - dt.timedelta(days=30))
    fresh = up(database, files, "f.pdf", samples.pdf() + b"  ")
    attachments.attach(database, "v1", [{"attachment_id": taken}], [])
    stored_at(files, NOW)  # the grace is read from the files' own time, not the test's NOW
    later = NOW + dt.timedelta(hours=2)
    assert attachments.sweep(database, files, later, dt.timedelta(days=14)) == {
        "attachments_unattached": 1, "files_unreferenced": 1}
    assert store.find_attachment(database, left) is None
    for kept in (taken, fresh):
        assert files.exists(store.find_attachment(database, kept)["sha256"])


def test_an_erasure_deletes_what_is_shown_on_the_raisers_concerns_only(database, files):
    photo = up(database, files, "p.jpg", samples.jpeg())
    minutes = up(database, files, "m.pdf", samples.pdf())
    attachments.attach(database, "v1", [{"attachment_id": minutes}], [
        {"concern_id": "c1", "attachments": [{"attachment_id": photo}]}])
    digest = store.find_attachment(database, photo)["sha256"]
    assert attachments.forget_of_concerns(database, files, {"c1"}) == 1
    assert store.find_attachment(database, photo) is None and not files.exists(digest)
    kept = store.find_attachment(database, minutes)
    assert files.exists(kept["sha256"])
    with pytest.raises(Exception, match="attachment not found"):
        attachments.read(database, files, photo, concern_id="c1")
