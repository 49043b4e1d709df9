"""Reads of personal data (DESIGN §6: need-to-know, and audited): one event per request that
returned some to a user, naming who read which records, never the data itself.

The service that answered writes the event through its outbox in the same request (a crash
loses none); the monitor keeps every one for administrators (``audit.read``). Example::

    VISITS_PERSONAL_DATA_READ.new({"read_at": now, "user_id": "u-binh", "role": "cadre",
                                   "purpose": "visits.get_concern",
                                   "records": [{"kind": "concern", "id": "9f1c…"}]})
"""
from marshmallow import Schema, fields, validate

from shared.contracts.accounts import ROLES
from shared.contracts.base import Id, Text
from shared.contracts.envelope import EventType

# what a read names: a concern (its raiser's name and contact), a visit (its concerns'
# raisers), a cadre (e-mail and telephone), a notification (the recipient's address)
RECORD_KINDS = ("concern", "visit", "cadre", "notification")
# one entry per request, however long its page (shared.pages.MAX_LIMIT, visits' concerns)
MAX_RECORDS = 5000


class ReadRecord(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(RECORD_KINDS))
    id = Id(required=True)


class PersonalDataRead(Schema):
    read_at = fields.AwareDateTime(required=True)
    user_id = Id(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    # "<service>.<rpc>": which read, so an administrator sees why it was shown
    purpose = Id(required=True)
    records = fields.List(fields.Nested(ReadRecord), required=True,
                          validate=validate.Length(min=1, max=MAX_RECORDS))


# one per service that hands personal data out: only an event's source may publish it
VISITS_PERSONAL_DATA_READ = EventType("visits", "personal_data_read", PersonalDataRead)
ASSIGNMENTS_PERSONAL_DATA_READ = EventType("assignments", "personal_data_read", PersonalDataRead)
NOTIFICATIONS_PERSONAL_DATA_READ = EventType("notifications", "personal_data_read",
                                             PersonalDataRead)



# --- requests from the people concerned (Law 91/2025/QH15) -----------------------------------

# what a person may ask of the data about them
REQUEST_KINDS = ("access", "correction", "deletion", "objection")
# a service's answer can name at most this many of its records
MAX_FOUND = 500


class DataSubjectRequestRecorded(Schema):
    """An administrator recorded a person's request: each service holding data of people finds
    theirs (and, for a deletion, removes it) and answers. The name and contact travel to the
    services that search by them; the monitor's audit trail leaves them out (``personal``)."""
    request_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REQUEST_KINDS))
    name = Text(200, required=True, metadata={"personal": True})
    contact = Text(200, load_default=None, allow_none=True, metadata={"personal": True})


class Found(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(RECORD_KINDS))
    id = Id(required=True)


class DataSubjectRequestAnswered(Schema):
    """What one service holds of the person (ids only), and whether it removed it."""
    request_id = Id(required=True)
    found = fields.List(fields.Nested(Found), required=True,
                        validate=validate.Length(max=MAX_FOUND))
    removed = fields.Boolean(required=True)


class ConcernRedacted(Schema):
    """A concern's summary as the authority got it was anonymised in visits (a deletion
    request, the retention sweep): whoever keeps a copy of it takes the new text."""
    concern_id = Id(required=True)
    summary = Text(2000, required=True)


class CaseSummaryRedacted(Schema):
    """An officer of the authority holding a case redacted personal details typed into its
    summary by hand: the summary as it now reads (never the words taken out); visits, which
    keeps the concern, takes it and tells every other copy (``concern_redacted``)."""
    case_id = Id(required=True)
    concern_id = Id(required=True)
    summary = Text(2000, required=True)


class RedactWords(Schema):
    """The words of a summary a cadre or an officer picked out as personal details (a name, an
    address, a house number): each becomes ``[đã ẩn]`` wherever the text is kept."""
    words = fields.List(Text(200, min_length=2, required=True, metadata={"personal": True}),
                        required=True, validate=validate.Length(min=1, max=20))


DATA_SUBJECT_REQUEST_RECORDED = EventType("monitor", "data_subject_request_recorded",
                                          DataSubjectRequestRecorded)
# the services that search for the person answer (visits: the raisers it alone keeps)
VISITS_DATA_SUBJECT_REQUEST_ANSWERED = EventType("visits", "data_subject_request_answered",
                                                 DataSubjectRequestAnswered)
CONCERN_REDACTED = EventType("visits", "concern_redacted", ConcernRedacted)
CASE_SUMMARY_REDACTED = EventType("escalations", "case_summary_redacted", CaseSummaryRedacted)

__all__ = ["RECORD_KINDS", "MAX_RECORDS", "VISITS_PERSONAL_DATA_READ",
           "ASSIGNMENTS_PERSONAL_DATA_READ", "NOTIFICATIONS_PERSONAL_DATA_READ",
           "REQUEST_KINDS", "MAX_FOUND", "DATA_SUBJECT_REQUEST_RECORDED",
           "VISITS_DATA_SUBJECT_REQUEST_ANSWERED", "CONCERN_REDACTED", "CASE_SUMMARY_REDACTED",
           "RedactWords"]
