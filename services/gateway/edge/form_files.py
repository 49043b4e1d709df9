"""A page's form that carries files (``multipart/form-data``), as plain rules: the route names
its one file field (``Route.files``) and its body limit (``Route.max_body``); every other part
is a text field held to the same checks as a URL-encoded form's (``limits.parse_form``), and a
file under any other name, or a field given twice, is refused naming it. An ``<input
type=file>`` left empty sends a part with no name and no bytes: it is no file. Example::

    fields, files = parse_multipart(raw, environ["CONTENT_TYPE"], "attachments")
    files      # [("cong-van.pdf", b"%PDF-…"), ...]: the bytes go to the owning service
"""
import io

from werkzeug.formparser import parse_form_data
from werkzeug.http import parse_options_header

from services.gateway.edge import limits
from shared.errors import InvalidInput

MULTIPART = "multipart/form-data"


def is_multipart(header):
    return parse_options_header(header or "")[0].lower() == MULTIPART


def parse_multipart(raw, header, file_field):
    """``(fields, files)`` of a multipart body, or InvalidInput naming what is wrong."""
    environ = {"wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw)),
               "CONTENT_TYPE": header, "REQUEST_METHOD": "POST"}
    try:
        _, form, uploaded = parse_form_data(environ, silent=False)
    except Exception:  # a hostile or cut-off body: werkzeug raises many kinds
        raise InvalidInput("the form's parts cannot be read",
                           {"_body": ["not a complete multipart/form-data body"]}) from None
    fields = limits.parse_pairs(form.items(multi=True))
    files, problems = [], {}
    for name, part in uploaded.items(multi=True):
        if name != file_field:
            problems.setdefault(name[:80], []).append("no file is taken here")
            continue
        data = part.read()
        if part.filename or data:  # an empty file input sends neither
            files.append((part.filename or "", data))
    if problems:
        raise InvalidInput("invalid form fields", problems)
    return fields, files
