"""Import jobs: a file's rows planned against the registry, then applied, surviving restarts.

The promise: an accepted upload is a job document and its file, written before the upload is
answered. A job then moves ``queued → planning → applying → done`` one step at a time (reading
the file into one document per valid row, ``import_rows``; planning them against the
registry; applying them), each step's result written before
the next begins, so a service that stops (or crashes) anywhere resumes from the last written
step: a row is marked ``applied`` (with its ``outcome`` where the service says one: members)
only after the registering RPC answered, and those RPCs are
idempotent (the same data again changes nothing), so a row applied just before a crash and
applied again after it is there once. One instance works on a job at a time: it holds a
lease (``lease_until``) renewed after every window of rows; a lease that ran out (its holder
died) is taken over. A file with rejected rows changes nothing (state ``rejected``) unless
``accept_valid_rows`` was given. Example::

    job = accept_upload(db, upload, principal, limits)   # checked at a first look, stored
    runner = JobRunner(db, registry_calls, owner="3f…", lease_seconds=15, limits=limits)
    runner.work()       # carries each job that needs work as far as it goes

A job that raises anything but a :class:`TransientFailure` (a poison job) ends ``failed``
with the reason: at once when its file cannot be read, after ``MAX_ATTEMPTS`` tries when
planning or applying; it never holds up the jobs after it.
"""
import base64
import datetime as dt
from logging import getLogger

import eventlet
from eventlet import tpool

from services.imports import store
from services.imports.intake import first_look, take_in
from services.imports.kinds import KINDS
from services.imports.parsing import FileRefused
from services.imports.planning import lookups, make_plan
from services.imports.registry_calls import TransientFailure, fetch_known
from services.imports.rows import Row, refused_on
from shared import contracts
from shared.authorisation import actor_of
from shared.errors import InvalidInput, SausatError

_log = getLogger(__name__)

ACTIVE = ("queued", "planning", "applying")
WINDOW = 16              # rows of one wave applied concurrently, one RPC each
BULK_WINDOW = 200        # rows of one wave applied in one bulk call, progress after each
MAX_LISTED = 1000        # rejections and failures kept in the job document
WRITE_CHUNK = 500        # rows written in one store call
MAX_ATTEMPTS = 3         # tries of a job that fails on an error other than a registry away


def now():
    return dt.datetime.now(dt.timezone.utc)


def new_job(upload, fmt, principal):
    created = now()
    return {
        "_id": contracts.new_id(), "filename": upload["filename"], "format": fmt,
        "kind": upload["kind"], "sheets": [], "accept_valid_rows": upload["accept_valid_rows"],
        "principal": principal.to_dict() if principal else None,
        "actor": actor_of(principal), "state": "queued",
        "progress": {"total": 0, "rejected": 0, "unchanged": 0, "to_apply": 0, "applied": 0,
                     "failed": 0},
        "refusal": None, "refusal_because": None, "rejections": [], "failures": [], "outcomes": [],
        "attempts": 0,
        "created_at": created,
        "updated_at": created, "finished_at": None,
        "owner": None, "lease_until": dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc),
    }


def accept_upload(db, upload, principal, limits):
    """A job for ``upload`` (``StartImport``), stored with its file, queued; a file that
    cannot be read (or a workbook past ``limits``) is refused whole (InvalidInput), naming
    the problem."""
    data = base64.b64decode(upload["content_base64"])
    try:
        fmt = first_look(data, upload["filename"], upload["format"], limits)
    except FileRefused as refused:
        raise InvalidInput("the file is refused; nothing was imported",
                           {"content_base64": [refused.args[0]]}) from None
    job = new_job(upload, fmt, principal)
    store.add_job(db, job, upload["content_base64"])
    _log.info("import %s of %s (%s, %d bytes) queued", job["_id"], upload["filename"],
              fmt, len(data))
    return job


