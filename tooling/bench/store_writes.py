"""Same-run before/after of the embedded store's updates: the ``docstore`` package of a base
commit against the working tree's, in alternate processes, on the writes the flame graphs
showed (no assertions: it prints figures).

Each process loads ``--visits`` visits shaped like the visits service's (three concerns, four
events in the outbox, the service's own indexes, three of them multikey) and as many
notifications, then times, in CPU seconds of the process (``time.process_time``):

- **clear**: the relay clearing each visit's confirmed events, 50 visits per call
  (``shared.outbox.clear_sent``, as ``OutboxRelay`` calls it);
- **touch**: one ``$set`` of two fields with an event pushed, per visit (a case event noted on
  the visit it came from);
- **mark**: a notification claimed then marked sent (two conditional updates, one with an
  event), per notification (the mail sender's writes);
- **open**: a case inserted with its first event, one commit each, into a collection with the
  escalations service's case indexes (``open_case``: 20 indexes, five of them multikey);
- **audit**: the monitor's audit entries, four per transaction (a concern's four events in
  one batch), with the audit trail's five indexes;
- **batched**: cases opened five per transaction (a batch of routed concerns: each write a
  savepoint, whose statement journal a case's pages fill past 64 KiB).

The same code of ``shared`` runs on both sides; only ``docstore`` differs. Pairs alternate
which side runs first; the medians of the pairs are printed with each pair's ratio.

    .venv/bin/python -m tooling.bench.store_writes [--base f2a93f1] [--pairs 5] [--visits 1000]
"""
import argparse
import datetime as dt
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[2]
BATCH = 50
KINDS = ("clear", "touch", "mark", "open", "audit", "batched")


def _envelope(kind, payload):
    return {"event_id": uuid.uuid4().hex, "event_type": kind, "source": "visits",
            "occurred_at": dt.datetime.now(dt.timezone.utc), "payload": payload,
            "actor": "u-binh", "correlation_id": uuid.uuid4().hex, "causation_id": None}


def _visit(i):
    concerns = [{"concern_id": f"c{i}-{n}", "topic": "infrastructure",
                 "summary": "Đường thôn xuống cấp, mùa mưa ngập sâu", "raised_by": "resident",
                 "raiser_key": f"k{i}-{n}", "raiser_contact_key": None} for n in range(3)]
    events = [_envelope("visit_logged", {"visit_id": f"v{i}", "unit_id": "np"})] + [
        _envelope("concern_raised", {"concern_id": c["concern_id"], "summary": c["summary"]})
        for c in concerns]
    return {"_id": f"v{i:06d}", "cadre_id": "tran-thi-binh", "submission_id": f"s{i}",
            "unit_id": "vp.bx.th.np", "meeting_date": "2026-12-01", "unscheduled_flag": 0,
            "concerns": concerns, "raisers_held": True,
            "last_activity_at": dt.datetime.now(dt.timezone.utc),
            "outbox": events, "outbox_pending": True}


def _notification(i):
    now = dt.datetime.now(dt.timezone.utc)
    return {"_id": f"n{i:06d}", "case_id": f"k{i}", "concern_id": f"c{i}-0",
            "recipient_id": "ubnd-xa-tam-hop", "email": "ubnd@vinhphuc.example",
            "subject": "Có ý kiến mới", "body": "Nội dung " * 40, "state": "pending",
            "attempts": 0, "next_attempt_at": now, "created_at": now}


def _case(i):
    now = dt.datetime.now(dt.timezone.utc)
    words = "duong thon xuong cap mua mua ngap sau nguoi dan di lai kho khan".split()
    return {"_id": uuid.uuid4().hex, "concern_id": f"c{i}", "authority_id": f"a{i % 7}",
            "status": "routed", "due_sort": now, "routed_at": now, "received_at": now,
            "next_deadline_at": now, "due_at": now,
            "unit_path": ["vp", "vp.bx", "vp.bx.th", "vp.bx.th.np"],
            "search": {"prefixes": sorted({w[:k] for w in words for k in range(1, len(w) + 1)})},
            "assignee_user_id": None, "escalated_past": [], "triage": None,
            "duplicate_of": None, "named_officer_ids": [], "receipt_code": None,
            "summary": " ".join(words), "topic": "infrastructure", "version": 1,
            "timeline": [{"at": now, "what": "routed"}],
            "outbox": [_envelope("case_routed", {"concern_id": f"c{i}"})],
            "outbox_pending": True}


def _audit_entry(i):
    event = _envelope("concern_raised", {"concern_id": f"c{i}", "unit_id": "np"})
    return {"_id": event["event_id"], "routing_key": "visits.concern_raised",
            "occurred_at": event["occurred_at"], "actor": "u-binh",
            "correlation_id": event["correlation_id"], "causation_id": None,
            "subjects": [{"id": f"c{i}"}], "entities": [], "payload": event["payload"]}


