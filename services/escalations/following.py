"""Following a case by its receipt code: the public lookup, and the texts written for it.

:func:`follow` answers the public page (no sign-in): lookups are counted per client address in
a window of the service's clock, and past :data:`LOOKUPS_PER_WINDOW` refused until the window
ends (429 with Retry-After), malformed codes included, so guessing costs the same whatever is
typed. What a lookup shows is ``public_view``'s alone.

:func:`publish` keeps the cadre's public summary or the authority's public answer on the case:
the cadre who carried the concern writes the summary, an officer of the holder the answer once
there is one; each shows on the public page only while marked publishable. Example::

    follow(db, rules, "7KQM4-TX9RB", "203.0.113.9")      # public_view's answer
    publish(db, rules, case_id, "answer", {"text": ..., "publishable": True}, officer)
"""
import datetime as dt
import math
from logging import getLogger

from services.escalations import public_view, queries, store
from services.escalations.access import holds_case, may_read, raised
from shared import receipts
from shared.errors import Forbidden, InvalidInput, NotFound, RuleViolated, TooManyRequests
from shared.reasons import reason

_log = getLogger(__name__)

# a person checking their code a few times, or an office behind one address, stays far below
LOOKUPS_PER_WINDOW = 30
WINDOW_SECONDS = 600
# who writes which text for publication
WRITERS = {"summary": "raiser", "answer": "holder"}
# the timeline's line for each (timeline.<action> in the catalogue)
ACTIONS = {"summary": "publish_summary", "answer": "publish_answer"}


def _read(code):
    try:
        return receipts.read(code)
    except receipts.MistypedCode:
        # the same refusal for every mistyped code: it says nothing of which codes exist
        raise InvalidInput("check the code", {"code": [reason(
            "receipt_code_mistyped", "not a receipt code; check it again")]}) from None


def case_of_code(db, code, principal):
    """The case a signed-in user reaches by its receipt code (an officer's inbox search, a
    code read out on the phone): only one they may read, else NotFound like no such code."""
    code = _read(code)
    case = store.case_of_receipt(db, code) or store.case_joined_by_receipt(db, code)
    if case is None or not may_read(principal, case):
        raise NotFound("no case of yours has this receipt code", {"code": [code]})
    return case


def follow(db, rules, code, client_address):
    now = rules.clock.now()
    window = int(now.timestamp()) // WINDOW_SECONDS * WINDOW_SECONDS
    ends = dt.datetime.fromtimestamp(window + WINDOW_SECONDS, dt.timezone.utc)
    count = store.count_lookup(db, f"{client_address}|{window}", ends)
    if count > LOOKUPS_PER_WINDOW:
        raise TooManyRequests("too many lookups from this address; try again later",
                              {"code": [reason("too_many_lookups", "too many lookups")]},
                              retry_after=max(1, math.ceil((ends - now).total_seconds())))
    code = _read(code)
    # its own case, or the case its concern was attached to (issue 25)
    case = store.case_of_receipt(db, code) or store.case_joined_by_receipt(db, code)
    names = {}
    if case is not None and case.get("authority_id"):
        names = store.authority_names(db, [case["authority_id"]])
    return public_view.public_view(case, names, code)


def publish(db, rules, case_id, kind, text, principal):
    """The ``kind`` ("summary" or "answer") of the case for the public page, as ``principal``
    wrote it; the case as they see it."""
    case = queries.visible_case(db, case_id, principal)
    writer = WRITERS[kind]
    if (writer == "raiser" and not raised(principal, case)) or (
            writer == "holder" and not holds_case(principal, case)):
        who = "the cadre who carried the concern" if writer == "raiser" else \
            "an officer of the authority holding the case"
        raise Forbidden(f"only {who} writes its public {kind}",
                        {"rule": [f"cases.publish_{kind}: {who}"]})
    if kind == "answer" and not case.get("answer"):
        raise RuleViolated("a public answer follows the authority's answer",
                           {"text": [reason("no_answer_yet", "the case has no answer yet")]})
    now = rules.clock.now()
    entry = {"at": now, "user_id": principal.user_id, "role": principal.role,
             "action": ACTIONS[kind], "from_state": case["status"],
             "to_state": case["status"], "authority_id": case.get("authority_id"),
             "why": f"public {kind} {'published' if text['publishable'] else 'kept private'}",
             "because": None}  # every line carries one (None: a person's own act)
    field = {**text, "by": principal.user_id, "at": now}
    stored = store.note_on_case(db, case, {f"public_{kind}": field}, entry)
    _log.info("case %s: public %s written by %s (publishable: %s)", case_id, kind,
              principal.user_id, text["publishable"])
    return queries.show(db, stored, now, principal, rules.policy.calendar)
