"""The bad requests of test_http_edge.py, as a client can really send them, and how each is sent:
``CASES`` names each with the refusal it must get (status, error code, the field named);
``send`` sends one signed in as the demo cadre, over ``requests`` or, for what ``requests``
cannot send (bad request lines, chunked bodies, huge heads), a raw socket, and reads the answer.
"""
import datetime as dt
import json
import socket
from urllib.parse import urlsplit

import requests
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from services.gateway.routes import ROUTES
from shared import contracts
from tests.integration.fixtures import assert_described

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
MB = 1_000_000


def visit(**overrides):
    body = {
        "submission_id": contracts.new_id(),
        "unit_id": NOI_PHAT,
        "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "meeting_kind": "regular",
        "attendance": {"present": 20, "expected": 25},
        "assessment": {"leadership": 4, "education": 3, "combativeness": 4},
        "concerns": [{"topic": "land", "raised_by": "resident",
                      "summary": "Ranh giới đất ở xóm Đông chưa rõ"}],
    }
    body.update(overrides)
    return body


def concern(summary):
    return [{"topic": "land", "raised_by": "resident", "summary": summary}]


def encoded(body):
    return json.dumps(body, ensure_ascii=False).encode()


# --- how a case is sent ----------------------------------------------------------------------

def post(body, content_type="application/json", path="/visits"):
    raw = body if isinstance(body, bytes) else encoded(body)
    return ("POST", path, raw, {"Content-Type": content_type} if content_type else {})


def get(path):
    return ("GET", path, None, {})


def raw(head, body=b""):
    """Bytes for a raw socket: the request head, then the body as given."""
    return ("RAW", head, body, None)


def chunked(payload, chunk=4096, size_line=None):
    parts = [payload[i:i + chunk] for i in range(0, len(payload), chunk)]
    out = b"".join((size_line or b"%x" % len(p)) + b"\r\n" + p + b"\r\n" for p in parts)
    return out + b"0\r\n\r\n"


def raw_post_chunked(body_bytes, **kwargs):
    return raw(b"POST /visits HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
               chunked(body_bytes, **kwargs))


def signed_in(system, head):
    """A raw request head with the cadre's token after its Host line."""
    token = system.headers["cadre"]["Authorization"].encode()
    return head.replace(b"\r\nHost: x\r\n", b"\r\nHost: x\r\nAuthorization: " + token + b"\r\n", 1)


