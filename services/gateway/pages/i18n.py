"""The pages' words and Vietnamese dates, from the one catalogue (``shared.words``).

``text`` looks a text up by key, ``label`` a value of the domain (a topic, a case status, an
action), so a missing translation is a KeyError in the tests, not an English word on a
Vietnamese page. A refusal's fields are worded from the reasons the services give with them
(a code and its parameters, :func:`shared.errors.reasons_of`), never from their English
message. Example::

    text("sign_in", "vi")                        # "Đăng nhập"
    label("topic", "land", "vi")                 # "Đất đai"
    long_date(dt.date(2026, 11, 27), "vi")       # "Thứ Sáu, 27/11/2026"
"""
import datetime as dt

# meetings happen in Vietnam: times are shown in its time
from shared.clock import VIETNAM
from shared.words import DEFAULT_LANGUAGE, LANGUAGES, knows, pick, say, say_value  # noqa: F401


def text(key, language, **values):
    return say(key, language, **values)


def label(kind, value, language):
    """A domain value in words; an unknown value (data newer than the catalogue) as it is."""
    return say_value(kind, value, language)


def refusal(error, language):
    """A service's refusal in words, from its class's code (``INVALID_INPUT``...); a rule's
    or a conflict's reasons follow it (a bad field's are shown beside the field instead)."""
    key = f"refusal.{getattr(error, 'code', '')}"
    said = say(key if knows(key, language) else "refusal.INTERNAL_ERROR", language)
    if getattr(error, "status", None) == 400:
        return said
    known = [reason_words(found, language) for found in _reasons_in(getattr(error, "reasons", {}))
             if knows(f"reason.{found['code']}", language) and found["code"] != "invalid"]
    return " ".join([said, *dict.fromkeys(known)])


def _reasons_in(reasons):
    if _is_reason(reasons):
        yield reasons
    elif isinstance(reasons, dict):
        for value in reasons.values():
            yield from _reasons_in(value)
    elif isinstance(reasons, (list, tuple)):
        for value in reasons:
            yield from _reasons_in(value)


def reason_words(found, language):
    """One reason (``{"code": "too_long", "max": 2000}``) in words; a code the catalogue does
    not know yet as the general "not valid"."""
    code = found.get("code") if isinstance(found, dict) else None
    key = f"reason.{code}"
    if not knows(key, language):
        key = "reason.invalid"
    # a "day" is a date, except a meeting rule's day of the month (a number)
    values = {name: short_date(value) if name == "day" and not str(value).isdigit() else value
              for name, value in found.items() if name != "code"}
    return say(key, language, **values)


def _is_reason(value):
    return isinstance(value, dict) and isinstance(value.get("code"), str)


def flat_fields(reasons, language, prefix=""):
    """A refusal's ``reasons`` (nested like the request) as ``{"attendance.present": "…"}``,
    the names the forms give their inputs, each worded in ``language``."""
    flat = {}
    for name, value in (reasons or {}).items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and not _is_reason(value):
            flat.update(flat_fields(value, language, f"{key}."))
            continue
        said = []
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, dict) and not _is_reason(item):
                flat.update(flat_fields(item, language, f"{key}."))
            else:
                said.append(reason_words(item, language))
        if said:
            flat[key] = " ".join(dict.fromkeys(said))
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
    return f"{say(f'weekday.{day.weekday()}', language)}, {day.strftime('%d/%m/%Y')}"


def date_time(value, language=DEFAULT_LANGUAGE):
    """``27/11/2026 15:40`` in Vietnam's time."""
    if value is None or value == "":
        return ""
    return _as_datetime(value).strftime("%d/%m/%Y %H:%M")


def due_by(value, language=DEFAULT_LANGUAGE):
    """A deadline as people say it: a moment (a tier's acceptance, counted in office hours)
    "trước 15:30 ngày 09/12/2026", a day "Thứ Tư, 09/12/2026"."""
    if value and "T" in str(value):
        moment = _as_datetime(value)
        return say("deadline_before", language, time=moment.strftime("%H:%M"),
                   day=moment.strftime("%d/%m/%Y"))
    return long_date(value, language)


def deadline_words(case, language=DEFAULT_LANGUAGE):
    """The running deadline as people say it: "hết ngày 09/12/2026 (còn 3 ngày làm việc)",
    from the case's ``due_on`` (its last day) and ``working_days_left`` (today included);
    "" when no deadline runs."""
    due_on = case.get("due_on")
    if not due_on:
        return ""
    day, left = short_date(due_on), case.get("working_days_left")
    by = case.get("acknowledge_by") if case.get("due_kind") == "acknowledge" else None
    if by and "T" in str(by):  # accepted within working hours: the very moment
        said = due_by(by, language)
        return say("deadline_passed_at", language, by=said) if case.get("overdue") else said
    if case.get("overdue"):
        return say("deadline_passed_on", language, day=day)
    if left is None:
        return say("deadline_until", language, day=day)
    if left == 0:
        return say("deadline_no_working_day_left", language, day=day)
    return say("deadline_days_left", language, day=day, n=left)
