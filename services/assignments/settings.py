"""The assignments service's settings: the shared ones (the store, the broker, the outbox), the
working calendar branch meetings move by, and the meetings' reminder lead time."""
import datetime as dt
import functools
import pathlib

import yaml
from marshmallow import fields, validate

from shared import config
from shared.working_calendar import DAY_OFF, WORKING_DAY, calendar_from_days

POLICY_FILE = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "case_policy.yml"


class Settings(config.Settings):
    """The keys of deploy/config.yml the assignments service reads (defaults: there)."""
    # how long before a planned meeting its attendees are mailed a reminder
    MEETING_REMINDER_HOURS = fields.Float(required=True, validate=validate.Range(0, 24 * 14))
    MEETING_REMINDER_SWEEP_SECONDS = fields.Float(required=True,
                                                  validate=validate.Range(0.05, 86400))
    # how often pending periodic reports are computed (services/assignments/reporting_jobs)
    REPORT_SWEEP_SECONDS = fields.Float(required=True, validate=validate.Range(0.05, 3600))


def settings(given):
    return config.load_settings(Settings(), given)


@functools.cache
def working_calendar(path=POLICY_FILE):
    """The national working calendar with the policy file's extra days: the one escalations'
    deadlines count by (deploy/case_policy.yml ``calendar``)."""
    table = yaml.safe_load(pathlib.Path(path).read_text(encoding="utf-8"))["calendar"]
    # the seed's dated entries (each with its notice), and the older lists of days
    entries = table.get("entries") or ()
    return calendar_from_days(
        {kind: [*table.get(listed, ()), *(e["day"] for e in entries if e["kind"] == kind)]
         for kind, listed in ((DAY_OFF, "extra_days_off"),
                              (WORKING_DAY, "extra_working_days"))},
        "deploy/case_policy.yml", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
