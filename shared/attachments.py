"""What an attachment may be, decided from its bytes: plain rules, no broker, no store.

A photo (JPEG, PNG, WebP), a PDF, a document (DOC, DOCX) or a spreadsheet (XLS, XLSX): the type
is read from the content (``filetype``), never from the name. A photo is decoded with its pixel
count held to a limit (Pillow's decompression-bomb guard too), then re-encoded without its
metadata (EXIF, GPS position, the camera's serial) and thumbnailed; a truncated image does not
decode and is refused. A DOCX or XLSX is a zip: its entries are counted and inflated with a cap
on the total, so a zip bomb named ``.docx`` is refused without filling memory. A filename with a
path separator or a control character is refused. Each refusal is an ``InvalidInput`` whose
``fields`` name ``file`` or ``filename`` with a reason code (``shared.reasons``). Example::

    accepted = check_attachment("ngap.jpg", raw, Limits(max_bytes=8_000_000))
    accepted.kind, accepted.media_type, accepted.data, accepted.thumbnail
"""
import io
import unicodedata
import warnings
import zipfile
from typing import NamedTuple, Optional

import filetype
from PIL import Image, ImageOps

from shared.errors import InvalidInput
from shared.reasons import reason

# what a detected media type is, to a reader: the kinds the pages and the API speak of
KINDS = {
    "image/jpeg": "photo", "image/png": "photo", "image/webp": "photo",
    "application/pdf": "pdf",
    "application/msword": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.ms-excel": "spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
}
ZIPPED = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/",
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xl/"}
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
THUMBNAIL_EDGE = 320
MAX_FILENAME = 200
_READ = 64 * 1024


class Limits(NamedTuple):
    max_bytes: int = 8_000_000
    max_pixels: int = 40_000_000
    max_zip_entries: int = 2_000
    max_unzipped_bytes: int = 60_000_000


class Accepted(NamedTuple):
    kind: str
    media_type: str
    data: bytes          # what is stored: a photo re-encoded, anything else as it came
    thumbnail: Optional[bytes]
    filename: str


def refused(field, code, message, **params):
    return InvalidInput(f"attachment refused: {message}",
                        {field: [reason(code, message, **params)]})


def check_filename(name):
    """The name as given (NFC), or a refusal: no path, no control character, not empty."""
    if not isinstance(name, str) or not name.strip():
        raise refused("filename", "required", "give the file's name")
    name = unicodedata.normalize("NFC", name)
    if len(name) > MAX_FILENAME:
        raise refused("filename", "too_long", f"longer than {MAX_FILENAME} characters",
                      max=MAX_FILENAME)
    if "/" in name or "\\" in name or name.strip(". ") == "":
        raise refused("filename", "filename_path", "a file name, not a path")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in name):
        raise refused("filename", "control_character", "holds a control character")
    return name


def check_attachment(filename, data, limits=Limits()):
    """The attachment as it will be stored, or ``InvalidInput`` saying why not."""
    filename = check_filename(filename)
    if not data:
        raise refused("file", "empty_file", "the file is empty")
    if len(data) > limits.max_bytes:
        raise refused("file", "attachment_too_large", f"larger than {limits.max_bytes} bytes",
                      limit=limits.max_bytes // 1000)
    detected = filetype.guess(data)
    media_type = detected.mime if detected else None
    if media_type not in KINDS:
        raise refused("file", "attachment_type", "not a photo (JPEG, PNG, WebP), PDF, DOC, DOCX, "
                      "XLS or XLSX", found=media_type or "unknown")
    thumbnail = None
    if media_type in PILLOW_FORMATS:
        data, thumbnail = reencoded(data, media_type, limits)
    elif media_type in ZIPPED:
        check_zip(data, ZIPPED[media_type], limits)
    elif media_type == "application/pdf" and b"%%EOF" not in data[-1024:]:
        raise refused("file", "attachment_damaged", "the PDF ends before its end marker")
    return Accepted(KINDS[media_type], media_type, data, thumbnail, filename)


def reencoded(data, media_type, limits):
    """The photo decoded and written again without its metadata, and its thumbnail (JPEG)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > limits.max_pixels:
                raise refused("file", "too_many_pixels",
                              f"more than {limits.max_pixels} pixels", max=limits.max_pixels)
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refused("file", "too_many_pixels", f"more than {limits.max_pixels} pixels",
                      max=limits.max_pixels) from None
    except Exception:  # truncated, or not what its header says: hostile bytes are no 5xx
        raise refused("file", "attachment_damaged", "the image is damaged or cut short") from None
    image = ImageOps.exif_transpose(image)  # upright as the camera meant, then no EXIF at all
    if media_type == "image/jpeg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, PILLOW_FORMATS[media_type], **({"quality": 88} if media_type != "image/png"
                                                    else {"optimize": True}))
    small = image.convert("RGB") if image.mode not in ("RGB", "L") else image.copy()
    small.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    thumb = io.BytesIO()
    small.save(thumb, "JPEG", quality=80)
    return out.getvalue(), thumb.getvalue()


def check_zip(data, folder, limits):
    """A DOCX or XLSX: a readable zip holding its own folder, within the entry and inflated
    size limits, each entry actually inflated (a zip's declared sizes may lie)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        if len(entries) > limits.max_zip_entries:
            raise refused("file", "zip_too_many_entries",
                          f"more than {limits.max_zip_entries} parts",
                          max=limits.max_zip_entries)
        if "[Content_Types].xml" not in archive.namelist() or not any(
                entry.filename.startswith(folder) for entry in entries):
            raise refused("file", "attachment_type", "not an Office document inside",
                          found="application/zip")
        total = 0
        for entry in entries:
            with archive.open(entry) as part:
                while chunk := part.read(_READ):
                    total += len(chunk)
                    if total > limits.max_unzipped_bytes:
                        raise refused("file", "zip_too_large",
                                      f"expands past {limits.max_unzipped_bytes} bytes",
                                      max=limits.max_unzipped_bytes)
    except InvalidInput:
        raise
    except Exception:  # a broken or hostile zip (zipfile raises many kinds): no 5xx
        raise refused("file", "attachment_damaged",
                      "the document is damaged or cut short") from None
