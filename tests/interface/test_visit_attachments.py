# ruff: noqa: F811  (the visits fixture of test_visits_loop, used by name)
"""Photos and documents on a visit, against a real visits container and RabbitMQ: each kind
uploaded and read back, an upload retried, a visit naming its files (one it never uploaded
refused by name, the visit still logged), another cadre's and another concern's reads
answering 404, a malformed file refused with nothing stored, and a person's erasure taking the
photos of their concern."""
import base64
import hashlib
import io
import pathlib

import pytest
from PIL import Image

from shared import contracts
from shared.errors import InvalidInput, NotFound
from shared.storage import connect
from tests import attachment_samples as samples
from tests.interface.helpers import publish, wait_for
from tests.interface.test_visits_loop import (
    BINH,
    BRANCH,
    CUONG,
    TODAY,
    assign,
    concern,
    visit,
    visits,  # noqa: F401 (the fixture, by name)
)


def upload(visits, name, data, principal=BINH):
    return visits.upload_attachment(
        {"filename": name, "content": base64.b64encode(data).decode()}, principal)


def files_in(visits):
    folder = visits.config["STORE_URI"][len("embedded:"):]
    return sorted(p.name for p in pathlib.Path(folder, "visits.files").rglob("*")
                  if p.is_file())


def test_each_kind_is_uploaded_and_read_back_by_its_cadre(visits):
    for name, (make, kind, media_type) in sorted(samples.KINDS.items()):
        raw = make()
        stored = upload(visits, name, raw)
        assert (stored["kind"], stored["media_type"], stored["filename"]) == (
            kind, media_type, name)
        got = visits.download_attachment(stored["attachment_id"], BINH)
        data = base64.b64decode(got["content"])
        assert (got["filename"], got["media_type"]) == (name, media_type)
        assert hashlib.sha256(data).hexdigest() == stored["sha256"]
        if kind == "photo":
            assert Image.open(io.BytesIO(data)).size == Image.open(io.BytesIO(raw)).size
            thumb = visits.download_attachment(stored["attachment_id"], BINH, None, True)
            assert thumb["media_type"] == "image/jpeg"
            assert Image.open(io.BytesIO(base64.b64decode(thumb["content"]))).format == "JPEG"
        else:
            assert data == raw
            with pytest.raises(NotFound):  # only a photo has one
                visits.download_attachment(stored["attachment_id"], BINH, None, True)
    assert len(files_in(visits)) == len(samples.KINDS) + 3  # and a thumbnail per photo


MALFORMED = [
    ("photo.jpg", b"<html><script>alert(1)</script></html>", "file"),
    ("photo.jpg", samples.jpeg(size=(300, 200))[:400], "file"),
    ("minutes.docx", samples.zip_bomb_docx(), "file"),
    ("../bien-ban.pdf", samples.pdf(), "filename"),
]


def test_a_malformed_file_is_refused_and_nothing_is_stored_and_a_retry_stored_once(visits):
    for name, data, field in MALFORMED:  # one container for all: each start costs seconds
        with pytest.raises(InvalidInput) as refused:
            upload(visits, name, data)
        assert refused.value.fields.keys() == {field}
    assert files_in(visits) == []
    first = upload(visits, "bien-ban.pdf", samples.pdf())
    again = upload(visits, "bien-ban.pdf", samples.pdf())
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["attachment_id"] == first["attachment_id"]
    assert len(files_in(visits)) == 1


