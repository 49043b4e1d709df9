"""The members service's reads: a branch's members (on a day), one member, a meeting's list,
the absence flags. Each checks who asks (``access``) and writes every read of a member's
record on the access log: the entry here names the members shown; its event, for the monitor's
log, names only the branch (``shared.contracts.MEMBERS_PERSONAL_DATA_READ``)."""
from services.members import absence, access, attendance, roll, store
from shared.contracts import MEMBERS_PERSONAL_DATA_READ
from shared.personal_data import personal_data_read

require_sight = access.require_sight


def _log_read(db, principal, purpose, unit_id, member_codes):
    if not member_codes:
        return
    entry = personal_data_read(MEMBERS_PERSONAL_DATA_READ, principal, purpose,
                               [("branch_members", unit_id)])
    if entry is not None:
        store.record_members_read(db, entry, member_codes)


def list_members(db, unit_id, day, principal, registry):
    """The members of ``unit_id`` on ``day`` (ISO), by code."""
    access.require_sight(principal, unit_id, day, registry)
    members = roll.members_on(store.members_ever_in(db, unit_id), unit_id, day)
    _log_read(db, principal, "members.list_members", unit_id, [m["_id"] for m in members])
    return members


def get_member(db, member_code, day, principal, registry):
    """One member, seen by those who may see the branch they are in (or were last in)."""
    member = store.find_member(db, member_code)
    access.require_sight(principal, member["unit_id"], day, registry)
    _log_read(db, principal, "members.get_member", member["unit_id"], [member["_id"]])
    return member


def attendance_list(db, submission_id, day, principal, registry,
                    purpose="members.attendance_list"):
    """A meeting's list; ``purpose`` None: checked for the caller, not shown to them."""
    held = store.find_attendance(db, submission_id)
    access.require_sight(principal, held["unit_id"], day, registry)
    if purpose:
        _log_read(db, principal, purpose, held["unit_id"],
                  [mark["member_code"] for mark in held["marks"]])
    return {**held, "submission_id": held["_id"]}


def absence_flags(db, unit_id, year, day, principal, registry, policy):
    """The branch's members the Charter's absence rule flags in ``year``, with the meetings."""
    access.require_sight(principal, unit_id, day, registry)
    lists = store.attendance_in(db, unit_id, f"{year}-01-01", f"{year}-12-31")
    flagged = absence.flags(policy, attendance.marks_of(lists), year)
    _log_read(db, principal, "members.absence_flags", unit_id,
              [flag["member_code"] for flag in flagged])
    return {"unit_id": unit_id, "year": year, "months": policy.months,
            "clause": policy.clause, "guidance": policy.guidance, "flags": flagged}
