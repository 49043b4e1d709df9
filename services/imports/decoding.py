"""Text of an uploaded CSV, whatever encoding the office's software wrote, or a refusal.

The promise: Vietnamese text comes out intact and NFC-normalised, or the file is refused with
:class:`EncodingRefused` naming the problem; it is never guessed into mojibake. The decision
is strict decoding (a byte sequence invalid in the encoding rules it out) plus a plausibility
check (a decoding that produces C1 controls, replacement characters or the tell-tale pairs of
UTF-8 read as a single-byte code page is refused). Order of trials:

- a byte-order mark decides: UTF-8, UTF-16 LE or UTF-16 BE (strict);
- otherwise UTF-8 (strict): random Windows-1258 text with accented letters is practically
  never valid UTF-8;
- otherwise Windows-1258, which writes tones as combining marks after the vowel: NFC joins
  them into the precomposed letters that UTF-8 files carry, so both compare equal.

Example::

    decode_text("Chi bộ thôn Nội Phật".encode("cp1258"))   # -> "Chi bộ thôn Nội Phật" (NFC)
    decode_text(b"\\xff\\xfeN\\x00")                         # -> "N"
"""
import codecs
import re
import unicodedata

from shared.reasons import reason

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with a byte-order mark"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)

# C0 controls but tab/CR/LF, C1 controls, the replacement character, unpaired surrogates
IMPLAUSIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")
# what UTF-8 bytes look like when read one byte per character: Ã or Ä or Æ before a symbol
MOJIBAKE = re.compile(r"[ÃÄÅÆá][\u0080-\u00bf\u2010-\u203a\u0152\u0153\u0160\u0161\u0178\u017d"
                      r"\u017e\u02c6\u02dc\u0192\u20ac\u2122]")


class EncodingRefused(ValueError):
    """The file's bytes are not text in an encoding we can read without guessing."""


def decode_text(data):
    """The text of ``data`` (bytes), NFC-normalised, or :class:`EncodingRefused`."""
    if not data:
        raise EncodingRefused(reason("empty_file", "the file is empty"))
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            if bom == codecs.BOM_UTF16_LE and data.startswith(b"\xff\xfe\x00\x00"):
                raise EncodingRefused(reason("not_utf8", "UTF-32 is not supported: save the "
                                             "file as UTF-8 or UTF-16"))
            return _checked(_strict(data, codec, name), name)
    if data[:64].count(b"\x00") > 4:
        raise EncodingRefused(reason("not_utf8", "the file looks like UTF-16 without a "
                                     "byte-order mark: save it as UTF-8, or as UTF-16 with "
                                     "its byte-order mark"))
    try:
        return _checked(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        pass
    return _checked(_strict(data, "cp1258", "Windows-1258"), "Windows-1258")


def _strict(data, codec, name):
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise EncodingRefused(reason("not_utf8", f"not valid {name}: undecodable byte at offset "
                                     f"{error.start}; save the file as UTF-8")) from None


def _checked(text, name):
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    bad = IMPLAUSIBLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise EncodingRefused(reason("garbled_text", f"read as {name}, line {line} holds "
                                     f"U+{ord(bad.group()):04X}, which no office document "
                                     "contains: the file is in another encoding or damaged; "
                                     "save it as UTF-8", line=line))
    garbled = MOJIBAKE.search(text)
    if garbled:
        line = text.count("\n", 0, garbled.start()) + 1
        raise EncodingRefused(reason("garbled_text", f"read as {name}, line {line} holds "
                                     f"{garbled.group()!r}: text that was already garbled "
                                     "(UTF-8 read as a code page) before it was saved; fix "
                                     "the file and save it as UTF-8", line=line))
    return text
