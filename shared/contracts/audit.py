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
from shared.contracts.base import Id
from shared.contracts.envelope import EventType

# what a read names: a concern (its raiser's name and contact), a visit (its concerns'
# raisers), a cadre (e-mail and telephone), a notification (the recipient's address), a
# branch's Party members (named by the branch: member ids never travel, docs/members.md)
RECORD_KINDS = ("concern", "visit", "cadre", "notification", "branch_members")
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
MEMBERS_PERSONAL_DATA_READ = EventType("members", "personal_data_read", PersonalDataRead)

__all__ = ["RECORD_KINDS", "MAX_RECORDS", "VISITS_PERSONAL_DATA_READ",
           "ASSIGNMENTS_PERSONAL_DATA_READ", "NOTIFICATIONS_PERSONAL_DATA_READ",
           "MEMBERS_PERSONAL_DATA_READ"]
