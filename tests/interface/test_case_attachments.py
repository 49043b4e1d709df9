# ruff: noqa: F811  (the fixtures of test_case_life_service, used by name)
"""The authority's own documents on a case (issue 31), against a real escalations container and
RabbitMQ: an officer uploads a photo, a DOCX and a PDF letter (the same bytes again: the same
attachment), names them in an information request, an interim reply and an answer; each
timeline line lists its own; the officer, the cadre who carried the concern and the cadre whose
concern joined the case read them back; another cadre and another authority get 404, like an
id that does not exist; the step's event names no document; and every refusal (an id never
uploaded for this case, another case's, one listed twice, a malformed file, a cadre's upload)
changes nothing."""
import base64
import datetime as dt
import hashlib
import io
import json
import pathlib

import pytest
from PIL import Image

from shared.errors import Forbidden, InvalidInput, NotFound
from tests import attachment_samples as samples
from tests.interface.helpers import concern_raised, publish, wait_for
from tests.interface.test_case_life_service import (  # noqa: F401 (fixtures)
    CADRE,
    OFFICER,
    OFFICER_BX,
    case_config,
    clock_file,
    escalations,
    events,
    raise_concern,
)

# a cadre of the neighbouring branch of the same commune, whose concern joins the case
JOINED_CADRE = {"user_id": "cadre-2", "role": "cadre", "cadre_id": "le-van-cuong"}
OTHER_CADRE = {"user_id": "cadre-3", "role": "cadre", "cadre_id": "pham-thi-dung"}
NOTE = "Đã khảo sát hiện trạng, chờ phân bổ kinh phí"
MALFORMED = [
    ("anh.jpg", b"<html><script>alert(1)</script></html>", "file"),
    ("anh.jpg", samples.jpeg(size=(300, 200))[:400], "file"),
    ("cong-van.docx", samples.zip_bomb_docx(), "file"),
    ("../cong-van.pdf", samples.pdf(), "filename"),
]


def upload(escalations, case_id, name, data, principal=OFFICER):
    return escalations.upload_case_attachment(
        case_id, {"filename": name, "content": base64.b64encode(data).decode()}, principal)


def read(escalations, case_id, attachment_id, principal, thumbnail=False):
    got = escalations.download_case_attachment(case_id, attachment_id, principal, thumbnail)
    return got, base64.b64decode(got["content"])


def files_in(config):
    folder = pathlib.Path(config["STORE_URI"][len("embedded:"):], "escalations.files")
    return sorted(path.name for path in folder.rglob("*") if path.is_file())


def joined_by_another_branch(config, escalations, case_id):
    event = {**concern_raised(unit_id="vp.bx.th.xd", unit_path=["vp", "vp.bx", "vp.bx.th",
                                                                 "vp.bx.th.xd"],
                              joins_case_id=case_id), "actor": JOINED_CADRE["user_id"]}
    publish(config, event)

    def joined():
        try:
            return escalations.get_case(case_id, JOINED_CADRE)
        except NotFound:
            return None
    wait_for(joined, what="the joined concern's cadre reading the case")


def working_day_after(day, days):
    day = dt.date.fromisoformat(day) + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


