"""What the assignments service does on the events it hears: plain functions, called by the
``@subscribe`` entrypoints of ``service``.

- a request from a person concerned (``data_subject_requests``): what assignments holds of them
  found, anonymised for a deletion, and answered (``data_subjects``);
- a day of the working calendar set or cleared (``working_calendar_changed``): kept for the
  branch meetings' dates (``calendar_copy``);
- a visit logged (``visit_logged``): who attended which branch's meeting on which day, kept for
  branch meetings' plan against actual (``attendance``), so that comparison never asks visits.
  Example::

    answer_data_subject_request(db, event)
"""
from services.assignments import attendance, calendar_copy, data_subjects
from services.assignments.store import meetings as meeting_store


def answer_data_subject_request(db, event):
    data_subjects.answer_request(db, event.payload)


def record_visit(db, event):
    """A ``visit_logged``: who attended which branch's meeting on which day (the same event
    again changes nothing)."""
    meeting_store.record_attended(db, attendance.visit_seen(event.payload))


def record_calendar_day(db, event):
    """A national day of the working calendar as told (an authority's own: not kept)."""
    day = calendar_copy.day_told(event.payload, event.occurred_at)
    if day is not None:
        meeting_store.record_calendar_day(db, day)
