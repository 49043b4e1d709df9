"""Names found with or without diacritics: a folded key stored beside the name, and queries on it.

The promise: a name and a query that differ only in diacritics, letter case, Unicode
normalisation (NFC, NFD, composed or combining tone marks) or punctuation match; "đ"/"Đ" fold
to "d" (no decomposition takes the bar off). A query matches a name when every word of the
query begins a word of the name ("noi phat" and "NỘI PH" find "Chi bộ thôn Nội Phật"), and the
match is answered from a multikey index on ``search.words``, one range per query word, never a
scan. Example::

    document["search"] = search_key("Chi bộ thôn Nội Phật", "Tam Hợp")
    # {"words": ["bo", "chi", "hop", "noi", "phat", "tam", "thon"]}
    db.units.create_index([("search.words", 1)])
    db.units.find(search_criteria("noi phat"))
"""
import re
import unicodedata

from shared.errors import InvalidInput

# letters the decomposition leaves alone: the stroke of đ, and a few of neighbouring scripts
_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
                        "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")
MAX_QUERY_WORDS = 8
# past every folded character: the upper end of a prefix range
_PREFIX_END = "\uffff"


def fold(text):
    """``text`` lower-cased, without diacritics, words of ASCII letters and digits joined by
    one space: ``fold("Đảng bộ xã Tam Hợp") == "dang bo xa tam hop"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.split(bare.translate(_EXTRA).casefold())).strip()


def words(*texts):
    """The distinct folded words of ``texts``, sorted."""
    return sorted({word for text in texts if text for word in fold(text).split()})


def search_key(*texts):
    """What a document stores under ``search`` so :func:`search_criteria` finds it."""
    return {"words": words(*texts)}


def query_words(query, field="q"):
    """The folded words of a search query, or :class:`InvalidInput` naming ``field``."""
    found = fold(query or "").split()
    if not found:
        raise InvalidInput("nothing to search for",
                           {field: ["needs at least one letter or digit"]})
    if len(found) > MAX_QUERY_WORDS:
        raise InvalidInput("too many words", {field: [f"at most {MAX_QUERY_WORDS} words"]})
    return found


def search_criteria(query, field="q"):
    """A filter matching documents whose ``search.words`` has a word beginning with each word
    of ``query``: one index range per word."""
    return {"$and": [{"search.words": {"$gte": word, "$lt": word + _PREFIX_END}}
                     for word in query_words(query, field)]}


def matches(query, *texts):
    """What :func:`search_criteria` decides, in Python (for tests and small lists)."""
    stored = words(*texts)
    return all(any(word.startswith(q) for word in stored) for q in query_words(query))
