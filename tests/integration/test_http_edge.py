"""Bad input at the HTTP edge, as a client can really send it: each refusal has its status, the
one JSON error shape naming what is wrong, and stores nothing. Requests that ``requests`` cannot
send (bad request lines, chunked bodies, huge heads) go over a raw socket. Every request is sent
signed in (the demo cadre, who is assigned to Nội Phật; officers, the operator for their
routes): the edge's refusals come before the token check, the visits need the cadre's token."""
import datetime as dt
import json
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from services.gateway.routes import ROUTES
from shared import contracts
from tests.integration.fixtures import assert_described, demo_system

pytestmark = pytest.mark.integration

NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
MB = 1_000_000


# the demo users (deploy/demo_data.yml: development only)
DEMO_USERS = {"cadre": ("binh", "binh-dev-only-2026"),
              "officer": ("tamhop-officer", "tamhop-dev-only-2026"),
              "operator": ("operator", "operator-dev-only-2026")}
AS = {}  # role -> headers of a signed-in user, set by the system fixture


@pytest.fixture(scope="module")
def system(vhost_pipeline, request, tmp_path_factory):
    with demo_system(vhost_pipeline, request, tmp_path_factory) as running:
        for role, (username, password) in DEMO_USERS.items():
            AS[role] = running.sign_in(username, password)
        yield running
        AS.clear()


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


def signed_in(head):
    """A raw request head with the cadre's token after its Host line."""
    token = AS["cadre"]["Authorization"].encode()
    return head.replace(b"\r\nHost: x\r\n", b"\r\nHost: x\r\nAuthorization: " + token + b"\r\n", 1)


def send(system, how):
    kind, target, body, headers = how
    if kind != "RAW":
        response = requests.request(kind, system.base_url + target, data=body,
                                    headers={**AS["cadre"], **headers}, timeout=30)
        rule = described_rule(kind, target)
        if rule is not None:  # a route of the description: the refusal must be described too
            assert_described(system, kind, rule, response)
        return response.status_code, response.headers.get("Content-Type", ""), response.content
    with socket.create_connection(("127.0.0.1", system.port), timeout=30) as sock:
        sock.sendall(signed_in(target))
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


def visits_logged(system):
    """Every visit_logged event in the audit trail, read page by page from the monitor itself
    (an operator sees no payloads)."""
    found, cursor = [], None
    with ClusterRpcProxy({"AMQP_URI": system.env["AMQP_URI"]}, timeout=30) as cluster:
        while True:
            page = cluster.monitor.recent_events({"limit": 500, "cursor": cursor})
            found += [e for e in page["events"] if e["routing_key"] == "visits.visit_logged"]
            cursor = page["next_cursor"]
            if cursor is None:
                return found


def post_visit(system, body):
    return requests.post(f"{system.base_url}/visits", json=body, headers=AS["cadre"],
                         timeout=10)


def logged_after(system, sentinel_submission):
    """visit_logged events once the sentinel visit's own event has reached the audit trail."""
    response = post_visit(system, sentinel_submission)
    assert response.status_code == 201, response.text
    visit_id = response.json()["visit_id"]
    deadline = time.monotonic() + 20
    while True:
        events = visits_logged(system)
        if any(e["payload"]["visit_id"] == visit_id for e in events):
            return events
        assert time.monotonic() < deadline, "the sentinel visit never reached the audit trail"
        time.sleep(0.1)


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_in_the_error_shape_and_stores_nothing(system, name):
    how, status, code, field = CASES[name]
    before = getattr(system, "visits_logged", None) or logged_after(system, visit())

    got_status, content_type, content = send(system, how)

    assert got_status == status, content[:500]
    assert content_type.startswith("application/json"), content_type
    body = json.loads(content)
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"error", "message", "fields"}
    if field is not None:
        node = body["fields"]
        for part in field:
            assert part in node, body
            node = node[part]
    after = logged_after(system, visit())
    assert len(after) == len(before) + 1  # the sentinel's, nothing else
    system.visits_logged = after  # the next case starts from here


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON; charset=UTF-8"])
def test_a_valid_visit_is_logged_whatever_the_json_spelling(system, content_type):
    status, _, content = send(system, post(visit(), content_type))
    assert status == 201, content


def test_a_valid_visit_sent_chunked_is_logged_once(system):
    body = visit(concerns=concern("Trạm bơm\tthôn Nội Phật\ncần sửa"))
    status, content_type, content = send(system, raw_post_chunked(encoded(body), chunk=7))
    assert status == 201, content
    logged = json.loads(content)
    assert logged["concerns"][0]["summary"] == "Trạm bơm\tthôn Nội Phật\ncần sửa"
    again = post_visit(system, body)
    assert again.status_code == 200 and again.json()["visit_id"] == logged["visit_id"]


def test_a_body_just_under_the_limit_is_read_whole(system):
    body = encoded(visit())
    padded = body[:-1] + b" " * (MB - len(body)) + b"}"
    assert len(padded) == MB
    status, _, content = send(system, raw_post_chunked(padded, chunk=65536))
    assert status == 201, content


def test_the_connection_serves_the_next_request_after_a_refusal(system):
    """A refusal of the parameters keeps the client's connection usable (keep-alive)."""
    with requests.Session() as session:
        session.headers.update(AS["cadre"])
        refused = session.get(f"{system.base_url}/units?limit=0", timeout=10)
        listed = session.get(f"{system.base_url}/units?limit=2", timeout=10)
    assert refused.status_code == 400
    assert listed.status_code == 200 and len(listed.json()["units"]) == 2


