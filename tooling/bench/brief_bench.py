"""Benchmark of the branch brief on the embedded store (no assertions: it prints figures).

The brief (``services.visits.queries.branch_brief``, called directly as a trusted internal
caller, with the visits service's own indexes) of random branches, at a number of
branches each holding ``--concerns`` concern views (about a fifth of them open, some answered
and waiting to be read out, some overdue) and ``--visits`` visits.

    .venv/bin/python tooling/bench/brief_bench.py [--branches 1000,10000] [--concerns 40]
                                                  [--visits 12]
"""
import argparse
import datetime as dt
import pathlib
import random
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from docstore import DocStoreClient  # noqa: E402
from services.visits import branch, queries  # noqa: E402
from services.visits.store import INDEXES  # noqa: E402
from shared.clock import Clock  # noqa: E402
from shared.contracts.rpc.visits import Brief, BriefQuery  # noqa: E402
from shared.errors import load_payload  # noqa: E402

UTC = dt.timezone.utc
TODAY = dt.date(2026, 11, 27)
QUERIES = 300
BATCH = 10_000
STATES = ["routed", "acknowledged", "in_progress", "answered", "closed_resolved",
          "closed_resolved", "closed_resolved", "closed_unresolved", "withdrawn", "reopened"]


def fill(db, branches, concerns, visits, rng):
    db.units.insert_many([{"_id": f"b{b:06d}", "name": f"Chi bộ {b}", "level": "branch",
                           "parent_id": "x", "path": ["x", f"b{b:06d}"]}
                          for b in range(branches)])
    views, lines = [], []
    for b in range(branches):
        unit = f"b{b:06d}"
        for c in range(concerns):
            state = rng.choice(STATES)
            raised = TODAY - dt.timedelta(days=rng.randrange(0, 720))
            answered = state == "answered"
            views.append({
                "_id": f"{unit}-c{c:04d}", "unit_id": unit, "visit_id": f"{unit}-v0",
                "topic": "infrastructure", "summary": "Đường thôn xuống cấp",
                "raised_on": raised.isoformat(), "case_id": f"{unit}-k{c:04d}",
                "status": state, "open": state not in branch.OVER,
                "authority_id": "ubnd-xa", "due_on": (raised + dt.timedelta(days=15)).isoformat(),
                "answer": "Đã sửa" if answered else None,
                "answered_at": dt.datetime(2026, 11, 1, tzinfo=UTC) if answered else branch.EPOCH,
                "to_read_out": answered and rng.random() < 0.5,
                "last_at": dt.datetime(2026, 11, 1, tzinfo=UTC)})
        for v in range(visits):
            lines.append({
                "_id": f"{unit}-v{v}", "unit_id": unit, "cadre_id": "tran-thi-binh",
                "meeting_date": (TODAY - dt.timedelta(days=30 * v)).isoformat(),
                "meeting_kind": "regular", "attendance": {"present": 20, "expected": 25},
                "assessment": {"leadership": 4, "education": 3, "combativeness": 3},
                "concerns": [], "unscheduled_flag": False, "version": 1,
                "submission_id": f"{unit}-s{v}"})  # the visits' unique index needs one
        if len(views) >= BATCH:
            db.concern_cases.insert_many(views)
            views = []
        if len(lines) >= BATCH:
            db.visits.insert_many(lines)
            lines = []
    if views:
        db.concern_cases.insert_many(views)
    if lines:
        db.visits.insert_many(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", default="1000,10000")
    parser.add_argument("--concerns", type=int, default=40)
    parser.add_argument("--visits", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(20261127)
    print(f"{'branches':>9} | {'concern views':>13} | {'visits':>8} | "
          f"{'brief p50 / p99 ms':>19} | load s")
    for branches in [int(n) for n in args.branches.split(",")]:
        folder = pathlib.Path(tempfile.mkdtemp(prefix="brief-bench-"))
        try:
            db = DocStoreClient(folder)["visits"]
            for collection, indexes in INDEXES.items():
                for keys, options in indexes:
                    db[collection].create_index(keys, **options)
            started = time.perf_counter()
            fill(db, branches, args.concerns, args.visits, rng)
            load = time.perf_counter() - started
            clock = Clock()
            samples = []
            for _ in range(QUERIES):
                unit = f"b{rng.randrange(branches):06d}"
                start = time.perf_counter()
                # what the entrypoint does: load the query, read, dump the brief
                query = load_payload(BriefQuery(), {"limit": 20}, "query")
                Brief().dump(queries.branch_brief(db, unit, query, None, clock.today()))
                samples.append((time.perf_counter() - start) * 1000)
            samples.sort()
            p50, p99 = statistics.median(samples), samples[int(len(samples) * 0.99) - 1]
            print(f"{branches:>9} | {branches * args.concerns:>13,} | "
                  f"{branches * args.visits:>8,} | {p50:>8.2f} / {p99:>8.2f} | {load:6.1f}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
