"""Benchmark of the spreadsheet import (prints figures; nothing is asserted).

    .venv/bin/python -m tooling.bench.import_bench

Brings the whole system up on a vhost and a data folder of its own (deleted afterwards), loads
the demo registry, signs in as the demo administrator and measures, in the same run:

1. baseline: reading and checking the generated 5,000-row workbook alone, and planning it,
   in this process (no service, no broker): the floor under any import;
2. the import through the gateway: POST /imports, then GET /imports/<id> until done;
3. the same file again (every row found unchanged, nothing written);
4. baseline: the rows of a smaller generated workbook (one district, 283 rows) posted one by
   one to the registry routes (POST /units, /cadres, /assignments, /authorities,
   /routing-rules) in the import's order, as a script without the import would: rows/s, and
   the time 5,000 would take at that rate;
5. the export of the units as CSV and as .xlsx.
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")  # printed at import

import argparse  # noqa: E402
import base64  # noqa: E402
import pathlib  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

import requests  # noqa: E402
import yaml  # noqa: E402

from services.imports.intake import take_in  # noqa: E402
from services.imports.kinds import APPLY_ORDER  # noqa: E402
from services.imports.planning import Known, make_plan  # noqa: E402
from services.imports.settings import limits  # noqa: E402
from shared.config import load_config_file, settings  # noqa: E402
from tooling.bench import broker  # noqa: E402
from tooling.bench.http_load import require_loopback  # noqa: E402
from tooling.bench.registry_workbook import registry_workbook  # noqa: E402
from tooling.broker_users import RunUsers  # noqa: E402
from tooling.launcher import RunningSystem  # noqa: E402
from tooling.load_demo import DEMO_DATA, load_demo  # noqa: E402

ADMIN = ("admin", "admin-dev-only-2026")
ROUTE_OF = {"units": "/units", "cadres": "/cadres", "assignments": "/assignments",
            "authorities": "/authorities", "routing_rules": "/routing-rules"}


def step(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class _Checked:
    def __init__(self, kind, rows):
        self.kind, self.rows = kind, rows


def plan_of(taken):
    by_kind = {}
    for row in taken.rows:
        by_kind.setdefault(row.kind, []).append(row)
    return make_plan([_Checked(kind, rows) for kind, rows in by_kind.items()], Known())


def measure_parsing(data):
    started = time.perf_counter()
    taken = take_in(data, "bench.xlsx", None, None, limits({}))
    read = time.perf_counter() - started
    started = time.perf_counter()
    plan = plan_of(taken)
    return {"rows": len(taken.rows), "read_s": read, "plan_s": time.perf_counter() - started,
            "steps": len(plan.steps)}


def follow(system, headers, import_id):
    while True:
        response = requests.get(f"{system.base_url}/imports/{import_id}", headers=headers,
                                timeout=60)
        if response.status_code == 200 and response.json()["state"] not in (
                "queued", "planning", "applying"):
            return response.json()
        time.sleep(0.2)


def measure_import(system, headers, data, filename):
    started = time.perf_counter()
    response = requests.post(f"{system.base_url}/imports", headers=headers, timeout=60, json={
        "filename": filename, "content_base64": base64.b64encode(data).decode()})
    response.raise_for_status()
    answered = time.perf_counter() - started
    job = follow(system, headers, response.json()["import_id"])
    return {"answered_s": answered, "total_s": time.perf_counter() - started,
            "state": job["state"], "progress": job["progress"]}


def measure_one_by_one(system, headers):
    data, _ = registry_workbook(prefix="one", districts=1, communes=4, province_members=5,
                                district_members=10, province_assignments=4)
    plan = plan_of(take_in(data, "one.xlsx", None, None, limits({})))
    chosen = sorted(plan.steps, key=lambda s: (APPLY_ORDER.index(s.kind), s.wave, s.line))
    session = requests.Session()
    started, failed = time.perf_counter(), 0
    for s in chosen:
        response = session.post(f"{system.base_url}{ROUTE_OF[s.kind]}", json=s.payload,
                                 headers=headers, timeout=60)
        failed += response.status_code != 201
    seconds = time.perf_counter() - started
    return {"rows": len(chosen), "seconds": seconds, "failed": failed}


def measure_export(system, headers, fmt):
    started = time.perf_counter()
    response = requests.get(f"{system.base_url}/exports", params={"kind": "units",
                                                                 "format": fmt},
                            headers=headers, timeout=120)
    response.raise_for_status()
    return {"seconds": time.perf_counter() - started, "bytes": len(response.content)}


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    # the run's own look at the loopback broker (its admin, guest by default), never a
    # service's: the services run in production mode as their own users (RunUsers)
    config = settings({**load_config_file(), "DEPLOYMENT_MODE": "development"})
    for uri in (config["AMQP_URI"], config["RABBIT_MANAGEMENT_URI"]):
        require_loopback(urlparse(uri).hostname)
    data, counts = registry_workbook(prefix="bench")
    step(f"workbook: {sum(counts.values())} rows {counts}, {len(data)} bytes")
    parsing = measure_parsing(data)
    step(f"baseline, reading and checking alone: {parsing['read_s']:.2f} s; planning "
         f"{parsing['plan_s']:.2f} s")
    with broker.Vhost(config["RABBIT_MANAGEMENT_URI"], config["AMQP_URI"]) as vhost, \
            tempfile.TemporaryDirectory(prefix="sausat-import-bench-") as workdir, \
            RunUsers(config["RABBIT_MANAGEMENT_URI"], vhost,
                     pathlib.Path(workdir) / "keys") as users:
        # each service as its own broker user, in production mode (tooling/broker_users.py):
        # the topology first, as deploy
        users.declare_topology()
        system = RunningSystem(vhost.amqp_uri, workdir, users.uris(), **users.settings())
        try:
            step("starting the services")
            system.start_all()
            with open(DEMO_DATA, encoding="utf-8") as handle:
                # as the loader; the demo data's published passwords, on this throwaway
                # vhost only: the bench signs in with them
                load_demo({"AMQP_URI": users.uri("loader"), "DEPLOYMENT_MODE": "development"},
                          yaml.safe_load(handle))
            headers = system.sign_in(*ADMIN)
            step("importing through the gateway")
            first = measure_import(system, headers, data, "bench.xlsx")
            step(f"import: {first['state']} in {first['total_s']:.1f} s {first['progress']}")
            again = measure_import(system, headers, data, "bench (1).xlsx")
            step(f"same file again: {again['state']} in {again['total_s']:.1f} s")
            one = measure_one_by_one(system, headers)
            step(f"one by one: {one['rows']} rows in {one['seconds']:.1f} s")
            exports = {fmt: measure_export(system, headers, fmt) for fmt in ("csv", "xlsx")}
        finally:
            step("stopping the services")
            system.stop_all()
    rows = parsing["rows"]
    one_rate = one["rows"] / one["seconds"]
    print()
    print(f"{'what':<62} | {'seconds':>8} | {'rows/s':>8}")
    print("-" * 84)
    table = [
        ("baseline: read + check the workbook alone (no services)", parsing["read_s"], rows),
        ("baseline: plan it alone (no registry lookups)", parsing["plan_s"], rows),
        ("POST /imports answered (file stored, job queued)", first["answered_s"], None),
        (f"import through the gateway, {rows} rows to done", first["total_s"], rows),
        ("the same file again (all unchanged)", again["total_s"], rows),
        (f"baseline: {one['rows']} rows posted one by one to the registry routes",
         one["seconds"], one["rows"]),
        (f"  ... {rows} rows at that rate (extrapolated)", rows / one_rate, rows),
        (f"export units as CSV ({exports['csv']['bytes']} bytes)", exports["csv"]["seconds"],
         None),
        (f"export units as .xlsx ({exports['xlsx']['bytes']} bytes)",
         exports["xlsx"]["seconds"], None),
    ]
    for what, seconds, count in table:
        rate = f"{count / seconds:8.0f}" if count else f"{'':>8}"
        print(f"{what:<62} | {seconds:8.2f} | {rate}")
    print(f"\nimport / one-by-one: {(rows / one_rate) / first['total_s']:.1f}x faster; "
          f"failed one-by-one posts: {one['failed']}")


if __name__ == "__main__":
    main()
