"""The authority's documents on the pages (issue 31): a timeline line lists the documents its
step named, each a download link under the case, a photo with its thumbnail; the answer,
information-request and interim-reply forms post as multipart with one labelled file field."""
import re

import pytest

from services.gateway.pages import render
from tests.english import english_in
from tests.unit.page_samples import CASE, PAGES, USERS

PHOTO = {"attachment_id": "p1", "filename": "cong-da-sua.jpg", "kind": "photo",
         "media_type": "image/jpeg", "size": 48000, "sha256": "a" * 64,
         "uploaded_at": "2026-11-22T01:00:00+00:00", "has_thumbnail": True}
LETTER = {**PHOTO, "attachment_id": "l1", "filename": "cong-van-125.pdf", "kind": "pdf",
          "media_type": "application/pdf", "has_thumbnail": False}
ASKED = {"at": "2026-11-22T01:00:00+00:00", "action": "request_information",
         "to_state": "information_requested", "why": "Đoạn nào?", "attachments": [PHOTO, LETTER]}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_steps_documents_are_listed_under_its_line_with_the_photos_thumbnail(language):
    case = {**CASE, "timeline": [*CASE["timeline"], ASKED]}
    html = render.render("case.html", language, user=USERS["officer"], csrf="t", menu=(),
                         here="/app", **{**PAGES["case.html"], "case": case})
    line = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert 'href="/app/cases/c1/attachments/p1" download>cong-da-sua.jpg</a>' in line
    assert 'href="/app/cases/c1/attachments/l1" download>cong-van-125.pdf</a>' in line
    assert re.findall(r'<img[^>]*src="([^"]+)"', line) == ["/app/cases/c1/attachments/p1/thumbnail"]
    if language == "vi":
        assert not english_in(line)


def test_the_steps_that_carry_documents_post_their_files_and_the_others_do_not():
    html = render.render("case.html", "vi", user=USERS["officer"], csrf="t", menu=(),
                         here="/app", **PAGES["case.html"])
    forms = dict(re.findall(r'<form[^>]*id="action-([a-z_]+)"([^>]*)>', html))
    assert "multipart/form-data" in forms["answer"]
    assert "multipart/form-data" in forms["request_information"]
    assert "multipart/form-data" in forms["interim_reply"]
    assert "multipart/form-data" not in forms["redirect"]
    assert re.findall(r'<input id="([a-z_]+-attachments)" name="attachments" type="file" multiple',
                      html) == ["interim-attachments", "request_information-attachments",
                                "answer-attachments"]
