"""Facts about attachments: which files a visit's minutes and concerns carry.

An event names a file by its id and its content's SHA-256, with its size and kind: never its
bytes, its name or a thumbnail (``tests/unit/test_attachment_events.py`` scans every event
schema for a field that could carry contents)."""
from marshmallow import Schema, fields, validate

from shared.contracts.base import Id
from shared.contracts.envelope import EventType

ATTACHMENT_KINDS = ["photo", "pdf", "document", "spreadsheet"]
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$")


class AttachmentReference(Schema):
    attachment_id = Id(required=True)
    sha256 = fields.String(required=True, validate=SHA256)
    size = fields.Integer(required=True, validate=validate.Range(1, 2 ** 31))
    kind = fields.String(required=True, validate=validate.OneOf(ATTACHMENT_KINDS))
    # None: the visit's minutes (biên bản); else the concern it documents
    concern_id = Id(load_default=None, allow_none=True)


class AttachmentsAttached(Schema):
    """A visit was logged with files: the minutes' and each concern's, by reference."""
    visit_id = Id(required=True)
    unit_id = Id(required=True)
    cadre_id = Id(required=True)
    attachments = fields.List(fields.Nested(AttachmentReference), required=True,
                              validate=validate.Length(min=1, max=200))


ATTACHMENTS_ATTACHED = EventType("visits", "attachments_attached", AttachmentsAttached)
