"""One concern at a time, end to end: POST /visits with one concern → ``escalations.case_routed``
received by a raw kombu consumer bound to ``sausat.events``. Prints p50/p99 over N sequential
requests, then (``--burst``) how fast a burst from several clients is accepted and routed.
Starts the whole system from this checkout on a vhost, port and data folder of its own (see
tests/integration/system.py) and removes them afterwards; the broker must be running.

    .venv/bin/python -m benchmarks.concern_roundtrip [--requests 200] [--poll-seconds 0.2]
                                                     [--burst 2000 --clients 16]
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import requests  # noqa: E402
import yaml  # noqa: E402
from kombu import Connection, Queue  # noqa: E402

from deploy.load_demo import DEMO_DATA, load_demo  # noqa: E402
from shared import contracts  # noqa: E402
from shared.messaging import ConfirmedPublisher, WindowedPublisher  # noqa: E402
from shared.topology import EVENTS_EXCHANGE  # noqa: E402
from tests.integration.system import RunningSystem  # noqa: E402

MANAGEMENT = "http://localhost:15672"
AUTH = ("guest", "guest")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def visit():
    return {
        "submission_id": contracts.new_id(), "cadre_id": "tran-thi-binh",
        "unit_id": "vinh-phuc.binh-xuyen.tam-hop.noi-phat",
        "meeting_date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 27, "expected": 31},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 3},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                      "summary": "Hệ thống thoát nước thải thôn Nội Phật chưa hoàn thành"}],
    }


def measure(system, count):
    routed = {}

    def on_message(body, message):
        payload = json.loads(body) if isinstance(body, (str, bytes)) else body
        routed[payload["payload"]["concern_id"]] = time.perf_counter()
        message.ack()

    queue = Queue(f"bench.{uuid.uuid4().hex[:8]}", exchange=EVENTS_EXCHANGE,
                  routing_key="escalations.case_routed", exclusive=True, auto_delete=True)
    post_ms, e2e_ms = [], []
    session = requests.Session()
    with Connection(system.env["AMQP_URI"]) as connection:
        with connection.Consumer(queue, callbacks=[on_message], accept=["json"]):
            for _ in range(count):
                started = time.perf_counter()
                response = session.post(f"{system.base_url}/visits", json=visit(), timeout=10)
                posted = time.perf_counter()
                assert response.status_code == 201, response.text
                concern_id = response.json()["concerns"][0]["concern_id"]
                deadline = time.monotonic() + 10
                while concern_id not in routed:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"concern {concern_id} not routed within 10 s")
                    try:
                        connection.drain_events(timeout=1)
                    except TimeoutError:
                        pass
                post_ms.append((posted - started) * 1000)
                e2e_ms.append((routed[concern_id] - started) * 1000)
    return post_ms, e2e_ms


def burst(system, count, clients):
    """``count`` visits from ``clients`` concurrent clients: (accepted/s, routed/s)."""
    routed = set()

    def on_message(body, message):
        routed.add(body["payload"]["concern_id"])
        message.ack()

    queue = Queue(f"bench.{uuid.uuid4().hex[:8]}", exchange=EVENTS_EXCHANGE,
                  routing_key="escalations.case_routed", exclusive=True, auto_delete=True)
    with Connection(system.env["AMQP_URI"]) as connection:
        with connection.Consumer(queue, callbacks=[on_message], accept=["json"]):
            finished = []

            def client(n):
                with requests.Session() as session:
                    for _ in range(n):
                        response = session.post(f"{system.base_url}/visits", json=visit(),
                                                timeout=30)
                        assert response.status_code == 201, response.text
                finished.append(time.perf_counter())

            started = time.perf_counter()
            pool = eventlet.GreenPool(clients)
            for share in [count // clients + (i < count % clients) for i in range(clients)]:
                pool.spawn(client, share)
            while len(routed) < count:  # drain while the clients post
                if time.perf_counter() - started > 600:
                    raise SystemExit(f"only {len(routed)} of {count} routed in 600 s")
                try:
                    connection.drain_events(timeout=0.2)
                except TimeoutError:
                    pass
            pool.waitall()
            done = time.perf_counter()
    return count / (max(finished) - started), count / (done - started)


def publisher_rates(amqp_uri, count=3000):
    """Events/s confirmed by the relay's WindowedPublisher and by one-at-a-time confirms, into
    a queue of the benchmark's own (so no service sees them)."""
    envelope = {"source": "bench", "event_type": "published", "payload": {},
                "occurred_at": "2026-11-27T00:00:00+00:00"}
    events = [{**envelope, "event_id": uuid.uuid4().hex} for _ in range(count)]
    with Connection(amqp_uri) as connection:
        queue = Queue(f"bench.{uuid.uuid4().hex[:8]}", exchange=EVENTS_EXCHANGE,
                      routing_key="bench.#", durable=False, auto_delete=False)
        queue(connection.default_channel).declare()
        try:
            windowed = WindowedPublisher(amqp_uri)
            started = time.perf_counter()
            outcome = windowed.publish_events(events)
            windowed_rate = count / (time.perf_counter() - started)
            windowed.close()
            assert len(outcome.confirmed) == count, outcome
            single = ConfirmedPublisher(amqp_uri)
            started = time.perf_counter()
            for event in events[:count // 3]:
                single.publish_event(event)
            single_rate = count // 3 / (time.perf_counter() - started)
        finally:
            queue(connection.default_channel).delete()
    return windowed_rate, single_rate


def cpu_seconds(system):
    """CPU seconds (user + system) each service process has used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for name, process in system.processes.items():
        with open(f"/proc/{process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        used[name] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def report(name, values):
    p50, p99 = percentile(values, .5), percentile(values, .99)
    print(f"{name:<34} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   min {min(values):6.1f}"
          f"   max {max(values):7.1f}   mean {statistics.mean(values):6.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--burst", type=int, default=0, help="visits in a concurrent burst")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--poll-seconds", default="0.2",
                        help="OUTBOX_POLL_SECONDS for the services (the deployed default: 0.2)")
    args = parser.parse_args()
    vhost = f"bench-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/api/vhosts/{vhost}", auth=AUTH, timeout=10).raise_for_status()
    requests.put(f"{MANAGEMENT}/api/permissions/{vhost}/guest", auth=AUTH, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    try:
        with tempfile.TemporaryDirectory(prefix="sausat-bench-") as workdir:
            system = RunningSystem(f"amqp://guest:guest@localhost:5672/{vhost}", workdir)
            system.env["OUTBOX_POLL_SECONDS"] = args.poll_seconds
            system.env["LOG_LEVEL"] = "WARNING"
            try:
                system.start_all()
                with open(DEMO_DATA, encoding="utf-8") as handle:
                    load_demo({"AMQP_URI": system.env["AMQP_URI"]}, yaml.safe_load(handle))
                measure(system, args.warmup)
                post_ms, e2e_ms = measure(system, args.requests)
                publishing = publisher_rates(system.env["AMQP_URI"])
                rates = None
                if args.burst:
                    cpu_before = cpu_seconds(system)
                    rates = burst(system, args.burst, args.clients)
                    cpu = {name: used - cpu_before[name]
                           for name, used in cpu_seconds(system).items()}
            finally:
                system.stop_all()
    finally:
        requests.delete(f"{MANAGEMENT}/api/vhosts/{vhost}", auth=AUTH, timeout=10)
    print(f"{args.requests} sequential concerns, OUTBOX_POLL_SECONDS={args.poll_seconds}")
    report("POST /visits answered", post_ms)
    report("POST → escalations.case_routed", e2e_ms)
    print(f"publishing confirmed events: {publishing[0]:.0f}/s with up to 100 awaiting "
          f"confirms (the relay), {publishing[1]:.0f}/s one at a time")
    if rates:
        print(f"burst of {args.burst} visits from {args.clients} clients: accepted "
              f"{rates[0]:.0f}/s, routed {rates[1]:.0f}/s (first POST to last case_routed)")
        print("CPU ms per visit in the burst: " + ", ".join(
            f"{name} {1000 * used / args.burst:.1f}" for name, used in cpu.items()))


if __name__ == "__main__":
    main()
