"""Requests from the people concerned (Law 91/2025/QH15): recorded by an administrator in the
monitor, fanned out by event, answered by every service holding data about people, and the
anonymisations they cause.

A request names the person as they wrote (``name``, ``contact``: the raisers visits keeps) and,
when the person is one of the system's own people, their user and/or cadre record
(``user_id``, ``cadre_id``). Each answering service finds what it holds of them and, for a
deletion, anonymises it, then answers with ids only. Example::

    DATA_SUBJECT_REQUEST_RECORDED.new({"request_id": "r1", "kind": "deletion",
                                       "name": "Lê Thị Quỳnh", "user_id": "u-quynh"})
    ACCOUNTS_DATA_SUBJECT_REQUEST_ANSWERED.new({"request_id": "r1", "removed": True,
                                                "found": [{"kind": "user", "id": "u-quynh"}]})
"""
from marshmallow import Schema, fields, validate

from shared.contracts.audit import RECORD_KINDS
from shared.contracts.base import Id, Text
from shared.contracts.envelope import EventType

# what a person may ask of the data about them
REQUEST_KINDS = ("access", "correction", "deletion", "objection")
# a service's answer can name at most this many of its records
MAX_FOUND = 500
# what an answer can name besides the records a read names: a user account, a failed
# sign-in's record, an assignment, a working group, an audit entry, a read in the access log,
# an officer's entry in a case desk, a case assigned to them, a photo or document on the
# person's concerns or uploaded by them (issue 31); a Party member's record and the attendance
# lists marking them (the members service's answer alone: issue 29)
FOUND_KINDS = RECORD_KINDS + ("user", "sign_in_attempt", "assignment", "working_group",
                              "audit_entry", "personal_data_read", "officer", "case",
                              "attachment", "member", "attendance", "member_contact",
                              "member_care", "contact_record")


class DataSubjectRequestRecorded(Schema):
    """An administrator recorded a person's request: each service holding data of people finds
    theirs (and, for a deletion, removes it) and answers. The name and contact travel to the
    services that search by them; the monitor's audit trail leaves them out (``personal``)."""
    request_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REQUEST_KINDS))
    name = Text(200, required=True, metadata={"personal": True})
    contact = Text(200, load_default=None, allow_none=True, metadata={"personal": True})
    # added for cadres and users: the person's own records (None: not one of them)
    user_id = Id(load_default=None, allow_none=True)
    cadre_id = Id(load_default=None, allow_none=True)


class Found(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(FOUND_KINDS))
    id = Id(required=True)


class DataSubjectRequestAnswered(Schema):
    """What one service holds of the person (ids only), and whether it removed it."""
    request_id = Id(required=True)
    found = fields.List(fields.Nested(Found), required=True,
                        validate=validate.Length(max=MAX_FOUND))
    removed = fields.Boolean(required=True)
    # why what was found was kept on a deletion (a code of shared/reasons.py, worded by the
    # pages): a Party member's record is the Party organisation's (docs/personal-data.md)
    kept_because = fields.String(allow_none=True,
                                 validate=validate.Length(1, 60))


class UserAnonymised(Schema):
    """A deletion request: the user's name, username and address were replaced, sign-in is
    disabled (its ``tokens_revoked`` follows). The account and what it did stay."""
    user_id = Id(required=True)


class CadreAnonymised(Schema):
    """A deletion request: the cadre's name, e-mail and telephone were replaced; their
    assignments, visits and the statistics stay. Copies of the cadre take the new name."""
    cadre_id = Id(required=True)
    full_name = Text(200, required=True)


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
# every service holding data of people answers (the monitor files each answer on the request)
VISITS_DATA_SUBJECT_REQUEST_ANSWERED = EventType("visits", "data_subject_request_answered",
                                                 DataSubjectRequestAnswered)
ACCOUNTS_DATA_SUBJECT_REQUEST_ANSWERED = EventType("accounts", "data_subject_request_answered",
                                                   DataSubjectRequestAnswered)
ASSIGNMENTS_DATA_SUBJECT_REQUEST_ANSWERED = EventType(
    "assignments", "data_subject_request_answered", DataSubjectRequestAnswered)
NOTIFICATIONS_DATA_SUBJECT_REQUEST_ANSWERED = EventType(
    "notifications", "data_subject_request_answered", DataSubjectRequestAnswered)
ESCALATIONS_DATA_SUBJECT_REQUEST_ANSWERED = EventType(
    "escalations", "data_subject_request_answered", DataSubjectRequestAnswered)
MONITOR_DATA_SUBJECT_REQUEST_ANSWERED = EventType("monitor", "data_subject_request_answered",
                                                  DataSubjectRequestAnswered)
# the one event naming a member's code: their own records, to the administrator handling their
# request (docs/members.md)
MEMBERS_DATA_SUBJECT_REQUEST_ANSWERED = EventType("members", "data_subject_request_answered",
                                                  DataSubjectRequestAnswered)
USER_ANONYMISED = EventType("accounts", "user_anonymised", UserAnonymised)
CADRE_ANONYMISED = EventType("assignments", "cadre_anonymised", CadreAnonymised)
CONCERN_REDACTED = EventType("visits", "concern_redacted", ConcernRedacted)
CASE_SUMMARY_REDACTED = EventType("escalations", "case_summary_redacted", CaseSummaryRedacted)

__all__ = ["REQUEST_KINDS", "MAX_FOUND", "FOUND_KINDS", "DATA_SUBJECT_REQUEST_RECORDED",
           "VISITS_DATA_SUBJECT_REQUEST_ANSWERED", "ACCOUNTS_DATA_SUBJECT_REQUEST_ANSWERED",
           "ASSIGNMENTS_DATA_SUBJECT_REQUEST_ANSWERED",
           "NOTIFICATIONS_DATA_SUBJECT_REQUEST_ANSWERED",
           "ESCALATIONS_DATA_SUBJECT_REQUEST_ANSWERED", "MONITOR_DATA_SUBJECT_REQUEST_ANSWERED",
           "MEMBERS_DATA_SUBJECT_REQUEST_ANSWERED",
           "USER_ANONYMISED", "CADRE_ANONYMISED", "CONCERN_REDACTED", "CASE_SUMMARY_REDACTED",
           "RedactWords"]
