"""Every text a person reads — pages, timelines, form errors, import reports, mails, the
operators' tables — from one catalogue per language: ``vi.po`` (first) and ``en.po`` beside
this module, read with Babel once per process. A text is found by a stable key, never by its
English wording, so a missing translation is a KeyError in the tests rather than English on a
Vietnamese page. Example::

    say("sign_in")                                  # "Đăng nhập"
    say("sign_in", "en")                            # "Sign in"
    say("reason.too_long", "vi", max=2000)          # "Dài quá 2000 ký tự."
    say_value("topic", "land")                      # "Đất đai"

A key with a ``.`` names a kind and a value of the domain (``topic.land``, ``status.routed``,
``reason.too_long``); :func:`say_value` shows a value newer than the catalogue as it is.
"""
import functools
import pathlib

from babel.messages.pofile import read_po

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
HERE = pathlib.Path(__file__).parent


def pick(language):
    """The language to use: one of :data:`LANGUAGES`, Vietnamese unless English is asked."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def catalogue_path(language):
    return HERE / f"{pick(language)}.po"


@functools.lru_cache(maxsize=None)
def catalogue(language):
    """``{key: text}`` of ``language``'s ``.po`` file (an untranslated or fuzzy key is left
    out, as gettext leaves it, so it fails like a missing one)."""
    with open(catalogue_path(language), "rb") as po:
        parsed = read_po(po, locale=pick(language))
    return {message.id: message.string for message in parsed
            if message.id and isinstance(message.id, str) and message.string
            and not message.fuzzy}


def say(key, language=DEFAULT_LANGUAGE, /, **values):
    """The text of ``key`` in ``language``, with ``{name}`` placeholders filled from
    ``values``; KeyError for a key the catalogue lacks. (``key`` and ``language`` are
    positional: a reason's values may hold a ``key``, as ``repeated_key`` does.)"""
    wording = catalogue(pick(language))[key]
    return wording.format(**values) if values else wording


def knows(key, language=DEFAULT_LANGUAGE):
    return key in catalogue(pick(language))


def say_value(kind, value, language=DEFAULT_LANGUAGE):
    """A value of the domain in words (``topic``, ``land`` → "Đất đai"); a value newer than
    the catalogue as it is, None as nothing."""
    if value is None:
        return ""
    key = f"{kind}.{value}"
    return say(key, language) if knows(key, language) else str(value)
