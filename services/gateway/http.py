"""HTTP plumbing for the gateway: JSON in, JSON out, one error vocabulary.

Every error body reads ``{"error": CODE, "message": ..., "fields": {...}}`` with the status of
the :class:`shared.errors.SausatError` raised, wherever in the system it was raised.
"""
import json
from logging import getLogger

from kombu.exceptions import OperationalError
from nameko.exceptions import RemoteError
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from shared.errors import (
    InvalidInput,
    SausatError,
    TooManyRequests,
    Unauthorized,
    Unavailable,
    quiet_expected_refusals,
)

_log = getLogger(__name__)

MAX_BODY_BYTES = 1_000_000


def json_response(payload, status=200):
    return Response(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", status=status,
                    mimetype="application/json")


def json_body(request):
    """The request's JSON object, or :class:`InvalidInput` saying what is wrong with it."""
    if request.content_length and request.content_length > MAX_BODY_BYTES:
        raise InvalidInput("request body too large", {"_body": [f"at most {MAX_BODY_BYTES} bytes"]})
    raw = request.get_data(as_text=True)
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise InvalidInput("request body is not valid JSON", {"_body": [str(error)]}) from None
    if not isinstance(body, dict):
        raise InvalidInput("request body must be a JSON object", {"_body": ["not an object"]})
    return body


class JsonErrorsApp(WsgiApp):
    """nameko's WSGI app, with unknown paths and wrong methods answered in JSON too."""

    def __call__(self, environ, start_response):
        adapter = self.url_map.bind_to_environ(environ)
        try:
            adapter.match()
        except HTTPException as exc:
            body = {"error": exc.name.upper().replace(" ", "_"), "message": exc.description}
            return json_response(body, exc.code)(environ, start_response)
        return super().__call__(environ, start_response)


class JsonWebServer(WebServer):
    def get_wsgi_app(self):
        return JsonErrorsApp(self)


class JsonHttp(HttpRequestHandler):
    """An HTTP entrypoint for which a :class:`SausatError` is an expected answer, logged as one
    line without a traceback (see ``shared.errors``)."""
    server = JsonWebServer()

    def __init__(self, method, url, expected_exceptions=SausatError, **kwargs):
        super().__init__(method, url, expected_exceptions=expected_exceptions, **kwargs)

    def setup(self):
        quiet_expected_refusals()
        super().setup()

    def response_from_exception(self, exc):
        if isinstance(exc, OperationalError):  # the broker is away: nothing was sent
            _log.error("message broker unreachable: %s", exc)
            exc = Unavailable("the message broker is unreachable; nothing was done, retry later")
        if isinstance(exc, SausatError):
            response = json_response(exc.to_body(), exc.status)
            if isinstance(exc, TooManyRequests):
                response.headers["Retry-After"] = str(exc.retry_after)
            if isinstance(exc, Unauthorized):
                response.headers["WWW-Authenticate"] = 'Bearer realm="sausat"'
            return response
        if isinstance(exc, RemoteError):
            _log.error("remote error: %s", exc)
            return json_response({"error": "REMOTE_ERROR",
                                  "message": f"{exc.exc_type}: {exc.value}"}, 500)
        _log.exception("unexpected error", exc_info=exc)
        return json_response({"error": "INTERNAL_ERROR", "message": str(exc)}, 500)


http = JsonHttp.decorator
