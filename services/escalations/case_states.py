"""A case's states, the sides that act on it, and the outcome of an action: what both the case
machine (:mod:`services.escalations.case_life`) and its clock
(:mod:`services.escalations.case_clock`) read."""
import datetime as dt
from dataclasses import dataclass

from shared.clock import vietnam_date

# --- states ----------------------------------------------------------------------------------
ROUTED = "routed"
ACKNOWLEDGED = "acknowledged"
IN_PROGRESS = "in_progress"
AWAITING_INFORMATION = "awaiting_information"
ANSWERED = "answered"
CLOSED_RESOLVED = "closed_resolved"
CLOSED_UNRESOLVED = "closed_unresolved"
REDIRECTED = "redirected"
ESCALATED = "escalated"
DUPLICATE_OF = "duplicate_of"
REOPENED = "reopened"
# no authority could be found for it (no rule, no triage authority configured)
UNROUTED = "unrouted"
# the raising side withdrew the concern (visits' ``concern_withdrawn``): nothing more to do
WITHDRAWN = "withdrawn"

STATES = (ROUTED, ACKNOWLEDGED, IN_PROGRESS, AWAITING_INFORMATION, ANSWERED, CLOSED_RESOLVED,
          CLOSED_UNRESOLVED, REDIRECTED, ESCALATED, DUPLICATE_OF, REOPENED, UNROUTED, WITHDRAWN)
CLOSED = frozenset({CLOSED_RESOLVED, CLOSED_UNRESOLVED})
# waiting for the holder to acknowledge (unless it already did before a redirect)
ARRIVED = frozenset({ROUTED, REDIRECTED, ESCALATED})
# acknowledged and being worked on
WORKING = frozenset({ACKNOWLEDGED, IN_PROGRESS, REOPENED})
# a deadline runs in these states
CLOCK_RUNS = ARRIVED | WORKING
# open: another case may be a duplicate of it
OPEN = CLOCK_RUNS | {AWAITING_INFORMATION}

HOLDER, RAISER, SYSTEM = "holder", "raiser", "system"


@dataclass(frozen=True)
class Outcome:
    state: str
    changes: dict      # fields to $set on the case (includes state and schedule)
    entry: dict        # the timeline line: who, when, what, why (and ``because``, below)
    event: tuple       # (EventType, payload)


def as_date(value):
    """A deadline's day: a stored date, or the Vietnam day of a moment (a tier's acceptance
    deadline, counted in working hours)."""
    moment = as_moment(value)
    if moment is not None:
        return vietnam_date(moment)
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def as_moment(value):
    """The moment a deadline stored as one passes (ISO with a time), or None for a day."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and "T" in value:
        return dt.datetime.fromisoformat(value)
    return None
