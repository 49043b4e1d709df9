"""Each Party member in the care of a grassroots committee member (issue 29, docs/members.md):
"cấp ủy viên cơ sở nắm tới đảng viên, gia đình".

Who may be put in care of a member: a cadre who, that day, holds a seat on the committee of
the member's branch or of the committee directly above it (the grassroots Party committee,
đảng ủy cơ sở); anyone else is refused by name (``not_on_committee``) and nothing is written.
Who puts them there: an administrator, or a cadre who holds such a seat themselves (the
committee shares out its members); anyone else who may see the branch is forbidden, anyone
who may not is told the member is not found. Re-assigning keeps the previous carer in the
member's care history.

The carer sees and logs contacts with the members in their care, across branches, for as
long as they hold such a seat (``may_see_member``), beside those who may see the branch
(``access``). Example::

    put(db, "00123", "hoa", principal, registry, dt.date(2026, 12, 7))
    # {"member_code": "00123", "cadre_id": "hoa", "since": "2026-12-07", "history": [...]}
"""
from services.members import access, store
from shared.authorisation import ADMINISTRATOR, CADRE
from shared.contracts import MEMBERS_PERSONAL_DATA_READ
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.personal_data import personal_data_read
from shared.reasons import reason


def committees_of(unit):
    """The committees whose members may care for the branch's members: the branch's own and
    the one directly above it."""
    return (unit["unit_id"],) + ((unit["parent_id"],) if unit.get("parent_id") else ())


def may_care(registry, cadre_id, unit_id, day):
    """Whether ``cadre_id`` sits on a committee of ``committees_of`` the branch on ``day``."""
    try:
        cadre = registry.get_cadre(cadre_id)
    except NotFound:
        return False
    return access.holds_seat(cadre, committees_of(registry.get_unit(unit_id)), day)


def put(db, member_code, cadre_id, principal, registry, today):
    member = store.find_member(db, member_code)
    unit_id, day = member["unit_id"], today.isoformat()
    if principal is not None and principal.role != ADMINISTRATOR and not (
            principal.role == CADRE and may_care(registry, principal.cadre_id, unit_id, day)):
        access.require_sight(principal, unit_id, day, registry)
        raise Forbidden("only an administrator or a member of the branch's committee (or of "
                        "the one above) puts a member in someone's care",
                        {"principal": [reason("not_on_committee", "holds no seat on the "
                                              "committee", cadre_id=principal.cadre_id or "",
                                              day=day)]})
    if member["status"] != "active":
        raise InvalidInput("the member's membership ended", {"member_code": [reason(
            "membership_ended", f"membership ended on {member['ended_on']}",
            member_code=member_code, ended_on=member["ended_on"])]})
    if not may_care(registry, cadre_id, unit_id, day):
        raise InvalidInput("a member is in the care of a member of their committee", {
            "cadre_id": [reason("not_on_committee", f"{cadre_id} holds no seat on the "
                                f"committee of {unit_id} or the one above on {day}",
                                cadre_id=cadre_id, day=day)]})
    return store.put_in_care(db, member["_id"], unit_id, cadre_id, day,
                             principal.user_id if principal else None)


def choices(principal, unit_id, registry, today):
    """Whether ``principal`` may put the branch's members in someone's care today and whom
    they may choose: the cadres holding a seat that day on the branch's committee or the one
    above, as ``put`` checks them. Whoever may not choose is offered nobody."""
    day = today.isoformat()
    try:
        committees = committees_of(registry.get_unit(unit_id))
    except NotFound:  # a branch that no longer exists today (merged): nobody cares anew
        return {"unit_id": unit_id, "as_of": day, "may_choose": False, "cadres": []}
    seated = registry.committee_seats({"unit_ids": list(committees)})["cadres"]
    holders = [cadre for cadre in seated if access.holds_seat(cadre, committees, day)]
    may = principal is None or principal.role == ADMINISTRATOR or (
        principal.role == CADRE and any(c["cadre_id"] == principal.cadre_id for c in holders))
    return {"unit_id": unit_id, "as_of": day, "may_choose": may,
            "cadres": [{"cadre_id": cadre["cadre_id"], "name": cadre["name"],
                        "seats": [seat for seat in cadre["memberships"]
                                  if access.holds_seat({"memberships": [seat]}, committees,
                                                       day)]}
                       for cadre in holders] if may else []}


def history_of(db, member_code):
    """The carers before the one now, the latest first (``cadre_id``, ``since``, ``until``)."""
    held = store.care_of(db, member_code)
    return list(reversed(held["history"])) if held else []


def may_see_member(db, principal, member, day, registry):
    """Whether ``principal`` sees ``member``: as the branch's members (``access``), or as the
    member's carer still on one of the committees."""
    if access.may_see(principal, member["unit_id"], day, registry):
        return True
    held = store.care_of(db, member["_id"])
    return (principal.role == CADRE and held is not None
            and held["cadre_id"] == principal.cadre_id
            and may_care(registry, principal.cadre_id, member["unit_id"], day))


def require_sight_of_member(db, principal, member, day, registry):
    if not may_see_member(db, principal, member, day, registry):
        raise NotFound("member not found", {"member_code": [member["_id"]]})


def in_care_of(db, principal, registry, today):
    """The members in the signed-in cadre's care, across branches, while they hold a seat on
    one of each branch's committees; the read on the access log (naming the branches)."""
    day = today.isoformat()
    held = store.members_in_care_of(db, principal.cadre_id)
    units = {h["unit_id"]: may_care(registry, principal.cadre_id, h["unit_id"], day)
             for h in held}
    members = store.members_coded(db, [h["_id"] for h in held if units[h["unit_id"]]])
    shown = [{**members[h["_id"]], "in_care_since": h["since"]} for h in held
             if h["_id"] in members and members[h["_id"]]["status"] == "active"]
    entry = personal_data_read(MEMBERS_PERSONAL_DATA_READ, principal, "members.in_care",
                               [("branch_members", m["unit_id"]) for m in shown])
    if entry is not None:
        store.record_members_read(db, entry, [m["_id"] for m in shown])
    return {"cadre_id": principal.cadre_id, "members": shown}


def with_carers(db, members):
    """``members`` each with who is caring for them (``in_care_of``: None when nobody)."""
    carers = store.carers_of(db, [m["_id"] for m in members])
    return [{**m, "in_care_of": carers.get(m["_id"])} for m in members]
