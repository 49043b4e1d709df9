"""The monitor's reaction to events: every event, of every service, into the audit trail."""
from services.monitor import store, trail


def event_published(db, event):
    """Recorded once (keyed by event id) with the subjects a trace follows."""
    store.record_audit(db, trail.audit_entry(event))
