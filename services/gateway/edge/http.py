"""HTTP plumbing for the gateway: JSON in, JSON out, one error vocabulary.

Every error body reads ``{"error": CODE, "message": ..., "fields": {...}}`` with the status of
the :class:`shared.errors.SausatError` raised, wherever in the system it was raised, and also
when the web server itself refuses a request (414, 431, a bad request line) and for paths or
methods nobody serves. Before a handler runs, :class:`JsonErrorsApp` holds the request to its
description in the route table the service class hands in (``GatewayService.routes``, gathered
in ``services.gateway.routes``): query and path parameters through their schemas, the body
through ``services.gateway.edge.limits`` (read to its end, chunked or not, and refused with
413 once past the limit). Handlers take what passed::

    @http("GET", "/units")
    def list_units(self, request):
        return json_response(self.assignments.list_units(query_args(request)))
"""
import json
import time
from logging import getLogger

import eventlet
from eventlet.wsgi import HeaderLineTooLong, HeadersTooLarge
from kombu.exceptions import OperationalError
from nameko.exceptions import RemoteError
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from services.gateway.edge import limits
from shared import correlation, metrics
from shared.errors import (
    InvalidInput,
    SausatError,
    TooManyRequests,
    Unauthorized,
    Unavailable,
    load_payload,
    quiet_expected_refusals,
)

_log = getLogger(__name__)

READ_CHUNK = 64 * 1024
# after a refusal, what is still read (and thrown away) so the client hears the answer
DRAIN_BYTES = 2 * limits.MAX_BODY_BYTES
DRAIN_SECONDS = 2
QUERY, BODY, FORM = "sausat.query", "sausat.body", "sausat.form"
PROTOCOL = "sausat.protocol"
CORRELATION, ROUTE = "sausat.correlation_id", "sausat.route"


def json_response(payload, status=200):
    return Response(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", status=status,
                    mimetype="application/json")


def json_body(request):
    """The request's JSON object, checked at the edge: before the handler when the route
    declares its ``body``, else here, by the same rules."""
    environ = request.environ
    if BODY not in environ:
        limits.check_content_type(environ.get("CONTENT_TYPE"))
        environ[BODY] = limits.parse_json_object(read_body(environ))
    return environ[BODY]


def form_args(request):
    """An HTML form's fields, loaded through the route's form schema."""
    return request.environ[FORM]


def query_args(request):
    """The query parameters, loaded through the route's query schema."""
    return request.environ[QUERY]


def error_response(exc):
    response = json_response(exc.to_body(), exc.status)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="sausat"'
    return response


class JsonErrorsApp(WsgiApp):
    """nameko's WSGI app, holding every request to its route's description first."""

    def __init__(self, server, routes):
        super().__init__(server)
        self.routes = routes

    def __call__(self, environ, start_response):
        # one correlation id per request (the client's when well-formed), answered in a header
        # and carried by every RPC and event the request causes (shared.correlation)
        correlation_id = environ[CORRELATION] = correlation.from_client(
            environ.get("HTTP_X_CORRELATION_ID"))
        started = time.perf_counter()

        def start_with_correlation(status, headers, exc_info=None):
            route = environ.get(ROUTE, "unmatched")
            method = environ.get("REQUEST_METHOD", "")[:10]
            metrics.HTTP_RESPONSES.labels(method, route, status.split(" ", 1)[0]).inc()
            metrics.HTTP_SECONDS.labels(method, route).observe(time.perf_counter() - started)
            return start_response(status, [*headers, (correlation.HEADER, correlation_id)],
                                  exc_info)

        try:
            return self._serve(environ, start_with_correlation)
        except Exception as exc:  # a bug here must still answer in the one shape
            _log.exception("unexpected error at the HTTP edge", exc_info=exc)
            body = {"error": "INTERNAL_ERROR", "message": "unexpected error; it was logged"}
            return json_response(body, 500)(environ, start_with_correlation)

    def _serve(self, environ, start_response):
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
        except HTTPException as exc:
            body = {"error": exc.name.upper().replace(" ", "_"), "message": exc.description}
            return json_response(body, exc.code)(environ, start_response)
        route = self.routes[(provider.method, provider.url)]
        environ[ROUTE] = provider.url
        request = Request(environ, shallow=True)
        try:
            query = route.query()
            # checked here, handed on as JSON data (dates as text) for the service to load
            environ[QUERY] = query.dump(load_payload(query, limits.parse_query(
                environ.get("QUERY_STRING", "")), "query parameters"))
            if route.path is not None:
                values = load_payload(route.path(), values, "path")
            if route.body is not None:
                limits.check_content_type(environ.get("CONTENT_TYPE"))
                environ[BODY] = limits.parse_json_object(read_body(environ))
            if route.form is not None:
                limits.check_form_content_type(environ.get("CONTENT_TYPE"))
                environ[FORM] = load_payload(route.form(), limits.parse_form(read_body(environ)),
                                             "form")
        except SausatError as exc:
            _close_after_refusal(environ)
            return error_response(exc)(environ, start_response)
        request.path_values = values
        return provider.handle_request(request)(environ, start_response)


