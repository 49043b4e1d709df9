"""HTTP plumbing for the gateway: JSON in, JSON out, one error vocabulary.

Every error body reads ``{"error": CODE, "message": ..., "fields": {...}}`` with the status of
the :class:`shared.errors.SausatError` raised, wherever in the system it was raised, and also
when the web server itself refuses a request (414, 431, a bad request line, in
``services.gateway.edge.protocol``) and for paths or methods nobody serves. Before a handler
runs, :class:`JsonErrorsApp` holds the request to its description in the route table the
service class hands in (``GatewayService.routes``, gathered in ``services.gateway.routes``):
query and path parameters through their schemas, the body through
``services.gateway.edge.limits`` (read to its end, chunked or not, refused with 413 once past
the limit, 408 once past the request's deadline). Every answer gets the security headers
(``services.gateway.edge.headers``); a 5xx tells an error id, never its cause.
Handlers take what passed::

    @http("GET", "/units")
    def list_units(self, request):
        return json_response(self.assignments.list_units(query_args(request)))
"""
import json
import time
import uuid
from functools import partial
from logging import getLogger

import eventlet
from kombu.exceptions import OperationalError
from nameko.exceptions import RemoteError
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from services.gateway.edge import form_files, limits
from services.gateway.edge import headers as headers_
from services.gateway.edge.protocol import DEADLINE, PROTOCOL, JsonErrorsProtocol
from services.gateway.settings import settings
from shared import correlation, metrics
from shared.contracts.reuse import reused
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
FILES = "sausat.files"
CORRELATION, ROUTE = "sausat.correlation_id", "sausat.route"


# who reads an answer in a terminal or a browser tab (the README's curl examples): indented
# for them at the edge (``for_readers``); programs get it compact, since ``indent`` takes
# Python's pure-Python encoder, about 7x the C one's time for an inbox (issue 27)
READERS = ("curl/", "wget/", "httpie/")


def json_response(payload, status=200):
    return Response(json.dumps(payload, ensure_ascii=False) + "\n", status=status,
                    mimetype="application/json")


