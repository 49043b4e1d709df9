"""What an attachment may be (``shared.attachments``): each kind accepted by its content, and
the malformed-file suite: each refused with its reason, never a crash."""
import io

import pytest
from PIL import Image

from shared.attachments import Limits, check_attachment, check_filename
from shared.errors import InvalidInput
from shared.reasons import reasons_of
from tests import attachment_samples as samples


def refusal(name, data, limits=Limits()):
    with pytest.raises(InvalidInput) as refused:
        check_attachment(name, data, limits)
    [(field, [code])] = reasons_of(refused.value.fields).items()
    return field, code["code"]


@pytest.mark.parametrize("name", sorted(samples.KINDS))
def test_each_kind_is_accepted_by_its_content(name):
    make, kind, media_type = samples.KINDS[name]
    accepted = check_attachment(name, make())
    assert (accepted.kind, accepted.media_type, accepted.filename) == (kind, media_type, name)
    assert (accepted.thumbnail is not None) == (kind == "photo")


def test_a_photo_loses_its_gps_position_and_camera_and_gets_a_thumbnail():
    raw = samples.jpeg(gps=True, size=(1000, 600))
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the sample has one
    accepted = check_attachment("road.jpg", raw)
    stored = Image.open(io.BytesIO(accepted.data))
    assert dict(stored.getexif()) == {} and b"CameraMaker" not in accepted.data
    assert stored.size == (1000, 600)
    assert max(Image.open(io.BytesIO(accepted.thumbnail)).size) == 320


def test_the_name_does_not_decide_the_type():
    accepted = check_attachment("photo.jpg", samples.pdf())
    assert (accepted.kind, accepted.media_type) == ("pdf", "application/pdf")


@pytest.mark.parametrize("name, data, expected", [
    ("photo.jpg", b"<html><script>alert(1)</script></html>", ("file", "attachment_type")),
    ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
     ("file", "attachment_type")),
    ("archive.docx", samples.office_zip("other/", {"other/x.txt": "x"}),
     ("file", "attachment_type")),
    ("photo.jpg", samples.jpeg(size=(300, 200))[:400], ("file", "attachment_damaged")),
    ("reply.pdf", samples.pdf()[:60], ("file", "attachment_damaged")),
    ("minutes.docx", samples.docx()[:-30], ("file", "attachment_damaged")),
    ("empty.pdf", b"", ("file", "empty_file")),
    ("../../etc/passwd", samples.pdf(), ("filename", "filename_path")),
    ("C:\\Users\\a.pdf", samples.pdf(), ("filename", "filename_path")),
    ("..", samples.pdf(), ("filename", "filename_path")),
    ("bien\nban.pdf", samples.pdf(), ("filename", "control_character")),
    ("bien\x00ban.pdf", samples.pdf(), ("filename", "control_character")),
    ("gpj.\u202eexe", samples.pdf(), ("filename", "control_character")),
    ("\ud800.pdf", samples.pdf(), ("filename", "control_character")),
    ("", samples.pdf(), ("filename", "required")),
    ("a" * 201 + ".pdf", samples.pdf(), ("filename", "too_long")),
])
def test_malformed_files_are_refused_with_their_reason(name, data, expected):
    assert refusal(name, data) == expected


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    assert refusal("reply.pdf", samples.pdf() + bytes(2000), Limits(max_bytes=1000)) == (
        "file", "attachment_too_large")


def test_a_photo_over_the_pixel_limit_is_refused():
    raw = samples.jpeg(size=(200, 200))
    assert refusal("big.jpg", raw, Limits(max_pixels=39_999)) == ("file", "too_many_pixels")
    assert check_attachment("big.jpg", raw, Limits(max_pixels=40_000)).kind == "photo"


@pytest.mark.parametrize("side", [8_000, 30_000])  # ours, then Pillow's own bomb guard
def test_a_decompression_bomb_is_refused_without_decoding_it(side):
    assert refusal("bomb.png", samples.png_claiming(side, side)) == ("file", "too_many_pixels")


def test_a_zip_bomb_disguised_as_docx_is_refused():
    bomb = samples.zip_bomb_docx()
    assert len(bomb) < 200_000
    assert refusal("minutes.docx", bomb) == ("file", "zip_too_large")


def test_a_docx_of_too_many_parts_is_refused():
    many = samples.office_zip("word/", extra=[(f"word/p{n}.xml", "x") for n in range(30)])
    assert refusal("minutes.docx", many, Limits(max_zip_entries=20)) == (
        "file", "zip_too_many_entries")


def test_a_filename_is_kept_as_given_in_nfc():
    assert check_filename("Bie\u0302n ba\u0309n.pdf") == "Biên bản.pdf"
