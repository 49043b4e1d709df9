"""Benchmark of the embedded store (no assertions: it prints figures).

The inbox query ``find({"authority_id": a, "status": s}).sort("routed_at", -1).limit(20)`` with
its compound index, at 10k, 100k and 1M cases bulk-loaded with ``insert_many``; beside it, in the
same run, the same query on plain SQLite (a JSON text column and an expression index), the
baseline the embedded store cannot beat. Also the bulk insert rate and the process's RSS.

Then, each in a store of its own against plain SQLite in the same run (issue 21):

- the inbox page narrowed to a unit, ``find({"authority_id": a, "unit_path": u})`` by
  ``routed_at`` descending, 20 cases, from a multikey index on the array ``unit_path``, at
  ``--unit-cases`` cases; plain SQLite keeps the (case, unit) pairs in a table of their own;
- the exact counts per state of one authority holding ``--count-cases`` cases,
  ``count_documents({"authority_id": a, "status": s})``, against ``SELECT count(*)`` on plain
  SQLite columns with their index.

    .venv/bin/python tooling/bench/store_bench.py [--sizes 10000,100000,1000000] [--folder DIR]
        [--unit-cases 100000] [--count-cases 200000]
"""
import argparse
import datetime as dt
import json
import pathlib
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from docstore import DocStoreClient  # noqa: E402
from docstore.client import CACHE_KIB  # noqa: E402

AUTHORITIES = [f"ubnd-{i:03d}" for i in range(200)]
# 5 districts of 10 communes of 4 branches: a case's unit_path is one branch's path
BRANCHES = [["vp", f"vp.d{d}", f"vp.d{d}.c{c}", f"vp.d{d}.c{c}.b{b}"]
            for d in range(5) for c in range(10) for b in range(4)]
STATUSES = ["routed", "acknowledged", "in_progress", "answered", "closed_resolved"]
START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
BATCH = 10_000
QUERIES = 300


def case(i, rng):
    routed_at = START + dt.timedelta(seconds=rng.randrange(0, 3 * 365 * 86400))
    return {
        "_id": f"case-{i:08d}", "concern_id": f"concern-{i:08d}",
        "authority_id": rng.choice(AUTHORITIES), "status": rng.choice(STATUSES),
        "routed_at": routed_at, "acknowledge_by": (routed_at + dt.timedelta(days=5)).isoformat(),
        "unit_id": "vp.bx.th.np", "unit_path": rng.choice(BRANCHES),
        "topic": "infrastructure", "summary": "Hệ thống thoát nước thải thôn chưa hoàn thành",
        "raised_by": "resident", "outbox": [],
    }


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn, repeat=QUERIES):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


