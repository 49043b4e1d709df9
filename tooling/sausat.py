"""``sausat``: the operators' command line, talking to the gateway as a signed-in operator.

The promise: every command asks the gateway (never RabbitMQ or a store directly), so it sees
exactly what an operator may see; it prints readable tables, or the gateway's JSON with
``--json``; a refusal prints the gateway's error and exits 1. The URL, username and password
come from flags or ``SAUSAT_URL``, ``SAUSAT_USERNAME``, ``SAUSAT_PASSWORD`` (asked for when
missing at a terminal). The access token is cached in ``$SAUSAT_CACHE_DIR`` (default
``~/.cache/sausat``), a file only its owner may read, per URL and user, until it expires; a
token the gateway refuses is dropped and the operator signed in again. Example::

    $ sausat status
    $ sausat dead-letters list
    $ sausat dead-letters replay 5f0c9e2a7d1b4c3e8a9f0b1c --reason "routing table fixed"
    $ sausat trace 8c1f…  --json

Tables speak Vietnamese from the one catalogue (``shared.words``), times in Vietnam's time,
and fit the terminal (``COLUMNS``; ``tooling/tables.py``).

Installed into ``.venv/bin/sausat`` by ``deploy/venv.sh``.
"""
import hashlib
import json
import os
import pathlib
import sys
import time

import click
import requests

from shared.words import say
from tooling.tables import FIGURE, NAME, TEXT, TIME, console, table, vietnam_time

TIMEOUT_SECONDS = 30


