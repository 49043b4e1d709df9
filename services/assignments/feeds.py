"""A cadre's calendar feed (iCalendar, Asia/Ho_Chi_Minh) of the meetings they are planned to
attend, at a secret address their phone's calendar subscribes to without signing in.

The address carries a random token; only its SHA-256 is stored, so the store never holds a
working address. A cadre has one address at a time: issuing a new one revokes the old, revoking
leaves none. The feed holds branch names and times only (no concerns, no people), and reads
from one client address are limited per window (429 with Retry-After), like the receipt page.
"""
import datetime as dt
import hashlib
import math
import secrets
from zoneinfo import ZoneInfo

import icalendar

from services.assignments import store
from services.assignments.store import meetings as meeting_store
from shared.errors import NotFound, TooManyRequests
from shared.reasons import reason

VIETNAM_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
READS_PER_WINDOW, WINDOW_SECONDS = 30, 600
# a branch meeting's time when its schedule names none, and how long it is shown
DEFAULT_STARTS_AT, LASTS = "08:00", dt.timedelta(hours=2)
# the feed shows meetings from a month back to half a year ahead
SHOWN_BACK, SHOWN_AHEAD = dt.timedelta(days=31), dt.timedelta(days=183)


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue(db, cadre_id, now):
    """A new secret token for the cadre's feed (the old one stops working)."""
    store.find_cadre(db, cadre_id)
    token = secrets.token_urlsafe(24)
    meeting_store.set_feed(db, cadre_id, _hash(token), now)
    return token


def revoke(db, cadre_id, now):
    meeting_store.set_feed(db, cadre_id, None, now)


def _limit(db, client_address, now):
    window = int(now.timestamp()) // WINDOW_SECONDS * WINDOW_SECONDS
    ends = dt.datetime.fromtimestamp(window + WINDOW_SECONDS, dt.timezone.utc)
    if meeting_store.count_feed_read(db, f"{client_address}|{window}", ends) > READS_PER_WINDOW:
        raise TooManyRequests("too many reads from this address; try again later",
                              {"token": [reason("too_many_lookups", "too many reads")]},
                              retry_after=max(1, math.ceil((ends - now).total_seconds())))


def feed(db, token, client_address, now, today):
    """The iCalendar text of the token's cadre; NotFound for an unknown or revoked token."""
    _limit(db, client_address, now)
    found = meeting_store.feed_of_token(db, _hash(token)) if token else None
    if found is None:
        raise NotFound("no calendar at this address", {"token": ["unknown or revoked"]})
    plans = meeting_store.plans_of_cadre(db, found["_id"], (today - SHOWN_BACK).isoformat(),
                                         (today + SHOWN_AHEAD).isoformat())
    units = {unit["_id"]: unit for unit in store.units_named(
        db, sorted({entry["unit_id"] for entry in plans}))}
    return render(plans, units, now)


def render(plans, units, now):
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Sau Sat//branch meetings//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for entry in plans:
        unit = units.get(entry["unit_id"], {"name": entry["unit_id"]})
        hour, minute = map(int, ((unit.get("meeting_schedule") or {}).get("starts_at")
                                 or DEFAULT_STARTS_AT).split(":"))
        starts = dt.datetime.combine(dt.date.fromisoformat(entry["meeting_on"]),
                                     dt.time(hour, minute), VIETNAM_ZONE)
        event = icalendar.Event()
        event.add("uid", f"{entry['_id']}@sausat")
        event.add("dtstamp", now)
        event.add("dtstart", starts)
        event.add("dtend", starts + LASTS)
        event.add("summary", unit["name"])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