class Baseline:
    """Plain SQLite: the same documents as JSON text, one expression index."""

    def __init__(self, path):
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")  # as the store has
        self.conn.execute("CREATE TABLE cases (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
        self.conn.execute("CREATE INDEX inbox ON cases (json_extract(doc, '$.authority_id'), "
                          "json_extract(doc, '$.status'), json_extract(doc, '$.routed_at') DESC)")

    def insert(self, docs):
        rows = [(doc["_id"], json.dumps({**doc, "routed_at": doc["routed_at"].isoformat()},
                                        ensure_ascii=False)) for doc in docs]
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT INTO cases VALUES (?, ?)", rows)
        self.conn.execute("COMMIT")

    def inbox(self, authority, status):
        rows = self.conn.execute(
            "SELECT doc FROM cases WHERE json_extract(doc, '$.authority_id') = ? AND "
            "json_extract(doc, '$.status') = ? ORDER BY json_extract(doc, '$.routed_at') DESC "
            "LIMIT 20", (authority, status)).fetchall()
        return [json.loads(row[0]) for row in rows]


def load(collection, count, make, rng):
    """Bulk-loads ``count`` cases; answers the documents per second."""
    start = time.perf_counter()
    for first in range(0, count, BATCH):
        collection(list(make(i, rng) for i in range(first, min(count, first + BATCH))))
    return count / (time.perf_counter() - start)


def inbox_by_unit(folder, count, rng):
    """The inbox page narrowed to a unit: the store's multikey index against plain SQLite's
    table of (case, unit) pairs, on the same cases."""
    db = DocStoreClient(folder / "by-unit")["escalations"]
    db.cases.create_index([("authority_id", 1), ("unit_path", 1), ("routed_at", -1),
                           ("_id", 1)])
    plain = sqlite3.connect(str(folder / "by-unit-plain.sqlite3"), isolation_level=None)
    plain.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    plain.execute("CREATE TABLE cases (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
    plain.execute("CREATE TABLE case_units (authority_id TEXT, unit_id TEXT, routed_at TEXT, "
                  "case_id TEXT)")
    plain.execute("CREATE INDEX by_unit ON case_units (authority_id, unit_id, routed_at DESC, "
                  "case_id)")

    def both(docs):
        db.cases.insert_many(docs)
        plain.execute("BEGIN")
        plain.executemany("INSERT INTO cases VALUES (?, ?)", [
            (doc["_id"], json.dumps({**doc, "routed_at": doc["routed_at"].isoformat()},
                                    ensure_ascii=False)) for doc in docs])
        plain.executemany("INSERT INTO case_units VALUES (?, ?, ?, ?)", [
            (doc["authority_id"], unit, doc["routed_at"].isoformat(), doc["_id"])
            for doc in docs for unit in doc["unit_path"]])
        plain.execute("COMMIT")

    rate = load(both, count, case, rng)
    picks = [(rng.choice(AUTHORITIES), rng.choice(rng.choice(BRANCHES)))
             for _ in range(QUERIES)]
    turn = iter(picks * 2)
    store = timed(lambda: list(db.cases.find(
        dict(zip(("authority_id", "unit_path"), next(turn))), {"outbox": 0})
        .sort([("routed_at", -1), ("_id", 1)]).limit(20)))
    turn = iter(picks * 2)
    base = timed(lambda: [json.loads(row[0]) for row in plain.execute(
        "SELECT c.doc FROM case_units u JOIN cases c ON c.id = u.case_id WHERE "
        "u.authority_id = ? AND u.unit_id = ? ORDER BY u.routed_at DESC, u.case_id LIMIT 20",
        next(turn)).fetchall()])
    plan = db.cases.explain({"authority_id": "ubnd-001", "unit_path": "vp.d1"},
                            sort=[("routed_at", -1), ("_id", 1)], limit=20)
    return rate, store, base, plan


def exact_counts(folder, count, rng):
    """Counts per state of one authority holding ``count`` cases: the store's
    ``count_documents`` against plain SQLite's COUNT on columns."""
    db = DocStoreClient(folder / "counts")["escalations"]
    db.cases.create_index([("authority_id", 1), ("status", 1)])
    plain = sqlite3.connect(str(folder / "counts-plain.sqlite3"), isolation_level=None)
    plain.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    plain.execute("CREATE TABLE cases (id TEXT PRIMARY KEY, authority_id TEXT, status TEXT, "
                  "doc TEXT)")
    plain.execute("CREATE INDEX by_state ON cases (authority_id, status)")

    def one_authority(i, rng):
        return {**case(i, rng), "authority_id": "ubnd-big"}

    def both(docs):
        db.cases.insert_many(docs)
        plain.execute("BEGIN")
        plain.executemany("INSERT INTO cases VALUES (?, ?, ?, ?)", [
            (doc["_id"], doc["authority_id"], doc["status"], doc["summary"]) for doc in docs])
        plain.execute("COMMIT")

    load(both, count, one_authority, rng)
    turn = iter(STATUSES * QUERIES)
    store_counts = {s: db.cases.count_documents({"authority_id": "ubnd-big", "status": s})
                    for s in STATUSES}
    plain_counts = {s: plain.execute("SELECT count(*) FROM cases WHERE authority_id = ? AND "
                                     "status = ?", ("ubnd-big", s)).fetchone()[0]
                    for s in STATUSES}
    assert store_counts == plain_counts, (store_counts, plain_counts)
    store = timed(lambda: db.cases.count_documents(
        {"authority_id": "ubnd-big", "status": next(turn)}), repeat=50)
    turn = iter(STATUSES * QUERIES)
    base = timed(lambda: plain.execute(
        "SELECT count(*) FROM cases WHERE authority_id = ? AND status = ?",
        ("ubnd-big", next(turn))).fetchone(), repeat=50)
    return store_counts, store, base


def issue_21(folder, args, rng):
    if args.unit_cases:
        rate, store, base, plan = inbox_by_unit(folder, args.unit_cases, rng)
        print(f"\ninbox page by unit (multikey unit_path) at {args.unit_cases:,} cases, "
              f"loaded at {rate:,.0f} cases/s (store and plain together):")
        print(f"  store p50 / p99 {store[0]:.3f} / {store[1]:.3f} ms; plain SQLite "
              f"{base[0]:.3f} / {base[1]:.3f} ms; ratio of p50s {store[0] / base[0]:.2f}x")
        print(f"  plan: {plan}")
    if args.count_cases:
        counts, store, base = exact_counts(folder, args.count_cases, rng)
        print(f"\nexact count per state, one authority holding {args.count_cases:,} cases "
              f"({counts}):")
        print(f"  store p50 / p99 {store[0]:.3f} / {store[1]:.3f} ms; plain SQLite COUNT "
              f"{base[0]:.3f} / {base[1]:.3f} ms; ratio of p50s {store[0] / base[0]:.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--folder", default=None, help="where to put the files (default: tmp)")
    parser.add_argument("--unit-cases", type=int, default=100_000, help="0: not measured")
    parser.add_argument("--count-cases", type=int, default=200_000, help="0: not measured")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size and size != "0"]
    folder = pathlib.Path(args.folder or tempfile.mkdtemp(prefix="store-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    print(f"embedded store benchmark — SQLite {sqlite3.sqlite_version}, Python "
          f"{sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"RSS at start: {rss_mb():.0f} MB")
    try:
        db = DocStoreClient(folder / "store")["escalations"]
        db.cases.create_index([("authority_id", 1), ("status", 1), ("routed_at", -1)])
        baseline = Baseline(str(folder / "baseline.sqlite3"))
        loaded, insert_seconds, baseline_seconds = 0, 0.0, 0.0
        print(f"\n{'cases':>9} | {'store inbox p50 / p99 ms':>24} | {'baseline p50 / p99 ms':>22}"
              f" | {'store inserts/s':>15} | {'baseline inserts/s':>18} | {'RSS MB':>6}")
        for size in sizes:
            while loaded < size:
                batch = [case(i, rng) for i in range(loaded, min(size, loaded + BATCH))]
                start = time.perf_counter()
                db.cases.insert_many(batch)
                insert_seconds += time.perf_counter() - start
                start = time.perf_counter()
                baseline.insert(batch)
                baseline_seconds += time.perf_counter() - start
                loaded += len(batch)
            picks = [(rng.choice(AUTHORITIES), rng.choice(STATUSES)) for _ in range(QUERIES)]
            turn = iter(picks * 2)

            def store_inbox():
                authority, status = next(turn)
                return list(db.cases.find({"authority_id": authority, "status": status},
                                          {"outbox": 0}).sort("routed_at", -1).limit(20))

            store = timed(store_inbox)
            turn = iter(picks * 2)
            base = timed(lambda: baseline.inbox(*next(turn)))
            print(f"{size:>9} | {store[0]:>11.3f} / {store[1]:>8.3f} | {base[0]:>10.3f} / "
                  f"{base[1]:>7.3f} | {loaded / insert_seconds:>15,.0f} | "
                  f"{loaded / baseline_seconds:>18,.0f} | {rss_mb():>6.0f}")
        plan = db.cases.explain({"authority_id": "ubnd-001", "status": "routed"},
                                sort=[("routed_at", -1)], limit=20)
        print(f"\nplan of the inbox query: {plan}")
        size_mb = sum(p.stat().st_size for p in (folder / "store").iterdir()) / 2 ** 20
        max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"store files: {size_mb:.0f} MB; max RSS {max_rss:.0f} MB")
        issue_21(folder, args, rng)
    finally:
        if not args.folder:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
