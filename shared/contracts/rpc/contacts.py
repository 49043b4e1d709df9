"""RPC payloads of contacts with Party members and their families, and of who is in whose care
(issue 29, docs/members.md):
a grassroots committee member logs briefly a contact with a member or their family (the day,
the kind, what was raised), and any concerns raised there enter the same case life as a
meeting's.

Two calls: the gateway's to the members service (:class:`LogContact`, about one member, by
code), and the members service's to visits (:class:`RecordContact`): the contact record visits
keeps for the concerns names the branch, the day, the kind and the cadre, never the member.
Example::

    LogContact().load({"submission_id": "c-1", "contacted_on": "2026-12-05",
                       "kind": "family_visit", "raised": "Gia đình hỏi về chế độ"})
"""
from marshmallow import Schema, fields, validate

from shared.contracts import Day, Id, Text
from shared.contracts.base import CONTACT_KINDS
from shared.contracts.rpc.members import Member
from shared.contracts.rpc.visits import RaiseConcern

MAX_CONCERNS_PER_CONTACT = 10


class ContactConcern(RaiseConcern):
    """A concern raised at a contact: as a meeting's, without photos or documents (a contact is
    logged briefly, from a phone)."""

    class Meta:
        exclude = ("attachments",)


class LogContact(Schema):
    # chosen by the phone once per contact, so a resend after a lost reply is recognised
    submission_id = Id(required=True)
    contacted_on = Day(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CONTACT_KINDS))
    raised = Text(1000, required=True, metadata={"description": "what was raised, briefly"})
    concerns = fields.List(fields.Nested(ContactConcern), load_default=list,
                           validate=validate.Length(max=MAX_CONCERNS_PER_CONTACT))


class RecordContact(Schema):
    """What visits keeps of a contact for its concerns (the members service vouches for who
    may log it): no member code, no member's name."""
    submission_id = Id(required=True)
    unit_id = Id(required=True)
    contacted_on = Day(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CONTACT_KINDS))
    cadre_id = Id(required=True)
    user_id = Id(required=True)
    concerns = fields.List(fields.Nested(ContactConcern), required=True,
                           validate=validate.Length(min=1, max=MAX_CONCERNS_PER_CONTACT))


class RaisedAtContact(Schema):
    concern_id = fields.String()
    topic = fields.String()
    receipt_code = fields.String(allow_none=True)


class ContactRecorded(Schema):
    """Visits' answer: its contact record and the concerns raised (``replayed``: found)."""
    contact_id = fields.String()
    concerns = fields.List(fields.Nested(RaisedAtContact))
    replayed = fields.Boolean()


class Contact(Schema):
    submission_id = fields.String(attribute="_id")
    member_code = fields.String()
    unit_id = fields.String()
    contacted_on = fields.String()
    kind = fields.String()
    raised = fields.String()
    cadre_id = fields.String(allow_none=True)
    # visits' record of the concerns (None: none raised, or not confirmed yet)
    contact_id = fields.String(allow_none=True)
    concerns = fields.List(fields.Nested(RaisedAtContact))
    confirmed = fields.Boolean()
    replayed = fields.Boolean(dump_default=False)


class CarerBefore(Schema):
    cadre_id = fields.String()
    since = fields.String()
    until = fields.String()


class ContactList(Schema):
    member_code = fields.String()
    member = fields.Nested(Member)
    contacts = fields.List(fields.Nested(Contact))
    # the carers before the one now (``member.in_care_of``), the latest first
    care_history = fields.List(fields.Nested(CarerBefore), dump_default=list)


# --- who is in whose care ----------------------------------------------------------------------

class PutInCare(Schema):
    """The committee member caring for a Party member from today (another replaces them)."""
    cadre_id = Id(required=True)


class Care(Schema):
    member_code = fields.String(attribute="_id")
    unit_id = fields.String()
    cadre_id = fields.String()
    since = fields.String()
    set_by = fields.String(allow_none=True)
    history = fields.List(fields.Dict())


class CareChoiceSeat(Schema):
    unit_id = fields.String()
    role = fields.String()


class CareChoice(Schema):
    cadre_id = fields.String()
    name = fields.String()
    # the seats that make them a possible carer today (the branch's committee, the one above)
    seats = fields.List(fields.Nested(CareChoiceSeat))


class CareChoices(Schema):
    """Whether the caller may put the branch's members in someone's care today
    (``may_choose``) and, if so, whom they may choose; nobody is offered otherwise."""
    unit_id = fields.String()
    as_of = fields.String()
    may_choose = fields.Boolean()
    cadres = fields.List(fields.Nested(CareChoice))


class MemberInCare(Member):
    in_care_since = fields.String()


class MembersInCare(Schema):
    cadre_id = fields.String()
    members = fields.List(fields.Nested(MemberInCare))
