"""Contacts with Party members and their families (issue 29, docs/members.md): a committee
member logs briefly that they visited a member, visited the family or phoned (the day, the
kind, what was raised), and any concerns raised there enter the same case life as a meeting's.

Who logs or reads a member's contacts: whoever may see the member's branch (``access``) and the
member's carer (``care``); anyone else is told the member is not found. The day is not in the
future and not before the member joined their branch (``check``). The member stays here:
visits, which owns concerns, gets a contact record naming the branch, the day, the kind and
the cadre (``shared.contracts.rpc.contacts.RecordContact``), never the member.

Three steps, as for a meeting's attendance list: the contact recorded pending (keyed by the
phone's ``submission_id``), its concerns recorded by visits, the contact confirmed with visits'
record. The phone resending the same contact mends a crash at any step: the pending contact is
found, visits answers its record as stored, and nothing is doubled. Example::

    log(db, "00123", {"submission_id": "c-1", "contacted_on": dt.date(2026, 12, 5),
                      "kind": "family_visit", "raised": "...", "concerns": []},
        principal, registry, visits, dt.date(2026, 12, 7))
"""
import hashlib
import json

from services.members import care, store
from shared.contracts import MEMBERS_PERSONAL_DATA_READ
from shared.errors import InvalidInput
from shared.personal_data import personal_data_read
from shared.reasons import reason


def check(given, member, today):
    """The refusals of a contact with ``member`` (``{field: [Reason]}``; empty: none)."""
    day = given["contacted_on"]
    if day > today:
        return {"contacted_on": [reason("future_day", "cannot be in the future")]}
    since = member["history"][-1]["since"]
    if day.isoformat() < since:
        return {"contacted_on": [reason(
            "before_since", f"before the member joined the branch on {since}", since=since)]}
    return {}


def fingerprint(member_code, dumped):
    return hashlib.sha256(json.dumps([member_code, dumped], sort_keys=True).encode()).hexdigest()


def log(db, member_code, given, dumped, principal, registry, visits, today):
    """The contact as kept, its concerns recorded by visits; ``dumped``: ``given`` dumped."""
    member = store.find_member(db, member_code)
    care.require_sight_of_member(db, principal, member, today.isoformat(), registry)
    problems = check(given, member, today)
    if problems:
        raise InvalidInput("the contact cannot be logged as given", problems)
    held = store.record_contact(db, {
        "_id": given["submission_id"], "member_code": member["_id"],
        "unit_id": member["unit_id"], "contacted_on": dumped["contacted_on"],
        "kind": given["kind"], "raised": given["raised"], "cadre_id": principal.cadre_id,
        "recorded_by": principal.user_id, "fingerprint": fingerprint(member["_id"], dumped),
        "confirmed": False, "contact_id": None, "concerns": []})
    if held["confirmed"]:
        return {**held, "replayed": True}
    contact_id, concerns = None, []
    if dumped["concerns"]:
        answer = visits.record_contact({
            "submission_id": held["_id"], "unit_id": held["unit_id"],
            "contacted_on": held["contacted_on"], "kind": held["kind"],
            "cadre_id": principal.cadre_id, "user_id": principal.user_id,
            "concerns": dumped["concerns"]})
        contact_id, concerns = answer["contact_id"], answer["concerns"]
    return {**store.confirm_contact(db, held["_id"], contact_id, concerns),
            "replayed": False}


def of_member(db, member_code, principal, registry, today):
    """A member's contacts, for whoever may see their branch; the read on the access log."""
    member = store.find_member(db, member_code)
    care.require_sight_of_member(db, principal, member, today.isoformat(), registry)
    found = store.contacts_of(db, member["_id"])
    entry = personal_data_read(MEMBERS_PERSONAL_DATA_READ, principal, "members.contacts",
                               [("branch_members", member["unit_id"])])
    if entry is not None:
        store.record_members_read(db, entry, [member["_id"]])
    return {"member_code": member["_id"], "member": care.with_carers(db, [member])[0],
            "contacts": found, "care_history": care.history_of(db, member["_id"])}
