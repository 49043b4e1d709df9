"""Events carry references to attachments, never their contents (issue 31): every event schema
is scanned for a field that could carry a file's bytes, a thumbnail or a file's name, and the
attachments' own event names each file by id, SHA-256, size and kind alone."""
import base64

import pytest
from marshmallow import fields

from shared import contracts
from shared.contracts.attachments import AttachmentReference

# what a field carrying a file would be called; a file's name may name a person
CONTENT_WORDS = ("content", "bytes", "base64", "thumbnail", "data", "blob", "filename")


def every_field(schema, path=""):
    for name, field in schema.fields.items():
        yield f"{path}{name}", field
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            yield from every_field(inner.schema, f"{path}{name}.")


@pytest.mark.parametrize("routing_key", sorted(contracts.EVENT_TYPES))
def test_no_event_has_a_field_for_a_files_contents(routing_key):
    schema = contracts.EVENT_TYPES[routing_key].schema
    carrying = [path for path, _ in every_field(schema)
                if any(word in path.rsplit(".", 1)[-1].lower() for word in CONTENT_WORDS)]
    assert carrying == []


def test_attachments_travel_as_references_and_digests_only():
    event = contracts.ATTACHMENTS_ATTACHED.schema
    assert isinstance(event.fields["attachments"].inner.schema, AttachmentReference)
    assert sorted(AttachmentReference().fields) == [
        "attachment_id", "concern_id", "kind", "sha256", "size"]


def test_a_files_bytes_where_a_digest_goes_are_refused():
    photo = base64.b64encode(b"\xff\xd8\xff\xe0" * 40).decode()
    with pytest.raises(ValueError, match="sha256"):
        contracts.ATTACHMENTS_ATTACHED.new({
            "visit_id": "v1", "unit_id": "u1", "cadre_id": "c1",
            "attachments": [{"attachment_id": "a1", "sha256": photo, "size": 160,
                             "kind": "photo"}]})
