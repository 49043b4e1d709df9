"""What an answer records beside its text, for the case machine's answer action: its outcome
(``answer_outcomes``), the unit that answered and its official letter or why there is none.

An officer's answer must carry them all (a refusal names the argument); a duplicate takes its
original's answer, so its outcome is ``duplicate`` and its unit and letter are the original's.
The timeline's line tells them as a ``because`` the pages word. Example::

    answer_record("in_progress", {"outcome": "solved", "answering_unit": "Phòng Kinh tế",
                                  "letter_number": "125/UBND", "letter_date": "2026-12-01"}, at)
    # {"outcome": "solved", "answering_unit": "Phòng Kinh tế",
    #  "letter": {"number": "125/UBND", "date": "2026-12-01"}, "no_letter_reason": None}
"""
from services.escalations.answer_outcomes import (
    DUPLICATE,
    NEEDS,
    OutcomeRefused,
    check_answer,
)
from services.escalations.case_states import DUPLICATE_OF
from shared.clock import vietnam_date
from shared.contracts.cases import ANSWER_RECORD_FIELDS
from shared.errors import InvalidInput
from shared.reasons import reason

# what an answer keeps on the case and its event besides the text
RECORD_FIELDS = ANSWER_RECORD_FIELDS
# the timeline's code for each outcome, worded by the pages (because.<code>)
BECAUSE = {"solved": "outcome_solved", "explained": "outcome_explained",
           "not_competent": "outcome_not_competent",
           "complaint_procedure": "outcome_complaint_procedure", "duplicate": "outcome_duplicate"}


def answer_record(state, args, at):
    """The answer's record (see the module), or InvalidInput naming the argument refused."""
    empty = dict.fromkeys(RECORD_FIELDS)  # a second answer after a reopening replaces all
    if state == DUPLICATE_OF:  # the original's answer: it settled the matter, not this case
        return {**empty, "outcome": DUPLICATE, "answering_unit": args.get("answering_unit"),
                "letter": args.get("letter"), "no_letter_reason": args.get("no_letter_reason")}
    try:
        return {**empty, **check_answer(args, vietnam_date(at))}
    except OutcomeRefused as refused:
        raise InvalidInput(f"the answer is refused: {refused}",
                           {refused.field: [reason(refused.code, str(refused))]}) from None


def because_of(record):
    """The timeline line's ``because``: the outcome, what it names, the unit and its letter."""
    because = {"code": BECAUSE[record["outcome"]],
               "answering_unit": record.get("answering_unit") or ""}
    named = NEEDS.get(record["outcome"])
    if named:
        because[named] = record.get(named) or ""
    letter = record.get("letter")
    if letter:
        because.update(letter_number=letter["number"], letter_date=letter["date"])
    elif record.get("no_letter_reason"):
        because["no_letter_reason"] = record["no_letter_reason"]
    return because