def test_a_visit_names_its_files_and_one_never_uploaded_is_refused_by_name(visits):
    assign(visits, "tran-thi-binh", BRANCH, TODAY)
    minutes = upload(visits, "bien-ban.pdf", samples.pdf())
    photo = upload(visits, "duong-ngap.jpg", samples.jpeg(gps=True))
    others = upload(visits, "cua-nguoi-khac.pdf", samples.pdf() + b" ", CUONG)
    logged = visits.log_visit(visit(TODAY, attachments=[minutes["attachment_id"]], concerns=[
        concern("Đường ngập", attachments=[photo["attachment_id"], others["attachment_id"],
                                           "never-uploaded"])]), BINH)
    assert [a["attachment_id"] for a in logged["attachments"]] == [minutes["attachment_id"]]
    [raised] = logged["concerns"]
    assert [a["attachment_id"] for a in raised["attachments"]] == [photo["attachment_id"]]
    assert [(r["attachment_id"], r["field"], r["reason"]["code"])
            for r in logged["attachments_refused"]] == [
        (others["attachment_id"], "concerns.0.attachments.1", "attachment_unknown"),
        ("never-uploaded", "concerns.0.attachments.2", "attachment_unknown")]
    client, db = connect(visits.config["STORE_URI"], "visits")
    [event] = [e for e in db.visits.find_one({"_id": logged["visit_id"]})["outbox"]
               if e["event_type"] == "attachments_attached"]
    client.close()
    assert event["payload"]["attachments"] == [
        {"attachment_id": minutes["attachment_id"], "sha256": minutes["sha256"],
         "size": minutes["size"], "kind": "pdf", "concern_id": None},
        {"attachment_id": photo["attachment_id"], "sha256": photo["sha256"],
         "size": photo["size"], "kind": "photo", "concern_id": raised["concern_id"]}]
    # an officer's read, once the gateway found their authority holds the concern's case
    got = visits.download_attachment(photo["attachment_id"], None, raised["concern_id"])
    assert hashlib.sha256(base64.b64decode(got["content"])).hexdigest() == photo["sha256"]
    # under a name that cannot name who raised it, as the concern lists it to them
    neutral = f"photo-{photo['attachment_id'][:8]}.jpg"
    assert got["filename"] == neutral
    assert [a["filename"] for a in visits.get_concern(raised["concern_id"], None)[
        "attachments"]] == [neutral]
    # an amendment's new concern carries its own files; the kept one keeps its photo
    drain = upload(visits, "cong-vo.png", samples.png())
    amended = visits.amend_visit(logged["visit_id"], {
        "submission_id": contracts.new_id(),
        "concerns": [{"concern_id": raised["concern_id"]},
                     concern("Cống vỡ", attachments=[drain["attachment_id"]])]}, BINH)
    assert [[a["attachment_id"] for a in c["attachments"]] for c in amended["concerns"]] == [
        [photo["attachment_id"]], [drain["attachment_id"]]]


def test_another_cadre_or_another_concern_reads_nothing(visits):
    assign(visits, "tran-thi-binh", BRANCH, TODAY)
    photo = upload(visits, "duong-ngap.jpg", samples.jpeg())
    logged = visits.log_visit(visit(TODAY, concerns=[
        concern("Đường ngập", attachments=[photo["attachment_id"]]),
        concern("Đèn đường hỏng")]), BINH)
    other_concern = logged["concerns"][1]["concern_id"]
    for who, concern_id in ((CUONG, None), (None, other_concern), (None, None)):
        with pytest.raises(NotFound):
            visits.download_attachment(photo["attachment_id"], who, concern_id)


def test_a_raisers_erasure_takes_the_photos_of_their_concern(visits):
    assign(visits, "tran-thi-binh", BRANCH, TODAY)
    photo = upload(visits, "nguoi-neu.jpg", samples.jpeg())
    minutes = upload(visits, "bien-ban.pdf", samples.pdf())
    logged = visits.log_visit(visit(TODAY, attachments=[minutes["attachment_id"]], concerns=[
        concern("Đường ngập", raised_by_name="Nguyễn Văn Hai", raiser_consent=True,
                attachments=[photo["attachment_id"]])]), BINH)
    concern_id = logged["concerns"][0]["concern_id"]
    publish(visits.config, contracts.DATA_SUBJECT_REQUEST_RECORDED.new({
        "request_id": "r1", "kind": "deletion", "name": "Nguyễn Văn Hai", "contact": None,
        "cadre_id": None}))

    def photo_gone():
        try:
            visits.download_attachment(photo["attachment_id"], None, concern_id)
        except NotFound:
            return True
    wait_for(photo_gone, what="the photo erased")
    assert photo["sha256"] not in files_in(visits)
    assert minutes["sha256"] in files_in(visits)  # the minutes are the branch's, not theirs
