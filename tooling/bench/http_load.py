"""HTTP load from keep-alive clients, bounded in count and in time, to loopback only.

Closed loop: ``clients`` threads, each with one keep-alive connection, send requests back to back
until ``count`` were sent or ``seconds`` passed. Open loop: requests are due at a fixed rate and
taken by a pool of threads; a request's latency counts from when it was due, so a server that
falls behind shows it (no coordinated omission). Requests still waiting for a client when the
phase's bound passes are not sent, and counted as ``unsent``. Example::

    result = closed_loop("127.0.0.1", 8080, lambda i: ("GET", "/health", None), seconds=5)
    result.rate, result.latency_percentile(99)
"""
import http.client
import ipaddress
import json
import queue
import socket
import threading
import time
from dataclasses import dataclass, field

from tooling.bench.stats import percentile

REQUEST_TIMEOUT = 60


def require_loopback(host):
    address = ipaddress.ip_address(socket.gethostbyname(host))
    if not address.is_loopback:
        raise ValueError(f"the benchmark sends load to loopback addresses only, not {host}")


@dataclass
class Outcome:
    index: int
    due: float          # when it was due (open loop) or sent (closed loop), time.monotonic()
    done: float
    status: int         # 0: no answer (connection error or timeout)
    body: object = None  # the JSON answer, when the caller asked to keep it

    @property
    def latency(self):
        return self.done - self.due


@dataclass
class LoadResult:
    outcomes: list = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    unsent: int = 0

    @property
    def ok(self):
        return [o for o in self.outcomes if 200 <= o.status < 300]

    @property
    def errors(self):
        return len(self.outcomes) - len(self.ok)

    @property
    def seconds(self):
        return self.finished - self.started

    @property
    def rate(self):
        """Successful answers per second over the whole phase, stragglers included."""
        return len(self.ok) / self.seconds if self.seconds > 0 else 0.0

    def latency_percentile(self, p):
        return percentile([o.latency for o in self.ok], p)


class KeepAliveClient:
    """One HTTP/1.1 connection, reopened after an error."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.connection = None

    def send(self, method, path, body=None, keep_body=False, headers=None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port,
                                                         timeout=REQUEST_TIMEOUT)
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, None
        if response.will_close:
            self.close()
        return response.status, (json.loads(raw) if keep_body and raw else None)

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def closed_loop(host, port, make_request, clients=16, count=None, seconds=None,
                keep_body=False):
    """``make_request(i) -> (method, path, body, headers)``; stops at ``count`` requests or after
    ``seconds`` (requests under way then are waited for, at most REQUEST_TIMEOUT)."""
    if count is None and seconds is None:
        raise ValueError("bound the load by count, seconds or both")
    require_loopback(host)
    lock = threading.Lock()
    issued = iter(range(count if count is not None else 10**12))
    result = LoadResult()

    def run():
        client = KeepAliveClient(host, port)
        try:
            while True:
                if seconds is not None and time.monotonic() >= result.started + seconds:
                    return
                with lock:
                    index = next(issued, None)
                if index is None:
                    return
                method, path, body, headers = make_request(index)
                sent = time.monotonic()
                status, answer = client.send(method, path, body, keep_body, headers)
                with lock:
                    result.outcomes.append(Outcome(index, sent, time.monotonic(), status, answer))
        finally:
            client.close()

    threads = [threading.Thread(target=run, daemon=True) for _ in range(clients)]
    result.started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.finished = time.monotonic()
    return result


def open_loop(host, port, make_request, rate, seconds, clients=16, keep_body=False,
              on_answer=None, late_seconds=None):
    """Requests due every 1/``rate`` s for ``seconds``, taken by ``clients`` threads; none is
    sent after ``seconds + late_seconds`` (default: ``seconds`` again).
    ``on_answer(outcome)`` is called as each answer arrives."""
    late_seconds = seconds if late_seconds is None else late_seconds
    require_loopback(host)
    due_times = queue.Queue()
    lock = threading.Lock()
    result = LoadResult()

    def run():
        client = KeepAliveClient(host, port)
        try:
            while True:
                item = due_times.get()
                if item is None:
                    return
                index, due = item
                if time.monotonic() > result.started + seconds + late_seconds:
                    with lock:
                        result.unsent += 1
                    continue
                method, path, body, headers = make_request(index)
                status, answer = client.send(method, path, body, keep_body, headers)
                outcome = Outcome(index, due, time.monotonic(), status, answer)
                with lock:
                    result.outcomes.append(outcome)
                if on_answer is not None:
                    on_answer(outcome)
        finally:
            client.close()

    threads = [threading.Thread(target=run, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    result.started = time.monotonic()
    total = int(rate * seconds)
    for index in range(total):
        due = result.started + index / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        due_times.put((index, due))
    for _ in threads:
        due_times.put(None)
    for thread in threads:
        thread.join()
    result.finished = time.monotonic()
    return result