def read_body(environ):
    """The whole body, chunked or not, refused with 413 as soon as it passes the limit."""
    declared = environ.get("CONTENT_LENGTH")
    chunked = environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
    if not declared and not chunked:
        return b""  # HTTP/1.1: no length and not chunked means no body
    limits.check_size(int(declared) if declared else None)
    stream, chunks, size = environ["wsgi.input"], [], 0
    try:
        while chunk := stream.read(READ_CHUNK):
            size += len(chunk)
            if size > limits.MAX_BODY_BYTES:
                raise limits.body_too_large()
            chunks.append(chunk)
    except ValueError as error:  # eventlet's ChunkReadError: not chunked encoding after all
        raise InvalidInput("the request body is not valid chunked encoding",
                           {"_body": [str(error)]}) from None
    return b"".join(chunks)


def _close_after_refusal(environ):
    """Read a bounded rest of the body, then close: never wait long for a body we refused."""
    declared = environ.get("CONTENT_LENGTH")
    chunked = environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
    if chunked or (declared and int(declared) <= DRAIN_BYTES):
        stream, drained = environ["wsgi.input"], 0
        with eventlet.Timeout(DRAIN_SECONDS, False):
            try:
                while drained < DRAIN_BYTES and (chunk := stream.read(READ_CHUNK)):
                    drained += len(chunk)
            except (ValueError, OSError):
                pass  # a broken body: closing is all that is left
    protocol = environ.get(PROTOCOL)
    if protocol is not None:
        protocol.close_connection = 1


