"""Severity tiers: how fast an authority must accept a case (working hours) and answer it
(working days), as data per authority level and topic.

Authorities already work to such tiers: iHanoi (Decision 1207/QĐ-UBND) accepts within 8
working hours and urgent matters within 4; Đà Nẵng answers within 3 working days. The table
:data:`DEFAULT_TIERS` is the starting point; a deployment replaces it. The most specific row
wins (its level first, then its topic). Example::

    tier = tier_for(TIERS, level="commune", topic="land", urgency="urgent")
    accept_by, answer_by = targets(tier, calendar, received_at)
    change = change_tier(case_tier, "complex", "cần khảo sát thực địa", ...)  # recomputes
"""
import datetime as dt
from dataclasses import dataclass

from shared.clock import vietnam_date
from shared.working_calendar import CalendarRefused

ANY = "*"
URGENT, NORMAL, COMPLEX = "urgent", "normal", "complex"
TIERS = (URGENT, NORMAL, COMPLEX)
# the concern's urgency as the cadre marked it picks the tier at routing; "complex" is only
# ever chosen by the holder, with a reason
TIER_OF_URGENCY = {"urgent": URGENT, "normal": NORMAL}


class TierRefused(ValueError):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class TierTarget:
    tier: str
    level: str                  # authority level ("commune", "province", ...) or "*"
    topic: str                  # concern topic or "*"
    accept_within_hours: float  # working hours to accept the case
    answer_within_days: int     # working days to answer, from the day it arrived

    def __post_init__(self):
        if self.tier not in TIERS:
            raise TierRefused("tier_unknown", f"unknown tier {self.tier!r}; one of {TIERS}")
        # a target of nothing would put the deadline at (or before) the case's arrival
        if not self.accept_within_hours > 0 or self.answer_within_days < 1:
            raise TierRefused("tier_deadline_before_arrival",
                              f"{self.tier}/{self.level}/{self.topic}: targets must be after "
                              "the case arrives")
        if self.accept_within_hours > 8 * self.answer_within_days:
            raise TierRefused("tier_accept_after_answer",
                              f"{self.tier}/{self.level}/{self.topic}: acceptance cannot come "
                              "after the answer")


DEFAULT_TIERS = (
    TierTarget(URGENT, ANY, ANY, 4, 3),
    TierTarget(NORMAL, ANY, ANY, 8, 10),
    TierTarget(COMPLEX, ANY, ANY, 16, 30),
    TierTarget(NORMAL, ANY, "land", 8, 30),
    TierTarget(URGENT, ANY, "public_order", 2, 2),
)


def check_table(rows):
    """Every tier has a row for any level and topic, and no two rows say the same thing."""
    seen = set()
    for row in rows:
        key = (row.tier, row.level, row.topic)
        if key in seen:
            raise TierRefused("tier_row_repeated", f"two rows for {'/'.join(key)}")
        seen.add(key)
    missing = [tier for tier in TIERS if (tier, ANY, ANY) not in seen]
    if missing:
        raise TierRefused("tier_default_missing", f"no row for any level and topic: {missing}")
    return tuple(rows)


def tier_for(rows, level, topic, urgency=None, tier=None):
    """The target for a case: its tier (or the tier its urgency picks) at the most specific row."""
    tier = tier or TIER_OF_URGENCY.get(urgency, NORMAL)
    rows = [row for row in rows if row.tier == tier
            and row.level in (level, ANY) and row.topic in (topic, ANY)]
    if not rows:
        raise TierRefused("tier_default_missing", f"no row for tier {tier!r}")
    return max(rows, key=lambda row: (row.level == level, row.topic == topic))


def to_the_minute(moment):
    """A deadline moment on a whole minute (up: sessions end on whole minutes, so it stays
    inside office hours), as pages say it ("trước 15:30") and stores keep it."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + dt.timedelta(minutes=1)


def targets(target, calendar, received_at):
    """``(accept_by, answer_by)``: a moment within office hours, and the answer's last day."""
    accept_by = to_the_minute(calendar.add_working_hours(received_at,
                                                         target.accept_within_hours))
    answer_by = calendar.add_working_days(vietnam_date(received_at), target.answer_within_days)
    if accept_by <= received_at or answer_by <= vietnam_date(received_at):
        raise CalendarRefused("tier_deadline_before_arrival", "a deadline before the case arrived")
    return accept_by, answer_by


@dataclass(frozen=True)
class TierChange:
    tier: str
    target: TierTarget
    accept_by: object
    answer_by: object
    timeline: dict


def change_tier(rows, calendar, level, topic, current, new, reason_text, received_at, by):
    """The holder changes a case's tier: a reason is required, deadlines are recomputed from
    when the case arrived, and the change goes on the timeline."""
    if new not in TIERS:
        raise TierRefused("tier_unknown", f"unknown tier {new!r}")
    if new == current:
        raise TierRefused("tier_unchanged", f"the case is already {new}")
    if not (reason_text or "").strip():
        raise TierRefused("tier_reason_missing", "a reason is needed to change the tier")
    target = tier_for(rows, level, topic, tier=new)
    accept_by, answer_by = targets(target, calendar, received_at)
    return TierChange(new, target, accept_by, answer_by, {
        "kind": "tier_changed", "by": by, "from": current, "to": new,
        "reason": reason_text.strip(), "answer_by": answer_by.isoformat()})
