"""What the assignments service does on the events it hears: plain functions, called by the
``@subscribe`` entrypoints of ``service``.

- a request from a person concerned (``data_subject_requests``): what assignments holds of them
  found, anonymised for a deletion, and answered (``data_subjects``);
- a visit logged or amended (``visit_logged``, ``visit_amended``): who attended which branch's
  meeting on which day, with its attendance and marks, kept for plan against actual and the
  periodic report (``attendance``, ``reporting``), so neither asks visits;
- a concern raised or withdrawn, its case answered, reopened or closed: the report's concerns
  by topic and outcome (``reporting_events``).
- a day of the working calendar set or cleared (``working_calendar_changed``): kept for the
  branch meetings' dates (``calendar_copy``).
  Example::

    answer_data_subject_request(db, event)
"""
from services.assignments import calendar_copy, data_subjects, reporting_events
from services.assignments.store import meetings as meeting_store
from services.assignments.store import reports as report_store


def answer_data_subject_request(db, event):
    data_subjects.answer_request(db, event.payload)


def record_visit(db, event):
    """A ``visit_logged`` or ``visit_amended``: who attended which branch's meeting on which
    day, with its attendance and marks (the same event again, or an older version after a
    newer one, changes nothing)."""
    meeting_store.record_attended(db, reporting_events.visit_version(
        event.event_type.name, event.payload, event.occurred_at))


def record_concern_outcome(db, event):
    """A concern raised, withdrawn, or its case answered, reopened or closed: kept for the
    periodic report, in whatever order they come."""
    name = event.event_type.name
    if name == "concern_raised":
        report_store.record_concern(db, event.payload["concern_id"],
                                    reporting_events.concern_fields(event.payload))
    else:
        concern_id, fact = reporting_events.case_fact(name, event.payload, event.occurred_at)
        report_store.record_case_fact(db, concern_id, event.event_id, fact)


def record_calendar_day(db, event):
    """A national day of the working calendar as told (an authority's own: not kept)."""
    day = calendar_copy.day_told(event.payload, event.occurred_at)
    if day is not None:
        meeting_store.record_calendar_day(db, day)
