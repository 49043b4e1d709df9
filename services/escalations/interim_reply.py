"""An interim reply with a committed date (gia hạn): once per case, before the answer deadline,
with a progress note. Ho Chi Minh City's 1022 line asks for one after five days: a progress
report and the date by which the answer will come. The clock then runs to the committed date,
and the case escalates if that slips. Example::

    reply = interim_reply(case, today, committed_on, "đã khảo sát, chờ kinh phí", calendar)
    reply.answer_by      # the committed date: the new answer deadline
"""
import datetime as dt
from dataclasses import dataclass

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