def for_readers(environ, response):
    """``response``, its JSON indented when a person reads it (a terminal's client, a browser
    tab asking for HTML); as it is for a program."""
    agent = environ.get("HTTP_USER_AGENT", "").lower()
    person = agent.startswith(READERS) or "text/html" in environ.get("HTTP_ACCEPT", "")
    if person and response.mimetype == "application/json" and not response.is_streamed:
        try:
            payload = json.loads(response.get_data())
        except ValueError:
            return response  # not JSON after all: as it is
        response.set_data(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return response


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


def failure_response(error="INTERNAL_ERROR"):
    """A 5xx answer: a generic message and an id to find the log line by, nothing of the cause
    (exception names and messages tell an attacker the internals). Log with the id."""
    error_id = uuid.uuid4().hex[:12]
    body = {"error": error, "error_id": error_id,
            "message": f"unexpected error; it was logged as {error_id}"}
    return json_response(body, 500), error_id


def error_response(exc):
    response = json_response(exc.to_body(), exc.status)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="sausat"'
    return response


class JsonErrorsApp(WsgiApp):
    """nameko's WSGI app, holding every request to its route's description first."""

    def __init__(self, server, routes, secure_mode):
        super().__init__(server)
        self.routes, self.secure_mode = routes, secure_mode

    def __call__(self, environ, start_response):
        # one correlation id per request (the client's when well-formed), answered in a header
        # and carried by every RPC and event the request causes (shared.correlation)
        correlation_id = environ[CORRELATION] = correlation.from_client(
            environ.get("HTTP_X_CORRELATION_ID"))
        started = time.perf_counter()

        def start_with_correlation(status, sent_headers, exc_info=None):
            route = environ.get(ROUTE, "unmatched")
            method = environ.get("REQUEST_METHOD", "")[:10]
            metrics.HTTP_RESPONSES.labels(method, route, status.split(" ", 1)[0]).inc()
            metrics.HTTP_SECONDS.labels(method, route).observe(time.perf_counter() - started)
            sent = headers_.with_security_headers(
                [*sent_headers, (correlation.HEADER, correlation_id)], environ, self.secure_mode)
            return start_response(status, sent, exc_info)

        try:
            return self._serve(environ, start_with_correlation)
        except Exception as exc:  # a bug here must still answer in the one shape
            response, error_id = failure_response()
            _log.exception("unexpected error %s at the HTTP edge", error_id, exc_info=exc)
            return response(environ, start_with_correlation)

    def _serve(self, environ, start_response):
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
        except HTTPException as exc:
            body = {"error": exc.name.upper().replace(" ", "_"), "message": exc.description}
            return for_readers(environ, json_response(body, exc.code))(environ, start_response)
        route = self.routes[(provider.method, provider.url)]
        environ[ROUTE] = provider.url
        request = Request(environ, shallow=True)
        try:
            query = reused(route.query)
            # checked here, handed on as JSON data (dates as text) for the service to load
            environ[QUERY] = query.dump(load_payload(query, limits.parse_query(
                environ.get("QUERY_STRING", "")), "query parameters"))
            if route.path is not None:
                values = load_payload(reused(route.path), values, "path")
            if route.body is not None:
                limits.check_content_type(environ.get("CONTENT_TYPE"))
                environ[BODY] = limits.parse_json_object(read_body(environ, route.max_body))
            if route.form is not None:
                environ[FORM], environ[FILES] = _form(environ, route)
        except SausatError as exc:
            if not isinstance(exc, limits.RequestTimeout):  # that one is closed, not drained
                _close_after_refusal(environ)
            return for_readers(environ, error_response(exc))(environ, start_response)
        request.path_values = values
        return for_readers(environ, provider.handle_request(request))(environ, start_response)


def _form(environ, route):
    """A page form's fields (checked by its schema) and the files it carries: URL-encoded, or
    multipart on a route that takes files (``form_files``)."""
    header = environ.get("CONTENT_TYPE")
    if route.files and form_files.is_multipart(header):
        fields, files = form_files.parse_multipart(read_body(environ, route.max_body), header,
                                                   route.files)
    else:
        limits.check_form_content_type(header)
        fields, files = limits.parse_form(read_body(environ)), []
    return load_payload(reused(route.form), fields, "form"), files


def form_files_of(request):
    """The ``(filename, bytes)`` of each file a page's form carried (none: an empty list)."""
    return request.environ.get(FILES, [])


def read_body(environ, limit=None):
    """The whole body, chunked or not, refused with 413 as soon as it passes the limit (the
    edge's, or the route's own)."""
    limit = limit or limits.MAX_BODY_BYTES
    declared = environ.get("CONTENT_LENGTH")
    chunked = environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
    if not declared and not chunked:
        return b""  # HTTP/1.1: no length and not chunked means no body
    limits.check_size(int(declared) if declared else None, limit)
    stream, chunks, size = environ["wsgi.input"], [], 0
    deadline, seconds = environ.get(DEADLINE, (None, None))
    timer = eventlet.Timeout(max(deadline - time.monotonic(), 0)) if deadline else None
    try:
        while chunk := stream.read(READ_CHUNK):
            size += len(chunk)
            if size > limit:
                raise limits.body_too_large(limit)
            chunks.append(chunk)
    except ValueError as error:  # eventlet's ChunkReadError: not chunked encoding after all
        raise InvalidInput("the request body is not valid chunked encoding",
                           {"_body": [str(error)]}) from None
    except eventlet.Timeout as timeout:
        if timeout is not timer:
            raise
        _close(environ)  # what is left of the body would be read as the next request
        raise limits.too_slow(seconds) from None
    finally:
        if timer is not None:
            timer.cancel()
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
    _close(environ)


def _close(environ):
    protocol = environ.get(PROTOCOL)
    if protocol is not None:
        protocol.close_connection = 1


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
        return JsonErrorsApp(self, routes, self.edge["PAGES_COOKIE_SECURE"].lower())

    def start(self):
        self.edge, self.open_connections = settings(self.container.config), 0
        super().start()

    def get_wsgi_server(self, sock, wsgi_app, protocol=JsonErrorsProtocol, debug=False):
        server = super().get_wsgi_server(sock, wsgi_app, protocol=protocol, debug=debug)
        server.keepalive = self.edge["GATEWAY_IDLE_TIMEOUT_SECONDS"]
        # each read or write on a connection waits at most this long (the deadline bounds the sum)
        server.socket_timeout = server.read_timeout = self.edge["GATEWAY_READ_TIMEOUT_SECONDS"]
        return server

    def run(self):
        """nameko's accept loop, holding at most ``GATEWAY_MAX_CONNECTIONS`` open at once."""
        while self._is_accepting:
            sock, address = self._sock.accept()
            if self.open_connections >= self.edge["GATEWAY_MAX_CONNECTIONS"]:
                _turn_away(sock)
                continue
            sock.settimeout(self._serv.socket_timeout)
            self.open_connections += 1
            self.container.spawn_managed_thread(partial(self._serve_counted, sock, address))

    def _serve_counted(self, sock, address):
        try:
            self.process_request(sock, address)
        finally:
            self.open_connections -= 1


def _turn_away(sock):
    """Answer a connection over the cap 503 at once and close it: no wait, no work."""
    body = b'{"error": "UNAVAILABLE", "message": "too many connections; retry shortly"}\n'
    try:
        sock.settimeout(1)
        sock.sendall(f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(body)}\r\nRetry-After: 1\r\n"
                     f"{headers_.REFUSAL_HEADERS}Connection: close\r\n\r\n".encode() + body)
    except OSError:
        pass  # it went away first
    finally:
        sock.close()


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
            response, error_id = failure_response("REMOTE_ERROR")
            _log.error("remote error %s: %s", error_id, exc)
            return response
        response, error_id = failure_response()
        _log.exception("unexpected error %s", error_id, exc_info=exc)
        return response


http = JsonHttp.decorator
