"""A page's form carrying files (issue 31: the authority's documents on an answer): the text
fields held to the URL-encoded form's checks, the files of the route's one file field kept with
their names, an empty file input taken as no file, and anything else refused naming it."""
from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from services.gateway.edge.form_files import is_multipart, parse_multipart
from services.gateway.pages.case_attachments import beside_field
from shared.errors import InvalidInput, NotFound
from shared.reasons import reason


def body(fields):
    boundary, raw = encode_multipart(fields, boundary="sausat-test")
    return raw, f"multipart/form-data; boundary={boundary}"


def upload(name, data):
    return FileStorage(BytesIO(data), filename=name)


def test_the_fields_and_the_files_of_the_file_field_come_apart():
    raw, header = body({"csrf": "t", "answer": "Đã sửa\r\nxong",
                        "attachments": [upload("cong-van.pdf", b"%PDF-1 %%EOF"),
                                        upload("", b"")]})  # an empty file input
    assert is_multipart(header) and not is_multipart("application/x-www-form-urlencoded")
    fields, files = parse_multipart(raw, header, "attachments")
    assert fields == {"csrf": "t", "answer": "Đã sửa\nxong"}
    assert files == [("cong-van.pdf", b"%PDF-1 %%EOF")]


@pytest.mark.parametrize("fields, named", [
    ({"csrf": "t", "other": upload("x.pdf", b"%PDF")}, "other"),   # a file elsewhere
    ({"csrf": "t", "answer": "a\x07b"}, "answer"),                   # a control character
    ({"csrf": ["t", "u"]}, "csrf"),                                  # a field twice
])
def test_what_the_form_may_not_carry_is_refused_naming_it(fields, named):
    raw, header = body(fields)
    with pytest.raises(InvalidInput) as refused:
        parse_multipart(raw, header, "attachments")
    assert named in refused.value.fields


def test_a_cut_off_body_is_refused_not_a_failure():
    raw, header = body({"attachments": upload("a.pdf", b"%PDF" * 1000)})
    with pytest.raises(InvalidInput) as refused:
        parse_multipart(raw[: len(raw) // 2], header, "attachments")
    assert "_body" in refused.value.fields


def test_a_files_refusal_is_shown_beside_the_file_field_and_any_other_as_it_came():
    refused = InvalidInput("attachment refused", {"file": [reason("attachment_type", "no",
                                                                   found="text/html")]})
    shown = beside_field(refused)
    assert shown.reasons == {"attachments": [{"code": "attachment_type", "found": "text/html"}]}
    other = InvalidInput("bad", {"answer": [reason("required", "give it")]})
    assert beside_field(other) is other
    missing = NotFound("case not found", {"case_id": ["x"]})
    assert beside_field(missing) is missing
