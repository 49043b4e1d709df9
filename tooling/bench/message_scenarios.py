"""The requests whose broker traffic is counted (tooling/bench/messages.py): one visit with one
concern, one action on a case, one authenticated GET. The message budget test
(tests/integration/test_message_budget.py) and the benchmark's report count the same three.

Each scenario does its set-up first, uncounted (a visit whose case is routed), and returns the
one request to count, sent under the correlation id it is given. Example::

    caller = Caller(system.base_url, {"cadre": {...}, "officer": {...}})   # Authorization headers
    act = SCENARIOS["case_action"](caller)     # a case routed to the officer, ready
    act("budget-case-action-1a2b")             # POST /cases/<id>/acknowledge under that id
"""
import time

import requests

from shared import correlation
from tooling.bench import workload
from tooling.bench.messages import Firehose, measure


class Caller:
    """HTTP requests to the gateway as the demo cadre or officer, under a correlation id."""

    def __init__(self, base_url, headers, timeout=30):
        self.base_url = base_url
        self.headers = headers  # role ("cadre", "officer") → Authorization headers
        self.timeout = timeout

    def send(self, method, path, role, correlation_id=None, body=None, expect=(200, 201)):
        headers = dict(self.headers[role])
        if correlation_id:
            headers[correlation.HEADER] = correlation_id
        response = requests.request(method, f"{self.base_url}{path}", json=body,
                                    headers=headers, timeout=self.timeout)
        if response.status_code not in expect:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
        if correlation_id and response.headers.get(correlation.HEADER) != correlation_id:
            raise AssertionError(f"{method} {path} did not run under {correlation_id}")
        return response.json()

    def log_visit(self, correlation_id=None):
        """One visit with one concern at Nội Phật (routed to UBND xã Tam Hợp); its concern id."""
        answer = self.send("POST", "/visits", "cadre", correlation_id,
                           body=workload.visit(time.monotonic_ns()), expect=(201,))
        return answer["concerns"][0]["concern_id"]

    def routed_concern(self, timeout=30):
        """A fresh concern whose case is routed: {concern_id, case_id}, uncounted."""
        concern_id = self.log_visit()
        deadline = time.monotonic() + timeout
        while True:
            concern = self.send("GET", f"/concerns/{concern_id}", "cadre")
            if concern.get("status") == "routed" and concern.get("case"):
                return {"concern_id": concern_id, "case_id": concern["case"]["case_id"]}
            if time.monotonic() > deadline:
                raise AssertionError(f"concern {concern_id} not routed in {timeout} s: {concern}")
            time.sleep(0.1)


def visit_with_one_concern(caller):
    return lambda correlation_id: caller.log_visit(correlation_id)


def case_action(caller):
    case_id = caller.routed_concern()["case_id"]
    return lambda correlation_id: caller.send(
        "POST", f"/cases/{case_id}/acknowledge", "officer", correlation_id, body={})


def authenticated_get(caller):
    concern_id = caller.routed_concern()["concern_id"]
    return lambda correlation_id: caller.send(
        "GET", f"/concerns/{concern_id}", "cadre", correlation_id)


SCENARIOS = {
    "visit_with_one_concern": visit_with_one_concern,  # POST /visits, the concern routed
    "case_action": case_action,                        # POST /cases/<id>/acknowledge
    "authenticated_get": authenticated_get,            # GET /concerns/<id>
}


def count_each(management_uri, amqp_uri, caller, settle=None, quiet_seconds=3.0):
    """Every scenario once on the firehose: {scenario: {service: {publishes, ...}}}."""
    with Firehose(management_uri, amqp_uri) as firehose:
        return {name: measure(firehose, scenario(caller), name, settle, quiet_seconds).counts
                for name, scenario in SCENARIOS.items()}
