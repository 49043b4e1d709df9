"""What branch meetings are judged by, read once at start-up: the clock (``TEST_CLOCK_FILE``
moves it in tests, ``shared.clock``), the working calendar meetings move by and how long before
a meeting its attendees are reminded (``MEETING_REMINDER_HOURS``). The calendar read at
start-up is the policy file's seed; each use adds the days administrators entered since."""
import datetime as dt

from nameko.extensions import DependencyProvider

from services.assignments import calendar_copy
from services.assignments.settings import settings, working_calendar
from services.assignments.store import meetings as meeting_store
from shared.clock import Clock
from shared.timers import interval_timer


class MeetingRules(DependencyProvider):

    def setup(self):
        config = settings(self.container.config)
        self.clock = Clock(config["TEST_CLOCK_FILE"] or None)
        self.calendar = working_calendar()
        self.remind_before = dt.timedelta(hours=config["MEETING_REMINDER_HOURS"])

    def get_dependency(self, worker_ctx):
        return self

    def calendar_of(self, db):
        """The seed with the days administrators entered since (``calendar_copy``)."""
        return calendar_copy.calendar_with(self.calendar, meeting_store.calendar_days(db))


# the look for meeting reminders due (services.assignments.reminders)
reminder_timer = interval_timer(settings, "MEETING_REMINDER_SWEEP_SECONDS")
# the look for periodic reports asked for (services.assignments.reporting_jobs)
report_timer = interval_timer(settings, "REPORT_SWEEP_SECONDS")
