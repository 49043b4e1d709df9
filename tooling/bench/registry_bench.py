"""How the registry's store work scales with the tree: a province of N districts × M communes ×
K branches on the embedded store, then as_of reads, search, and the 2025 reorganisation
(districts removed: every commune and branch moves). Prints numbers; asserts nothing.

    .venv/bin/python tooling/bench/registry_bench.py [--districts 10 --communes 50 --branches 10]
"""
import argparse
import datetime as dt
import pathlib
import statistics
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from services.assignments import history, tree  # noqa: E402
from services.assignments.service import AssignmentsService  # noqa: E402
from shared import folding  # noqa: E402
from shared.storage import connect  # noqa: E402

COMMUNE_NAMES = ["Tam Hợp", "Hương Canh", "Quất Lưu", "Sơn Lôi", "Đạo Đức", "Phú Xuân"]
VILLAGES = ["Nội Phật", "Yên Lan", "Đồng Mong", "Can Bi", "Ngọc Bảo", "Tân Phong"]


def unit(unit_id, name, level, parent_id=None):
    return {"unit_id": unit_id, "name": name, "level": level, "kind": None,
            "parent_id": parent_id, "established_on": None, "locality": None,
            "meeting_schedule": None, "contacts": []}


def ms(seconds):
    return f"{seconds * 1000:.2f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--communes", type=int, default=50)
    parser.add_argument("--branches", type=int, default=10)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="registry-bench-")
    _, db = connect(f"embedded:{folder}", "assignments")
    for collection, specs in AssignmentsService.db.indexes.items():
        for keys, options in specs:
            db[collection].create_index(keys, **options)

    started = time.perf_counter()
    count = 0
    tree.register(db, unit("p", "Đảng bộ tỉnh Vĩnh Phúc", "province"), None, {"n": 0})
    for d in range(args.districts):
        district = f"p.d{d}"
        tree.register(db, unit(district, f"Huyện ủy {d}", "district", "p"), None, {"n": 1})
        for c in range(args.communes):
            commune = f"{district}.c{c}"
            tree.register(db, unit(commune, f"Đảng bộ xã {COMMUNE_NAMES[c % 6]} {c}",
                                   "grassroots", district), None, {"n": 2})
            for b in range(args.branches):
                tree.register(db, unit(f"{commune}.b{b}", f"Chi bộ thôn {VILLAGES[b % 6]} {b}",
                                       "branch", commune), None, {"n": 3})
                count += 1
    count += 1 + args.districts * (1 + args.communes)
    elapsed = time.perf_counter() - started
    print(f"units registered: {count:,} in {elapsed:.1f} s ({count / elapsed:,.0f}/s)")

    day = "2025-06-30"
    samples = []
    for i in range(200):
        t = time.perf_counter()
        tree.unit_on(db, f"p.d{i % args.districts}.c{i % args.communes}.b{i % args.branches}",
                     dt.date(2025, 6, 30))
        samples.append(time.perf_counter() - t)
    print(f"unit as_of: p50 {ms(statistics.median(samples))}")

    samples = []
    for query in ["noi phat", "tam hop 1", "chi bo thon yen", "dao duc"] * 25:
        t = time.perf_counter()
        list(db.units.find(folding.search_criteria(query)).sort("_id", 1).limit(20))
        samples.append(time.perf_counter() - t)
    print(f"search (20 results): p50 {ms(statistics.median(samples))}, "
          f"max {ms(max(samples))}")

    t = time.perf_counter()
    operation = {"operation_id": "no-districts", "kind": "merge",
                 "effective_on": dt.date(2025, 7, 1),
                 "unit_ids": [f"p.d{d}" for d in range(args.districts)],
                 "into": {"unit_id": "p"}, "assignments": "end"}
    plan = tree.plan_operation(db, operation)
    planned = time.perf_counter() - t
    tree.apply_plan(db, "no-districts", plan, operation["effective_on"], None, None)
    applied = time.perf_counter() - t - planned
    print(f"districts removed: {len(plan['units']):,} units changed; plan {planned:.2f} s, "
          f"write {applied:.2f} s")
    sample = db.units.find_one({"_id": "p.d0.c0.b0"})
    print("a branch before/after:", history.version_on(sample["history"], day)["path"], "->",
          history.version_on(sample["history"], "2025-07-01")["path"])


if __name__ == "__main__":
    main()
