"""How a case ended, apart from its being closed ("closed is not fixed", FixMyStreet's councils
said): solved; explained, no action needed; not within our competence (naming the right body or
channel); belongs to the complaint or denunciation procedure (naming the law); duplicate.
iHanoi counts refused matters apart from solved ones, and so do the statistics here: on-time
rates count only the cases the authority itself had to settle. Example::

    check_outcome("not_competent", {"right_body": "Tòa án nhân dân huyện"})
    tally(cases)     # per outcome, with the on-time rate over settled cases only

An answer read out at a branch meeting must hold up: it names the unit that answered and the
official letter it answered by (number and date), or says why there is none
(:func:`check_answer`).
"""
import datetime as dt
from dataclasses import dataclass

from shared.contracts.cases import ANSWER_OUTCOMES

SOLVED = "solved"
EXPLAINED = "explained"
NOT_COMPETENT = "not_competent"
COMPLAINT_PROCEDURE = "complaint_procedure"
DUPLICATE = "duplicate"
OUTCOMES = (SOLVED, EXPLAINED, NOT_COMPETENT, COMPLAINT_PROCEDURE, DUPLICATE)
if OUTCOMES != ANSWER_OUTCOMES:
    raise ImportError("answer_outcomes' outcomes differ from shared.contracts.cases")
# what each outcome must name
NEEDS = {NOT_COMPETENT: "right_body", COMPLAINT_PROCEDURE: "law"}
NEEDS_CODE = {"right_body": "outcome_needs_right_body", "law": "outcome_needs_law"}
# settled by the authority itself: the only ones an on-time rate may count
SETTLED = frozenset({SOLVED, EXPLAINED})
NAME_LENGTH = 300


# an answer's own record: the unit that answered, its letter or why there is none
UNIT_LENGTH = 200
LETTER_NUMBER_LENGTH = 60
NO_LETTER_REASON_LENGTH = (10, 500)


class OutcomeRefused(ValueError):
    def __init__(self, code, message, field="outcome"):
        super().__init__(message)
        self.code = code
        self.field = field  # the argument the refusal is about


def check_outcome(outcome, details):
    """The outcome's own fields, cleaned; refused when unknown or missing what it must name."""
    if outcome not in OUTCOMES:
        raise OutcomeRefused("outcome_unknown", f"unknown outcome {outcome!r}; one of {OUTCOMES}")
    needed = NEEDS.get(outcome)
    if needed is None:
        return {}
    value = ((details or {}).get(needed) or "").strip()
    if not value:
        raise OutcomeRefused(NEEDS_CODE[needed], f"{outcome} must name the {needed}", needed)
    if len(value) > NAME_LENGTH:
        raise OutcomeRefused("outcome_name_too_long", f"{needed}: at most {NAME_LENGTH} characters",
                             needed)
    return {needed: value}


def _clean(args, name):
    value = args.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise OutcomeRefused("answer_field_not_text", f"{name} must be text", name)
    return value.strip()


def check_answer(args, today):
    """What an answer records beside its text, cleaned: ``outcome`` (and the body or law it
    names), ``answering_unit``, and ``letter`` ({"number", "date"}) or ``no_letter_reason``.
    Refused, naming the argument, when the outcome is unknown or misses its name, the unit is
    missing, neither a whole letter reference nor a reason is given (or both are), or the
    letter is dated after ``today``."""
    outcome = args.get("outcome")
    record = {"outcome": outcome, **check_outcome(outcome, args)}
    unit = _clean(args, "answering_unit")
    if not unit:
        raise OutcomeRefused("answer_needs_unit", "name the unit that answered",
                             "answering_unit")
    if len(unit) > UNIT_LENGTH:
        raise OutcomeRefused("outcome_name_too_long", f"at most {UNIT_LENGTH} characters",
                             "answering_unit")
    record["answering_unit"] = unit
    number, date = _clean(args, "letter_number"), args.get("letter_date")
    no_letter = _clean(args, "no_letter_reason")
    if (number or date) and no_letter:
        raise OutcomeRefused("letter_or_reason", "give the letter or why there is none, not both",
                             "no_letter_reason")
    if no_letter:
        low, high = NO_LETTER_REASON_LENGTH
        if not low <= len(no_letter) <= high:
            raise OutcomeRefused("no_letter_reason_length",
                                 f"why there is no letter: {low}-{high} characters",
                                 "no_letter_reason")
        return {**record, "letter": None, "no_letter_reason": no_letter}
    if not number:
        raise OutcomeRefused("answer_needs_letter", "give the official letter's number and date, "
                             "or why there is none", "letter_number")
    if len(number) > LETTER_NUMBER_LENGTH:
        raise OutcomeRefused("outcome_name_too_long",
                             f"at most {LETTER_NUMBER_LENGTH} characters", "letter_number")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            date = None
    if not isinstance(date, dt.date):
        raise OutcomeRefused("answer_needs_letter_date", "the letter's date (YYYY-MM-DD)",
                             "letter_date")
    if date > today:
        raise OutcomeRefused("letter_dated_later", f"a letter dated after today ({today})",
                             "letter_date")
    return {**record, "letter": {"number": number, "date": date.isoformat()},
            "no_letter_reason": None}


@dataclass(frozen=True)
class Tally:
    per_outcome: dict           # outcome -> cases
    settled: int
    settled_on_time: int

    @property
    def on_time_rate(self):
        return None if not self.settled else self.settled_on_time / self.settled


def tally(cases):
    """``cases``: (outcome, answered_on_time) pairs of answered cases; an answer from before
    outcomes were recorded (None) counts in no outcome and in no on-time rate."""
    per_outcome = dict.fromkeys(OUTCOMES, 0)
    settled = on_time = 0
    for outcome, answered_on_time in cases:
        if outcome not in per_outcome:
            continue
        per_outcome[outcome] += 1
        if outcome in SETTLED:
            settled += 1
            on_time += bool(answered_on_time)
    return Tally(per_outcome, settled, on_time)
