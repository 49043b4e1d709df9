"""Same-run before/after of the visits service's ``case_life`` read model: the ``services``
package of a base commit against the working tree's, in alternate processes (no assertions: it
prints figures).

Each process loads ``--visits`` visits shaped like the visits service's (``--concerns`` each,
the service's own indexes, each concern's brief view made as logging makes it), then applies
one ``case_routed`` per visit through ``services.visits.reactions.record_case_event`` (what the
``case_life`` subscription runs per event), timed in CPU seconds of the process
(``time.process_time``). The same ``shared`` and ``docstore`` run on both sides. Pairs
alternate which side runs first; the medians of the pairs are printed with each pair's ratio.

    .venv/bin/python -m tooling.bench.case_events [--base fb25142] [--pairs 5] [--visits 1000]
"""
import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from tooling.bench.store_writes import ROOT, _export, _visit


def worker(folder, visits, concerns):
    """One side's CPU seconds per case event, as JSON on stdout."""
    from docstore import DocStoreClient
    from services.visits import reactions, store
    from shared import contracts

    db = DocStoreClient(folder)["bench"]
    for name, specs in store.INDEXES.items():
        for keys, options in specs:
            db[name].create_index(keys, **options)
    events = []
    for i in range(visits):
        visit = _visit(i)
        visit["concerns"] = visit["concerns"][:concerns]
        db.visits.insert_one(visit)
        store.ensure_concern_views(db, visit)  # as logging does
        events.append(contracts.parse_event(contracts.CASE_ROUTED.new({
            "case_id": f"k{i}", "concern_id": visit["concerns"][0]["concern_id"],
            "authority_id": "ubnd-xa-tam-hop", "rule_id": "r1",
            "acknowledge_by": dt.date(2026, 12, 5)})))
    started = time.process_time()
    for event in events:
        reactions.record_case_event(db, event)
    print(json.dumps({"case_routed": (time.process_time() - started) / visits}))


def _run_side(services_parent, args, scratch):
    folder = tempfile.mkdtemp(dir=scratch)
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": os.pathsep.join(
        p for p in (services_parent, str(ROOT)) if p)}
    out = subprocess.run([sys.executable, "-m", "tooling.bench.case_events", "--worker",
                          folder, "--visits", str(args.visits), "--concerns",
                          str(args.concerns)], cwd=services_parent or ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["case_routed"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="fb25142")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--visits", type=int, default=1000)
    parser.add_argument("--concerns", type=int, default=1)
    parser.add_argument("--worker", metavar="FOLDER")
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.visits, args.concerns)
    with tempfile.TemporaryDirectory() as scratch:
        sides = {"base": _export(args.base, tempfile.mkdtemp(dir=scratch),
                                         "services"), "this tree": ""}
        runs = {side: [] for side in sides}
        for pair in range(args.pairs):
            for side in (list(sides) if pair % 2 == 0 else list(sides)[::-1]):
                runs[side].append(_run_side(sides[side], args, scratch))
            print(f"pair {pair + 1}: {runs['this tree'][-1] / runs['base'][-1]:.2f}×",
                  flush=True)
        before, after = (statistics.median(runs[side]) for side in sides)
        print(f"load average {os.getloadavg()[0]:.1f}; case_routed on a visit of "
              f"{args.concerns} concern(s), CPU per event, median of {args.pairs} pairs "
              f"(base {args.base}): {before * 1e6:.0f} µs → {after * 1e6:.0f} µs "
              f"({after / before:.2f}×)")


if __name__ == "__main__":
    main()
