"""The test clock: the real time unless a configured file says how far ahead to be."""
import datetime as dt

import pytest

from shared.clock import Clock


def test_without_a_file_it_is_the_real_utc_time():
    before = dt.datetime.now(dt.timezone.utc)
    now = Clock().now()
    assert before <= now <= dt.datetime.now(dt.timezone.utc) and now.tzinfo is not None


def test_a_missing_or_empty_file_adds_nothing(tmp_path):
    clock = Clock(tmp_path / "offset")
    assert clock.offset() == dt.timedelta(0)
    (tmp_path / "offset").write_text("")
    assert clock.offset() == dt.timedelta(0)


def test_moving_the_file_moves_every_clock_reading_it(tmp_path):
    first, second = Clock(tmp_path / "offset"), Clock(tmp_path / "offset")
    Clock.move(tmp_path / "offset", 4 * 86400)
    assert first.offset() == second.offset() == dt.timedelta(days=4)
    assert first.now() - dt.datetime.now(dt.timezone.utc) > dt.timedelta(days=3, hours=23)


def test_a_file_that_is_not_a_number_is_an_error_not_the_real_time(tmp_path):
    (tmp_path / "offset").write_text("tomorrow")
    with pytest.raises(ValueError):
        Clock(tmp_path / "offset").now()
