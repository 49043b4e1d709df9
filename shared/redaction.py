"""Who raised a concern, kept from the authority: the summary that leaves the visit.

A cadre types what was said at the meeting, often with who said it ("Ông Nguyễn Văn Hai, xóm
2, đề nghị…", "liên hệ 0912 000 111"). When the raiser is withheld (the default for residents,
Law 91/2025/QH15: need-to-know), the summary that travels to the authority (``concern_raised``,
so cases, mails and the audit trail) has the raiser's name and contact and any telephone number
or e-mail address replaced by :data:`MARK`; the visit keeps the text as typed for the cadre who
carried it, with the redaction on record. Plain functions, tested directly. Example::

    shared = redact("Ông Nguyễn Văn Hai (0912 000 111) đề nghị sửa đèn",
                    "Nguyễn Văn Hai", "0912 000 111")
    shared.text     # "Ông [đã ẩn] ([đã ẩn]) đề nghị sửa đèn"
    shared.found    # ("contact", "name", "telephone")
"""
import re
import unicodedata
from dataclasses import dataclass

from shared.errors import InvalidInput
from shared.reasons import reason

MARK = "[đã ẩn]"
# a Vietnamese telephone: 9 to 11 digits, maybe +84, in groups split by spaces, dots or dashes
TELEPHONE = re.compile(r"(?<![\w])(?:\+?84[\s.-]?|0)\d(?:[\s.-]?\d){7,9}(?![\w])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# a name shorter than this is not searched for (one syllable would blank common words)
MIN_NAME_LETTERS = 4


@dataclass(frozen=True)
class Redacted:
    text: str
    found: tuple  # what was taken out, sorted: "contact", "email", "name", "telephone"


def withheld_by_default(raised_by):
    """A resident's identity is withheld unless the cadre says otherwise; a party member
    speaking in their own branch's meeting is known to the authority unless withheld."""
    return raised_by == "resident"


def _loose(value):
    """A pattern matching ``value`` in any Unicode normalisation, case and spacing."""
    parts = unicodedata.normalize("NFC", value).split()
    return re.compile(r"\s+".join(re.escape(part) for part in parts), re.IGNORECASE)


def redact(summary, name=None, contact=None):
    """The summary without the raiser's name and contact, telephone numbers and e-mails."""
    text, found = unicodedata.normalize("NFC", summary), set()
    for kind, value in (("name", name), ("contact", contact)):
        if value and sum(ch.isalnum() for ch in value) >= MIN_NAME_LETTERS:
            text, count = _loose(value).subn(MARK, text)
            if count:
                found.add(kind)
    for kind, pattern in (("email", EMAIL), ("telephone", TELEPHONE)):
        text, count = pattern.subn(MARK, text)
        if count:
            found.add(kind)
    return Redacted(text, tuple(sorted(found)))


def redact_words(summary, words):
    """The summary with each of ``words`` (personal details a cadre or an officer picked
    out) replaced by :data:`MARK`; ValueError naming a word the summary does not hold."""
    text = unicodedata.normalize("NFC", summary)
    for word in words:
        text, count = _loose(word).subn(MARK, text)
        if not count:
            raise ValueError(word)
    return text


def words_not_in(summary, words):
    """The places in ``words`` of those ``summary`` does not hold (a mark already there is not
    a word to redact)."""
    text = unicodedata.normalize("NFC", summary).replace(MARK, "\0")
    return [i for i, word in enumerate(words) if not _loose(word).search(text)]


def check_words(words, *texts):
    """Refuse (naming each by its place, never repeating it) the words none of ``texts``
    holds: a redaction picks words of the text, and a refused one changes nothing."""
    missing = set.intersection(*(set(words_not_in(text, words)) for text in texts))
    if missing:
        raise InvalidInput("the summary does not hold these words: select words of the text",
                           {f"words.{i}": [reason("not_in_summary", "not in the summary")]
                            for i in sorted(missing)})
