"""Makes tests/fixtures/before-issue-22/: a data folder as the system wrote it before stored
data had a schema version (commit ec6cc94), for the upgrade test (tests/integration/
test_upgrade_and_restore.py), so that test needs no git history.

Run once, at that commit, against the test broker; its name keeps pytest from collecting it::

    git worktree add /tmp/before ec6cc94 && cp tests/integration/make_upgrade_fixture.py \\
        /tmp/before/tests/integration/ && cd /tmp/before && \\
        .venv/bin/python -m pytest tests/integration/make_upgrade_fixture.py -q
    cp -r /tmp/before/tests/fixtures/before-issue-22 <this repository>/tests/fixtures/

It starts the demo system on a vhost and a folder of its own, logs visits with concerns, acts
on their cases (acknowledge, ask for information, answer), lets everything settle, stops the
services and keeps: each service's SQLite file (copied with SQLite's backup API, vacuumed),
the vhost's RabbitMQ definitions, the demo users' passwords and what the pages answered then
(``expected.json``), which the upgrade test reads back. The SQLite files are gzipped (60 KB
rather than 1 MB).
"""
import datetime as dt
import gzip
import json
import shutil
import sqlite3

import pytest
import requests

from shared import contracts
from shared.config import ROOT
from tests.answers import ANSWERED_BY_LETTER
from tests.integration.system import poll

pytestmark = pytest.mark.integration

FIXTURE = ROOT / "tests" / "fixtures" / "before-issue-22"
NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
COMMUNE = "ubnd-xa-tam-hop"
# (summary, the actions the commune's officer takes on its case)
CONCERNS = [
    ("Đường liên thôn Nội Phật xuống cấp", []),
    ("Thoát nước thải khu dân cư chưa hoàn thành", [("acknowledge", {})]),
    ("Chiếu sáng công cộng đoạn đầu làng", [
        ("acknowledge", {}), ("request_information", {"question": "Đoạn nào, dài bao nhiêu?"})]),
    ("Cầu tạm qua kênh tiêu bị sụt", [
        ("acknowledge", {}), ("start", {}),
        ("answer", {"answer": "Xã đã bố trí kinh phí sửa trong tháng tới", **ANSWERED_BY_LETTER})]),
]


def log_visit(system, summaries, days_ago):
    body = {
        "submission_id": contracts.new_id(), "unit_id": NOI_PHAT,
        "meeting_date": (dt.date.today() - dt.timedelta(days=days_ago)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 25, "expected": 30},
        "assessment": {"leadership": 4, "education": 3, "combativeness": 4},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident", "summary": summary}
                     for summary in summaries]}
    response = requests.post(f"{system.base_url}/visits", json=body, timeout=10,
                             headers=system.headers["cadre"])
    assert response.status_code == 201, response.text
    return response.json()


def get(system, who, path):
    response = requests.get(f"{system.base_url}{path}", timeout=10, headers=system.headers[who])
    assert response.status_code == 200, response.text
    return response.json()


def test_make_the_fixture(system, rabbit_manager):
    visits = [log_visit(system, [summary for summary, _ in CONCERNS[:2]], 3),
              log_visit(system, [summary for summary, _ in CONCERNS[2:]], 1)]
    concerns = [concern for visit in visits for concern in visit["concerns"]]
    cases = []
    for concern, (_, actions) in zip(concerns, CONCERNS):
        routed = poll(lambda: get(system, "cadre", f"/concerns/{concern['concern_id']}"),
                      lambda c: c["status"] == "routed")
        case_id = routed["case"]["case_id"]
        for action, arguments in actions:
            acted = requests.post(f"{system.base_url}/cases/{case_id}/{action}", timeout=10,
                                  json=arguments, headers=system.headers["officer"])
            assert acted.status_code == 200, acted.text
        cases.append(case_id)
    system.settle()
    expected = {
        "made_at_commit": "ec6cc94",
        "passwords": system.passwords,
        "users": {name: get(system, name, "/me") for name in system.passwords},
        "visits": {visit["visit_id"]: get(system, "cadre", f"/visits/{visit['visit_id']}")
                   for visit in visits},
        "cases": {case_id: get(system, "officer", f"/cases/{case_id}") for case_id in cases},
    }
    vhost = system.env["AMQP_URI"].rpartition("/")[2]
    definitions = rabbit_manager._get("definitions", vhost)
    system.stop_all()

    FIXTURE.mkdir(parents=True, exist_ok=True)
    for old in FIXTURE.glob("*.sqlite3.gz"):
        old.unlink()
    for source in sorted((system.workdir / "data").glob("*.sqlite3")):
        copy = system.workdir / f"copy-{source.name}"
        with sqlite3.connect(source) as reading, sqlite3.connect(copy) as kept:
            reading.backup(kept)
        kept = sqlite3.connect(copy, isolation_level=None)
        kept.execute("PRAGMA journal_mode=DELETE")
        kept.execute("VACUUM")
        kept.close()
        with open(copy, "rb") as plain, gzip.open(FIXTURE / f"{source.name}.gz", "wb") as packed:
            shutil.copyfileobj(plain, packed)
    (FIXTURE / "rabbitmq-definitions.json").write_text(json.dumps(definitions, indent=1))
    (FIXTURE / "expected.json").write_text(
        json.dumps(expected, indent=1, ensure_ascii=False, sort_keys=True), encoding="utf-8")
