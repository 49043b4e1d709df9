"""Small files of each attachment kind, and malformed ones, made in the test (no binary
fixtures in the repository). Example::

    raw = jpeg(gps=True)       # a photo carrying a GPS position in its EXIF
"""
import io
import struct
import zipfile
import zlib

from PIL import Image

OLE = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"


def photo(size=(64, 48), mode="RGB", colour=(200, 30, 30)):
    return Image.new(mode, size, colour)


def jpeg(gps=False, size=(64, 48)):
    image, out = photo(size), io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "CameraMaker"             # Make
        exif[0x8825] = {1: "N", 2: (21.0, 18.0, 7.0), 3: "E", 4: (105.0, 36.0, 9.0)}
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png(size=(40, 30)):
    out = io.BytesIO()
    photo(size, "RGBA", (0, 120, 0, 200)).save(out, "PNG")
    return out.getvalue()


def webp():
    out = io.BytesIO()
    photo().save(out, "WEBP")
    return out.getvalue()


def pdf():
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def office_zip(folder, parts=None, extra=()):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name, content in (parts or {f"{folder}document.xml": "<w:document/>"}).items():
            archive.writestr(name, content)
        for name, content in extra:
            archive.writestr(name, content)
    return out.getvalue()


def docx():
    return office_zip("word/")


def xlsx():
    import openpyxl
    book, out = openpyxl.Workbook(), io.BytesIO()
    book.active["A1"] = "Biên bản"
    book.save(out)
    return out.getvalue()


def doc():
    return OLE + bytes(504) + b"\xEC\xA5\xC1\x00" + bytes(600)


def xls():
    return OLE + bytes(504) + b"\x09\x08\x10\x00\x00\x06\x05\x00" + bytes(600)


def zip_bomb_docx(inflated=70_000_000):
    """A DOCX on the outside: a few kilobytes holding ``inflated`` bytes of zeros."""
    return office_zip("word/", {"word/document.xml": b"\0" * inflated})


def png_claiming(width, height):
    """A PNG header claiming ``width`` x ``height`` pixels over almost no data."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


KINDS = {"photo.jpg": (jpeg, "photo", "image/jpeg"),
         "photo.png": (png, "photo", "image/png"),
         "photo.webp": (webp, "photo", "image/webp"),
         "reply.pdf": (pdf, "pdf", "application/pdf"),
         "minutes.doc": (doc, "document", "application/msword"),
         "minutes.docx": (docx, "document", "application/vnd.openxmlformats-officedocument."
                                            "wordprocessingml.document"),
         "figures.xls": (xls, "spreadsheet", "application/vnd.ms-excel"),
         "figures.xlsx": (xlsx, "spreadsheet", "application/vnd.openxmlformats-officedocument."
                                               "spreadsheetml.sheet")}
