"""What the per-request token check costs: GET /authorities/<id>/inbox as a signed-in officer,
against the real services on the running RabbitMQ, in a vhost and data folder of its own.

    .venv/bin/python -m benchmarks.inbox_with_tokens [--requests 2000] [--concurrency 8]

Prints requests per second and latency percentiles for GET /me (signature and expiry checked
locally, then one RPC to the accounts service for revocation: the whole cost of signing in per
request) and for the inbox (that, plus the escalations RPC). Numbers only; nothing is asserted.
"""
import argparse
import statistics
import tempfile
import threading
import time
import uuid

import requests
import yaml
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.load_demo import DEMO_DATA, load_demo
from shared import tokens
from shared.config import DEVELOPMENT_TOKEN_SECRET
from tests.integration.system import RunningSystem

MANAGEMENT = "http://guest:guest@localhost:15672"


def run(url, headers, total, concurrency):
    latencies, failures, lock = [], [], threading.Lock()
    per_worker = total // concurrency

    def worker():
        session = requests.Session()
        for _ in range(per_worker):
            started = time.perf_counter()
            response = session.get(url, headers=headers, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                (latencies if response.status_code == 200 else failures).append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    quantile = statistics.quantiles(latencies, n=100)
    return (f"{len(latencies) / wall:7.1f} req/s   p50 {quantile[49] * 1000:6.1f} ms   "
            f"p95 {quantile[94] * 1000:6.1f} ms   p99 {quantile[98] * 1000:6.1f} ms   "
            f"failed {len(failures)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    vhost = f"bench-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/api/vhosts/{vhost}", timeout=30).raise_for_status()
    requests.put(f"{MANAGEMENT}/api/permissions/{vhost}/guest", timeout=30,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    system = RunningSystem(f"amqp://guest:guest@localhost:5672/{vhost}", tempfile.mkdtemp())
    system.env["LOG_LEVEL"] = "WARNING"
    try:
        system.start_all()
        demo = yaml.safe_load(DEMO_DATA.read_text(encoding="utf-8"))
        load_demo({"AMQP_URI": system.env["AMQP_URI"]}, demo)
        password = {u["username"]: u["password"] for u in demo["users"]}["tamhop-officer"]
        headers = system.sign_in("tamhop-officer", password)
        inbox = f"{system.base_url}/authorities/ubnd-xa-tam-hop/inbox"
        run(inbox, headers, 200, args.concurrency)  # warm up
        print(f"{args.requests} requests, {args.concurrency} concurrent clients")
        for label, url in (("GET /me (token check only)", system.base_url + "/me"),
                           ("GET /authorities/<id>/inbox", inbox)):
            print(f"{label:<30} {run(url, headers, args.requests, args.concurrency)}")
        claims = tokens.verify(DEVELOPMENT_TOKEN_SECRET, headers["Authorization"].split()[1])
        with ClusterRpcProxy({"AMQP_URI": system.env["AMQP_URI"]}, timeout=30) as cluster:
            calls = 500
            started = time.perf_counter()
            for _ in range(calls):
                cluster.accounts.principal_for(claims["sub"], claims["ver"])
            mean = (time.perf_counter() - started) / calls * 1000
        print(f"{'revocation RPC alone':<30} {mean:6.2f} ms per call, one client, {calls} calls")
    finally:
        system.stop_all()
        requests.delete(f"{MANAGEMENT}/api/vhosts/{vhost}", timeout=30)


if __name__ == "__main__":
    main()
