"""Rendering a page: Jinja2 templates from this package, autoescaped, with the user's language.

Templates get ``t(key, **values)`` for words, ``label(kind, value)`` for domain values, the date
filters ``date``, ``long_date`` and ``datetime``, ``deadline`` (a case's running deadline
as people say it), ``timeline_sentences`` (a case's
timeline worded), and whatever the handler passes. Static files
are served from ``static/`` by name, from a fixed table: nothing is fetched from elsewhere, and
nothing is built. Example::

    html = render("inbox.html", "vi", user=principal, inbox=inbox)
"""
import functools
import pathlib

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.gateway.pages import i18n, session, timeline

HERE = pathlib.Path(__file__).resolve().parent
STATIC = HERE / "static"
STATIC_FILES = {"app.css": "text/css", "visit.js": "application/javascript",
                "outbox.js": "application/javascript", "import.js": "application/javascript",
                "offline.js": "application/javascript", "picker.js": "application/javascript",
                "redact.js": "application/javascript", "similar.js": "application/javascript",
                "copy.js": "application/javascript", "files.js": "application/javascript",
                "attach.js": "application/javascript", "roll.js": "application/javascript"}
# the cadre's app shell worker: served at /app/sw.js (its scope is the folder it is served from)
SERVICE_WORKER = STATIC / "sw.js"


@functools.cache
def environment():
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    # the form field the CSRF token travels in, named once (session.CSRF_FIELD)
    env.globals["csrf_field"] = session.CSRF_FIELD
    return env


def render(template, language, **context):
    language = i18n.pick(language)
    env = environment()
    words = {
        "lang": language,
        "t": lambda key, **values: i18n.text(key, language, **values),
        "label": lambda kind, value: i18n.label(kind, value, language),
        "date": lambda value: i18n.short_date(value, language),
        "long_date": lambda value: i18n.long_date(value, language),
        "datetime": lambda value: i18n.date_time(value, language),
        "deadline": lambda case: i18n.deadline_words(case, language),
        "due_by": lambda value: i18n.due_by(value, language),
        "timeline_sentences": lambda lines: timeline.sentences(lines, language),
        "reason_words": lambda found: i18n.reason_words(found, language),
    }
    return env.get_template(template).render(**words, **context)


def static_file(name):
    """(bytes, media type) of a static file, or KeyError."""
    media_type = STATIC_FILES[name]
    return (STATIC / name).read_bytes(), media_type
