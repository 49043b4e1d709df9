"""How a case ended, apart from its being closed ("closed is not fixed", FixMyStreet's councils
said): solved; explained, no action needed; not within our competence (naming the right body or
channel); belongs to the complaint or denunciation procedure (naming the law); duplicate.
iHanoi counts refused matters apart from solved ones, and so do the statistics here: on-time
rates count only the cases the authority itself had to settle. Example::

    check_outcome("not_competent", {"right_body": "Tòa án nhân dân huyện"})
    tally(cases)     # per outcome, with the on-time rate over settled cases only
"""
from dataclasses import dataclass

SOLVED = "solved"
EXPLAINED = "explained"
NOT_COMPETENT = "not_competent"
COMPLAINT_PROCEDURE = "complaint_procedure"
DUPLICATE = "duplicate"
OUTCOMES = (SOLVED, EXPLAINED, NOT_COMPETENT, COMPLAINT_PROCEDURE, DUPLICATE)
# what each outcome must name
NEEDS = {NOT_COMPETENT: "right_body", COMPLAINT_PROCEDURE: "law"}
# settled by the authority itself: the only ones an on-time rate may count
SETTLED = frozenset({SOLVED, EXPLAINED})
NAME_LENGTH = 300


class OutcomeRefused(ValueError):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def check_outcome(outcome, details):
    """The outcome's own fields, cleaned; refused when unknown or missing what it must name."""
    if outcome not in OUTCOMES:
        raise OutcomeRefused("outcome_unknown", f"unknown outcome {outcome!r}; one of {OUTCOMES}")
    needed = NEEDS.get(outcome)
    if needed is None:
        return {}
    value = ((details or {}).get(needed) or "").strip()
    if not value:
        raise OutcomeRefused(f"outcome_needs_{needed}", f"{outcome} must name the {needed}")
    if len(value) > NAME_LENGTH:
        raise OutcomeRefused("outcome_name_too_long", f"{needed}: at most {NAME_LENGTH} characters")
    return {needed: value}


@dataclass(frozen=True)
class Tally:
    per_outcome: dict           # outcome -> cases
    settled: int
    settled_on_time: int

    @property
    def on_time_rate(self):
        return None if not self.settled else self.settled_on_time / self.settled


def tally(cases):
    """``cases``: (outcome, answered_on_time) pairs of ended cases."""
    per_outcome = dict.fromkeys(OUTCOMES, 0)
    settled = on_time = 0
    for outcome, answered_on_time in cases:
        per_outcome[outcome] += 1
        if outcome in SETTLED:
            settled += 1
            on_time += bool(answered_on_time)
    return Tally(per_outcome, settled, on_time)
