"""The pages' words in Vietnamese (first) and English, and Vietnamese dates.

Every text a page shows comes from the catalogue (``catalogue.py``): :data:`TEXTS` (by key) or
:data:`LABELS` (a value of the domain: a topic, a case status, an action), so a missing
translation is a KeyError in the tests, not an English word on a Vietnamese page. Errors from
the services are translated by
:func:`translate_error`: marshmallow's and the services' usual messages have Vietnamese
wordings; anything else is shown as the service wrote it. Example::

    text("sign_in", "vi")                        # "Đăng nhập"
    label("topic", "land", "vi")                 # "Đất đai"
    long_date(dt.date(2026, 11, 27), "vi")       # "Thứ Sáu, 27/11/2026"
    translate_error("Missing data for required field.", "vi")   # "Bắt buộc nhập."
"""
import datetime as dt
import re

from services.gateway.pages.catalogue import ERRORS, LABELS, TEXTS, WEEKDAYS  # noqa: F401

# meetings happen in Vietnam: times are shown in its time
from shared.clock import VIETNAM

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def pick(language):
    """The language to use: one of :data:`LANGUAGES`, Vietnamese unless English is asked."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def text(key, language, **values):
    vi, en = TEXTS[key]
    wording = en if pick(language) == "en" else vi
    return wording.format(**values) if values else wording


def label(kind, value, language):
    """A domain value in words; an unknown value (data newer than this table) as it is."""
    pair = LABELS[kind].get(value)
    if pair is None:
        return "" if value is None else str(value)
    return pair[1] if pick(language) == "en" else pair[0]


def translate_error(message, language):
    for pattern, (vi, en) in ERRORS:
        found = re.fullmatch(pattern, message.strip()) or re.search(pattern, message)
        if found:
            return (en if pick(language) == "en" else vi).format(*found.groups())
    return message


def flat_fields(fields, language, prefix=""):
    """An error's ``fields`` (nested like the request) as ``{"attendance.present": "…"}``, the
    names the forms give their inputs, each message translated."""
    flat = {}
    for name, value in (fields or {}).items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(flat_fields(value, language, f"{key}."))
        elif isinstance(value, (list, tuple)):
            messages = [m for m in value if isinstance(m, str)]
            nested = [m for m in value if isinstance(m, dict)]
            if messages:
                flat[key] = " ".join(translate_error(m, language) for m in messages)
            for item in nested:
                flat.update(flat_fields(item, language, f"{key}."))
        else:
            flat[key] = translate_error(str(value), language)
    return flat


def _as_date(value):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(VIETNAM).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    text_value = str(value)
    if len(text_value) == 10:
        return dt.date.fromisoformat(text_value)
    return _as_datetime(text_value).date()


def _as_datetime(value):
    if isinstance(value, dt.datetime):
        moment = value
    else:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(VIETNAM)


def short_date(value, language=DEFAULT_LANGUAGE):
    """``27/11/2026`` (dd/mm/yyyy in both languages: the users' own format)."""
    day = _as_date(value)
    return "" if day is None else day.strftime("%d/%m/%Y")


def long_date(value, language=DEFAULT_LANGUAGE):
    """``Thứ Sáu, 27/11/2026`` / ``Friday, 27/11/2026``."""
    day = _as_date(value)
    if day is None:
        return ""
    return f"{WEEKDAYS[pick(language)][day.weekday()]}, {day.strftime('%d/%m/%Y')}"


def date_time(value, language=DEFAULT_LANGUAGE):
    """``27/11/2026 15:40`` in Vietnam's time."""
    if value is None or value == "":
        return ""
    return _as_datetime(value).strftime("%d/%m/%Y %H:%M")
