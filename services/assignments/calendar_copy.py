"""The working calendar branch meetings move by: the policy file's seed (the one escalations
seeds its stored calendar from) with the national days administrators entered since, learnt
from ``working_calendar_changed`` (an event-fed copy: a date computed never asks escalations).

An authority's own days are not the branches': only national ones are kept. A day's latest
telling wins, whatever order the events arrive in; a removed entry leaves the day to the law's
calendar (Tết, weekends), even where the seed had an entry for it. Example::

    calendar = calendar_with(seed_calendar, [{"_id": "2026-12-18", "kind": "day_off"}])
"""
import datetime as dt
import functools

from shared.working_calendar import CalendarEntry, WorkingCalendar

SOURCE = "escalations.working_calendar_changed"


def day_told(payload, occurred_at):
    """What is kept of one ``working_calendar_changed`` (None: an authority's own day)."""
    if payload.get("authority_id"):
        return None
    return {"_id": str(payload["day"]), "kind": payload["kind"], "told_at": occurred_at}


def calendar_with(seed, days):
    """``seed`` with the days told replacing or removing its entries for those days."""
    return _built(seed, tuple((day["_id"], day["kind"]) for day in days))


@functools.lru_cache(maxsize=8)
def _built(seed, told):
    changed = {dt.date.fromisoformat(day): kind for day, kind in told}
    kept = [entry for entry in seed.entries if entry.day not in changed]
    entered = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    added = [CalendarEntry(day, kind, SOURCE, SOURCE, entered)
             for day, kind in sorted(changed.items()) if kind is not None]
    return WorkingCalendar(entries=(*kept, *added), hours=seed.hours)
