"""One error vocabulary from the domain to HTTP.

Every error a service raises on purpose derives from :class:`SausatError`. The refusals
(:data:`REFUSALS`) are registered with nameko by ``shared.rpc`` at service start, so an RPC caller
gets the same class back (with its fields) while this module, and every rule module that raises
them, imports nothing of nameko. The gateway maps each class to one HTTP status and one
``error`` code, so every error body reads
``{"error": CODE, "message": ..., "fields": {...}}``. Beside its English ``fields`` a refusal
carries ``reasons``: the same shape with a code and parameters per message
(:mod:`shared.reasons`), which the gateway words in the reader's language.

Raising one is how a service refuses a request, an expected outcome, so the entrypoints declare
``SausatError`` expected and :func:`quiet_expected_refusals` logs such a refusal as one line
without a traceback; an unexpected error keeps its traceback. Example::

    quiet_expected_refusals()   # once per process; entrypoints' setup does it
    # WARNING nameko.containers: (expected) error handling worker <...>: visit not found: {...}
"""
import logging

from marshmallow import ValidationError

from shared.reasons import reason, reasons_of


class SausatError(Exception):
    status = 500
    code = "INTERNAL_ERROR"

    def __init__(self, message, fields=None, reasons=None):
        self.message = message
        self.fields = fields or {}
        # given when it crossed RPC (a Reason arrives as a plain string), else read from fields
        self.reasons = reasons if reasons is not None else reasons_of(self.fields)
        super().__init__(message, self.fields, self.reasons)

    def __str__(self):
        if not self.fields:
            return self.message
        return f"{self.message}: {self.fields}"

    def to_body(self):
        body = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class InvalidInput(SausatError):
    """The request or payload is malformed; ``fields`` says which field and why."""
    status = 400
    code = "INVALID_INPUT"


class NotFound(SausatError):
    status = 404
    code = "NOT_FOUND"


class Conflict(SausatError):
    """The request contradicts what is stored (e.g. the same id with other data)."""
    status = 409
    code = "CONFLICT"


class RuleViolated(SausatError):
    """A business rule refuses the request (e.g. an ineligible assignment)."""
    status = 422
    code = "RULE_VIOLATED"


class Unavailable(SausatError):
    """Something the request needs (broker, another service) does not answer now."""
    status = 503
    code = "UNAVAILABLE"


class Unauthorized(SausatError):
    """No valid access token: missing, malformed, tampered, expired or revoked."""
    status = 401
    code = "UNAUTHORIZED"


class Forbidden(SausatError):
    """The signed-in user's role may never do this; ``fields`` names the rule.

    (Another authority's or another cadre's object answers :class:`NotFound` instead, so its
    existence is not revealed.)"""
    status = 403
    code = "FORBIDDEN"


class TooManyRequests(SausatError):
    """Too many attempts: try again after ``retry_after`` seconds (sent as Retry-After)."""
    status = 429
    code = "TOO_MANY_REQUESTS"

    def __init__(self, message, fields=None, retry_after=60):
        super().__init__(message, fields)  # its fields are the caller's own words
        self.args = (message, self.fields, retry_after)  # survives nameko's round trip
        self.retry_after = int(retry_after)

    def to_body(self):
        return {**super().to_body(), "retry_after": self.retry_after}


# the refusals a service answers an RPC with (shared.rpc registers them with nameko)
REFUSALS = (InvalidInput, NotFound, Conflict, RuleViolated, Unavailable, Unauthorized, Forbidden,
            TooManyRequests)


class InvalidEvent(SausatError):
    """An event that cannot be parsed against its contract; it goes to a dead-letter queue."""
    code = "INVALID_EVENT"


class ConfigError(SausatError):
    code = "CONFIG_ERROR"


def refusal_from_body(body):
    """The refusal an error body (``to_body``) describes, as its own class when it is one of
    :data:`REFUSALS`: how a bulk call's per-item refusal is raised or reported again."""
    known = {refusal.code: refusal for refusal in REFUSALS}
    return known.get(body.get("error"), SausatError)(body.get("message", ""), body.get("fields"),
                                                      body.get("reasons"))


def load_payload(schema, payload, what):
    """``schema.load(payload)``, or :class:`InvalidInput` naming each bad field and why."""
    if not isinstance(payload, dict):
        raise InvalidInput(f"invalid {what}", {"_schema": [reason("not_object",
                                                                 "must be a JSON object")]})
    try:
        return schema.load(payload)
    except ValidationError as error:
        raise InvalidInput(f"invalid {what}", error.normalized_messages()) from None


class QuietExpectedRefusals(logging.Filter):
    """Strips the traceback from a refusal nameko logged as expected (below ERROR).

    nameko logs an exception an entrypoint declared expected at WARNING with its traceback,
    and any other at ERROR; only the first kind, and only for a :class:`SausatError`, loses it."""

    def filter(self, record):
        if (record.levelno < logging.ERROR and record.exc_info
                and isinstance(record.exc_info[1], SausatError)):
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_expected_refusals(logger_name="nameko.containers"):
    """Install :class:`QuietExpectedRefusals` on the logger that reports workers' errors."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, QuietExpectedRefusals) for existing in logger.filters):
        logger.addFilter(QuietExpectedRefusals())