def _opened_and_audited(db, visits, figures):
    from services.escalations.store import INDEXES as CASE_INDEXES
    from services.monitor.store import INDEXES as AUDIT_INDEXES

    for name, specs in (("cases", CASE_INDEXES["cases"]),
                        ("audit_trail", AUDIT_INDEXES["audit_trail"])):
        for keys, options in specs:
            db[name].create_index(keys, **options)
    cases = [_case(i) for i in range(visits)]
    started = time.process_time()
    for case in cases:
        db.cases.insert_one(case)
    figures["open"] = (time.process_time() - started) / visits

    figures["audit"] = _in_transactions(db.audit_trail, [_audit_entry(i) for i in range(visits)], 4)
    figures["batched"] = _in_transactions(db.cases, [_case(visits + i) for i in range(visits)], 5)


def _in_transactions(collection, documents, size):
    """CPU seconds per document inserted ``size`` to a transaction (a batch of deliveries)."""
    started = time.process_time()
    for first in range(0, len(documents), size):
        with collection.database.transaction():
            for document in documents[first:first + size]:
                collection.insert_one(document)
    return (time.process_time() - started) / len(documents)


def worker(folder, visits):
    """One side's figures, CPU seconds per operation, as JSON on stdout."""
    from docstore import DocStoreClient
    from services.notifications.store import INDEXES as MAIL_INDEXES
    from services.visits.store import INDEXES as VISIT_INDEXES
    from shared.outbox import clear_sent, push_events

    db = DocStoreClient(folder)["bench"]
    for name, specs in {**VISIT_INDEXES, **MAIL_INDEXES}.items():
        for keys, options in specs:
            db[name].create_index(keys, **options)
    docs = [_visit(i) for i in range(visits)]
    db.visits.insert_many(docs)
    db.notifications.insert_many([_notification(i) for i in range(visits)])
    figures = {}

    started = time.process_time()
    for first in range(0, visits, BATCH):
        part = docs[first:first + BATCH]
        clear_sent(db.visits, {d["_id"]: [e["event_id"] for e in d["outbox"]] for d in part},
                   {d["_id"]: len(d["outbox"]) for d in part})
    figures["clear"] = (time.process_time() - started) / visits

    started = time.process_time()
    for doc in docs:
        db.visits.update_one({"_id": doc["_id"]}, push_events(
            {"$set": {"last_activity_at": dt.datetime.now(dt.timezone.utc), "touched": 1}},
            [_envelope("case_noted", {"visit_id": doc["_id"]})]))
    figures["touch"] = (time.process_time() - started) / visits

    started = time.process_time()
    for i in range(visits):
        key = f"n{i:06d}"
        db.notifications.update_one({"_id": key, "state": "pending", "attempts": 0},
                                    {"$set": {"state": "sending"}, "$inc": {"attempts": 1}})
        db.notifications.update_one({"_id": key, "state": "sending", "attempts": 1},
                                    push_events({"$set": {"state": "sent", "smtp_reply": "250"}},
                                                [_envelope("notification_sent", {"n": key})]))
    figures["mark"] = (time.process_time() - started) / visits
    _opened_and_audited(db, visits, figures)
    print(json.dumps(figures))


def _export(base, into, package="docstore"):
    archive = subprocess.run(["git", "archive", base, package], cwd=ROOT, check=True,
                             capture_output=True).stdout
    path = pathlib.Path(into) / "archive.tar"
    path.write_bytes(archive)
    with tarfile.open(path) as tar:
        tar.extractall(into, filter="data")
    return into


def _run_side(docstore_parent, visits, scratch):
    folder = tempfile.mkdtemp(dir=scratch)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (docstore_parent, str(ROOT)) if p), "PYTHONWARNINGS": "ignore"}
    out = subprocess.run([sys.executable, "-m", "tooling.bench.store_writes", "--worker",
                          folder, "--visits", str(visits)], cwd=docstore_parent or ROOT,
                         env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="f2a93f1")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--visits", type=int, default=1000)
    parser.add_argument("--worker", metavar="FOLDER")
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.visits)
    with tempfile.TemporaryDirectory() as scratch:
        base = _export(args.base, tempfile.mkdtemp(dir=scratch))
        sides = {"base": base, "this tree": ""}
        runs = {side: [] for side in sides}
        for pair in range(args.pairs):
            order = list(sides) if pair % 2 == 0 else list(sides)[::-1]
            for side in order:
                runs[side].append(_run_side(sides[side], args.visits, scratch))
            print(f"pair {pair + 1}: " + ", ".join(
                f"{kind} {runs['this tree'][-1][kind] / runs['base'][-1][kind]:.2f}×"
                for kind in KINDS), flush=True)
        print(f"load average {os.getloadavg()[0]:.1f}; CPU per operation, median of "
              f"{args.pairs} pairs (base {args.base}):")
        for kind in KINDS:
            before = statistics.median(r[kind] for r in runs["base"])
            after = statistics.median(r[kind] for r in runs["this tree"])
            print(f"  {kind:6} {before * 1e6:8.0f} µs → {after * 1e6:8.0f} µs  "
                  f"({after / before:.2f}×)")


if __name__ == "__main__":
    main()
