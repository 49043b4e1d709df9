"""RPC payloads of attachments: an upload, the attachment as stored, and how a visit names the
files it carries.

A file is uploaded first, on its own (``UploadAttachment``: its name and its bytes in base64,
one RPC per file), and answers an ``attachment_id``; a visit then lists the ids it carries, for
its minutes and for each concern (``attachments``). A retry of an upload (the same bytes by the
same cadre) answers the same id."""
from marshmallow import Schema, fields, validate

from shared.contracts.attachments import ATTACHMENT_KINDS, SHA256
from shared.contracts.base import Id

# per item; the configured limits (ATTACHMENTS_PER_ITEM, ATTACHMENTS_PER_VISIT) are checked
# against the store by the service, this only bounds what a request may carry
MAX_LISTED = 20
# base64 of the largest file the configuration may allow (ATTACHMENT_MAX_BYTES <= 10 MB)
MAX_BASE64 = 14_000_000


def attachment_ids():
    """A list of uploaded attachments' ids, each once (absent: none)."""
    return fields.List(Id(), validate=validate.Length(max=MAX_LISTED),
                       metadata={"description": "ids answered by POST /attachments"})


class UploadAttachment(Schema):
    filename = fields.String(required=True, validate=validate.Length(max=400))
    content = fields.String(required=True, validate=validate.Length(min=1, max=MAX_BASE64),
                            metadata={"description": "the file's bytes, base64"})


class Attachment(Schema):
    attachment_id = fields.String()
    filename = fields.String()
    kind = fields.String(validate=validate.OneOf(ATTACHMENT_KINDS))
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String(validate=SHA256)
    uploaded_at = fields.AwareDateTime()
    has_thumbnail = fields.Boolean(dump_default=False)


class UploadedAttachment(Attachment):
    # true: these bytes were uploaded before by this cadre; the same attachment answers
    replayed = fields.Boolean()


class RefusedAttachment(Schema):
    """A listed id the visit was logged without: never uploaded by this cadre, or over a
    limit. ``field`` is where it was listed (``attachments.1``, ``concerns.0.attachments.2``)."""
    attachment_id = fields.String()
    field = fields.String()
    reason = fields.Dict()


class Download(Schema):
    filename = fields.String()
    media_type = fields.String()
    content = fields.String(metadata={"description": "base64"})


# --- the authority's own documents on a case (escalations) ----------------------------------

class NamesAttachments(Schema):
    """A step that may carry the authority's documents (an answer, an information request, an
    interim reply): the ids its officer uploaded for this case, each once; an id that is not
    this case's refuses the whole step, naming it."""
    attachments = fields.List(Id(), validate=validate.Length(max=MAX_LISTED), load_default=None,
                              metadata={"description": "ids answered by POST "
                                                       "/cases/<case_id>/attachments"})


class ShowsAttachments(Schema):
    """A timeline line with the documents its step named (none: an empty list)."""
    attachments = fields.List(fields.Nested(Attachment), dump_default=list)
