"""What the assignments service does on the events it hears: plain functions, called by the
``@subscribe`` entrypoints of ``service``.

- a request from a person concerned (``data_subject_requests``): what assignments holds of them
  found, anonymised for a deletion, and answered (``data_subjects``);
- a visit logged (``visit_logged``): who attended which branch's meeting on which day, kept for
  branch meetings' plan against actual (``attendance``), so that comparison never asks visits.
  Example::

    answer_data_subject_request(db, event)
"""
from services.assignments import attendance, data_subjects
from services.assignments.store import meetings as meeting_store


def answer_data_subject_request(db, event):
    data_subjects.answer_request(db, event.payload)


def record_visit(db, event):
    """A ``visit_logged``: who attended which branch's meeting on which day (the same event
    again changes nothing)."""
    meeting_store.record_attended(db, attendance.visit_seen(event.payload))
