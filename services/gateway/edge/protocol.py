"""eventlet's HTTP protocol for the gateway: the refusals it makes before any app runs, in the
one JSON error shape, and the time a client has to send its request.

A connection waits for its next request at most the idle timeout; from a request's first byte,
the read timeout runs for its whole head and body (:data:`DEADLINE`, which the app's body
reader keeps too), so a client trickling one byte a second is answered 408 and closed.
"""
import json
import time

import eventlet
from eventlet.wsgi import HeaderLineTooLong, HeadersTooLarge
from nameko.web.server import HttpOnlyProtocol

from services.gateway.edge import headers as headers_
from services.gateway.edge import limits
from shared.errors import SausatError

PROTOCOL = "sausat.protocol"
DEADLINE = "sausat.deadline"  # (time.monotonic() by which the request must have come, seconds)


class JsonErrorsProtocol(HttpOnlyProtocol):
    """eventlet's HTTP protocol, answering in JSON the requests it refuses before any app runs.

    eventlet writes bare responses with empty bodies for a request line over the URL limit
    (414), headers too large (400) and bad lengths; Python's ``BaseHTTPRequestHandler`` sends
    HTML for a malformed request line. Each is answered here in the one error shape.
    """

    deadline = None

    def get_environ(self):
        environ = super().get_environ()
        environ[PROTOCOL] = self  # lets the app close the connection after a refusal
        environ[DEADLINE] = (self.deadline, self.server.read_timeout)
        return environ

    def _read_request_line(self):
        # idle: the next request's first byte must come within the idle timeout (the server's
        # keepalive); from it, the read timeout runs for the whole request, however slowly its
        # bytes trickle in (eventlet's own reading would wait the keepalive per byte, forever)
        self.deadline = None
        if self.rfile.closed:
            return super()._read_request_line()
        try:
            self.connection.settimeout(self.server.keepalive)
            if not self.rfile.peek(1):
                return ""
        except OSError:  # idle too long (a timeout), or the client went away
            return ""
        self.deadline = time.monotonic() + self.server.read_timeout
        self.connection.settimeout(self.server.socket_timeout)
        try:
            line = self._before_deadline(
                lambda: self.rfile.readline(self.server.url_length_limit))
        except OSError:  # the client went away mid-line
            return ""
        if line is None:
            return ""
        if len(line) >= self.server.url_length_limit:
            self._drain_head(self.rfile, line)
            self._refuse(414, "URI_TOO_LONG", "the request line (method, path and query) is "
                         "too long", {"_url": [f"at most {self.server.url_length_limit} bytes"]})
            return ""
        return line

    def _before_deadline(self, read):
        """``read()``, or None once the request's deadline passed (answered 408, closed)."""
        timer = eventlet.Timeout(max(self.deadline - time.monotonic(), 0))
        try:
            return read()
        except eventlet.Timeout as timeout:
            if timeout is not timer:
                raise
            error = limits.too_slow(self.server.read_timeout)
            self._refuse(error.status, error.code, error.message, error.fields)
            return None
        finally:
            timer.cancel()

    def parse_request(self):
        try:
            parsed = self._before_deadline(super().parse_request)
            if not parsed:
                return False
        except (HeaderLineTooLong, HeadersTooLarge):
            self._drain_head(getattr(self.rfile, "fp", self.rfile), b"")
            self._refuse(431, "HEADERS_TOO_LARGE", "the request headers are too large",
                         {"_headers": ["at most 8192 bytes a line and 65536 bytes in all"]})
            return False
        for framing in ("Content-Length", "Transfer-Encoding"):
            # two framings of one body: a proxy may read one and us the other (smuggling)
            if len(self.headers.get_all(framing, ())) > 1:
                self._refuse(400, "BAD_REQUEST", f"{framing} given more than once",
                             {framing: ["send it once"]})
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
            f"Content-Length: {len(body)}\r\n{headers_.REFUSAL_HEADERS}"
            f"Connection: close\r\n\r\n".encode() + body)
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
