"""An interim reply with a committed date (gia hạn): once per case, before the answer deadline,
with a progress note. Ho Chi Minh City's 1022 line asks for one after five days: a progress
report and the date by which the answer will come. The clock then runs to the committed date,
and the case escalates if that slips. Example::

    reply = interim_reply(case, today, committed_on, "đã khảo sát, chờ kinh phí", calendar)
    reply.answer_by      # the committed date: the new answer deadline
"""
import datetime as dt
from dataclasses import dataclass

from services.escalations.case_clock import pending_deadline, schedule
from services.escalations.case_states import Outcome
from shared import contracts
from shared.clock import vietnam_date
from shared.errors import Conflict, InvalidInput
from shared.reasons import reason

# how far an authority may push its own deadline, in working days past the original one
LONGEST_EXTENSION_WORKING_DAYS = 30
NOTE_LENGTH = (10, 2000)


class InterimRefused(ValueError):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class InterimReply:
    answer_by: dt.date          # the committed date
    original_answer_by: dt.date
    note: str
    timeline: dict


def interim_reply(answer_by, interim_given, today, committed_on, note, calendar, by=None):
    """Refused, with the reason, when one was already given, the deadline has passed, the
    committed date comes before the original deadline, is not a working day, is too far, or
    the progress note is missing."""
    if interim_given:
        raise InterimRefused("interim_already_given", "an interim reply was already given")
    if today > answer_by:
        raise InterimRefused("interim_after_deadline",
                             f"the answer deadline {answer_by} has passed")
    if committed_on < answer_by:
        raise InterimRefused("interim_date_before_deadline",
                             f"the committed date must not come before {answer_by}")
    if not calendar.is_working_day(committed_on):
        raise InterimRefused("interim_date_not_working_day", f"{committed_on} is a day off")
    if calendar.working_days_between(answer_by, committed_on) > LONGEST_EXTENSION_WORKING_DAYS:
        raise InterimRefused("interim_date_too_far",
                             f"at most {LONGEST_EXTENSION_WORKING_DAYS} working days past "
                             f"{answer_by}")
    note = (note or "").strip()
    if not NOTE_LENGTH[0] <= len(note) <= NOTE_LENGTH[1]:
        raise InterimRefused("interim_note_length",
                             f"a progress note of {NOTE_LENGTH[0]}–{NOTE_LENGTH[1]} characters")
    return InterimReply(committed_on, answer_by, note, {
        "kind": "interim_replied", "by": by, "committed_on": committed_on.isoformat(),
        "original_answer_by": answer_by.isoformat(), "note": note})


# --- on a case: the outcome the case's store writes (the state stays) -----------------------

def interim_outcome(case, who, at, policy, committed_on, note):
    """The outcome of the holder's interim reply on ``case`` at ``at``: the answer deadline
    becomes the committed date (the sweep then reminds and escalates against it), the reply is
    kept on the case, a timeline line and ``case_interim_replied``. A case whose answer clock
    is not running (not yet acknowledged, paused, answered, closed) is a 409; the rule's
    refusals (:func:`interim_reply`) are 400s naming their field."""
    pending = pending_deadline(case)
    if pending is None or pending[0] != "answer":
        raise Conflict(f"an interim reply is given while the answer deadline runs; the case is "
                       f"{case['status']}", {"action": ["interim_reply"],
                                             "state": [case["status"]]})
    try:
        reply = interim_reply(pending[1], bool(case.get("interim_reply")), vietnam_date(at),
                              committed_on, note, policy.calendar, by=who["user_id"])
    except InterimRefused as refused:
        field = "note" if refused.code == "interim_note_length" else "committed_on"
        raise InvalidInput(f"the interim reply is refused: {refused}",
                           {field: [reason(refused.code, str(refused))]}) from None
    kept = {"committed_on": reply.answer_by.isoformat(),
            "original_answer_by": reply.original_answer_by.isoformat(), "note": reply.note,
            "at": at, "by": who["user_id"]}
    changes = {"answer_by": reply.answer_by.isoformat(), "interim_reply": kept}
    changes.update(schedule({**case, **changes}, policy))
    entry = {"at": at, **who, "action": "interim_reply", "from_state": case["status"],
             "to_state": case["status"], "why": reply.note,
             "because": {"code": "interim_reply", "committed_on": kept["committed_on"],
                         "original_answer_by": kept["original_answer_by"]},
             "authority_id": case["authority_id"]}
    event = (contracts.CASE_INTERIM_REPLIED, {
        "case_id": case["_id"], "concern_id": case["concern_id"],
        "authority_id": case["authority_id"], "committed_on": reply.answer_by,
        "original_answer_by": reply.original_answer_by, "note": reply.note})
    return Outcome(case["status"], changes, entry, event)