def test_each_step_carries_its_documents_to_the_officer_and_the_cadres_and_no_one_else(
        escalations, case_config):
    case_id = raise_concern(case_config, escalations)["case_id"]
    joined_by_another_branch(case_config, escalations, case_id)
    act = escalations.act_on_case
    act(case_id, "start", {}, OFFICER)
    photo = upload(escalations, case_id, "mat-duong.jpg", samples.jpeg(gps=True))
    docx = samples.docx()  # once: a zip carries the time it was written, to 2 s
    document = upload(escalations, case_id, "tien-do.docx", docx)
    letter = upload(escalations, case_id, "cong-van-125.pdf", samples.pdf())
    again = upload(escalations, case_id, "cong-van-125.pdf", samples.pdf())
    assert (again["attachment_id"], again["replayed"], letter["replayed"]) == (
        letter["attachment_id"], True, False)
    assert (photo["kind"], document["kind"], letter["kind"]) == ("photo", "document", "pdf")
    draft = upload(escalations, case_id, "ban-nhap.pdf", samples.pdf() + b"\n")

    act(case_id, "request_information", {"question": "Đoạn nào, dài bao nhiêu?",
                                         "attachments": [photo["attachment_id"]]}, OFFICER)
    act(case_id, "provide_information", {"information": "300 m trước cổng trường"}, CADRE)
    answer_by = escalations.get_case(case_id, OFFICER)["answer_by"]
    escalations.give_interim_reply(case_id, {
        "committed_on": working_day_after(answer_by, 7), "note": NOTE,
        "attachments": [document["attachment_id"]]}, OFFICER)
    answered = act(case_id, "answer", {
        "answer": "Đã sửa xong mặt đường", "outcome": "solved",
        "answering_unit": "Văn phòng HĐND và UBND xã", "letter_number": "125/UBND-VP",
        "letter_date": "2026-01-05", "attachments": [letter["attachment_id"]]}, OFFICER)

    # the events name no document: neither its bytes, nor its name, nor its id
    told = wait_for(lambda: events(case_config, "case_answered", []), what="case_answered")
    said = json.dumps(told)
    assert base64.b64encode(samples.pdf()).decode()[:40] not in said
    assert "cong-van-125" not in said and letter["attachment_id"] not in said
    listed = {line["action"]: [ref["attachment_id"] for ref in line["attachments"]]
              for line in answered["timeline"]}
    assert listed["request_information"] == [photo["attachment_id"]]
    assert listed["interim_reply"] == [document["attachment_id"]]
    assert listed["answer"] == [letter["attachment_id"]]
    assert listed["start"] == [] and listed["provide_information"] == []

    for principal in (OFFICER, CADRE, JOINED_CADRE):
        for stored, raw in ((letter, samples.pdf()), (document, docx)):
            got, data = read(escalations, case_id, stored["attachment_id"], principal)
            assert (got["filename"], data) == (stored["filename"], raw)
        got, data = read(escalations, case_id, photo["attachment_id"], principal)
        assert hashlib.sha256(data).hexdigest() == photo["sha256"]
        assert "exif" not in Image.open(io.BytesIO(data)).info  # the GPS position is gone
        thumb, small = read(escalations, case_id, photo["attachment_id"], principal, True)
        assert (thumb["media_type"], Image.open(io.BytesIO(small)).format) == (
            "image/jpeg", "JPEG")
    with pytest.raises(NotFound):  # only a photo has a thumbnail
        read(escalations, case_id, letter["attachment_id"], CADRE, True)
    # an upload no step named yet: the holder's officers only
    assert read(escalations, case_id, draft["attachment_id"], OFFICER)[1].endswith(b"\n")
    for principal, attachment_id in ((CADRE, draft["attachment_id"]),
                                     (OTHER_CADRE, letter["attachment_id"]),
                                     (OFFICER_BX, letter["attachment_id"]),
                                     (OFFICER, "never-uploaded")):
        with pytest.raises(NotFound):
            read(escalations, case_id, attachment_id, principal)


def test_a_step_naming_what_it_cannot_take_is_refused_whole_and_changes_nothing(
        escalations, case_config):
    case_id = raise_concern(case_config, escalations)["case_id"]
    other_id = raise_concern(case_config, escalations)["case_id"]
    escalations.act_on_case(case_id, "start", {}, OFFICER)
    for name, data, field in MALFORMED:  # nothing stored for any of them
        with pytest.raises(InvalidInput) as refused:
            upload(escalations, case_id, name, data)
        assert refused.value.fields.keys() == {field}
    assert files_in(case_config) == []
    with pytest.raises(Forbidden):  # the raising side adds no document of the authority's
        upload(escalations, case_id, "anh.jpg", samples.jpeg(), CADRE)
    with pytest.raises(NotFound):  # another authority's officer: as for a missing case
        upload(escalations, case_id, "anh.jpg", samples.jpeg(), OFFICER_BX)
    assert files_in(case_config) == []
    letter = upload(escalations, case_id, "cong-van.pdf", samples.pdf())
    elsewhere = upload(escalations, other_id, "cong-van.pdf", samples.pdf())
    assert elsewhere["attachment_id"] != letter["attachment_id"]
    before = escalations.get_case(case_id, OFFICER)
    for ids, field, code in (
            (["never-uploaded"], "attachments.0", "attachment_unknown"),
            ([letter["attachment_id"], elsewhere["attachment_id"]], "attachments.1",
             "attachment_unknown"),
            ([letter["attachment_id"], letter["attachment_id"]], "attachments.1",
             "listed_twice")):
        with pytest.raises(InvalidInput) as refused:
            escalations.act_on_case(case_id, "request_information",
                                    {"question": "Đoạn nào?", "attachments": ids}, OFFICER)
        assert refused.value.reasons == {field: [{"code": code}]}
    after = escalations.get_case(case_id, OFFICER)
    assert (after["status"], after["version"]) == (before["status"], before["version"])
    with pytest.raises(NotFound):  # named by no step: still not the cadre's to read
        read(escalations, case_id, letter["attachment_id"], CADRE)