# --- real answers, held to the served description ----------------------------------------------

def described_get(system, rule, path=None, as_="cadre", **params):
    response = requests.get(system.base_url + (path or rule), params=params,
                            headers=AS[as_], timeout=10)
    assert_described(system, "GET", rule, response)
    return response


def test_every_route_answers_as_its_description_says(system):
    body = visit()
    logged = post_visit(system, body)
    assert_described(system, "POST", "/visits", logged)
    replayed = post_visit(system, body)
    assert_described(system, "POST", "/visits", replayed)
    changed = post_visit(system, {**body, "meeting_kind": "thematic"})
    assert_described(system, "POST", "/visits", changed)
    assert (logged.status_code, replayed.status_code, changed.status_code) == (201, 200, 409)
    concern_id = logged.json()["concerns"][0]["concern_id"]
    visit_id = logged.json()["visit_id"]

    assert described_get(system, "/health").status_code == 200
    for rule in ("/units", "/authorities", "/routing-rules"):
        assert described_get(system, rule).status_code == 200
    for rule in ("/monitor/events", "/monitor/queues"):
        assert described_get(system, rule, as_="operator").status_code == 200
        assert described_get(system, rule).status_code == 403  # a cadre
    assert described_get(system, "/visits/<visit_id>", f"/visits/{visit_id}").status_code == 200
    assert described_get(system, "/concerns/<concern_id>",
                         f"/concerns/{concern_id}").status_code == 200
    inbox = "/authorities/<authority_id>/inbox"
    assert described_get(system, inbox, "/authorities/ubnd-xa-tam-hop/inbox", as_="officer",
                         status="routed", limit=3).status_code == 200
    # refusals too
    assert described_get(system, "/visits/<visit_id>", "/visits/0").status_code == 404
    assert described_get(system, inbox, "/authorities/nobody/inbox",
                         as_="officer").status_code == 404
    assert described_get(system, "/units", limit=0).status_code == 400
    anonymous = requests.get(f"{system.base_url}/units", timeout=10)
    assert_described(system, "GET", "/units", anonymous)
    assert anonymous.status_code == 401
    unknown_unit = post_visit(system, visit(unit_id="x"))
    assert_described(system, "POST", "/visits", unknown_unit)
    assert unknown_unit.status_code == 404


def test_the_docs_page_and_its_assets_are_served_from_the_gateway(system):
    page = described_get(system, "/docs")
    assert page.headers["Content-Type"].startswith("text/html")
    assert "/openapi.json" in page.text
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        assert f'"/docs/{asset}"' in page.text
        served = described_get(system, "/docs/<asset>", f"/docs/{asset}")
        assert served.status_code == 200 and len(served.content) > 1000
    assert "https://" not in page.text and "http://" not in page.text  # no CDN
    spec = described_get(system, "/openapi.json").json()
    assert spec["openapi"].startswith("3.")


@pytest.mark.parametrize("rule, key, as_", [
    ("/units", "units", "cadre"), ("/authorities", "authorities", "cadre"),
    ("/routing-rules", "routing_rules", "cadre"), ("/monitor/events", "events", "operator")])
def test_a_list_read_page_by_page_is_the_whole_list_once(system, rule, key, as_):
    whole = described_get(system, rule, as_=as_, limit=500).json()
    assert whole["next_cursor"] is None
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = described_get(system, rule, as_=as_, **params).json()
        assert len(page[key]) <= 2
        seen += page[key]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    if key == "events":  # the audit trail grows while we read: compare what both saw
        first = {e["event_id"] for e in whole[key]}
        assert [e for e in seen if e["event_id"] in first] == whole[key]
    else:
        assert seen == whole[key]
    assert pages >= len(whole[key]) // 2


def test_an_inbox_read_page_by_page_is_in_deadline_order_and_whole(system):
    for summary in ("Cống thoát nước bị tắc", "Đèn đường hỏng", "Mương nội đồng sạt lở"):
        body = visit(concerns=[{"topic": "infrastructure", "raised_by": "resident",
                                "summary": summary}])
        assert post_visit(system, body).status_code == 201
    rule, path = "/authorities/<authority_id>/inbox", "/authorities/ubnd-xa-tam-hop/inbox"
    deadline = time.monotonic() + 20
    while len(described_get(system, rule, path, as_="officer",
                            limit=500).json()["cases"]) < 3:
        assert time.monotonic() < deadline, "the cases never reached the inbox"
        time.sleep(0.1)
    whole = described_get(system, rule, path, as_="officer", limit=500).json()["cases"]
    seen, cursor = [], None
    while True:
        page = described_get(system, rule, path, as_="officer", limit=1,
                             **({"cursor": cursor} if cursor else {})).json()
        seen += page["cases"]
        if (cursor := page["next_cursor"]) is None:
            break
    assert [c["case_id"] for c in seen] == [c["case_id"] for c in whole]
    # overdue first, then by deadline (none last); the newest first among equal deadlines
    keys = [(c["due_at"] is None, dt.datetime.fromisoformat(c["due_at"]) if c["due_at"] else 0)
            for c in whole]
    assert keys == sorted(keys)
