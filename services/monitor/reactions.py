"""The monitor's reaction to events: every event, of every service, into the audit trail;
reads of personal data also into their own log, for administrators; a request from a person
concerned answered for the trail and the log, and every service's answer filed on its request;
a concern's text anonymised in the trail too."""
from services.monitor import data_subjects, requests, store, trail
from shared import contracts


def event_published(db, event):
    """Recorded once (keyed by event id) with the subjects a trace follows."""
    store.record_audit(db, trail.audit_entry(event))
    if event.event_type.name == "personal_data_read":
        store.record_personal_data_read(db, trail.personal_data_entry(event))
    elif event.event_type is contracts.DATA_SUBJECT_REQUEST_RECORDED:
        data_subjects.answer_request(db, event.payload)
    elif event.event_type.name == "data_subject_request_answered":
        requests.file_answer(db, event)
    elif event.event_type is contracts.CONCERN_REDACTED:
        store.redact_concern(db, event.payload["concern_id"], event.payload["summary"])
