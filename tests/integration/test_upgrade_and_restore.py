"""Data that survives (issue 22), through the real processes and the real RabbitMQ.

The system starts on tests/fixtures/before-issue-22/, the stores commit ec6cc94 wrote (no schema
version then): each service migrates its store at start, and every user, visit, case and
timeline reads back as it did then. Then, while a cadre's phone keeps logging visits, the host
command takes a backup (``python -m tooling.backup take``); it is restored into a fresh folder
and a fresh vhost (the definitions with it), and the system started there has every visit
acknowledged before the backup began, each concern with its case and its mail."""
import datetime as dt
import json
import subprocess
import sys
import time

import eventlet
import pytest
import requests

from shared.config import ROOT
from shared.storage import connect
from tests.integration.fixtures import SystemOptions, sign_in_everyone
from tests.integration.system import RunningSystem, poll
from tooling import backup
from tooling.migrate import declared_schema

pytestmark = pytest.mark.integration

FIXTURE = ROOT / "tests" / "fixtures" / "before-issue-22"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))
# sign-ins hash on a busy machine: more than the tests' usual 2 s
SLOW_RPC = {"RPC_TIMEOUT_SECONDS": "10"}
SYSTEM = SystemOptions(data_from=FIXTURE, passwords=EXPECTED["passwords"], healthy_within=90,
                       settings=SLOW_RPC)
NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"
# what a case answers that does not depend on the day it is read
CASE_FIELDS = ("case_id", "concern_id", "status", "authority_id", "timeline", "answer",
               "acknowledged_at", "answered_at", "acknowledge_by", "answer_by",
               "allowed_actions")


def kept(then, now):
    """Everything ``then`` said, ``now`` says alike: nothing lost or changed; a field added
    since (a timeline line's ``because``, say) is not a difference."""
    if isinstance(then, dict):
        return isinstance(now, dict) and all(key in now and kept(value, now[key])
                                             for key, value in then.items())
    if isinstance(then, list):
        return isinstance(now, list) and len(then) == len(now) and all(
            kept(a, b) for a, b in zip(then, now))
    return then == now


def get(system, who, path):
    response = requests.get(f"{system.base_url}{path}", headers=system.headers[who], timeout=10)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
    return response.json()


def schema_versions(system):
    versions = {}
    for name, schema in ((name, declared_schema(name)) for name in backup.BACKEND_SERVICES):
        client, db = connect(system.env["STORE_URI"], name)
        try:
            state = db.schema_migrations.find_one({"_id": "schema"})
            versions[name] = (state["version"], state["applied"], len(schema))
        finally:
            client.close()
    return versions


def test_the_stores_of_ec6cc94_come_up_migrated_with_every_user_visit_case_and_timeline(system):
    for name, (version, applied, needed) in schema_versions(system).items():
        assert version == needed == len(applied), name
    for username, me in EXPECTED["users"].items():
        assert kept(me, get(system, username, "/me"))  # authority_head, say, came since
    for visit_id, visit in EXPECTED["visits"].items():
        assert kept(visit, get(system, "cadre", f"/visits/{visit_id}"))
    for case_id, case in EXPECTED["cases"].items():
        now = get(system, "officer", f"/cases/{case_id}")
        assert kept({key: case[key] for key in CASE_FIELDS}, {key: now[key] for key in CASE_FIELDS})
    assert [line["action"] for case in EXPECTED["cases"].values()
            for line in case["timeline"]].count("answer") == 1  # the fixture has its answer


def test_what_came_after_ec6cc94_is_filled_in_for_its_users_cases_and_concerns(system):
    """The upgrade's backfills through the real processes: the officers a head assigns from,
    the inbox's search, and a receipt code on every older case that the public page reads."""
    tam_hop = "/authorities/ubnd-xa-tam-hop"
    officer_id = EXPECTED["users"]["tamhop-officer"]["user_id"]
    poll(lambda: [o["user_id"] for o in get(system, "officer", f"{tam_hop}/officers")["officers"]],
         lambda listed: listed == [officer_id], timeout=60)
    for case_id, case in EXPECTED["cases"].items():
        word = case["summary"].split()[-1]
        inbox = get(system, "officer", f"{tam_hop}/inbox?q={word}")
        assert case_id in [line["case_id"] for line in inbox["cases"]], word
        code = poll(lambda: get(system, "officer", f"/cases/{case_id}").get("receipt_code"),
                    bool, timeout=60)
        public = requests.get(f"{system.base_url}/follow", params={"code": code}, timeout=10)
        assert public.status_code == 200 and code in public.text