class Gateway:
    def __init__(self, url, username, password, cache_dir):
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        self.cache_dir = pathlib.Path(cache_dir).expanduser()

    # --- the token, cached for its owner only ---------------------------------------------

    @property
    def cache_file(self):
        key = hashlib.sha256(f"{self.url}\0{self.username}".encode()).hexdigest()[:20]
        return self.cache_dir / f"token-{key}.json"

    def _cached_token(self):
        try:
            cached = json.loads(self.cache_file.read_text())
        except (OSError, ValueError):
            return None
        if cached.get("expires_at", 0) - 30 < time.time():
            return None
        return cached.get("access_token")

    def _sign_in(self):
        if not self.username:
            raise click.UsageError("no username: give --username or set SAUSAT_USERNAME")
        password = self.password
        if password is None:
            if not sys.stdin.isatty():
                raise click.UsageError("no password: give --password or set SAUSAT_PASSWORD")
            password = click.prompt(f"password of {self.username}", hide_input=True)
        response = requests.post(f"{self.url}/sessions", timeout=TIMEOUT_SECONDS,
                                 json={"username": self.username, "password": password})
        if response.status_code != 201:
            fail(response)
        session = response.json()
        self.cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(self.cache_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump({"access_token": session["access_token"],
                       "expires_at": session["expires_at"]}, handle)
        os.chmod(self.cache_file, 0o600)  # an older file keeps its mode through O_TRUNC
        return session["access_token"]

    def request(self, method, path, **kwargs):
        token = self._cached_token() or self._sign_in()
        for attempt in (1, 2):
            try:
                response = requests.request(
                    method, f"{self.url}{path}", timeout=TIMEOUT_SECONDS,
                    headers={"Authorization": f"Bearer {token}"}, **kwargs)
            except requests.RequestException as error:
                raise click.ClickException(f"the gateway at {self.url} did not answer: "
                                           f"{error}") from None
            if response.status_code == 401 and attempt == 1:
                self.cache_file.unlink(missing_ok=True)  # expired or revoked: sign in again
                token = self._sign_in()
                continue
            return response

    def get(self, path, params=None, ok=(200,)):
        response = self.request("GET", path, params=params)
        if response.status_code not in ok:
            fail(response)
        return response

    def post(self, path, body):
        response = self.request("POST", path, json=body)
        if response.status_code != 200:
            fail(response)
        return response.json()


def fail(response):
    try:
        body = response.json()
        message = f"{body.get('error')}: {body.get('message')}"
        if body.get("fields"):
            message += f" {json.dumps(body['fields'], ensure_ascii=False)}"
    except ValueError:
        message = response.text[:500]
    raise click.ClickException(f"{response.status_code} {message}")


def emit_json(data):
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


json_option = click.option("--json", "as_json", is_flag=True, help="print the gateway's JSON")


@click.group()
@click.option("--url", envvar="SAUSAT_URL", default="http://localhost:8000", show_default=True,
              help="the gateway (SAUSAT_URL)")
@click.option("--username", envvar="SAUSAT_USERNAME", help="an operator (SAUSAT_USERNAME)")
@click.option("--password", envvar="SAUSAT_PASSWORD", help="(SAUSAT_PASSWORD; asked if absent)")
@click.option("--cache-dir", envvar="SAUSAT_CACHE_DIR", default="~/.cache/sausat",
              show_default=True, help="where the access token is kept (SAUSAT_CACHE_DIR)")
@click.pass_context
def cli(context, url, username, password, cache_dir):
    """Sâu Sát for operators: health, queues, dead letters, traces and alerts."""
    context.obj = Gateway(url, username, password, cache_dir)


@cli.command()
@json_option
@click.pass_obj
def status(gateway, as_json):
    """Every service's health; exits 1 when one is not ok."""
    response = gateway.get("/health", ok=(200, 503))
    report = response.json()
    if as_json:
        emit_json(report)
    else:
        table(say("sausat.services_title", status=report.get("status")),
              [("sausat.service", NAME), ("sausat.status", NAME),
               ("sausat.outbox_pending", FIGURE)],
              [(name, entry.get("status"), entry.get("outbox_pending"))
               for name, entry in sorted(report.get("services", {}).items())])
    if response.status_code != 200:
        sys.exit(1)


@cli.command()
@json_option
@click.option("--all", "show_all", is_flag=True, help="wait queues too")
@click.pass_obj
def queues(gateway, as_json, show_all):
    """Queues: ready / unacked, consumers, rates in / out, age of the oldest message."""
    found = gateway.get("/monitor/queues").json()
    if as_json:
        return emit_json(found)
    table(say("sausat.queues_title"),
          [("sausat.queue", NAME), ("sausat.ready_unacked", FIGURE),
           ("sausat.consumers", FIGURE), ("sausat.in_out_rate", FIGURE),
           ("sausat.oldest_seconds", FIGURE)],
          [(q["queue"], f"{q['ready']} / {q['unacknowledged']}", q["consumers"],
            f"{q.get('publish_rate', 0):.1f} / {q.get('deliver_rate', 0):.1f}",
            q.get("oldest_message_seconds"))
           for q in found["queues"] if show_all or q.get("kind") != "wait"])


@cli.group("dead-letters")
def dead_letters():
    """List, show, replay and discard dead letters."""


@dead_letters.command("list")
@json_option
@click.option("--queue", help="one dead-letter queue (<queue>.dead)")
@click.option("--limit", default=50, show_default=True, help="letters per queue")
@click.pass_obj
def list_letters(gateway, as_json, queue, limit):
    """Each dead-letter queue's letters, oldest first."""
    params = {"limit": limit, **({"queue": queue} if queue else {})}
    found = gateway.get("/monitor/dead-letters", params=params).json()
    if as_json:
        return emit_json(found)
    rows = [(letter["letter_id"], q["failed_on"],
             letter["event_type"] or say("sausat.unreadable"), letter["event_id"],
             letter["attempts"], vietnam_time(letter["failed_at"]), letter["error"][:80])
            for q in found["queues"] for letter in q["letters"]]
    table(say("sausat.dead_letters_title", n=sum(q["depth"] for q in found["queues"])),
          [("sausat.letter", NAME), ("sausat.failed_on", NAME), ("sausat.event", NAME),
           ("sausat.event_id", NAME), ("sausat.attempts", FIGURE), ("sausat.failed_at", TIME),
           ("sausat.error", TEXT)], rows)


@dead_letters.command("show")
@json_option
@click.argument("letter_id")
@click.pass_obj
def show_letter(gateway, as_json, letter_id):
    """One dead letter with its traceback."""
    letter = gateway.get(f"/monitor/dead-letters/{letter_id}").json()
    if as_json:
        return emit_json(letter)
    table(say("sausat.dead_letter_title", letter_id=letter_id),
          [("sausat.field", NAME), ("sausat.value", TEXT)],
          [(k, vietnam_time(v) if k.endswith("_at") else v)
           for k, v in letter.items() if k != "traceback"])
    console().print(letter.get("traceback") or say("sausat.no_traceback"), markup=False,
                    highlight=False)


def selection(letter_ids, queue, replay_all, reason):
    if bool(letter_ids) == bool(replay_all):
        raise click.UsageError("name letter ids, or --all (not both)")
    body = {"all": True} if replay_all else {"letter_ids": list(letter_ids)}
    if queue:
        body["queue"] = queue
    if reason:
        body["reason"] = reason
    return body


def print_outcome(title, outcome, as_json):
    if as_json:
        return emit_json(outcome)
    table(say(title, n=len(outcome["done"])),
          [("sausat.letter", NAME), ("sausat.failed_on", NAME), ("sausat.event", NAME),
           ("sausat.event_id", NAME)],
          [(d["letter_id"], d["failed_on"], d["event_type"], d["event_id"])
           for d in outcome["done"]])
    if outcome["not_found"]:
        console().print(say("sausat.not_found", ids=", ".join(outcome["not_found"])))
        sys.exit(1)


@dead_letters.command("replay")
@json_option
@click.argument("letter_ids", nargs=-1)
@click.option("--all", "replay_all", is_flag=True, help="every letter (of --queue)")
@click.option("--queue", help="one dead-letter queue")
@click.option("--reason", help="why (recorded)")
@click.pass_obj
def replay(gateway, as_json, letter_ids, replay_all, queue, reason):
    """Replay letters to the queues they failed on."""
    outcome = gateway.post("/monitor/dead-letters/replay",
                           selection(letter_ids, queue, replay_all, reason))
    print_outcome("sausat.replayed_title", outcome, as_json)


@dead_letters.command("discard")
@json_option
@click.argument("letter_ids", nargs=-1)
@click.option("--all", "discard_all", is_flag=True, help="every letter (of --queue)")
@click.option("--queue", help="one dead-letter queue")
@click.option("--reason", required=True, help="why (recorded)")
@click.pass_obj
def discard(gateway, as_json, letter_ids, discard_all, queue, reason):
    """Discard letters for good, saying why."""
    outcome = gateway.post("/monitor/dead-letters/discard",
                           selection(letter_ids, queue, discard_all, reason))
    print_outcome("sausat.discarded_title", outcome, as_json)


@dead_letters.command("actions")
@json_option
@click.option("--limit", default=50, show_default=True)
@click.pass_obj
def actions(gateway, as_json, limit):
    """Replays and discards, newest first: who, when, why."""
    found = gateway.get("/monitor/dead-letter-actions", params={"limit": limit}).json()
    if as_json:
        return emit_json(found)
    table(say("sausat.actions_title"),
          [("sausat.at", TIME), ("sausat.action", NAME), ("sausat.by", NAME),
           ("sausat.reason", TEXT), ("sausat.failed_on", NAME), ("sausat.event", NAME)],
          [(vietnam_time(a["at"]), say_action(a["action"]), a["by"], a["reason"],
            a["failed_on"], a["event_type"]) for a in found["actions"]])


ACTIONS = {"replayed": "sausat.replayed", "discarded": "sausat.discarded"}


def say_action(action):
    """``replayed`` / ``discarded`` in words (another as it is)."""
    return say(ACTIONS[action]) if action in ACTIONS else action


@cli.command()
@json_option
@click.argument("subject_id")
@click.pass_obj
def trace(gateway, as_json, subject_id):
    """Everything that happened to a concern, case or visit (or one request), in order."""
    found = gateway.get(f"/monitor/trace/{subject_id}").json()
    if as_json:
        return emit_json(found)
    table(say("sausat.trace_title", subject_id=subject_id),
          [("sausat.seconds_since_start", FIGURE), ("sausat.at", TIME), ("sausat.event", NAME),
           ("sausat.by", NAME), ("sausat.ids", TEXT)],
          [(step["seconds_since_start"], vietnam_time(step["occurred_at"]),
            f"{step['source']}.{step['event_type']}", step["actor"] or say("sausat.system"),
            " ".join(f"{k}={v}" for k, v in step["ids"].items()))
           for step in found["steps"]])


@cli.command()
@json_option
@click.option("--all", "show_all", is_flag=True, help="cleared alerts too")
@click.pass_obj
def alerts(gateway, as_json, show_all):
    """Alerts raised (and, with --all, cleared)."""
    found = gateway.get("/monitor/alerts",
                        params={"state": "all" if show_all else "active"}).json()
    if as_json:
        return emit_json(found)
    table(say("sausat.alerts_title", n=sum(a["active"] for a in found["alerts"])),
          [("sausat.kind", NAME), ("sausat.subject", NAME), ("sausat.detail", TEXT),
           ("sausat.raised_at", TIME), ("sausat.cleared_at", TIME)],
          [(a["kind"], a["subject"], a["detail"], vietnam_time(a["raised_at"]),
            vietnam_time(a["cleared_at"])) for a in found["alerts"]])


@cli.command("wait-queues")
@json_option
@click.option("--remove", is_flag=True, help="remove the stale ones that are empty")
@click.pass_obj
def wait_queues(gateway, as_json, remove):
    """Wait queues left by a changed EVENT_RETRY_DELAYS."""
    found = gateway.get("/monitor/wait-queues").json()
    if remove and found["stale"]:
        found = gateway.post("/monitor/wait-queues/remove",
                             {"queues": [q["queue"] for q in found["stale"]]})
    if as_json:
        return emit_json(found)
    if "stale" in found:
        table(say("sausat.stale_wait_queues_title", delays=found["configured_delays"]),
              [("sausat.queue", NAME), ("sausat.delay_ms", FIGURE),
               ("sausat.messages", FIGURE)],
              [(q["queue"], q["delay_ms"], q["messages"]) for q in found["stale"]])
    else:
        table(say("sausat.wait_queues_removed_title"),
              [("sausat.queue", NAME), ("sausat.outcome", TEXT)],
              [(q, say("sausat.removed")) for q in found["removed"]]
              + [(q, say("sausat.kept_not_empty")) for q in found["kept_not_empty"]])


if __name__ == "__main__":
    cli(prog_name="sausat")