class JobRunner:
    def __init__(self, db, calls, owner, lease_seconds, limits, bulk_rows=BULK_WINDOW):
        self.db = db
        self.bulk_rows = bulk_rows
        self.calls = calls
        self.owner = owner
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.limits = limits

    def work(self):
        """Carry each job that needs work, oldest first, as far as it goes; the ids of the
        jobs tried. A job waiting for the registry, or one that failed, holds up no other."""
        tried = []
        for job_id in store.jobs_needing_work(self.db, ACTIVE):
            job = self.claim(job_id)
            if job is None:
                continue
            tried.append(job_id)
            try:
                self.run(job)
            except TransientFailure as error:
                _log.warning("import %s waits for the registry: %s", job["_id"], error)
            except Exception as error:  # noqa: BLE001 (a poison job must end, not loop)
                self.crashed(job, error)
        return tried

    def crashed(self, job, error):
        """A job that raised what no step expects: tried again at the next tick, and ended
        ``failed`` with the reason after ``MAX_ATTEMPTS`` tries."""
        _log.exception("import %s stopped on an error", job["_id"])
        attempts = store.count_attempt(self.db, job["_id"], self.owner)
        if attempts is not None and attempts >= MAX_ATTEMPTS:
            self.fail(job["_id"], f"sau {attempts} lần thử / after {attempts} tries", error)

    def fail(self, job_id, when, error):
        reason = (f"việc nhập dừng vì lỗi, {when} / the import stopped on an error {when}: "
                  f"{type(error).__name__}: {str(error)[:300]}; upload the file again, or "
                  "ask an operator")
        self.ended(job_id, {"state": "failed", "refusal": reason,
                            "refusal_because": {"code": "import_stopped"}})
        _log.warning("import %s failed: %s", job_id, reason)

    def claim(self, job_id):
        """The job, leased to us, or None while another live instance holds it."""
        return store.claim_job(self.db, job_id, ACTIVE, self.owner, now() + self.lease, now())

    def renew(self, job_id, changes=None):
        """Write ``changes`` with a renewed lease; False if the lease was lost meanwhile."""
        return store.renew_job(self.db, job_id, self.owner, changes or {},
                               now() + self.lease, now())

    def run(self, job):
        if job["state"] == "queued":
            job = self.read(job)
        if job is not None and job["state"] == "planning":
            job = self.plan(job)
        if job is not None and job["state"] == "applying":
            self.apply(job)

    def ended(self, job_id, changes):
        """Write a job's last state; its rows and file go after ``store.FILES_KEPT_SECONDS``."""
        changes = {**changes, "finished_at": now()}
        store.let_files_expire(self.db, job_id, now())
        return self.renew(job_id, changes)

    # --- reading ----------------------------------------------------------------------------

    def read(self, job):
        data = base64.b64decode(store.job_file(self.db, job["_id"]))
        try:  # in a real thread: a big workbook takes a second or two to read
            taken = tpool.execute(take_in, data, job["filename"], job["kind"], job["format"],
                                  self.limits)
        except FileRefused as refused:
            self.ended(job["_id"], {"state": "refused", "refusal": str(refused),
                                    "refusal_because": refused.because})
            _log.info("import %s refused: %s", job["_id"], refused)
            return None
        except Exception as error:  # noqa: BLE001 (the same file fails the same way again)
            _log.exception("import %s: its file could not be read", job["_id"])
            self.fail(job["_id"], "khi đọc tệp / reading the file", error)
            return None
        store.forget_rows(self.db, job["_id"])  # a read cut short before
        rows = [{"_id": f"{job['_id']}:{seq:07d}", "job_id": job["_id"], "seq": seq,
                 "kind": row.kind, "sheet": row.sheet, "line": row.line,
                 "payload": row.payload, "state": "checked"}
                for seq, row in enumerate(taken.rows)]
        for start in range(0, len(rows), WRITE_CHUNK):
            store.add_rows(self.db, rows[start:start + WRITE_CHUNK])
            eventlet.sleep(0)  # let RPCs (a GET of this import) through between chunks
        rejected = len({(r.sheet, r.line) for r in taken.rejections})
        changes = {"state": "planning", "sheets": taken.sheets,
                   "rejections": [r.to_dict() for r in taken.rejections[:MAX_LISTED]],
                   "progress": {**job["progress"], "total": len(rows) + rejected,
                                "rejected": rejected}}
        if not self.renew(job["_id"], changes):
            return None
        _log.info("import %s read: %d rows, %d rejected", job["_id"], len(rows), rejected)
        return {**job, **changes}

    # --- planning ---------------------------------------------------------------------------

    def plan(self, job):
        stored = store.rows_of(self.db, job["_id"])
        sheets = {}
        for doc in stored:
            sheets.setdefault((doc["kind"], doc["sheet"]), []).append(
                Row(doc["kind"], doc["sheet"], doc["line"], doc["payload"]))
        checked = [_Checked(kind, rows) for (kind, _), rows in sheets.items()]
        plan = make_plan(checked, fetch_known(self.calls, lookups(checked)))
        seq_of = {(doc["sheet"], doc["line"]): doc["_id"] for doc in stored}
        marks = [(seq_of[(s.sheet, s.line)],
                  {"state": "planned", "wave": s.wave, "action": s.action})
                 for s in plan.steps]
        marks += [(seq_of[key], {"state": "unchanged"}) for key in plan.unchanged]
        marks += [(seq_of[(r.sheet, r.line)], {"state": "rejected", "reason": r.reason})
                  for r in plan.rejections if (r.sheet, r.line) in seq_of]
        for start in range(0, len(marks), WRITE_CHUNK):
            store.mark_rows(self.db, marks[start:start + WRITE_CHUNK])
            eventlet.sleep(0)
        rejections = job["rejections"] + [r.to_dict() for r in plan.rejections]
        rejections.sort(key=lambda r: (r["sheet"], r["line"], r["column"]))
        rejected = job["progress"]["rejected"] + len({(r.sheet, r.line)
                                                      for r in plan.rejections})
        refused = rejected and not job["accept_valid_rows"]
        state = "rejected" if refused else "applying" if plan.steps else "done"
        progress = {**job["progress"], "rejected": rejected, "unchanged": len(plan.unchanged),
                    "to_apply": 0 if refused else len(plan.steps)}
        changes = {"state": state, "progress": progress, "rejections": rejections[:MAX_LISTED]}
        written = self.renew(job["_id"], changes) if state == "applying" else \
            self.ended(job["_id"], changes)
        if not written:
            return None
        _log.info("import %s planned: %d to apply, %d unchanged, %d rejected -> %s",
                  job["_id"], len(plan.steps), len(plan.unchanged), rejected, state)
        return {**job, **changes}

    # --- applying ---------------------------------------------------------------------------

    def apply(self, job):
        # the registry trusts imports as a calling service (shared/callers.SERVICE_CALLS): only
        # the gateway may pass a user's principal, and the administrator's request is long over
        principal = None
        while True:
            batch = store.next_planned_rows(self.db, job["_id"], self.bulk_rows)
            if not batch:
                return self.finish(job)
            batch = [row for row in batch if row["wave"] == batch[0]["wave"]]
            by_kind = {}
            for row in batch:
                by_kind.setdefault((row["kind"], row.get("action") == "change"), []).append(row)
            marks, failures = [], []
            for (kind, changing), rows in by_kind.items():
                results = self.register(KINDS[kind], rows, changing, principal)
                results = self.follow_up(KINDS[kind], rows, results, principal)
                for row, result in zip(rows, results):
                    if isinstance(result, SausatError):
                        failure = {"sheet": row["sheet"], "line": row["line"],
                                   **refused_on(result, KINDS[kind])}
                        failures.append(failure)
                        marks.append((row["_id"], {"state": "failed",
                                                    "reason": result.message}))
                    else:
                        marks.append((row["_id"], {"state": "applied",
                                                   **outcome_of(result)}))
            store.mark_rows(self.db, marks)
            if not store.count_wave(self.db, job["_id"], self.owner, len(marks) - len(failures),
                                    failures, now() + self.lease, now()):
                _log.warning("import %s: lease lost; another instance goes on", job["_id"])
                return None

    def register(self, kind, rows, changing, principal):
        """Each row's registration (or change) or its refusal: new rows of a kind the registry
        takes in bulk in one call, any other row in one call of its own."""
        if kind.bulk_rpc is not None and not changing:
            service, method = kind.bulk_rpc
            return self.calls.bulk(service, method, kind.name,
                                   [kind.registered(row["payload"]) for row in rows])
        service, method = kind.change_rpc if changing else kind.rpc
        return self.calls.many(service, method, [_arguments(kind, row["payload"], changing,
                                                            principal) for row in rows],
                               window=WINDOW)

    def follow_up(self, kind, rows, results, principal):
        """Each registered row's follow-up call (an assignment's end), its refusal in place of
        the row's result. A crash between the two repeats both: each is idempotent."""
        calls = {}
        for index, (row, result) in enumerate(zip(rows, results)):
            if not isinstance(result, SausatError):
                call = kind.follow_up_of(row["payload"], result, principal)
                if call is not None:
                    calls.setdefault(call[:2], []).append((index, call[2]))
        results = list(results)
        for (service, method), pending in calls.items():
            answers = self.calls.many(service, method, [arguments for _, arguments in pending])
            for (index, _), answer in zip(pending, answers):
                if isinstance(answer, SausatError):
                    results[index] = answer
        return results

    def finish(self, job):
        counts = {state: store.count_rows(self.db, job["_id"], state)
                  for state in ("applied", "failed")}
        failed = counts["failed"]
        changes = {"state": "done_with_errors" if failed else "done",
                   "progress.applied": counts["applied"], "progress.failed": failed,
                   # from the rows, which a crash cannot leave behind the job's counts
                   "outcomes": store.row_outcomes(self.db, job["_id"], MAX_LISTED)}
        self.ended(job["_id"], changes)
        _log.info("import %s %s: %d applied, %d failed", job["_id"], changes["state"],
                  counts["applied"], failed)
        return changes["state"]


def outcome_of(result):
    """What applying a row did, when its service says (a members row: ``joined``, ``moved``,
    ``ended``, ``renamed``, ``unchanged``); the registry's RPCs say nothing more than done."""
    outcome = result.get("outcome") if isinstance(result, dict) else None
    return {"outcome": outcome} if isinstance(outcome, str) else {}


class _Checked:
    def __init__(self, kind, rows):
        self.kind = kind
        self.rows = rows


def _arguments(kind, payload, changing, principal):
    """What the registering RPC takes, or the change RPC: the record's key and its changes."""
    if not changing:
        return (kind.registered(payload), principal)
    key, = kind.key_of(payload)
    return (key, {name: payload.get(name) for name in kind.changeable}, principal)
