"""Redaction by hand on the authority's side (Law 91/2025/QH15; FixMyStreet's moderation): an
officer of the authority holding a case picks words of its summary that are personal details
(a name, a house, a telephone the cadre typed) and each becomes ``[đã ẩn]``.

The case takes the new text with a line on its timeline saying who redacted and when, never what
(``action: redact``); its ``case_summary_redacted`` event carries only the new text, and visits,
which keeps the concern, takes it and tells every other copy (mails, the audit trail, the
brief) by ``concern_redacted``. The words taken out are kept nowhere. Example::

    redact_case(db, rules, case_id, ["Nguyễn Văn Hai", "số nhà 12"], officer)
"""
from logging import getLogger

from services.escalations import queries, store
from services.escalations.access import holds_case
from shared import contracts, redaction
from shared.errors import Forbidden

_log = getLogger(__name__)


def redact_case(db, rules, case_id, words, principal):
    case = queries.visible_case(db, case_id, principal)
    if not holds_case(principal, case):
        raise Forbidden("only an officer of the authority holding the case redacts it",
                        {"rule": ["cases.redact: the holding authority's officers only"]})
    redaction.check_words(words, case["summary"])
    summary = redaction.redact_words(case["summary"], words)
    now = rules.clock.now()
    entry = {"at": now, "user_id": principal.user_id, "role": principal.role,
             "action": "redact", "from_state": case["status"], "to_state": case["status"],
             # no "why": the timeline says who and when, and a redaction has no words to quote
             "authority_id": case["authority_id"], "why": None}
    event = contracts.CASE_SUMMARY_REDACTED.new(
        {"case_id": case["_id"], "concern_id": case["concern_id"], "summary": summary},
        occurred_at=now, actor=principal.user_id)
    stored = store.redact_by_hand(db, case, summary, entry, event)
    _log.info("case %s: %d word(s) redacted by %s", case_id, len(words), principal.user_id)
    return queries.show(db, stored, now, principal)
