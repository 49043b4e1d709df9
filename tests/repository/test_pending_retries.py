"""The retries a subscriber notes until they come back (shared/retries.py), on every store: a
retry renewed keeps one record, an overdue one is found oldest first and only for its queue,
postponing moves it out of reach, and settling forgets it."""
import datetime as dt

from shared import retries

NOW = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.timezone.utc)
HEADERS = {"x-sausat-attempt": 1, "x-death": [{"count": 1, "queue": "q.retry-1000ms"}]}


def note(db, queue, event_id, due, body=b'{"event_id": "e"}'):
    retries.scheduled(db, queue, event_id, body, "application/json", "utf-8", HEADERS, due)


def test_a_retry_is_found_when_overdue_oldest_first_and_only_on_its_queue(database):
    retries.ensure_index(database)
    note(database, "visits.case_life", "e2", NOW - dt.timedelta(seconds=5))
    note(database, "visits.case_life", "e1", NOW - dt.timedelta(seconds=9))
    note(database, "visits.case_life", "e3", NOW + dt.timedelta(seconds=5))
    note(database, "escalations.case_answered", "e4", NOW - dt.timedelta(seconds=9))
    found = retries.overdue(database, "visits.case_life", NOW)
    assert [r["event_id"] for r in found] == ["e1", "e2"]
    assert found[0]["body"] == '{"event_id": "e"}'
    assert found[0]["headers"] == {"x-sausat-attempt": 1}  # RabbitMQ's own history dropped


def test_a_renewed_retry_keeps_one_record_and_settling_forgets_it(database):
    note(database, "q", "e1", NOW - dt.timedelta(seconds=1), body=b'{"n": 1}')
    note(database, "q", "e1", NOW - dt.timedelta(seconds=1), body='{"n": 2}')
    [found] = retries.overdue(database, "q", NOW)
    assert found["body"] == '{"n": 2}'
    retries.postponed(database, found, NOW + dt.timedelta(seconds=30))
    assert retries.overdue(database, "q", NOW) == []
    assert retries.overdue(database, "q", NOW + dt.timedelta(seconds=31)) != []
    retries.settled(database, "q", "e1")
    assert retries.overdue(database, "q", NOW + dt.timedelta(days=1)) == []
