"""Bad input at the HTTP edge, as a client can really send it: each refusal has its status, the
one JSON error shape naming what is wrong, and stores nothing. Requests that ``requests`` cannot
send (bad request lines, chunked bodies, huge heads) go over a raw socket. Every request is sent
signed in (the demo cadre, who is assigned to Nội Phật; officers, the operator for their
routes): the edge's refusals come before the token check, the visits need the cadre's token.
The bad requests themselves, and how each is sent, are in edge_cases.py."""
import datetime as dt
import json
import time

import pytest
import requests

from tests.integration.edge_cases import (
    CASES,
    MB,
    concern,
    encoded,
    post,
    raw_post_chunked,
    send,
    visit,
)
from tests.integration.fixtures import assert_described, audit_events

pytestmark = pytest.mark.integration


def visits_logged(system):
    """Every visit_logged event in the audit trail, read from the monitor's store (over RPC
    no caller is given payloads: an operator sees metadata only)."""
    return audit_events(system, "visits.visit_logged")


def post_visit(system, body):
    return requests.post(f"{system.base_url}/visits", json=body, headers=system.headers["cadre"],
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
        session.headers.update(system.headers["cadre"])
        refused = session.get(f"{system.base_url}/units?limit=0", timeout=10)
        listed = session.get(f"{system.base_url}/units?limit=2", timeout=10)
    assert refused.status_code == 400
    assert listed.status_code == 200 and len(listed.json()["units"]) == 2


# --- real answers, held to the served description ----------------------------------------------

def described_get(system, rule, path=None, as_="cadre", **params):
    response = requests.get(system.base_url + (path or rule), params=params,
                            headers=system.headers[as_], timeout=10)
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
