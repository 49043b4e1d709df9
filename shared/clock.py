"""``Clock``: the one "now" a service judges deadlines by, which tests can move without sleeping;
and Vietnam's time zone, in which every "today" of the domain is read.

Promise: in production ``now()`` is the real UTC time. Only when the configuration names a
``TEST_CLOCK_FILE`` does it add the number of seconds written in that file (read on every call,
so every process reading the same file moves together; a missing or empty file adds nothing).
A file that does not hold a number is an error, never silently the real time. Example::

    clock = Clock(config.get("TEST_CLOCK_FILE"))
    clock.now()                                   # aware UTC datetime
    # in a test, every service process is now four days ahead:
    pathlib.Path(config["TEST_CLOCK_FILE"]).write_text(str(4 * 86400))
    clock.today()                                 # the date in Vietnam now, not the server's

A server runs on UTC: its local date is a day behind Vietnam's from 00:00 to 07:00 there, so
no code asks for ``date.today()``; a day is :func:`vietnam_date` of a moment, or ``today()``.
"""
import datetime as dt
import pathlib

# Vietnam keeps UTC+7 all year (no daylight saving)
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def vietnam_date(moment):
    """The date in Vietnam at an aware ``moment``."""
    return moment.astimezone(VIETNAM).date()


def vietnam_midnight(day):
    """The moment a day begins in Vietnam (aware)."""
    return dt.datetime.combine(day, dt.time(0), VIETNAM)


def today(clock=None):
    """Today's date in Vietnam, by ``clock`` (the real time when None)."""
    return vietnam_date(clock.now() if clock is not None else dt.datetime.now(dt.timezone.utc))


class Clock:
    def __init__(self, offset_file=None):
        self.offset_file = pathlib.Path(offset_file) if offset_file else None

    def offset(self):
        if self.offset_file is None:
            return dt.timedelta(0)
        try:
            text = self.offset_file.read_text().strip()
        except FileNotFoundError:
            return dt.timedelta(0)
        if not text:
            return dt.timedelta(0)
        try:
            return dt.timedelta(seconds=float(text))
        except ValueError:
            raise ValueError(f"{self.offset_file} must hold a number of seconds, "
                             f"not {text[:40]!r}") from None

    def now(self):
        return dt.datetime.now(dt.timezone.utc) + self.offset()

    def today(self):
        """Today's date in Vietnam, moved with the clock."""
        return vietnam_date(self.now())

    @staticmethod
    def move(offset_file, seconds):
        """Set the offset every clock reading ``offset_file`` adds (for tests)."""
        path = pathlib.Path(offset_file)
        partial = path.with_suffix(".partial")
        partial.write_text(str(float(seconds)))
        partial.replace(path)  # readers see the old or the new number, never half of one
