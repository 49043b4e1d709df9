"""The one catalogue (shared/words/*.po): complete, without dead keys, the same in both
languages, and what the code and templates look up is in it."""
import pathlib
import re
import string

from marshmallow import fields

from shared import words

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "services" / "gateway" / "pages" / "templates"
CODE = [path for folder in ("services", "shared", "tooling")
        for path in (ROOT / folder).rglob("*.py")]
SOURCES = {path: path.read_text(encoding="utf-8")
           for path in [*CODE, *TEMPLATES.rglob("*.html"), *ROOT.glob(
               "services/**/static/*.js")]}

# the calls that look a text up by a literal key (a template's t, the pages' i18n.text and
# view.t, anyone's say), and those that name a kind of values
LOOKUPS = re.compile(r"""(?:(?<![\w.])t|\.t|i18n\.text|\bsay)\(\s*["']([a-z0-9_.]+)["']""")
KINDS = re.compile(r"""\b(?:label|say_value|value_words)\(\s*["']([a-z_]+)["']""")
# kinds looked up with a computed value: a refusal's class code, a reason's code, a weekday,
# a timeline line's action and its because
COMPUTED_KINDS = {"refusal", "reason", "weekday", "timeline", "because"}


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogues_hold_the_same_keys_each_translated_with_the_same_placeholders():
    vi, en = words.catalogue("vi"), words.catalogue("en")
    assert set(vi) == set(en), set(vi) ^ set(en)
    for key in vi:
        assert vi[key].strip() and en[key].strip(), key
        assert placeholders(vi[key]) == placeholders(en[key]), key


def test_each_key_is_written_once_and_none_is_fuzzy():
    for language in words.LANGUAGES:
        text = words.catalogue_path(language).read_text(encoding="utf-8")
        written = re.findall(r'^msgid "(.+)"$', text, re.MULTILINE)
        assert len(written) == len(set(written)) == len(words.catalogue(language)), language
        assert "#, fuzzy" not in text, language


def test_every_key_the_code_and_templates_look_up_is_in_the_catalogue():
    known = set(words.catalogue("vi"))
    kinds = {key.split(".", 1)[0] for key in known if "." in key}
    for path, source in SOURCES.items():
        for key in LOOKUPS.findall(source):
            assert key in known, f"{path.relative_to(ROOT)}: {key!r} is not in vi.po"
        for kind in KINDS.findall(source):
            assert kind in kinds, f"{path.relative_to(ROOT)}: no {kind}.* key in vi.po"


def test_no_key_in_the_catalogue_is_unused():
    """A key without a dot is named literally somewhere; a ``kind.value`` key's kind is looked
    up (``label("topic", ...)``) and, for a reason, a because or a timeline line, its code is
    written somewhere (or is one of marshmallow's ``not_<field type>`` and error keys)."""
    everything = "\n".join(SOURCES.values())
    quoted = set(re.findall(r"""["']([a-z0-9_.]+)["']""", everything))
    looked_up_kinds = set(KINDS.findall(everything)) | COMPUTED_KINDS
    types = [kind for kind in vars(fields).values() if isinstance(kind, type)]
    field_types = {f"not_{kind.__name__.lower()}" for kind in types} | {
        key for kind in types for key in getattr(kind, "default_error_messages", {})}
    unused = []
    for key in words.catalogue("vi"):
        if "." not in key:
            used = key in quoted
        else:
            kind, value = key.split(".", 1)
            used = key in quoted or kind in looked_up_kinds
            if kind in ("reason", "because", "timeline"):  # its code is written somewhere
                used = key in quoted or value in quoted or value in field_types
        if not used:
            unused.append(key)
    assert not unused, unused


def test_a_missing_key_fails_loudly_and_an_unknown_language_reads_vietnamese():
    assert words.say("sign_in", "xx") == words.say("sign_in", "vi") == "Đăng nhập"
    assert words.say_value("topic", "a-topic-from-the-future") == "a-topic-from-the-future"
    try:
        words.say("no-such-key")
    except KeyError:
        pass
    else:
        raise AssertionError("a missing key must not pass silently")
