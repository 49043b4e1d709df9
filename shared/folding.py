"""Names found with or without diacritics: a folded key stored beside the name, and queries on it.

The promise: a name and a query that differ only in diacritics, letter case, Unicode
normalisation (NFC, NFD, composed or combining tone marks) or punctuation match; "đ"/"Đ" fold
to "d" (no decomposition takes the bar off). A query matches a name when every word of the
query begins a word of the name ("noi phat" and "NỘI PH" find "Chi bộ thôn Nội Phật"), and the
match is answered from a multikey index on ``search.prefixes`` (every prefix of every folded
word: Vietnamese syllables are short), one equality per query word, never a scan. (A range per
word would not do: on an array, MongoDB matches ``$gte`` and ``$lt`` against any elements, not
one and the same.) Example::

    document["search"] = search_key("Chi bộ thôn Nội Phật")
    # {"words": ["bo", "chi", "noi", "phat", "thon"], "prefixes": ["b", "bo", "c", "ch", ...]}
    db.units.create_index([("search.prefixes", 1)])
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
# a longer query word is cut to this many letters (the index holds prefixes up to it)
MAX_PREFIX = 12


def fold(text):
    """``text`` lower-cased, without diacritics, words of ASCII letters and digits joined by
    one space: ``fold("Đảng bộ xã Tam Hợp") == "dang bo xa tam hop"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.split(bare.translate(_EXTRA).casefold())).strip()


def words(*texts):
    """The distinct folded words of ``texts``, sorted."""
    return sorted({word for text in texts if text for word in fold(text).split()})


def prefixes(found_words):
    return sorted({word[:end] for word in found_words
                   for end in range(1, min(len(word), MAX_PREFIX) + 1)})


def search_key(*texts):
    """What a document stores under ``search`` so :func:`search_criteria` finds it."""
    found = words(*texts)
    return {"words": found, "prefixes": prefixes(found)}


def query_words(query, field="q"):
    """The folded words of a search query, or :class:`InvalidInput` naming ``field``."""
    found = fold(query or "").split()
    if not found:
        raise InvalidInput("nothing to search for",
                           {field: ["needs at least one letter or digit"]})
    if len(found) > MAX_QUERY_WORDS:
        raise InvalidInput("too many words", {field: [f"at most {MAX_QUERY_WORDS} words"]})
    return [word[:MAX_PREFIX] for word in found]


def search_criteria(query, field="q"):
    """A filter matching documents with a word beginning with each word of ``query``: one
    indexed equality per word."""
    return {"$and": [{"search.prefixes": word} for word in query_words(query, field)]}


def matches(query, *texts):
    """What :func:`search_criteria` decides, in Python (for tests and small lists)."""
    stored = set(prefixes(words(*texts)))
    return all(q in stored for q in query_words(query))
