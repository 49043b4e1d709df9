"""Importing through the gateway, as an administrator does it: a generated 5,000-row workbook
into the running system (every service its own process), followed while it runs, imported a
second time without effect, and exported back; coverage read from what it registered."""
import base64
import csv
import io
import time

import pytest
import requests

from tests.integration.fixtures import PLAIN_SHARED, assert_described
from tooling.bench.registry_workbook import registry_workbook

pytestmark = pytest.mark.integration

# the plain demo system, one for every module naming it (tests/integration/fixtures.py)
SYSTEM = PLAIN_SHARED

FINISHED = ("done", "done_with_errors", "rejected", "refused", "failed")


def follow(system, import_id, timeout=1000):
    """Poll the import until it finishes; every state and progress seen on the way. A 503
    (the service busy past the tests' 2 s RPC timeout) is retried, as clients are told to."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = requests.get(f"{system.base_url}/imports/{import_id}",
                                headers=system.headers["admin"], timeout=30)
        if response.status_code == 503:
            time.sleep(0.5)
            continue
        assert response.status_code == 200, response.text
        job = response.json()
        seen.append((job["state"], job["progress"]["applied"]))
        if job["state"] in FINISHED:
            return job, seen
        time.sleep(0.5)
    raise AssertionError(f"import {import_id} did not finish: {seen[-5:]}")


def post_import(system, data, filename, **options):
    return requests.post(f"{system.base_url}/imports", headers=system.headers["admin"], timeout=30,
                         json={"filename": filename,
                               "content_base64": base64.b64encode(data).decode(), **options})


@pytest.mark.timeout(1200)  # 5,000 registering RPCs: about a minute on a quiet machine
def test_a_5000_row_workbook_through_the_gateway(system):
    data, counts = registry_workbook(prefix="gen")
    assert sum(counts.values()) == 5000
    started = time.monotonic()
    response = post_import(system, data, "so-do-to-chuc.xlsx")
    assert response.status_code == 202, response.text
    assert_described(system, "POST", "/imports", response)
    job, seen = follow(system, response.json()["import_id"])
    print(f"5000 rows imported in {time.monotonic() - started:.1f} s; states seen: "
          f"{sorted({state for state, _ in seen})}")
    assert job["state"] == "done", job
    assert job["progress"] == {"total": 5000, "rejected": 0, "unchanged": 0, "to_apply": 5000,
                               "applied": 5000, "failed": 0}
    assert [s["kind"] for s in job["sheets"]] == ["units", "cadres", "assignments",
                                                  "authorities", "routing_rules"]
    # progress only grows while it is followed
    applied = [count for state, count in seen if state == "applying"]
    assert applied == sorted(applied)

    again = post_import(system, data, "so-do-to-chuc (1).xlsx")
    job, _ = follow(system, again.json()["import_id"])
    assert job["state"] == "done" and job["progress"]["unchanged"] == 5000
    assert job["progress"]["applied"] == 0

    exported = requests.get(f"{system.base_url}/exports", params={"kind": "units"},
                            headers=system.headers["admin"], timeout=60)
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert sum(row["unit_id"].startswith("gen") for row in rows) == counts["units"]
    noi_phat = next(row for row in rows if row["unit_id"] == "gen.d0.x0.b0")
    assert noi_phat["name"] == "Chi bộ thôn Nội Phật số 0, xã Tam Hợp"


def test_rows_refused_with_their_lines_and_nothing_changes(system):
    text = ("Mã đơn vị,Tên đơn vị,Cấp,Loại hình,Mã đơn vị cấp trên\n"
            "vinh-phuc.moi,Đảng bộ mới,district,,vinh-phuc\n"
            "vinh-phuc.moi.x,,grassroots,,vinh-phuc.moi\n")
    response = post_import(system, text.encode("utf-16"), "don-vi.csv")
    job, _ = follow(system, response.json()["import_id"])
    assert job["state"] == "rejected"
    assert job["rejections"] == [{"sheet": "don-vi.csv", "line": 3, "column": "name",
                                  "header": "Tên đơn vị",
                                  "reason": "required, but the cell is empty",
                                  "because": {"code": "empty_cell"}}]
    units = requests.get(f"{system.base_url}/units", params={"limit": 500},
                         headers=system.headers["admin"], timeout=30).json()["units"]
    assert "vinh-phuc.moi" not in {unit["unit_id"] for unit in units}

    refused = post_import(system, b"\xd0\xcf\x11\xe0 an old workbook", "don-vi.xls")
    assert refused.status_code == 400
    assert ".xls" in refused.json()["fields"]["content_base64"][0]


def test_coverage_as_json_and_csv(system):
    on = {"on": "2026-11-27"}
    response = requests.get(f"{system.base_url}/coverage/unassigned-units",
                            params={**on, "level": "branch"}, headers=system.headers["admin"],
                            timeout=30)
    assert response.status_code == 200
    assert_described(system, "GET", "/coverage/unassigned-units", response)
    unassigned = {unit["unit_id"] for unit in response.json()["units"]}
    # the demo assigns Nội Phật and Yên Lan; the Tam Hợp school branch has nobody
    assert "vinh-phuc.binh-xuyen.tam-hop.truong-thcs" in unassigned
    assert "vinh-phuc.binh-xuyen.tam-hop.noi-phat" not in unassigned
    as_csv = requests.get(f"{system.base_url}/coverage/committees",
                          params={**on, "format": "csv"}, headers=system.headers["admin"],
                          timeout=30)
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    lines = as_csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ("unit_id,name,level,branches,visited,share_visited,planned,share_planned,"
                        "planned_visited")
    refused = requests.get(f"{system.base_url}/coverage/cadres", headers=system.headers["cadre"],
                           timeout=30)
    assert refused.status_code == 403