class JsonErrorsProtocol(HttpOnlyProtocol):
    """eventlet's HTTP protocol, answering in JSON the requests it refuses before any app runs.

    eventlet writes bare responses with empty bodies for a request line over the URL limit
    (414), headers too large (400) and bad lengths; Python's ``BaseHTTPRequestHandler`` sends
    HTML for a malformed request line. Each is answered here in the one error shape.
    """

    def get_environ(self):
        environ = super().get_environ()
        environ[PROTOCOL] = self  # lets the app close the connection after a refusal
        return environ

    def _read_request_line(self):
        line = super()._read_request_line()
        if len(line) >= self.server.url_length_limit:
            self._drain_head(self.rfile, line)
            self._refuse(414, "URI_TOO_LONG", "the request line (method, path and query) is "
                         "too long", {"_url": [f"at most {self.server.url_length_limit} bytes"]})
            return ""
        return line

    def parse_request(self):
        try:
            if not super().parse_request():
                return False
        except (HeaderLineTooLong, HeadersTooLarge):
            self._drain_head(getattr(self.rfile, "fp", self.rfile), b"")
            self._refuse(431, "HEADERS_TOO_LARGE", "the request headers are too large",
                         {"_headers": ["at most 8192 bytes a line and 65536 bytes in all"]})
            return False
        length = self.headers.get("content-length")
        encoding = self.headers.get("transfer-encoding")
        if length is not None and not (length.isascii() and length.isdigit()):
            self._refuse(400, "BAD_REQUEST", "invalid Content-Length",
                         {"Content-Length": ["must be a whole number of bytes"]})
            return False
        if encoding is not None and length is not None:
            self._refuse(400, "BAD_REQUEST", "Content-Length and Transfer-Encoding together",
                         {"Transfer-Encoding": ["send one of Content-Length and chunked"]})
            return False
        if encoding is not None and encoding.strip().lower() != "chunked":
            self._refuse(400, "BAD_REQUEST", "unsupported Transfer-Encoding",
                         {"Transfer-Encoding": ["only chunked is understood"]})
            return False
        return True

    def send_error(self, code, message=None, explain=None):
        codes = {400: "BAD_REQUEST", 431: "HEADERS_TOO_LARGE", 414: "URI_TOO_LONG",
                 505: "HTTP_VERSION_NOT_SUPPORTED"}
        fields = {"_request": [explain]} if explain else None
        self._refuse(code, codes.get(code, "BAD_REQUEST"),
                     message or self.responses.get(code, ("error",))[0], fields)

    def _refuse(self, status, code, message, fields=None):
        payload = SausatError(message, fields).to_body()
        payload["error"] = code
        body = (json.dumps(payload, ensure_ascii=False) + "\n").encode()
        phrase = self.responses.get(status, ("Error",))[0]
        self.wfile.write(
            f"HTTP/1.1 {status} {phrase}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        self.wfile.flush()
        self.close_connection = 1

    def _drain_head(self, rfile, line, limit=1_000_000):
        """Read the rest of the request head (bounded) so the client reads our answer."""
        read = len(line)
        try:
            self.connection.settimeout(1)
            while read < limit:
                if line.endswith(b"\n"):
                    line = rfile.readline(8192)
                    if line in (b"\r\n", b"\n", b""):
                        return
                else:
                    line = rfile.readline(8192)
                    if not line:
                        return
                read += len(line)
        except OSError:
            pass


class JsonWebServer(WebServer):
    """nameko's web server, serving the routes its service class describes.

    The table is handed in, not imported: the service class declares it (``routes = ROUTES``)
    and the server reads it from its container when it starts, so the edge never imports the
    handlers that import it.
    """

    def context_data_from_headers(self, request):
        # the worker's context data travels with every RPC it makes
        return {"correlation_id": request.environ[CORRELATION]}

    def described_routes(self):
        """The service class's route table: ``{(method, rule): Route}``."""
        service_cls = self.container.service_cls
        routes = getattr(service_cls, "routes", None)
        if routes is None:
            raise RuntimeError(f"{service_cls.__name__} hands in no route table "
                               "(a class attribute routes = {(method, rule): Route})")
        return routes

    def get_wsgi_app(self):
        routes = self.described_routes()
        for provider in self._providers:  # a route nobody described does not start
            if (provider.method, provider.url) not in routes:
                raise RuntimeError(f"{provider.method} {provider.url} is not described in "
                                   "services/gateway/routes.py")
        return JsonErrorsApp(self, routes)

    def get_wsgi_server(self, sock, wsgi_app, protocol=JsonErrorsProtocol, debug=False):
        return super().get_wsgi_server(sock, wsgi_app, protocol=protocol, debug=debug)


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
            return error_response(exc)
        if isinstance(exc, RemoteError):
            _log.error("remote error: %s", exc)
            return json_response({"error": "REMOTE_ERROR",
                                  "message": f"{exc.exc_type}: {exc.value}"}, 500)
        _log.exception("unexpected error", exc_info=exc)
        return json_response({"error": "INTERNAL_ERROR", "message": str(exc)}, 500)


http = JsonHttp.decorator