# --- a backup under a burst of visits --------------------------------------------------------

class Phone:
    """A cadre logging visits one after another; each acknowledged one with when its 201 came."""

    def __init__(self, system):
        self.system, self.acknowledged, self.running = system, [], True

    def log_visits(self):
        number = 0
        while self.running:
            number += 1
            body = {
                "submission_id": f"burst-{number}-{time.time_ns()}", "unit_id": NOI_PHAT,
                "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
                "meeting_kind": "regular", "attendance": {"present": 20, "expected": 30},
                "assessment": {"leadership": 3, "education": 3, "combativeness": 3},
                "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                              "summary": f"Kiến nghị số {number} về đường thôn"}]}
            response = requests.post(f"{self.system.base_url}/visits", json=body, timeout=10,
                                     headers=self.system.headers["cadre"])
            if response.status_code == 201:
                self.acknowledged.append((time.monotonic(), response.json()))


def backup_command(*args):
    done = subprocess.run([sys.executable, "-m", "tooling.backup", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_backup_under_a_burst_restores_every_acknowledged_visit_with_its_case_and_mail(
        system, request, vhost_pipeline, broker_identities, tmp_path):
    management = request.config.getoption("RABBIT_API_URI")
    vhost = system.env["AMQP_URI"].rpartition("/")[2]
    phone = Phone(system)
    burst = eventlet.spawn(phone.log_visits)
    poll(lambda: len(phone.acknowledged), lambda n: n >= 5)
    # escalations lags (here: is stopped): the concerns raised meanwhile are confirmed by
    # RabbitMQ, gone from the visits' outbox and in no case of the backup's escalations store
    system.stop("escalations")
    lagging_from = len(phone.acknowledged)
    poll(lambda: len(phone.acknowledged), lambda n: n >= lagging_from + 3)
    began = time.monotonic()
    backup_command("take", "--data", str(system.workdir / "data"), "--to",
                   str(tmp_path / "backups"), "--management", management, "--vhost", vhost)
    system.start("escalations")
    poll(lambda: len(phone.acknowledged), lambda n: n >= lagging_from + 6)  # the burst went on
    phone.running = False
    burst.wait()
    before = [logged for at, logged in phone.acknowledged if at < began]
    assert len(before) >= lagging_from + 3 and len(before) < len(phone.acknowledged)
    [made] = backup.backups(tmp_path / "backups")
    assert (made.stat().st_mode & 0o777, (made / "visits.sqlite3").stat().st_mode & 0o777) == \
        (0o700, 0o600)

    with vhost_pipeline.get() as fresh_vhost:
        broker_identities.grant(fresh_vhost)
        fresh = tmp_path / "fresh"
        backup_command("restore", str(made), "--data", str(fresh / "data"),
                       "--management", management, "--vhost", fresh_vhost)
        admin_uri = f"{request.config.getoption('RABBIT_AMQP_URI').rstrip('/')}/{fresh_vhost}"
        restored = RunningSystem(admin_uri, fresh, {
            name: broker_identities.uri(admin_uri, name) for name in broker_identities.passwords},
            **{**broker_identities.settings(), "DECLARE_TOPOLOGY": "false", **SLOW_RPC})
        try:
            restored.start_all(healthy_within=90)
            restored.passwords = system.passwords
            restored.headers = sign_in_everyone(restored)
            for logged in before:
                assert get(restored, "cadre", f"/visits/{logged['visit_id']}")["concerns"] == \
                    logged["concerns"]
                [concern] = logged["concerns"]
                routed = poll(lambda: get(restored, "cadre",
                                          f"/concerns/{concern['concern_id']}"),
                              lambda found: found.get("case") is not None)
                assert routed["held_by"]["authority_id"] == "ubnd-xa-tam-hop"
                poll(lambda: mail_sent(restored, routed["case"]["case_id"]), bool)
            # each service re-published what it retained, once, at its first start
            for name in backup.BACKEND_SERVICES:
                client, db = connect(restored.env["STORE_URI"], name)
                try:
                    [marker] = db.store_restores.find({})
                    assert (marker["_id"], marker["republished_at"] is not None) == (
                        made.name, True), name
                finally:
                    client.close()
        finally:
            restored.stop_all()


def mail_sent(system, case_id):
    """The notifications of a case that the mail server accepted (before or after the
    restore: a store restored from before its sending sends it again)."""
    client, db = connect(system.env["STORE_URI"], "notifications")
    try:
        return list(db.notifications.find({"case_id": case_id, "state": "sent"}, {"_id": 1}))
    finally:
        client.close()