def send(system, how):
    kind, target, body, headers = how
    if kind != "RAW":
        response = requests.request(kind, system.base_url + target, data=body,
                                    headers={**system.headers["cadre"], **headers}, timeout=30)
        rule = described_rule(kind, target)
        if rule is not None:  # a route of the description: the refusal must be described too
            assert_described(system, kind, rule, response)
        return response.status_code, response.headers.get("Content-Type", ""), response.content
    with socket.create_connection(("127.0.0.1", system.port), timeout=30) as sock:
        sock.sendall(signed_in(system, target))
        try:
            sock.sendall(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the body was read: the answer is still there to read
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, content = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = dict(line.split(": ", 1) for line in lines[1:])
    fields = {name.lower(): value for name, value in fields.items()}
    if fields.get("transfer-encoding") == "chunked":
        content = dechunk(content)
    return status, fields.get("content-type", ""), content


ROUTE_MAP = Map([Rule(rule, methods=[method], endpoint=rule) for method, rule in ROUTES])


def described_rule(method, target):
    try:
        return ROUTE_MAP.bind("x").match(urlsplit(target).path, method=method)[0]
    except HTTPException:
        return None


def dechunk(data):
    out = b""
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            return out
        out, data = out + data[:size], data[size + 2:]


# --- the cases -------------------------------------------------------------------------------

DEEP = b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
LONG_QUERY = "/units?cursor=" + "a" * 20_000
HUGE_HEADER = b"X-Big: " + b"a" * 10_000 + b"\r\n"
MANY_HEADERS = b"".join(b"X-H%d: 1\r\n" % i for i in range(120))
BIG_HEADERS = b"".join(b"X-H%d: " % i + b"a" * 8000 + b"\r\n" for i in range(10))

CASES = {
    # name: (how, status, error code, the field named in "fields" as a path, or None)
    "nested 100,000 deep": (post(DEEP), 400, "INVALID_INPUT", ("_body",)),
    "nested 33 deep in a field": (post(visit(assessment={"note": json.loads("[" * 33 + "]" * 33)})),
                                  400, "INVALID_INPUT", ("_body",)),
    "integer over 8 bytes": (post(visit(attendance={"present": 1, "expected": 10 ** 30})),
                             400, "INVALID_INPUT", ("attendance", "expected")),
    "integer under -2**63": (post(visit(attendance={"present": -(2 ** 63) - 1, "expected": 3})),
                             400, "INVALID_INPUT", ("attendance", "present")),
    "integer in range, over the limit": (post(visit(attendance={"present": 1,
                                                                "expected": 2 ** 63 - 1})),
                                         400, "INVALID_INPUT", ("attendance", "expected")),
    "number too large": (post(encoded(visit()).replace(b'"present": 20', b'"present": 1e400')),
                         400, "INVALID_INPUT", ("attendance", "present")),
    "NaN": (post(encoded(visit()).replace(b'"present": 20', b'"present": NaN')),
            400, "INVALID_INPUT", ("_body",)),
    "text/plain": (post(visit(), "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE", ("Content-Type",)),
    "form-encoded": (post(b"submission_id=x&unit_id=y", "application/x-www-form-urlencoded"),
                     415, "UNSUPPORTED_MEDIA_TYPE", ("Content-Type",)),
    "no content type": (post(visit(), None), 415, "UNSUPPORTED_MEDIA_TYPE", ("Content-Type",)),
    "latin-1 charset": (post(visit(), "application/json; charset=latin-1"),
                        415, "UNSUPPORTED_MEDIA_TYPE", ("Content-Type",)),
    "NUL in a summary": (post(visit(concerns=concern("Đường\x00 làng"))),
                         400, "INVALID_INPUT", ("concerns", "0", "summary")),
    "escaped NUL in a summary": (post(b'{"summary": "a\\u0000b"}'),
                                 400, "INVALID_INPUT", ("summary",)),
    "bell in a summary": (post(visit(concerns=concern("chuông\x07"))),
                          400, "INVALID_INPUT", ("concerns", "0", "summary")),
    "C1 control in a note": (post(visit(assessment={"leadership": 4, "education": 3,
                                                    "combativeness": 4, "note": "a\x85b"})),
                             400, "INVALID_INPUT", ("assessment", "note")),
    "unpaired surrogate": (post(encoded(visit()).replace("xóm".encode(), b"\\ud800")),
                           400, "INVALID_INPUT", ("concerns", "0", "summary")),
    "NUL in a field name": (post(b'{"a\\u0000": 1}'), 400, "INVALID_INPUT", ("a\\x00",)),
    "invalid UTF-8 in a string": (post(encoded(visit()).replace("xóm".encode(), b"x\xff\xfem")),
                                  400, "INVALID_INPUT", ("_body",)),
    "newline after an id": (post(visit(unit_id=NOI_PHAT + "\n")),
                            400, "INVALID_INPUT", ("unit_id",)),
    "summary over its limit": (post(visit(concerns=concern("x" * 2001))),
                               400, "INVALID_INPUT", ("concerns", "0", "summary")),
    "unknown field": (post(visit(secret="x")), 400, "INVALID_INPUT", ("secret",)),
    "bad JSON": (post(b'{"submission_id": '), 400, "INVALID_INPUT", ("_body",)),
    "array body": (post([visit()]), 400, "INVALID_INPUT", ("_body",)),
    "string body": (post(b'"visit"'), 400, "INVALID_INPUT", ("_body",)),
    "empty body": (post(b""), 400, "INVALID_INPUT", ("_body",)),
    "over the size limit": (raw(b"POST /visits HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                b"application/json\r\nContent-Length: 1500000\r\n"
                                b"Connection: close\r\n\r\n"),
                            413, "PAYLOAD_TOO_LARGE", ("_body",)),
    "chunked over the size limit": (raw_post_chunked(b" " * (3 * MB // 2) + encoded(visit())),
                                    413, "PAYLOAD_TOO_LARGE", ("_body",)),
    "chunked with a bad chunk size": (raw_post_chunked(encoded(visit()), size_line=b"zz"),
                                      400, "INVALID_INPUT", ("_body",)),
    "query of 20,000 characters": (get(LONG_QUERY), 414, "URI_TOO_LONG", ("_url",)),
    "header of 10,000 bytes": (raw(b"GET /units HTTP/1.1\r\nHost: x\r\n" + HUGE_HEADER + b"\r\n"),
                               431, "HEADERS_TOO_LARGE", ("_headers",)),
    "headers of 80,000 bytes": (raw(b"GET /units HTTP/1.1\r\nHost: x\r\n" + BIG_HEADERS + b"\r\n"),
                                431, "HEADERS_TOO_LARGE", ("_headers",)),
    "120 headers": (raw(b"GET /units HTTP/1.1\r\nHost: x\r\n" + MANY_HEADERS + b"\r\n"),
                    431, "HEADERS_TOO_LARGE", ("_request",)),
    "garbage request line": (raw(b"HELLO THERE\r\n\r\n"), 400, "BAD_REQUEST", None),
    "HTTP/2.0 request line": (raw(b"GET /units HTTP/2.0\r\nHost: x\r\n\r\n"),
                              505, "HTTP_VERSION_NOT_SUPPORTED", None),
    "negative Content-Length": (raw(b"POST /visits HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                    b"application/json\r\nContent-Length: -5\r\n\r\n"),
                                400, "BAD_REQUEST", ("Content-Length",)),
    "Content-Length and chunked": (raw(b"POST /visits HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                       b"application/json\r\nContent-Length: 5\r\n"
                                       b"Transfer-Encoding: chunked\r\n\r\n", b"0\r\n\r\n"),
                                   400, "BAD_REQUEST", ("Transfer-Encoding",)),
    "Content-Length twice": (raw(b"POST /visits HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                 b"application/json\r\nContent-Length: 2\r\n"
                                 b"Content-Length: 20\r\n\r\n", b"{}"),
                             400, "BAD_REQUEST", ("Content-Length",)),
    "year 1 as a period's start": (get("/authorities/ubnd-xa-tam-hop/statistics?period_from="
                                       "0001-01-01&period_to=2026-12-01"),
                                   400, "INVALID_INPUT", ("period_from",)),
    "year 9999 as a day": (get("/coverage/unassigned-units?on=9999-12-31"), 400, "INVALID_INPUT",
                           ("on",)),
    "gzip transfer encoding": (raw(b"POST /visits HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                   b"application/json\r\nTransfer-Encoding: gzip\r\n\r\n"),
                               400, "BAD_REQUEST", ("Transfer-Encoding",)),
    "invalid UTF-8 in the query": (get("/units?cursor=%ff%fe"), 400, "INVALID_INPUT", ("cursor",)),
    "NUL in the query": (get("/units?cursor=a%00b"), 400, "INVALID_INPUT", ("cursor",)),
    "a parameter twice": (get("/units?limit=1&limit=2"), 400, "INVALID_INPUT", ("limit",)),
    "unknown parameter": (get("/units?page=2"), 400, "INVALID_INPUT", ("page",)),
    "parameter where none is taken": (get("/health?verbose=1"), 400, "INVALID_INPUT",
                                      ("verbose",)),
    "limit 0": (get("/units?limit=0"), 400, "INVALID_INPUT", ("limit",)),
    "limit over the maximum": (get("/monitor/events?limit=501"), 400, "INVALID_INPUT",
                               ("limit",)),
    "limit not a number": (get("/authorities?limit=ten"), 400, "INVALID_INPUT", ("limit",)),
    "limit over 8 bytes": (get("/routing-rules?limit=" + "9" * 30), 400, "INVALID_INPUT",
                           ("limit",)),
    "cursor not made here": (get("/units?cursor=bm9wZQ"), 400, "INVALID_INPUT", ("cursor",)),
    "unknown inbox status": (get("/authorities/ubnd-xa-tam-hop/inbox?status=lost"),
                             400, "INVALID_INPUT", ("status",)),
    "id with capitals in the path": (get("/visits/ABC"), 400, "INVALID_INPUT", ("visit_id",)),
    "NUL in the path": (get("/concerns/a%00b"), 400, "INVALID_INPUT", ("concern_id",)),
    "unknown documentation file": (get("/docs/secret.txt"), 400, "INVALID_INPUT", ("asset",)),
    "unknown path": (get("/nowhere"), 404, "NOT_FOUND", None),
    "wrong method": (("DELETE", "/visits", None, {}), 405, "METHOD_NOT_ALLOWED", None),
}
