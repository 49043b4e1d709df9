"""What the assignments service learns from other services' events: the visits logged, kept for
branch meetings' plan against actual (``attendance``), so that comparison never asks visits."""
from services.assignments import attendance
from services.assignments.store import meetings as meeting_store


def record_visit(db, event):
    """A ``visit_logged``: who attended which branch's meeting on which day (the same event
    again changes nothing)."""
    meeting_store.record_attended(db, attendance.visit_seen(event.payload))
