"""Counting a run: what the HTTP side accepted against what is in each service's own store, the
mail catcher's Maildir and the dead-letter queues. Nothing here trusts the services' answers.

- **cases**: one case per accepted concern (escalations' ``cases``, by ``concern_id``); a
  missing one is lost, a second one (or a case of a concern nobody accepted) is duplicated.
- **visits**: one stored visit per accepted submission (visits' ``visits``).
- **acted on**: each officer action answered 200 is in its case's timeline once; more lines
  than accepted plus uncertain (no answer, 5xx) actions is a duplicate.
- **escalations**: one ``escalate`` line per breach (the same holder and the same passed
  deadline twice is a duplicate); a case still past its deadline after the drain is a lost one.
- **notifications**: each timeline line that tells someone (route, redirect, escalate to an
  authority, answer, a timely reminder) has exactly one stored notification of its kind; each
  notification marked sent has exactly one mail in the Maildir (by ``X-Sausat-Notification``);
  one still waiting after the drain is lost.
- **dead-lettered**: the dead-letter queues' depths, which must equal the poison published.

Example::

    tally = count(store_folder, maildir, amqp_uri, cadre, officers)
    tally.line("kill-services", seed=7)
"""
import collections
import dataclasses
import datetime as dt
import pathlib
import re
import sqlite3

from services.escalations import case_clock
from services.notifications.messages import too_late_to_remind
from shared.clock import Clock
from shared.storage import connect
from tooling.faults.broker import dead_letter_depths, poison_expected
from tooling.mailcatcher import read_messages

TELLS = {"route": ("case_routed", "case_unrouted"), "redirect": ("case_redirected",),
         "escalate": ("case_escalated",), "answer": ("case_answered",),
         "remind": ("case_deadline_near",)}
DUE_ON = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclasses.dataclass
class Tally:
    accepted: int = 0
    routed: int = 0
    acted_on: int = 0
    notified: int = 0
    escalated: int = 0
    duplicated: int = 0
    lost: int = 0
    dead_lettered: int = 0
    poison: int = 0
    recovered: bool = False
    problems: list = dataclasses.field(default_factory=list)

    def problem(self, kind, what):
        """One loss or duplicate, named (kept for the report; counted in lost/duplicated)."""
        if kind == "lost":
            self.lost += 1
        else:
            self.duplicated += 1
        self.problems.append(f"{kind}: {what}")

    def line(self, run, seed, extra=""):
        return (f"{run}: accepted {self.accepted}, routed {self.routed}, acted on "
                f"{self.acted_on}, escalated {self.escalated}, notified {self.notified}, "
                f"duplicated {self.duplicated}, lost {self.lost}, dead-lettered "
                f"{self.dead_lettered} (poison {self.poison}), recovered "
                f"{'yes' if self.recovered else 'no'}, seed {seed}{extra}")


def _chunks(items, size=400):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def count_cases(db, tally, concerns):
    per_concern = collections.Counter()
    cases = {}
    for chunk in _chunks(concerns):
        for case in db.cases.find({"concern_id": {"$in": chunk}}, {"outbox": 0}):
            per_concern[case["concern_id"]] += 1
            cases[case["_id"]] = case
    for concern_id in concerns:
        if per_concern[concern_id] == 0:
            tally.problem("lost", f"no case for concern {concern_id}")
        elif per_concern[concern_id] > 1:
            tally.problem("duplicated", f"{per_concern[concern_id]} cases for concern {concern_id}")
    stray = db.cases.count_documents({}) - sum(per_concern.values())
    for _ in range(stray):
        tally.problem("duplicated", "a case of a concern no HTTP answer accepted")
    tally.routed = sum(1 for case in cases.values() if case.get("authority_id"))
    return cases


def count_actions(cases, tally, officers):
    lines = collections.Counter()
    for case in cases.values():
        for entry in case["timeline"]:
            if entry.get("role") == "authority_officer":
                lines[(case["_id"], entry["action"])] += 1
    accepted = collections.Counter()
    for (case_id, action, _user), times in officers.accepted.items():
        accepted[(case_id, action)] += times
    uncertain = collections.Counter()
    for (case_id, action, _user), times in officers.uncertain.items():
        uncertain[(case_id, action)] += times
    for key, times in accepted.items():
        if lines[key] < times:
            tally.problem("lost", f"{key[1]} of case {key[0]} answered 200, not in its timeline")
    for key, times in lines.items():
        if times > accepted[key] + uncertain[key]:
            tally.problem("duplicated", f"{key[1]} of case {key[0]} {times} times in its timeline")
    tally.acted_on = sum(accepted.values())


