"""The gateway's web server alone (no other service: these answers need none) on short timeouts:
a client trickling its request is answered 408 and closed within the read timeout, an idle
connection is closed, connections over the cap are turned away at once, one body has one
framing, every answer carries the security headers, and JSON is indented only for people."""
import json
import socket
import time

import pytest
from nameko.constants import WEB_SERVER_CONFIG_KEY
from nameko.containers import ServiceContainer
from nameko.testing.utils import find_free_port

from services.gateway.service import GatewayService
from tests import identities

READ, IDLE, CAP = 2, 1, 3


@pytest.fixture(scope="module")
def gateway(request, vhost_pipeline, broker_identities, tmp_path_factory):
    """One gateway for the module (a vhost and a start cost two seconds a test): every test
    reads each connection it opens until the server closes it, or closes it itself."""
    amqp = request.config.getoption("RABBIT_AMQP_URI").rstrip("/")
    port = find_free_port()
    with vhost_pipeline.get() as vhost:
        broker_identities.grant(vhost)
        # the config fixture's (conftest.py), for a module
        config = {"AMQP_URI": f"{amqp}/{vhost}", **broker_identities.settings(),
                  identities.CONFIG_KEY: broker_identities, "max_workers": 4,
                  "STORE_URI": f"embedded:{tmp_path_factory.mktemp('gateway') / 'data'}",
                  "TOKEN_SECRET": identities.TOKEN_SECRET,
                  WEB_SERVER_CONFIG_KEY: f"127.0.0.1:{port}",
                  "GATEWAY_READ_TIMEOUT_SECONDS": READ, "GATEWAY_IDLE_TIMEOUT_SECONDS": IDLE,
                  "GATEWAY_MAX_CONNECTIONS": CAP}
        container = ServiceContainer(GatewayService, identities.service_config(config, "gateway"))
        container.start()
        try:
            yield ("127.0.0.1", port)
        finally:
            container.kill()


def answer(sock, within=10):
    """Everything the server sends until it closes: (status, headers, body)."""
    sock.settimeout(within)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def test_a_client_trickling_its_request_is_answered_408_and_closed_in_time(gateway):
    started = time.monotonic()
    with socket.create_connection(gateway) as sock:
        sock.settimeout(0.5)
        try:
            for byte in b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n":
                sock.sendall(bytes([byte]))  # one byte a second, as the slow client did
                time.sleep(1)
        except OSError:
            pass  # closed on us, as it should be
        status, headers, body = answer(sock)
    assert time.monotonic() - started < READ + 3
    assert status == 408 and json.loads(body)["error"] == "REQUEST_TIMEOUT"
    assert headers["x-content-type-options"] == "nosniff"


def test_a_trickled_body_is_answered_408(gateway):
    with socket.create_connection(gateway) as sock:
        sock.sendall(b"POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{")
        started = time.monotonic()
        status, _, body = answer(sock)
    assert time.monotonic() - started < READ + 3
    assert status == 408 and json.loads(body)["fields"]["_request"]


def test_an_idle_connection_is_closed(gateway):
    with socket.create_connection(gateway) as sock:
        started = time.monotonic()
        sock.settimeout(IDLE + 5)
        assert sock.recv(100) == b""  # closed by the server, nothing sent
    assert time.monotonic() - started < IDLE + 2


def test_connections_over_the_cap_are_turned_away_at_once(gateway):
    held = [socket.create_connection(gateway) for _ in range(CAP)]
    try:
        time.sleep(0.2)
        with socket.create_connection(gateway) as extra:
            status, headers, body = answer(extra, within=3)
        assert status == 503 and json.loads(body)["error"] == "UNAVAILABLE"
        assert headers["retry-after"] == "1"
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    with socket.create_connection(gateway) as sock:  # room again once they went
        sock.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert answer(sock)[0] == 200


@pytest.mark.parametrize("framing", [b"Content-Length: 2\r\nContent-Length: 20\r\n",
                                     b"Content-Length: 2\r\nContent-Length: 2\r\n",
                                     b"Transfer-Encoding: chunked\r\n" * 2])
def test_a_body_framed_twice_is_refused(gateway, framing):
    with socket.create_connection(gateway) as sock:
        sock.sendall(b"POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     + framing + b"\r\n{}")
        status, _, body = answer(sock)
    assert status == 400 and json.loads(body)["error"] == "BAD_REQUEST"


def get(gateway, path, extra=b""):
    with socket.create_connection(gateway) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".encode()
                     + extra + b"\r\n")
        return answer(sock)


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/nowhere", "/units?limit=0"])
def test_every_answer_carries_the_security_headers(gateway, path):
    _, headers, _ = get(gateway, path)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "strict-transport-security" not in headers  # plain http


def test_hsts_only_over_https(gateway):
    _, headers, _ = get(gateway, "/openapi.json", b"X-Forwarded-Proto: https\r\n")
    assert headers["strict-transport-security"].startswith("max-age=")


def test_the_docs_page_carries_the_pages_policy_and_runs_only_its_own_script(gateway):
    _, headers, body = get(gateway, "/docs")
    policy = headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
    assert b"<script>" in body  # the inline start, allowed by its hash alone


@pytest.mark.parametrize("path", ["/openapi.json", "/nowhere", "/units?limit=0"])
def test_json_is_compact_for_programs_and_indented_for_people(gateway, path):
    """A program's answer is written by the C encoder (no indent, issue 27); curl's and a
    browser tab's the same data indented (the README's examples), errors as answers."""
    program = get(gateway, path, b"User-Agent: python-requests/2.31\r\n")
    terminal = get(gateway, path, b"User-Agent: curl/7.88.1\r\n")
    tab = get(gateway, path, b"Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n")
    assert program[0] == terminal[0] == tab[0]
    assert b"\n  " not in program[2] and program[2].endswith(b"}\n")
    assert terminal[2].startswith(b'{\n  "') and tab[2] == terminal[2]
    assert json.loads(program[2]) == json.loads(terminal[2])
    assert int(terminal[1]["content-length"]) == len(terminal[2])
