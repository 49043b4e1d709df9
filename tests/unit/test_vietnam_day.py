"""Vietnam's day, from one place: ``shared.clock``.

A server runs on UTC; from 17:00 to 24:00 UTC it is already the next day in Vietnam. Every
"today" of the domain (a meeting's date, an assignment's, an import's) is Vietnam's, moved by the
test clock where a service has one, and no other module defines the zone or asks the server for
its local date.
"""
import datetime as dt
import pathlib
import re

from shared import clock

ROOT = pathlib.Path(__file__).resolve().parents[2]
UTC = dt.timezone.utc


def test_vietnam_is_a_day_ahead_of_utc_in_the_evening():
    evening = dt.datetime(2026, 12, 6, 18, 30, tzinfo=UTC)
    assert clock.vietnam_date(evening) == dt.date(2026, 12, 7)
    assert clock.vietnam_date(evening - dt.timedelta(hours=2)) == dt.date(2026, 12, 6)


def test_a_day_begins_at_midnight_in_vietnam():
    assert clock.vietnam_midnight(dt.date(2026, 12, 7)) == dt.datetime(2026, 12, 6, 17, 0,
                                                                        tzinfo=UTC)


def test_today_follows_the_test_clock(tmp_path):
    offset = tmp_path / "offset"
    moved = clock.Clock(str(offset))
    before = moved.today()
    clock.Clock.move(offset, 3 * 86400)
    assert moved.today() - before in (dt.timedelta(days=3), dt.timedelta(days=4))
    assert clock.today(moved) == moved.today()
    assert clock.today() in (before, before + dt.timedelta(days=1))


def test_no_other_module_keeps_its_own_day():
    own_zone = re.compile(r"timedelta\(hours=7\)")
    server_day = re.compile(r"\bdate\.today\(\)|datetime\.now\(\)\.date\(\)")
    found = []
    for package in ("services", "shared", "tooling", "docstore"):
        for path in (ROOT / package).rglob("*.py"):
            if "tests" in path.relative_to(ROOT).parts or path == ROOT / "shared" / "clock.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}"
                      for pattern in (own_zone, server_day) for m in pattern.finditer(text)]
    assert not found, found