def count_escalations(cases, tally, now):
    """A breach is a passed deadline (the line's ``why``) taking the case to one authority;
    two lines of the same breach mean two sweeps both acted on one reading of the case."""
    for case in cases.values():
        seen = set()
        for entry in case["timeline"]:
            if entry["action"] == "escalate":
                tally.escalated += 1
                breach = (entry.get("why"), entry.get("authority_id"))
                if breach in seen:
                    tally.problem("duplicated", f"case {case['_id']} escalated twice: {breach}")
                seen.add(breach)
        if case_clock.due(case, now) == "escalate":
            tally.problem("lost", f"case {case['_id']} past its deadline, not escalated")


def expected_notifications(case):
    """``{cause event types: count}`` the case's timeline should have caused."""
    expected = collections.Counter()
    holder = None
    for entry in case["timeline"]:
        action, to = entry["action"], entry.get("authority_id")
        telling = action in TELLS and not (
            # nobody to tell: no holder, or escalated past the top (the holder stays)
            (action in ("route", "redirect", "escalate") and to is None)
            or (action == "escalate" and to == holder)
            or (action == "remind" and too_late_to_remind(
                entry["at"], dt.date.fromisoformat(DUE_ON.search(entry["why"]).group(1)))))
        if telling:
            expected[TELLS[action]] += 1
        holder = to
    return expected


def count_notifications(db, cases, tally, maildir):
    stored = collections.defaultdict(collections.Counter)
    notifications = {}
    for chunk in _chunks(cases):
        for note in db.notifications.find({"case_id": {"$in": chunk}}, {"body": 0, "outbox": 0}):
            stored[note["case_id"]][note["cause_event_type"]] += 1
            notifications[note["_id"]] = note
    for case_id, case in cases.items():
        for kinds, times in expected_notifications(case).items():
            have = sum(stored[case_id][kind] for kind in kinds)
            if have < times:
                tally.problem("lost", f"case {case_id}: {times - have} {kinds[0]} not notified")
            elif have > times:
                tally.problem("duplicated", f"case {case_id}: {have - times} {kinds[0]} extra")
    mails = collections.Counter(message["X-Sausat-Notification"]
                                for _, message in read_messages(maildir))
    for note_id, note in notifications.items():
        if note["state"] == "sent":
            if mails[note_id] == 0:
                tally.problem("lost", f"notification {note_id} marked sent, no mail caught")
            elif mails[note_id] > 1:
                tally.problem("duplicated",
                              f"notification {note_id} mailed {mails[note_id]} times")
        elif note["state"] in ("pending", "sending"):
            tally.problem("lost", f"notification {note_id} still {note['state']}")
    tally.notified = sum(1 for note_id in notifications if mails[note_id])


def count_visits(db, tally, cadre):
    per_submission = collections.Counter()
    for chunk in _chunks(cadre.accepted):
        for visit in db.visits.find({"submission_id": {"$in": chunk}}, {"submission_id": 1}):
            per_submission[visit["submission_id"]] += 1
    for submission_id in cadre.accepted:
        if per_submission[submission_id] != 1:
            tally.problem("lost" if per_submission[submission_id] == 0 else "duplicated",
                          f"{per_submission[submission_id]} visits for submission {submission_id}")


def count(store_folder, maildir, amqp_uri, cadre, officers, clock_file=None, poisoned=True):
    tally = Tally(accepted=len(cadre.concerns))
    uri = f"embedded:{store_folder}"
    clients = []
    try:
        for name in ("visits", "escalations", "notifications"):
            client, db = connect(uri, name)
            clients.append(client)
            if name == "visits":
                count_visits(db, tally, cadre)
            elif name == "escalations":
                cases = count_cases(db, tally, list(cadre.concerns))
                count_actions(cases, tally, officers)
                count_escalations(cases, tally, Clock(clock_file).now())
            else:
                count_notifications(db, cases, tally, maildir)
    finally:
        for client in clients:
            client.close()
    depths = dead_letter_depths(amqp_uri)
    expected = poison_expected()
    tally.dead_lettered = sum(depths.values())
    tally.poison = sum(expected.values()) if poisoned else 0
    for queue, depth in depths.items():
        want = expected.get(queue, 0) if poisoned else 0
        if depth > want:
            tally.problem("lost", f"{depth - want} real event(s) dead-lettered in {queue}")
        elif depth < want:
            tally.problem("lost", f"{want - depth} poison message(s) missing from {queue}")
    return tally


def document_sizes(store_folder):
    """``{database.collection: (documents, mean JSON bytes)}`` of an embedded store, for the
    capacity estimate (docs/capacity.md)."""
    sizes = {}
    for path in sorted(pathlib.Path(store_folder).glob("*.sqlite3")):
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            tables = [row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%doc TEXT%'")]
            for table in tables:
                documents, mean = conn.execute(
                    f'SELECT count(*), avg(length(doc)) FROM "{table}"').fetchone()
                if documents:
                    sizes[f"{path.stem}.{table}"] = (documents, round(mean))
    return sizes
