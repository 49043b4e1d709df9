"""(9) Fifty sign-ins at once: the accounts process's peak RSS while they are answered, what they
were answered, and how long an authenticated GET took meanwhile (issue 20, finding S3: 20 at
once took accounts from 63 to 704 MB and every authenticated request to 2.45 s, argon2 taking
64 MiB per hash with nothing bounding how many ran at once).

The demo cadre signs in with the right password from every client (loopback: one address, which
the throttle must not lock for right passwords). RSS is read from /proc every 10 ms by a thread
of the benchmark, from before the first request to after the last answer. Example::

    figures = sign_in_storm(system, headers, count=50)
    lines = markdown_lines(results)          # the report's section; [] when not measured
"""
import threading
import time
from collections import Counter

from tooling.bench.http_load import KeepAliveClient, closed_loop
from tooling.bench.machine import rss_megabytes
from tooling.bench.stats import percentile

SIGN_INS = 50
SAMPLE_SECONDS = 0.01


class PeakRss(threading.Thread):
    """The highest RSS of the processes ``pids`` seen until ``stop``."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = {pid: 0.0 for pid in pids}
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss_megabytes(pid) or 0.0)
            time.sleep(SAMPLE_SECONDS)

    def stop(self):
        self._stop_event.set()
        self.join(5)


def _authenticated_gets(host, port, headers, stop, latencies):
    """GET /me back to back until ``stop``: each (seconds, status)."""
    client = KeepAliveClient(host, port)
    try:
        while not stop.is_set():
            sent = time.monotonic()
            status, _ = client.send("GET", "/me", headers=headers)
            latencies.append((time.monotonic() - sent, status))
    finally:
        client.close()


def sign_in_storm(system, headers, username, password, count=SIGN_INS, seconds=60):
    """``count`` sign-ins at once (one client each) against the running ``system``."""
    pids = [process.pid for name, process in system.processes.items()
            if name.split("-")[0] == "accounts"]
    before = max(rss_megabytes(pid) or 0.0 for pid in pids)
    sampler = PeakRss(pids)
    sampler.start()
    stop, gets = threading.Event(), []
    getter = threading.Thread(target=_authenticated_gets, daemon=True,
                              args=("127.0.0.1", system.port, headers, stop, gets))
    getter.start()
    try:
        body = {"username": username, "password": password}
        load = closed_loop("127.0.0.1", system.port, lambda i: ("POST", "/sessions", body, None),
                           clients=count, count=count, seconds=seconds)
    finally:
        stop.set()
        getter.join(30)
        sampler.stop()
    answered = Counter(str(outcome.status) for outcome in load.outcomes)
    ok = [latency for latency, status in gets if status == 200]
    return {"sign_ins": count, "answered": dict(sorted(answered.items())),
            "seconds": load.seconds, "accounts_rss_before_mb": before,
            "accounts_rss_peak_mb": max(sampler.peak.values()),
            "authenticated_gets": len(gets), "authenticated_failed": len(gets) - len(ok),
            "authenticated_p50": percentile(ok, 50) if ok else None,
            "authenticated_max": max(ok) if ok else None}


def markdown_lines(results):
    storm = results.get("sign_in_storm")
    if not storm:
        return []
    answered = ", ".join(f"{count} × {status}" for status, count in storm["answered"].items())
    gets = ("none answered" if storm["authenticated_p50"] is None else
            f"p50 {storm['authenticated_p50'] * 1000:.0f} ms, "
            f"slowest {storm['authenticated_max'] * 1000:.0f} ms")
    return ["", f"## {storm['sign_ins']} sign-ins at once", "",
            "| accounts RSS before | accounts RSS peak | answers | took | "
            "authenticated GET /me meanwhile |", "|---|---|---|---|---|",
            f"| {storm['accounts_rss_before_mb']:.0f} MB | "
            f"{storm['accounts_rss_peak_mb']:.0f} MB | {answered} | {storm['seconds']:.1f} s | "
            f"{storm['authenticated_gets']} ({storm['authenticated_failed']} failed), {gets} |",
            "", "429: more sign-ins than HASH_CONCURRENCY + HASH_QUEUE_LIMIT were waiting for "
            "a hashing turn; they were told Retry-After instead of queued (docs/accounts.md)."]
