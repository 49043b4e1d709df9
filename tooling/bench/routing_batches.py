"""Same-run before/after of routing concerns in batches (issue 27): the escalations service's
``route_concern`` on the embedded store, as the subscriber ran it one delivery at a time
(``alone``: the handled check, the handler's own writes, the handled record and the retry
settled, each a commit) against ``Batches.apply`` (``batched``: one check, every handler's
writes and the handled records in one transaction). The same code, the same database, the two
ways alternating, 1,000 concerns routed before timing; CPU seconds of the process per concern
(no assertions: it prints figures).

    .venv/bin/python -m tooling.bench.routing_batches [--pairs 5] [--concerns 200] [--size 5]
"""
import argparse
import datetime as dt
import statistics
import tempfile
import time
from types import SimpleNamespace

from services.escalations import reactions
from services.escalations import store as case_store
from services.escalations.policy import CasePolicy
from shared import contracts, retries
from shared.contracts.envelope import parse_event
from shared.outbox import OutboxDatabase
from shared.storage import connect
from shared.store import Store

QUEUE = "escalations.concern_raised"
PATH = ["vp", "vp.bx", "vp.bx.th", "vp.bx.th.np"]
RULES = SimpleNamespace(
    policy=CasePolicy.from_dict({"deadlines": [{"topic": "*", "urgency": "*",
                                                "acknowledge": 3, "answer": 15}]}),
    clock=SimpleNamespace(now=lambda: dt.datetime.now(dt.timezone.utc)))


def _concern(n):
    return parse_event(contracts.CONCERN_RAISED.new({
        "concern_id": contracts.new_id(), "visit_id": contracts.new_id(), "unit_id": PATH[-1],
        "unit_path": PATH, "topic": "infrastructure", "raised_by": "resident",
        "summary": f"Đường liên thôn xuống cấp, mùa mưa ngập sâu ({n})",
        "raised_on": dt.date(2026, 12, 5)}, actor="u-binh"))


def _store(folder):
    _, raw = connect(f"embedded:{folder}", "escalations")
    store = Store(outbox_collections=case_store.OUTBOX_COLLECTIONS, indexes=case_store.INDEXES)
    store.db = raw
    store.create_indexes()
    retries.ensure_index(raw)
    raw.processed_events.create_index("handled_at", expireAfterSeconds=86400)
    for name in case_store.OUTBOX_COLLECTIONS:
        raw[name].create_index("outbox_pending", sparse=True)
    raw.authorities.insert_one({"_id": "ubnd-th", "name": "UBND xã Tam Hợp"})
    raw.routing_rules.insert_one({"_id": "r1", "topic": "*", "unit_id": "vp.bx",
                                  "authority_id": "ubnd-th", "urgency": None})
    return store, OutboxDatabase(raw, case_store.OUTBOX_COLLECTIONS, lambda: None)


def alone(store, db, events, size):
    for event in events:  # shared.consumer: run_alone, then handle_event_result
        if not store.already_handled(QUEUE, event.event_id):
            reactions.route_concern(db, RULES, event)
            store.mark_handled(QUEUE, event.event_id)
            store.retry_settled(QUEUE, event.event_id)


def batched(store, db, events, size):
    for first in range(0, len(events), size):  # shared.batches: Batches.apply
        part = events[first:first + size]
        ids = [event.event_id for event in part]
        store.handled_among(QUEUE, ids)
        with store.batch():
            for event in part:
                reactions.route_concern(db, RULES, event)
            store.mark_all_handled(QUEUE, ids, also_settled=ids)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--concerns", type=int, default=200)
    parser.add_argument("--size", type=int, default=5, help="concerns per batch")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        store, db = _store(folder)
        alone(store, db, [_concern(n) for n in range(1000)], 1)  # a store not empty
        ways, runs = {"alone": alone, "batched": batched}, {"alone": [], "batched": []}
        for pair in range(args.pairs):
            for way in (list(ways) if pair % 2 == 0 else list(ways)[::-1]):
                events = [_concern(n) for n in range(args.concerns)]
                started = time.process_time()
                ways[way](store, db, events, args.size)
                runs[way].append((time.process_time() - started) / args.concerns)
            print(f"pair {pair + 1}: batched/alone "
                  f"{runs['batched'][-1] / runs['alone'][-1]:.2f}×", flush=True)
    before, after = (statistics.median(runs[way]) for way in ("alone", "batched"))
    print(f"CPU per concern routed, median of {args.pairs} pairs: alone {before * 1e6:.0f} µs,"
          f" batched by {args.size} {after * 1e6:.0f} µs ({after / before:.2f}×)")


if __name__ == "__main__":
    main()
