"""An English-word detector for text a Vietnamese reader is shown: the words every English
sentence the services used to show is made of (``must``, ``the``, ``required``...), none of
which is a Vietnamese word. Example::

    english_in("Dài quá 2000 ký tự.")               # []
    english_in("Length must be between 1 and 2000.")  # ["Length", "must", "be", "between", "and"]
"""
import html
import re

ENGLISH = re.compile(
    r"\b(the|is|are|was|not|must|be|of|and|or|with|than|between|required|missing|length|"
    r"longer|shorter|valid|invalid|field|cell|file|line|column|sheet|header|rule|routing|"
    r"members?|satisfied|deadline|passed|near|unknown|registry|already|cannot|may|should|"
    r"case|concern|answer|routed|escalated|reminded|rejected|refused|failed|done|queued|"
    r"applying|planning)\b", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
# what a page shows but nobody reads as a sentence: the app's own attributes and scripts
HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1>", re.DOTALL | re.IGNORECASE)


def visible_text(page_html):
    return html.unescape(TAG.sub(" ", HIDDEN.sub(" ", page_html)))


def english_in(text):
    """The English words in ``text`` (HTML is reduced to what a reader sees)."""
    if "<" in text:
        text = visible_text(text)
    return ENGLISH.findall(text)
