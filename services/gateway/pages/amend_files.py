"""The amendment page's files (issue 31): photos and documents on the concern an amendment
adds, chosen in the plain form (posted as multipart, no script needed). The gateway uploads
each to visits first (``visits.upload_attachment``, as ``POST /attachments`` does), then sends
the amendment naming them; a file refused, files without a new concern, or more files than the
new concern may carry are said beside the field and nothing is amended (an upload the
amendment then did not take is swept with the other unattached ones)."""
import base64

from services.gateway.edge.http import form_files_of
from services.gateway.pages.case_attachments import beside_field
from shared.errors import InvalidInput
from shared.reasons import reason

FIELD = "new.attachments"


def with_new_concern_files(api, view, body):
    """``body`` (``visits.amend_visit``'s) with the form's files uploaded and named on the
    concern it adds; InvalidInput beside the file field when they cannot go."""
    files = form_files_of(view.request)
    if not files:
        return body
    added = [c for c in body["concerns"] if "concern_id" not in c]
    if not added:
        raise InvalidInput("files need a new concern", {FIELD: [reason(
            "files_need_new_concern", "files go with the concern the amendment adds")]})
    per_item = api.page_support.attachment_limits["per_item"]
    if len(files) > per_item:
        raise InvalidInput("too many files", {FIELD: [reason(
            "too_many_files_on_concern", f"at most {per_item} files", per_item=per_item)]})
    ids = []
    for filename, data in files:
        try:
            stored = api.visits.upload_attachment({
                "filename": filename, "content": base64.b64encode(data).decode("ascii")},
                view.principal)
        except InvalidInput as refused:
            raise beside_field(refused, FIELD) from None
        ids.append(stored["attachment_id"])
    added[-1]["attachments"] = ids
    return body
