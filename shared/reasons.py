"""Why a value was refused, as a code and its parameters that a reader's page words in their
language — never by matching the English message.

A :class:`Reason` is the English message itself (so an API client reads what marshmallow always
said) carrying ``code`` and ``params``. marshmallow builds its messages in three places, a
field's ``make_error``, each validator's ``_format_error`` and a schema's own messages (an
unknown field, not an object); :func:`install` codes them once per process
(``shared.errors`` and ``shared.contracts`` import this module), so every schema's messages
carry their code without each schema naming one. A rule that refuses a value in its
own words raises ``ValidationError(reason("future_day", "cannot be in the future"))``.
:func:`reasons_of` turns a refusal's messages (nested like the request) into the plain
``{"code": ..., **params}`` that crosses RPC beside them; a message without a code (a library's
message this module does not know) becomes ``{"code": "invalid"}``. Example::

    reasons_of({"summary": [Reason("Longer than maximum length 2000.", "too_long", {"max": 2000})]})
    # {"summary": [{"code": "too_long", "max": 2000}]}
"""
import datetime as dt

from marshmallow import Schema, fields, validate

# marshmallow's field error keys that mean "give a value", and those that mean "not a <type>"
_GIVE_A_VALUE = ("required", "null")
_NOT_A = ("invalid", "format")


class Reason(str):
    """An English message that knows its code and the parameters its wording needs."""

    code = "invalid"
    params = {}

    def __new__(cls, message, code, params=None):
        made = super().__new__(cls, message)
        made.code, made.params = code, dict(params or {})
        return made

    def format(self, *args, **values):  # marshmallow formats a field's message: keep the code
        return Reason(str.format(self, *args, **values), self.code, self.params)


def reason(code, message, **params):
    """A refusal in a rule's own words: ``ValidationError(reason("future_day", "..."))``."""
    return Reason(message, code, params)


def _plain(value):
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def reasons_of(messages):
    """``messages`` (a ValidationError's, nested like the request) as JSON-safe reasons."""
    if isinstance(messages, dict):
        return {str(name): reasons_of(value) for name, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [reasons_of(message) for message in messages]
    if isinstance(messages, Reason):
        return {"code": messages.code, **{k: _plain(v) for k, v in messages.params.items()}}
    return {"code": "invalid"}


def _field_code(field, key):
    """``required``, ``not_integer``, ``not_date``... (the marshmallow type the field is), or
    marshmallow's own key (``too_large``)."""
    if key in _GIVE_A_VALUE:
        return "required"
    if key in _NOT_A:
        kind = next(cls for cls in type(field).__mro__ if cls.__module__ == fields.__name__)
        return f"not_{kind.__name__.lower()}"
    return key


def _length_code(validator, value, message=None):
    if validator.equal is not None:
        return "length_equal"
    if validator.min is not None and len(value) < validator.min:
        return "empty" if validator.min == 1 else "too_short"
    return "too_long"


def _range_code(validator, value, message=None):
    if validator.min is not None and validator.max is not None:
        return "between"
    return "at_least" if validator.min is not None else "at_most"


def install():
    """Wrap marshmallow's two message makers, once."""
    if getattr(fields.Field.make_error, "gives_reasons", False):
        return
    make_error = fields.Field.make_error

    def make_coded_error(self, key, **kwargs):
        error = make_error(self, key, **kwargs)
        code = _field_code(self, key)
        params = {k: v for k, v in kwargs.items() if k in ("min", "max")}
        error.messages = [Reason(str(m), code, params) for m in error.messages]
        return error

    make_coded_error.gives_reasons = True
    fields.Field.make_error = make_coded_error

    def coded(cls, code_of, params_of):
        format_error = cls._format_error

        def format_coded(self, value, *message):
            return Reason(format_error(self, value, *message), code_of(self, value, *message),
                          params_of(self))
        cls._format_error = format_coded

    coded(validate.Length, _length_code,
          lambda v: {"min": v.min, "max": v.max, "equal": v.equal})
    coded(validate.Range, _range_code, lambda v: {"min": v.min, "max": v.max})
    coded(validate.OneOf, lambda v, value: "one_of", lambda v: {})
    coded(validate.Regexp, lambda v, value: "pattern", lambda v: {})
    schema_codes = {"unknown": "unknown_field", "type": "not_object"}
    Schema._default_error_messages = {
        key: Reason(message, schema_codes.get(key, "invalid"))
        for key, message in Schema._default_error_messages.items()}


install()
