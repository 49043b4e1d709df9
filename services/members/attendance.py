"""A meeting's attendance member by member (docs/members.md): each member of the branch on the
meeting's day present, absent with a reason (``absent_excused``), or absent without one; the
counts derived from the list, never typed beside it.

The list is kept here, keyed by the visit's ``submission_id``: recorded (pending) before the
visit is logged, confirmed with the visit's id after (the gateway does the three steps). A
crash anywhere is mended by the phone resending the visit, as it does until answered: the same
list is found, the visit answered as logged before, the list confirmed. Only confirmed lists
count (the absence rule); a pending one may be replaced by a corrected resend. The visit
carries only the counts: member ids never travel in events.

A list naming someone not a member of the branch that day, or one member twice, or one leaving
out a member of the branch that day, is refused with the members named, and nothing is
written. Example::

    record(db, {"submission_id": "s1", "unit_id": "vp.bx.th.np",
                "meeting_date": dt.date(2026, 12, 5), "marks": [...]}, "u-binh")
    # {"present": 18, "expected": 20, ...}
"""
from collections import Counter

from services.members import people, roll, store
from shared.contracts.rpc.members import derived_counts
from shared.errors import InvalidInput
from shared.reasons import reason


def record(db, given, user_id):
    day = given["meeting_date"].isoformat()
    marks = given["marks"]
    problems = {}
    twice = [code for code, n in Counter(m["member_code"] for m in marks).items() if n > 1]
    members = store.members_coded(db, {m["member_code"] for m in marks})
    for index, mark in enumerate(marks):
        code = mark["member_code"]
        if code in twice:
            problems[f"marks.{index}.member_code"] = [reason(
                "member_twice", f"member {code} is listed twice", member_code=code)]
        elif code not in members or not roll.member_on(members[code], given["unit_id"], day):
            problems[f"marks.{index}.member_code"] = [reason(
                "not_a_member_then", f"{code} is not a member of this branch on {day}",
                member_code=code, day=day)]
    listed = {m["member_code"] for m in marks}
    missing = sorted(m["_id"] for m in roll.members_on(store.members_ever_in(db, given["unit_id"]),
                                                      given["unit_id"], day)
                     if m["_id"] not in listed)
    if missing:
        problems["marks"] = [reason("members_missing", f"every member of the branch on {day} "
                                    f"is marked; missing: {', '.join(missing)}",
                                    member_codes=", ".join(missing))]
    if problems:
        raise InvalidInput("the attendance list names someone it cannot", problems)
    kept = [{"member_code": m["member_code"], "mark": m["mark"], "reason": m.get("reason")}
            for m in marks]
    held = store.record_attendance(db, {
        "_id": given["submission_id"], "unit_id": given["unit_id"], "meeting_date": day,
        "marks": kept, "recorded_by": user_id, **derived_counts(kept)})
    return {**held, "submission_id": held["_id"]}


def marks_of(lists):
    """Each member's mark at each meeting of ``lists`` (for the absence rule); an erased
    former member's are no one's to flag."""
    return [{**mark, "meeting_date": item["meeting_date"], "submission_id": item["_id"]}
            for item in lists for mark in item["marks"]
            if not people.is_erased(mark["member_code"])]


def confirm(db, submission_id, visit_id):
    held = store.confirm_attendance(db, submission_id, visit_id)
    return {**held, "submission_id": held["_id"]}
