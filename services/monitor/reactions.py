"""The monitor's reaction to events: every event, of every service, into the audit trail;
reads of personal data also into their own log, for administrators."""
from services.monitor import store, trail


def event_published(db, event):
    """Recorded once (keyed by event id) with the subjects a trace follows."""
    store.record_audit(db, trail.audit_entry(event))
    if event.event_type.name == "personal_data_read":
        store.record_personal_data_read(db, trail.personal_data_entry(event))
